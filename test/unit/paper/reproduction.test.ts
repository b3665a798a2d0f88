import { describe, expect, test } from '@jest/globals';
import type { SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
import {
  conclusions,
  figure2Shapes,
  judge,
  machineLimits,
  overlapping,
  reproductionMarkdown,
  table1Rows,
  type ComparisonRow,
  type PaperInputs,
  type RunExport,
} from '../../paper/reproduction.js';

const range = (median: number, min = median, max = median) => ({ median, min, max });

describe('judge: an ordering on repetitions', () => {
  test.each([
    ['apart', range(10, 9, 11), range(5, 4, 6), 'holds'],
    ['overlapping, medians ordered', range(10, 5, 11), range(7, 6, 9), 'holds in the medians'],
    ['equal medians', range(7, 5, 11), range(7, 6, 9), 'does not hold'],
    ['reversed', range(5, 4, 6), range(10, 9, 11), 'does not hold'],
  ] as const)('%s: %s', (_, a, b, verdict) => {
    expect(judge(a, b)).toBe(verdict);
  });
});

describe('overlapping', () => {
  test.each([
    ['all overlap', [range(10, 9, 11), range(10.5, 10, 12), range(9.5, 8, 10)], true],
    ['one apart', [range(10, 9, 11), range(10.5, 10, 12), range(20, 19, 21)], false],
    ['touching ends overlap', [range(10, 9, 11), range(12, 11, 13)], true],
  ] as const)('%s', (_, ranges, expected) => {
    expect(overlapping(ranges)).toBe(expected);
  });
});

const spec = (datapath: SwitchBenchmarkSpec['datapath'], extra: Partial<SwitchBenchmarkSpec> = {}) =>
  ({
    datapath,
    trial: { duration: '10s', warmup: '4s', window: '6s', sampleInterval: '1s' },
    ...extra,
  }) as SwitchBenchmarkSpec;

const sweepTrial = (index: number, packetSize: number, offeredPps: number, rxPpsMean: number) => ({
  index,
  packetSize,
  burstSize: 16,
  offeredPps,
  rxPpsMean,
  outcome: 'Measured' as const,
});

const sweep = (datapath: SwitchBenchmarkSpec['datapath'], points: [number, number][]): RunExport => ({
  benchmark: `paper-fig2-${datapath}`,
  run: `paper-fig2-${datapath}-1`,
  datapath,
  placement: 'isolated-dut',
  spec: spec(datapath),
  summary: [],
  trials: points.map(([offered, rx], i) => sweepTrial(i, 64, offered, rx)),
});

describe('figure2Shapes: the offered rate carried up to a maximum, then a plateau', () => {
  test.each([
    [
      'follows then plateaus',
      [
        [1e6, 1e6],
        [2e6, 1.995e6],
        [3e6, 2.5e6],
        [4e6, 2.45e6],
      ],
      2e6,
      true,
    ],
    [
      'collapses past the maximum',
      [
        [1e6, 1e6],
        [2e6, 2e6],
        [3e6, 2.5e6],
        [4e6, 1e6],
      ],
      2e6,
      false,
    ],
    [
      'carried again after falling short: not a maximum',
      [
        [1e6, 1e6],
        [2e6, 1.5e6],
        [3e6, 3e6],
      ],
      1e6,
      false,
    ],
    [
      'starts losing far below its maximum: no knee at the maximum',
      [
        [1e5, 1e5],
        [5e5, 4.5e5],
        [1e6, 0.8e6],
        [2e6, 1.2e6],
      ],
      1e5,
      false,
    ],
    [
      'carries every rate',
      [
        [1e6, 1e6],
        [2e6, 2e6],
      ],
      2e6,
      true,
    ],
  ] as const)('%s', (_, points, carriedUpTo, holds) => {
    const [shape] = figure2Shapes(
      sweep(
        'testpmd',
        points.map(([o, r]) => [o, r]),
      ),
    );
    expect(shape).toMatchObject({ packetSize: 64, carriedUpToPps: carriedUpTo, holds });
  });

  test('a sender that fell behind its schedule is judged at the rate it attempted, not the one requested', () => {
    const run = sweep('testpmd', [
      [0.1e6, 0.1e6],
      [0.5e6, 0.35e6],
      [1e6, 0.55e6],
      [8e6, 1.3e6],
    ]);
    const attempted = [undefined, 0.352e6, 0.56e6, 3e6];
    run.trials = run.trials.map((t, i) =>
      attempted[i] === undefined ? t : { ...t, outcome: 'GeneratorLimited' as const, attemptedTxPps: attempted[i] },
    );
    const [shape] = figure2Shapes(run);
    expect(shape).toMatchObject({
      carriedUpToPps: 0.352e6,
      generatorLimited: 3,
      trials: 4,
      highestOfferedPps: 3e6,
      rxAtHighestPps: 1.3e6,
      holds: false,
    });
  });

  test('failed trials are left out, and the lowest rate not carried means no carried rate', () => {
    const run = sweep('testpmd', [
      [1e6, 0.5e6],
      [2e6, 0.5e6],
    ]);
    run.trials.push({ ...sweepTrial(2, 64, 0.5e6, 0), outcome: 'Failed' as const, rxPpsMean: undefined } as never);
    const [shape] = figure2Shapes(run);
    expect(shape?.carriedUpToPps).toBeUndefined();
    expect(shape?.holds).toBe(false);
  });
});

const kernel = (socket: 'udp' | 'raw', batching: 'single' | 'mmsg', kpps: number, spread = 0.05): RunExport => ({
  benchmark: `paper-table1-${socket}-${batching}`,
  run: `paper-table1-${socket}-${batching}-1`,
  datapath: 'kernel',
  placement: 'isolated-dut',
  spec: spec('kernel', { kernel: { socket, batching, mtu: 1500 } } as Partial<SwitchBenchmarkSpec>),
  summary: [
    {
      packetSize: 64,
      burstSize: 64,
      maxRxPps: kpps * 1e3,
      maxRxPpsMin: kpps * 1e3 * (1 - spread),
      maxRxPpsMax: kpps * 1e3 * (1 + spread),
    },
  ],
  trials: [],
});

const bar = (datapath: string, packetSize: number, pps: number): ComparisonRow => ({
  series: datapath,
  datapath,
  packetSize,
  burst: 16,
  maxRxPps: pps,
  minRxPps: pps * 0.95,
  maxOfRepetitionsPps: pps * 1.05,
  l2BitsPerSecond: pps * packetSize * 8,
  placement: 'isolated-dut',
  run: `paper-fig3-${datapath}-1`,
});

function inputs(overrides: Partial<PaperInputs> = {}): PaperInputs {
  return {
    machine: {
      cpuModel: 'Test CPU',
      cpus: 2,
      kernel: '6.1.0',
      commit: 'abc1234',
      date: '2026-12-05',
      bridgeNetfilter: false,
    },
    figure2: [
      sweep('testpmd', [
        [1e6, 1e6],
        [2e6, 2e6],
        [4e6, 2.4e6],
      ]),
    ],
    figure3: [bar('memif', 64, 6e6), bar('testpmd', 64, 3e6), bar('ovs-dpdk', 64, 2e6), bar('testpmd', 512, 2e6)],
    table1: [
      kernel('udp', 'single', 200),
      kernel('udp', 'mmsg', 260),
      kernel('raw', 'single', 400),
      kernel('raw', 'mmsg', 500),
    ],
    bursts: {
      benchmark: 'paper-bursts-testpmd',
      run: 'paper-bursts-testpmd-1',
      datapath: 'testpmd',
      placement: 'isolated-dut',
      spec: spec('testpmd'),
      summary: [16, 32, 64].map((burstSize, i) => ({
        packetSize: 64,
        burstSize,
        maxRxPps: 3e6 + i * 1e4,
        maxRxPpsMin: 2.9e6,
        maxRxPpsMax: 3.1e6,
      })),
      trials: [],
    },
    notMeasured: { sriov: 'no SR-IOV NIC', vpp: 'no image', snabb: 'no image' },
    figureFiles: { figure2: { testpmd: 'figures/paper/figure2-testpmd.svg' }, figure3: 'figures/paper/figure3.svg' },
    ...overrides,
  };
}

const verdictOf = (all: ReturnType<typeof conclusions>, claim: RegExp) => all.find((c) => claim.test(c.claim));

describe('conclusions', () => {
  test('each of the paper conclusions is judged from the measured figures', () => {
    const all = conclusions(inputs());
    expect(verdictOf(all, /^Kernel bypass/)).toMatchObject({ verdict: 'holds' });
    expect(verdictOf(all, /^Raw sockets beat UDP sockets \(send\/recv\)/)).toMatchObject({
      verdict: 'holds',
      paper: '471 vs 227 kpps: 2.07×',
      measured: expect.stringContaining('2.00×'),
    });
    expect(verdictOf(all, /^testpmd is faster than ovs-dpdk/)).toMatchObject({ verdict: 'holds' });
    expect(verdictOf(all, /^testpmd at 64 B carries/)).toMatchObject({ verdict: 'holds' });
    expect(verdictOf(all, /^Bursts/)).toMatchObject({ verdict: 'holds' });
    expect(verdictOf(all, /^testpmd exceeds 5 Mpps/)).toMatchObject({ verdict: 'does not hold' });
    expect(verdictOf(all, /^memif exceeds 5 Mpps/)).toMatchObject({ verdict: 'holds' });
  });

  test('paths not measured are "not tested here", with the reason given', () => {
    const all = conclusions(inputs());
    expect(verdictOf(all, /^snabb is faster than vpp/)).toMatchObject({
      verdict: 'not tested here',
      note: 'snabb: no image; vpp: no image',
    });
    expect(verdictOf(all, /^SR-IOV/)).toMatchObject({ verdict: 'not tested here', note: 'no SR-IOV NIC' });
  });

  test('a path measured where the paper ranks it is judged, not skipped', () => {
    const all = conclusions(inputs({ figure3: [...inputs().figure3, bar('vpp', 64, 2.9e6)] }));
    expect(verdictOf(all, /^vpp is faster than ovs-dpdk/)).toMatchObject({ verdict: 'holds' });
    expect(verdictOf(all, /^testpmd is faster than vpp/)).toMatchObject({ verdict: 'holds in the medians' });
  });

  test('overlapping repetitions hold only in the medians; reversed medians do not hold', () => {
    const all = conclusions(
      inputs({
        table1: [
          kernel('udp', 'single', 250, 0.2),
          kernel('udp', 'mmsg', 260, 0.2),
          kernel('raw', 'single', 240),
          kernel('raw', 'mmsg', 500),
        ],
      }),
    );
    expect(verdictOf(all, /UDP$/)).toMatchObject({ verdict: 'holds in the medians' });
    expect(verdictOf(all, /^Raw sockets beat UDP sockets \(send\/recv\)/)).toMatchObject({ verdict: 'does not hold' });
  });

  test('bursts apart from each other do not hold', () => {
    const base = inputs().bursts;
    const bursts = {
      ...base,
      summary: base.summary.map((p, i) => ({
        ...p,
        maxRxPps: 1e6 * (i + 1),
        maxRxPpsMin: 1e6 * (i + 1),
        maxRxPpsMax: 1e6 * (i + 1),
      })),
    };
    expect(verdictOf(conclusions(inputs({ bursts })), /^Bursts/)).toMatchObject({ verdict: 'does not hold' });
  });
});

describe('the document', () => {
  test('Table 1 rows are in the paper order, each with its measured figure', () => {
    expect(table1Rows(inputs().table1).map((r) => [r.label, r.paperKpps, r.measured?.median])).toEqual([
      ['UDP sockets, send/recv', 227, 200e3],
      ['UDP sockets, sendmmsg/recvmmsg', 276, 260e3],
      ['raw sockets, send/recv', 471, 400e3],
      ['raw sockets, sendmmsg/recvmmsg', 594, 500e3],
    ]);
  });

  test('names no limit of the machine when the measurements show none', () => {
    expect(machineLimits(inputs())).toEqual([]);
    expect(reproductionMarkdown(inputs())).not.toContain('## Limits of this machine');
  });

  test("names the machine's limits that the measurements show", () => {
    const spread = { ...bar('memif', 512, 19e6), minRxPps: 4.8e6, maxOfRepetitionsPps: 19.5e6 };
    const limited = sweep('testpmd', [
      [0.1e6, 0.1e6],
      [0.5e6, 0.35e6],
    ]);
    limited.trials[1] = { ...limited.trials[1], outcome: 'GeneratorLimited', attemptedTxPps: 0.354e6 } as never;
    const base = inputs();
    const limits = machineLimits({
      ...base,
      machine: { ...base.machine, bridgeNetfilter: true },
      figure3: [...base.figure3, spread],
      figure2: [limited],
    });
    expect(limits).toHaveLength(3);
    expect(limits[0]).toContain('memif 512 B 4.80 Mpps–19.50 Mpps (4.06×)');
    expect(limits[0]).not.toContain('testpmd');
    expect(limits[1]).toMatch(/^1 of Figure 2's 2 trials were GeneratorLimited/);
    expect(limits[2]).toContain('`net.bridge.bridge-nf-call-iptables` is 1');
    expect(reproductionMarkdown({ ...base, figure2: [limited] })).toContain(
      "## Limits of this machine\n\n- 1 of Figure 2's 2 trials were GeneratorLimited",
    );
  });

  test('states the machine, the protocol, every section and the figures', () => {
    const text = reproductionMarkdown(inputs());
    for (const expected of [
      'Test CPU, 2 vCPUs in all, Linux 6.1.0',
      '10s trials, 4s of warm-up discarded, 6s averaged in 1s samples',
      '| raw sockets, sendmmsg/recvmmsg | 594 kpps | 500 kpps (475 kpps–525 kpps) | 0.84× |',
      '![Figure 2, testpmd](figures/paper/figure2-testpmd.svg)',
      '![Figure 3](figures/paper/figure3.svg)',
      '- vpp: no image',
      '## Bursts of 16, 32 and 64 (testpmd, 64 B)',
    ])
      expect(text).toContain(expected);
    expect(text).toMatch(
      /^Of \d+ conclusions: \d+ hold, \d+ hold in the medians only, \d+ do not hold, \d+ cannot be tested here\.$/m,
    );
  });
});
