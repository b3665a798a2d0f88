import { jest } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import type { SwitchBenchmark, SwitchBenchmarkRun, Trial } from '../../../src/api/v1alpha1/types.js';
import { OperatorMetrics } from '../../../src/metrics/registry.js';
import { lastFinishedRun, resultSamples } from '../../../src/metrics/results.js';
import { parseBindAddress } from '../../../src/metrics/server.js';

const benchmark = (name: string, uid = `uid-${name}`): SwitchBenchmark =>
  ({
    apiVersion: 'switchbench.io/v1alpha1',
    kind: 'SwitchBenchmark',
    metadata: { name, namespace: 'ns', uid },
    spec: {},
  }) as unknown as SwitchBenchmark;

const trial = (index: number, offeredPps: number, rxPpsMean: number, extra: Partial<Trial> = {}): Trial => ({
  index,
  packetSize: 64,
  burstSize: 32,
  offeredPps,
  purpose: 'sweep',
  outcome: 'Measured',
  achievedTxPps: offeredPps,
  rxPpsMean,
  windowLossRatio: 1 - rxPpsMean / offeredPps,
  latency: { p50Ns: 5000, p90Ns: 9000, p99Ns: 20000, p999Ns: 40000, maxNs: 90000 },
  ...extra,
});

function run(
  owner: SwitchBenchmark,
  name: string,
  status: Partial<NonNullable<SwitchBenchmarkRun['status']>>,
  datapath = 'testpmd',
  cpuPolicy?: string,
): SwitchBenchmarkRun {
  return {
    apiVersion: 'switchbench.io/v1alpha1',
    kind: 'SwitchBenchmarkRun',
    metadata: {
      name,
      namespace: 'ns',
      uid: `uid-${name}`,
      creationTimestamp: status.startTime,
      ownerReferences: [
        {
          apiVersion: 'v1',
          kind: 'SwitchBenchmark',
          name: owner.metadata.name as string,
          uid: owner.metadata.uid as string,
          controller: true,
        },
      ],
    },
    spec: {
      benchmarkName: owner.metadata.name as string,
      benchmarkGeneration: 1,
      trigger: 'schedule',
      benchmark: { datapath, ...(cpuPolicy ? { resources: { cpuPolicy } } : {}) },
    },
    status,
  } as unknown as SwitchBenchmarkRun;
}

const sweep = benchmark('sweep');
const search = benchmark('search');
const older = run(sweep, 'sweep-1', {
  phase: 'Succeeded',
  startTime: '2026-11-24T01:00:00Z',
  completionTime: '2026-11-24T02:00:00Z',
  trials: [trial(0, 1000, 900)],
  summary: [{ packetSize: 64, burstSize: 32, maxRxPps: 900, maxRxBitsPerSecond: 460800 }],
});
const newer = run(sweep, 'sweep-2', {
  phase: 'Succeeded',
  startTime: '2026-11-25T01:00:00Z',
  completionTime: '2026-11-25T02:00:00Z',
  trials: [trial(0, 1000, 1000), trial(1, 2000, 1500), trial(2, 2000, 1600)],
  summary: [{ packetSize: 64, burstSize: 32, maxRxPps: 1600, maxRxBitsPerSecond: 819200 }],
});
const running = run(sweep, 'sweep-3', {
  phase: 'Running',
  startTime: '2026-11-25T03:00:00Z',
  trials: [trial(0, 1000, 10)],
});
const ndrPdr = run(
  search,
  'search-1',
  {
    phase: 'Succeeded',
    startTime: '2026-11-25T01:00:00Z',
    completionTime: '2026-11-25T01:30:00Z',
    trials: [trial(0, 5000, 5000, { purpose: 'verify' })],
    summary: [
      {
        packetSize: 64,
        burstSize: 32,
        ndr: { lossRatio: 0, pps: 5000, bitsPerSecond: 2.56e6 },
        pdr: [{ lossRatio: 0.005, pps: 6000, bitsPerSecond: 3.072e6 }],
      },
    ],
  },
  'memif',
);
const failed = run(search, 'search-2', {
  phase: 'Failed',
  startTime: '2026-11-25T04:00:00Z',
  completionTime: '2026-11-25T04:01:00Z',
  trials: [
    {
      ...trial(0, 5000, 0),
      outcome: 'Failed',
      rxPpsMean: undefined,
      windowLossRatio: undefined,
      latency: undefined,
      achievedTxPps: undefined,
    },
  ],
});

