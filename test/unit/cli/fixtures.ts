// Runs as the operator writes them, for the plugin's table tests.
import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import { ROUND_LABEL } from '../../../src/api/v1alpha1/labels.js';
import type {
  SwitchBenchmark,
  SwitchBenchmarkRun,
  SwitchBenchmarkSpec,
  SwitchBenchmarkStatusPool,
  Trial,
} from '../../../src/api/v1alpha1/types.js';
import { fanOutRunName } from '../../../src/controller/benchmark/fan-out.js';

export function trial(
  index: number,
  packetSize: number,
  offeredPps: number,
  rxPpsMean: number | undefined,
  extra: Partial<Trial> = {},
): Trial {
  return {
    index,
    packetSize,
    burstSize: 16,
    offeredPps,
    outcome: 'Measured',
    achievedTxPps: offeredPps,
    rxPpsMean,
    windowLossRatio: rxPpsMean === undefined ? undefined : 1 - rxPpsMean / offeredPps,
    ...extra,
  };
}

export function run(
  name: string,
  benchmarkName: string,
  spec: Partial<SwitchBenchmarkSpec> & Pick<SwitchBenchmarkSpec, 'datapath'>,
  status: SwitchBenchmarkRun['status'],
): SwitchBenchmarkRun {
  return {
    apiVersion: 'switchbench.io/v1alpha1',
    kind: 'SwitchBenchmarkRun',
    metadata: { name, namespace: 'lab', creationTimestamp: '2026-01-01T00:00:00Z' as unknown as Date },
    spec: { benchmarkName, benchmarkGeneration: 1, trigger: 'initial', benchmark: defaultSpec(spec) },
    status,
  } as SwitchBenchmarkRun;
}

/** A testpmd sweep: 64 B and 512 B at three rates, the top one past saturation, one failed trial. */
export const sweep = run(
  'tp-2',
  'tp',
  { datapath: 'testpmd' },
  {
    phase: 'Succeeded',
    progress: '7/7',
    trialsCompleted: 7,
    trialsPlanned: 7,
    node: 'node-a',
    trials: [
      trial(0, 64, 10_000, 9_990.5),
      trial(1, 64, 20_000, 19_980),
      trial(2, 64, 40_000, 31_000.25, { unstable: true }),
      trial(3, 512, 10_000, 10_000),
      trial(4, 512, 20_000, 18_000, { outcome: 'GeneratorLimited', achievedTxPps: 18_000 }),
      trial(5, 512, 40_000, undefined, { outcome: 'Failed', message: 'receiver pod failed, exit code 1' }),
      trial(6, 64, 40_000, 30_500),
    ],
    summary: [
      {
        packetSize: 64,
        burstSize: 16,
        maxRxPps: 30_750.125,
        maxRxPpsMin: 30_500,
        maxRxPpsMax: 31_000.25,
        maxRxBitsPerSecond: 30_750.125 * 512,
        maxRxWireBitsPerSecond: 30_750.125 * 672,
        trials: 4,
        unstableTrials: 1,
      },
      {
        packetSize: 512,
        burstSize: 16,
        maxRxPps: 18_000,
        maxRxPpsMin: 18_000,
        maxRxPpsMax: 18_000,
        maxRxBitsPerSecond: 18_000 * 4096,
        maxRxWireBitsPerSecond: 18_000 * 4256,
        trials: 3,
        generatorLimitedTrials: 1,
      },
    ],
  },
);