// Where the trials' frames were lost: none, a slow consumer's ring behind a switch (a repetition
// before it said otherwise), refusals at the sender's ring placed by the programs alone, a failure.
const located = benchmark('located');
const behindSwitch = { lossLocatedBy: 'switch-counters', lostAtSenderRing: 0, lostAtReceiver: 0 } as const;
const locatedRun = run(located, 'located-1', {
  phase: 'Succeeded',
  startTime: '2026-11-25T01:00:00Z',
  completionTime: '2026-11-25T02:00:00Z',
  trials: [
    trial(0, 1000, 1000, { ...behindSwitch, trialLost: 0, lostInSwitch: 0, lostAtReceiverRing: 0, lostUnlocated: 0 }),
    trial(1, 2000, 1900, { ...behindSwitch, trialLost: 10, lostInSwitch: 10, lostAtReceiverRing: 0, lostUnlocated: 0 }),
    trial(2, 2000, 1000, {
      ...behindSwitch,
      trialLost: 40_000,
      lostInSwitch: 100,
      lostAtReceiverRing: 39_900,
      lostUnlocated: 0,
    }),
    trial(3, 4000, 1000, {
      lossLocatedBy: 'programs',
      trialLost: 61_000,
      lostAtSenderRing: 60_000,
      lostAtReceiverRing: 0,
      lostUnlocated: 1_000,
    }),
    { ...trial(4, 8000, 0), outcome: 'Failed', rxPpsMean: undefined, windowLossRatio: undefined, latency: undefined },
  ],
});

// A run under isolated-dut on a small node: its trials record the placement, the failed one does not.
const small = benchmark('small');
const isolatedRun = run(
  small,
  'small-1',
  {
    phase: 'Succeeded',
    startTime: '2026-11-25T01:00:00Z',
    completionTime: '2026-11-25T02:00:00Z',
    trials: [
      trial(0, 1000, 1000, { placement: 'isolated-dut', cpus: { sender: '0', receiver: '0', switch: '1' } }),
      { ...trial(1, 2000, 0), outcome: 'Failed', rxPpsMean: undefined, windowLossRatio: undefined, latency: undefined },
    ],
    summary: [{ packetSize: 64, burstSize: 32, maxRxPps: 1000 }],
  },
  'testpmd',
  'isolated-dut',
);

describe('result samples', () => {
  test('only the last finished run of each benchmark speaks; a running one does not', () => {
    expect(lastFinishedRun(sweep, [older, running, newer])?.metadata.name).toBe('sweep-2');
    const samples = resultSamples([sweep], [older, newer, running]);
    expect(samples.trialRxPps).toEqual([
      {
        labels: {
          namespace: 'ns',
          benchmark: 'sweep',
          datapath: 'testpmd',
          placement: 'exclusive',
          frame_size_bytes: '64',
          burst: '32',
          offered_pps: '1000',
        },
        value: 1000,
      },
      // Two repetitions at 2000 pps: the latest one.
      {
        labels: {
          namespace: 'ns',
          benchmark: 'sweep',
          datapath: 'testpmd',
          placement: 'exclusive',
          frame_size_bytes: '64',
          burst: '32',
          offered_pps: '2000',
        },
        value: 1600,
      },
    ]);
    expect(samples.runThroughputPps).toEqual([
      {
        labels: {
          namespace: 'ns',
          benchmark: 'sweep',
          datapath: 'testpmd',
          placement: 'exclusive',
          frame_size_bytes: '64',
          burst: '32',
          measure: 'max',
          loss_ratio: '',
        },
        value: 1600,
      },
    ]);
    expect(
      samples.trialLatencySeconds
        .filter((s) => s.labels.offered_pps === '1000')
        .map((s) => [s.labels.percentile, s.value]),
    ).toEqual([
      ['50', 5e-6],
      ['90', 9e-6],
      ['99', 2e-5],
      ['99.9', 4e-5],
      ['100', 9e-5],
    ]);
    expect(samples.runs.map((s) => [s.labels.phase, s.value])).toEqual([
      ['Succeeded', 2],
      ['Running', 1],
    ]);
    expect(samples.runLastCompletionSeconds).toEqual([
      {
        labels: {
          namespace: 'ns',
          benchmark: 'sweep',
          datapath: 'testpmd',
          placement: 'exclusive',
          phase: 'Succeeded',
        },
        value: Date.parse('2026-11-25T02:00:00Z') / 1000,
      },
    ]);
  });

  test('an ndr-pdr run gives NDR and each PDR, in packets and in bytes per second', () => {
    const samples = resultSamples([search], [ndrPdr]);
    expect(samples.runThroughputPps.map((s) => [s.labels.measure, s.labels.loss_ratio, s.value])).toEqual([
      ['ndr', '0', 5000],
      ['pdr', '0.005', 6000],
    ]);
    expect(samples.runThroughputBytesPerSecond.map((s) => s.value)).toEqual([5000 * 64, 6000 * 64]);
  });

  test('a failed last run: its completion and phase, no figures it did not measure', () => {
    const samples = resultSamples([search], [ndrPdr, failed]);
    expect(samples.runLastCompletionSeconds.map((s) => s.labels.phase)).toEqual(['Failed']);
    expect(samples.trialRxPps).toEqual([]);
    expect(samples.trialOfferedPps.map((s) => s.value)).toEqual([5000]);
    expect(samples.runThroughputPps).toEqual([]);
  });

  test.each([
    [
      'nothing lost: every place, at 0',
      '1000',
      [
        ['sender_ring', 0],
        ['switch', 0],
        ['receiver_ring', 0],
        ['receiver', 0],
        ['unlocated', 0],
      ],
    ],
    [
      "placed by the switch's counters: the latest repetition speaks",
      '2000',
      [
        ['sender_ring', 0],
        ['switch', 100],
        ['receiver_ring', 39_900],
        ['receiver', 0],
        ['unlocated', 0],
      ],
    ],
    [
      'placed by the programs alone: no switch or receiver series',
      '4000',
      [
        ['sender_ring', 60_000],
        ['receiver_ring', 0],
        ['unlocated', 1_000],
      ],
    ],
    ['a failed trial: none', '8000', []],
  ])('lost frames by place, %s', (_name, offered, places) => {
    const samples = resultSamples([located], [locatedRun]).trialLostFrames;
    expect(samples.filter((s) => s.labels.offered_pps === offered).map((s) => [s.labels.place, s.value])).toEqual(
      places,
    );
  });

  test('lost frames carry the trial labels and a place', () => {
    expect(resultSamples([located], [locatedRun]).trialLostFrames[7]).toEqual({
      labels: {
        namespace: 'ns',
        benchmark: 'located',
        datapath: 'testpmd',
        placement: 'exclusive',
        frame_size_bytes: '64',
        burst: '32',
        offered_pps: '2000',
        place: 'receiver_ring',
      },
      value: 39_900,
    });
  });

  test.each([
    ['trials that recorded it, a failed one without a record alike', isolatedRun, 'isolated-dut'],
    [
      "trials of an older operator, which recorded none: the spec's cpuPolicy",
      run(small, 'small-1', { ...isolatedRun.status, trials: [trial(0, 1000, 1000)] }, 'testpmd', 'shared'),
      'shared',
    ],
    ['a run without resources in its spec: the CRD default', run(small, 'small-1', { ...older.status }), 'exclusive'],
  ])('placement of every result series of the run, from %s', (_name, last, placement) => {
    const samples = resultSamples([small], [last]);
    const results = Object.entries(samples)
      .filter(([name]) => name !== 'runs')
      .flatMap(([, series]) => series as { labels: Record<string, string> }[]);
    expect(results.length).toBeGreaterThan(4);
    expect([...new Set(results.map((s) => s.labels.placement))]).toEqual([placement]);
    // Runs by phase count every run kept, whatever its placement: no placement label.
    expect(samples.runs.every((s) => s.labels.placement === undefined)).toBe(true);
  });

  test("a pool's verdict gives one series per node: its figure, its ratio to the median, and whether it is an outlier", () => {
    const pool = {
      ...benchmark('pool'),
      status: {
        pool: {
          packetSize: 64,
          figure: 'NDR' as const,
          medianPps: 100,
          outliers: ['w2', 'w3'],
          nodes: [
            { node: 'w1', run: 'p-1-w1', phase: 'Succeeded', pps: 100, ratio: 1, outlier: false },
            { node: 'w2', run: 'p-1-w2', phase: 'Succeeded', pps: 50, ratio: 0.5, outlier: true },
            { node: 'w3', run: 'p-1-w3', phase: 'Failed', outlier: true },
            { node: 'w4' },
          ],
        },
      },
    };
    const samples = resultSamples([pool], []);
    const base = { namespace: 'ns', benchmark: 'pool' };
    expect(samples.poolNodePps).toEqual([
      { labels: { ...base, node: 'w1', frame_size_bytes: '64', measure: 'ndr' }, value: 100 },
      { labels: { ...base, node: 'w2', frame_size_bytes: '64', measure: 'ndr' }, value: 50 },
    ]);
    expect(samples.poolNodeRatio.map((s) => [s.labels.node, s.value])).toEqual([
      ['w1', 1],
      ['w2', 0.5],
    ]);
    // A node without a finished run has no verdict yet: no series, rather than a misleading 0.
    expect(samples.poolNodeOutlier.map((s) => [s.labels.node, s.value])).toEqual([
      ['w1', 0],
      ['w2', 1],
      ['w3', 1],
    ]);
  });

  test('a deleted benchmark leaves no series, though its runs are still being collected', () => {
    const samples = resultSamples([], [older, newer, ndrPdr, locatedRun]);
    expect(Object.values(samples).flat()).toEqual([]);
  });
});