/** An ndr-pdr search with one point: NDR and two PDRs. */
export const search = run(
  'mf-1',
  'mf',
  {
    datapath: 'memif',
    method: { type: 'ndr-pdr', ndrPdr: { lossRatios: [0, 0.005, 0.01] } } as unknown as SwitchBenchmarkSpec['method'],
  },
  {
    phase: 'Succeeded',
    trials: [
      trial(0, 64, 2_000_000, 1_500_000, { purpose: 'search' }),
      trial(1, 64, 1_400_000, 1_400_000, { purpose: 'verify', message: 'rate found, "NDR", verified' }),
    ],
    summary: [
      {
        packetSize: 64,
        burstSize: 32,
        maxRxPps: 1_500_000,
        maxRxBitsPerSecond: 1_500_000 * 512,
        maxRxWireBitsPerSecond: 1_500_000 * 672,
        ndr: { lossRatio: 0, pps: 1_400_000, bitsPerSecond: 1_400_000 * 512 },
        pdr: [
          { lossRatio: 0.005, pps: 1_450_000, bitsPerSecond: 1_450_000 * 512 },
          { lossRatio: 0.01, pps: 1_480_000, bitsPerSecond: 1_480_000 * 512 },
        ],
        trials: 2,
      },
    ],
  },
);

export function benchmark(
  name: string,
  datapath: SwitchBenchmarkSpec['datapath'],
  status: SwitchBenchmark['status'],
  namespace = 'lab',
): SwitchBenchmark {
  return {
    apiVersion: 'switchbench.io/v1alpha1',
    kind: 'SwitchBenchmark',
    metadata: { name, namespace },
    spec: defaultSpec({ datapath }),
    status,
  } as SwitchBenchmark;
}

/**
 * A testpmd sweep whose trials say where their frames were lost: none lost, a slow consumer's ring,
 * the switch dropping while refusing at the sender's ring, a trial the switch's counters could not
 * place (the programs did), and a failed trial with no figures.
 */
export const lossPlaced = run(
  'lp-1',
  'lp',
  { datapath: 'testpmd' },
  {
    phase: 'Succeeded',
    trials: [
      trial(0, 64, 10_000, 10_000, {
        trialLossRatio: 0,
        trialLost: 0,
        lossLocatedBy: 'switch-counters',
        lostAtSenderRing: 0,
        lostInSwitch: 0,
        lostAtReceiverRing: 0,
        lostAtReceiver: 0,
        lostUnlocated: 0,
      }),
      trial(1, 64, 20_000, 2_000, {
        trialLossRatio: 0.9,
        trialLost: 60_000,
        lossLocatedBy: 'switch-counters',
        lostAtSenderRing: 0,
        lostInSwitch: 0,
        lostAtReceiverRing: 59_500,
        lostAtReceiver: 0,
        lostUnlocated: 500,
      }),
      trial(2, 64, 40_000, 26_000, {
        trialLossRatio: 0.35,
        trialLost: 42_000,
        lossLocatedBy: 'switch-counters',
        lostAtSenderRing: 12_000,
        lostInSwitch: 30_000,
        lostAtReceiverRing: 0,
        lostAtReceiver: 0,
        lostUnlocated: 0,
      }),
      trial(3, 64, 10_000, 9_900, {
        trialLossRatio: 0.01,
        trialLost: 1_000,
        lossLocatedBy: 'programs',
        lostAtSenderRing: 0,
        lostAtReceiverRing: 100,
        lostUnlocated: 900,
        message: 'the switch did not answer the port-counter request',
      }),
      trial(4, 64, 80_000, undefined, { outcome: 'Failed', achievedTxPps: undefined, message: 'receiver pod failed' }),
    ],
  },
);

type Placement = SwitchBenchmarkSpec['resources']['cpuPolicy'];

/**
 * A run under cpuPolicy `placement`, its trials recording it as the operator does: on testpmd the
 * switch said its CPUs for trial 0 and not for trial 1; on memif there is no switch. The failed
 * trial records no placement (nor CPUs). `recorded: false`: an older operator's trials, which record none.
 */
export function placed(
  placement: Placement,
  datapath: 'testpmd' | 'memif' = 'testpmd',
  recorded = true,
): SwitchBenchmarkRun {
  const name = `${datapath === 'testpmd' ? 'tp' : 'mf'}-${placement}`;
  const as = recorded ? { placement } : {};
  const switchCpus = datapath === 'testpmd' ? { switch: '4' } : {};
  return run(
    `${name}-1`,
    name,
    { datapath, resources: { ...defaultSpec({ datapath }).resources, cpuPolicy: placement } },
    {
      phase: 'Succeeded',
      progress: '3/3',
      node: 'node-a',
      headline: '64B 15.0kpps',
      trials: [
        trial(0, 64, 10_000, 10_000, { ...as, cpus: { sender: '2', receiver: '3', ...switchCpus } }),
        trial(1, 64, 20_000, 15_000, {
          ...as,
          cpus: { sender: '2', receiver: '3' },
          message: 'the switch did not answer the port-counter request',
        }),
        trial(2, 64, 40_000, undefined, { outcome: 'Failed', message: 'receiver pod failed' }),
      ],
      summary: [{ packetSize: 64, burstSize: 16, maxRxPps: 15_000, maxRxPpsMin: 15_000, maxRxPpsMax: 15_000 }],
    },
  );
}

/** Fan-out's spec: the defaults (outlierFraction 0.9) as the apiserver fills them in. */
const fanOutSpec = (spec: Partial<SwitchBenchmarkSpec> = {}) =>
  defaultSpec({
    datapath: 'testpmd',
    placement: { fanOut: {} } as SwitchBenchmarkSpec['placement'],
    ...spec,
  });

/**
 * Benchmark `nb`'s run of `node` in the round `round` (`nb-N`), named, labelled and pinned to its
 * node as fan-out creates it.
 */
export function nodeRun(
  round: string,
  node: string,
  status: SwitchBenchmarkRun['status'],
  createdAt = '2026-01-01T00:00:00Z',
): SwitchBenchmarkRun {
  const r = run(fanOutRunName(round, node), 'nb', { datapath: 'testpmd' }, status);
  return {
    ...r,
    metadata: { ...r.metadata, labels: { [ROUND_LABEL]: round }, creationTimestamp: createdAt as unknown as Date },
    spec: { ...r.spec, nodeName: node, benchmark: fanOutSpec() },
  };
}

/** Fan-out benchmark `nb` with the pool verdict `pool` in its status (none: not reconciled yet). */
export function poolBenchmark(
  pool: SwitchBenchmarkStatusPool | undefined,
  spec: Partial<SwitchBenchmarkSpec> = {},
  status: Partial<NonNullable<SwitchBenchmark['status']>> = {},
): SwitchBenchmark {
  const b = benchmark('nb', 'testpmd', { phase: 'Succeeded', ...(pool ? { pool } : {}), ...status });
  return { ...b, spec: fanOutSpec(spec) };
}

/**
 * A pool of five as the operator judges it, on 64 B max receive rate: a and b near the median, c
 * below 0.9 of it, d's latest run failed, e has not run yet.
 */
export const fivePool: SwitchBenchmarkStatusPool = {
  packetSize: 64,
  figure: 'MaxRx',
  medianPps: 5_110_000,
  spread: 5_210_000 / 4_100_000,
  outliers: ['node-c', 'node-d'],
  nodes: [
    {
      node: 'node-a',
      run: 'nb-3-node-a',
      phase: 'Succeeded',
      pps: 5_210_000,
      ratio: 5_210_000 / 5_110_000,
      outlier: false,
    },
    { node: 'node-b', run: 'nb-3-node-b', phase: 'Succeeded', pps: 5_110_000, ratio: 1, outlier: false },
    {
      node: 'node-c',
      run: 'nb-3-node-c',
      phase: 'Succeeded',
      pps: 4_100_000,
      ratio: 4_100_000 / 5_110_000,
      outlier: true,
    },
    { node: 'node-d', run: 'nb-3-node-d', phase: 'Failed', outlier: true },
    { node: 'node-e' },
  ],
};