describe('the scrape', () => {
  const scrape = async (runs: SwitchBenchmarkRun[]) => {
    const metrics = new OperatorMetrics(
      { benchmarks: () => [sweep, search, located, small], runs: () => runs, isLeader: () => false },
      '1.2.3',
    );
    const observers = metrics.observers();
    observers.reconcile('switchbenchmarkrun').reconciled?.('success', 0.02);
    observers.queue('switchbenchmarkrun').added?.('ns/a');
    observers.informer.restarted?.('pods', 'error');
    observers.request('POST');
    observers.request('POST');
    metrics.runChanged(ndrPdr, true);
    metrics.runChanged(newer);
    metrics.runChanged(newer);
    return metrics.registry.metrics();
  };

  test('carries the result, health, leader and build series', async () => {
    const text = await scrape([older, newer, ndrPdr]);
    expect(text).toContain(
      'switchbench_trial_rx_packets_per_second{namespace="ns",benchmark="sweep",datapath="testpmd",placement="exclusive",frame_size_bytes="64",burst="32",offered_pps="2000"} 1600',
    );
    expect(text).toContain(
      'switchbench_run_throughput_packets_per_second{namespace="ns",benchmark="search",datapath="memif",placement="exclusive",frame_size_bytes="64",burst="32",measure="pdr",loss_ratio="0.005"} 6000',
    );
    expect(text).toContain('switchbench_leader 0');
    expect(text).toContain('switchbench_build_info{version="1.2.3"');
    expect(text).toContain('switchbench_reconcile_total{controller="switchbenchmarkrun",result="success"} 1');
    expect(text).toContain('switchbench_informer_watch_restarts_total{resource="pods"} 1');
    expect(text).toContain('switchbench_rest_client_requests_total{method="POST"} 2');
    // Counted once, and not for a run already finished when the caches filled.
    expect(text).toContain(
      'switchbench_runs_finished_total{namespace="ns",benchmark="sweep",datapath="testpmd",phase="Succeeded"} 1',
    );
    expect(text).not.toContain('benchmark="search",datapath="memif",phase="Succeeded"} 1\nswitchbench_runs_finished');
  });

  test("carries each trial's lost frames by place, and no series for a place the trial has none of", async () => {
    const text = await scrape([locatedRun]);
    const series = (offered: string, place: string) =>
      `switchbench_trial_lost_frames{namespace="ns",benchmark="located",datapath="testpmd",placement="exclusive",frame_size_bytes="64",burst="32",offered_pps="${offered}",place="${place}"}`;
    expect(text).toContain(`${series('2000', 'receiver_ring')} 39900`);
    expect(text).toContain(`${series('4000', 'sender_ring')} 60000`);
    expect(text).not.toContain(series('4000', 'switch'));
    expect(text).not.toContain('offered_pps="8000",place=');
  });

  test('carries the placement of the run on its trial and run series; a run under another placement replaces them', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-11-26T00:00:00Z'));
    try {
      let runs = [isolatedRun];
      const metrics = new OperatorMetrics(
        { benchmarks: () => [small], runs: () => runs, isLeader: () => true },
        '1.2.3',
      );
      const placements = async () =>
        (await metrics.registry.metrics())
          .split('\n')
          .filter((line) => line.includes('benchmark="small"'))
          .map((line) => /^(\w+)\{.*placement="([\w-]+)"/.exec(line)?.slice(1).join(' ') ?? line);
      const before = await placements();
      expect(before).toContain('switchbench_trial_rx_packets_per_second isolated-dut');
      expect(before).toContain('switchbench_trial_offered_packets_per_second isolated-dut');
      expect(before).toContain('switchbench_run_throughput_packets_per_second isolated-dut');
      expect(before).toContain('switchbench_run_last_completion_timestamp_seconds isolated-dut');
      expect(before.filter((line) => !line.endsWith(' isolated-dut'))).toEqual([
        expect.stringMatching(/^switchbench_runs\{.*phase="Succeeded"} 1$/),
      ]);
      expect(await metrics.registry.metrics()).toContain(
        'switchbench_run_throughput_packets_per_second{namespace="ns",benchmark="small",datapath="testpmd",placement="isolated-dut",frame_size_bytes="64",burst="32",measure="max",loss_ratio=""} 1000',
      );
      // The same benchmark measured again under exclusive: one placement per benchmark at a time.
      runs = [
        isolatedRun,
        run(small, 'small-2', { ...newer.status, completionTime: '2026-11-25T05:00:00Z' }, 'testpmd', 'exclusive'),
      ];
      now.mockReturnValue(Date.parse('2026-11-26T00:00:05Z'));
      const after = await placements();
      expect(after.filter((line) => line.endsWith(' isolated-dut'))).toEqual([]);
      expect(after).toContain('switchbench_run_throughput_packets_per_second exclusive');
    } finally {
      now.mockRestore();
    }
  });

  test('lost frames of a run replaced by a newer one are gone at the next scrape', async () => {
    const now = jest.spyOn(Date, 'now').mockReturnValue(Date.parse('2026-11-26T00:00:00Z'));
    try {
      let runs = [locatedRun];
      const metrics = new OperatorMetrics(
        { benchmarks: () => [located], runs: () => runs, isLeader: () => true },
        '1.2.3',
      );
      expect(await metrics.registry.metrics()).toContain('offered_pps="4000",place="unlocated"} 1000');
      // The newer run measured 4000 pps only, behind the switch, and lost nothing.
      runs = [
        locatedRun,
        run(located, 'located-2', {
          phase: 'Succeeded',
          startTime: '2026-11-25T03:00:00Z',
          completionTime: '2026-11-25T04:00:00Z',
          trials: [
            trial(0, 4000, 4000, {
              ...behindSwitch,
              trialLost: 0,
              lostInSwitch: 0,
              lostAtReceiverRing: 0,
              lostUnlocated: 0,
            }),
          ],
        }),
      ];
      now.mockReturnValue(Date.parse('2026-11-26T00:00:05Z'));
      const lost = (await metrics.registry.metrics())
        .split('\n')
        .filter((line) => line.startsWith('switchbench_trial_lost_frames{'));
      expect(lost.map((line) => /place="(\w+)"} (\d+)$/.exec(line)?.slice(1))).toEqual([
        ['sender_ring', '0'],
        ['switch', '0'],
        ['receiver_ring', '0'],
        ['receiver', '0'],
        ['unlocated', '0'],
      ]);
      expect(lost.every((line) => line.includes('offered_pps="4000"'))).toBe(true);
    } finally {
      now.mockRestore();
    }
  });

  test('passes promtool check metrics (names, units, suffixes)', async () => {
    const check = spawnSync('promtool', ['check', 'metrics'], {
      input: await scrape([older, newer, ndrPdr, locatedRun, isolatedRun]),
      encoding: 'utf8',
    });
    if (check.error)
      throw new Error(
        `promtool is missing (${check.error.message}): run .ci/install-prometheus.sh (make test-unit does)`,
      );
    expect({ status: check.status, problems: `${check.stdout}${check.stderr}`.trim() }).toEqual({
      status: 0,
      problems: '',
    });
  });
});

describe('--metrics-bind-address', () => {
  test.each([
    [':8080', { port: 8080 }],
    ['127.0.0.1:9443', { host: '127.0.0.1', port: 9443 }],
    ['0', undefined],
  ])('%s', (address, expected) => {
    expect(parseBindAddress(address)).toEqual(expected);
  });
  test.each(['8080', ':0', ':70000', 'localhost'])('%s is refused, naming the flag', (address) => {
    expect(() => parseBindAddress(address)).toThrow(/^--metrics-bind-address: ".*" must be \[HOST\]:PORT/);
  });
});
