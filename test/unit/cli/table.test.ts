import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import type { SwitchBenchmarkRun } from '../../../src/api/v1alpha1/types.js';
import {
  age,
  listTable,
  progressBar,
  runHeader,
  runHeadline,
  runReport,
  showReport,
  summaryTable,
  throughputTable,
  trialsTable,
  whereLost,
} from '../../../src/cli/table.js';
import { benchmark, lossPlaced, placed, search, sweep } from './fixtures.js';

const run: SwitchBenchmarkRun = {
  apiVersion: 'switchbench.io/v1alpha1',
  kind: 'SwitchBenchmarkRun',
  metadata: { name: 'demo-1', namespace: 'default' },
  spec: {
    benchmarkName: 'demo',
    benchmarkGeneration: 1,
    trigger: 'initial',
    benchmark: defaultSpec({ datapath: 'testpmd' }),
  },
  status: {
    phase: 'Succeeded',
    progress: '2/2',
    node: 'node-a',
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'Completed',
        message: '2/2 trials measured',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ],
    trials: [
      {
        index: 0,
        packetSize: 64,
        burstSize: 16,
        offeredPps: 10000,
        outcome: 'Measured',
        attemptedTxPps: 10000,
        achievedTxPps: 10000,
        rxPpsMean: 9998.4,
        rxPpsStddev: 12,
        windowLossRatio: 0,
        trialLossRatio: 0.0001,
        latency: { p50Ns: 12000, p90Ns: 1, p99Ns: 45500, p999Ns: 1, maxNs: 1 },
        cpus: { sender: '1', receiver: '1' },
      },
      {
        index: 1,
        packetSize: 64,
        burstSize: 16,
        offeredPps: 20000,
        outcome: 'GeneratorLimited',
        attemptedTxPps: 15500,
        achievedTxPps: 15000,
        rxPpsMean: 15000,
        windowLossRatio: 0.00002,
        trialLossRatio: 0.03,
        unstable: true,
      },
      { index: 2, packetSize: 64, burstSize: 16, offeredPps: 30000, outcome: 'Failed', message: 'receiver pod failed' },
    ],
    summary: [
      {
        packetSize: 64,
        burstSize: 16,
        maxRxPps: 9998.4,
        maxRxPpsMin: 9998.4,
        maxRxPpsMax: 9998.4,
        maxRxBitsPerSecond: 9998.4 * 512,
        trials: 3,
        unstableTrials: 1,
      },
    ],
  },
};

describe('tables', () => {
  test('a row per trial with rates, loss, latency, CPUs and what went wrong', () => {
    expect(trialsTable(run).split('\n')).toEqual([
      '#  SIZE  BURST  OFFERED   ATTEMPTED  ACCEPTED  RX MEAN   RX SD  LOSS WINDOW  LOSS TRIAL  WHERE LOST  P50     P99     CPUS TX/RX  NOTE',
      '0  64    16     10.0kpps  10.0kpps   10.0kpps  10.0kpps  12pps  0.000%       0.010%      -           12.0us  45.5us  1/1',
      '1  64    16     20.0kpps  15.5kpps   15.0kpps  15.0kpps  -      0.00200%     3.000%      -           -       -       -           unstable,GeneratorLimited',
      '2  64    16     30.0kpps  -          -         -         -      -            -           -           -       -       -           Failed',
    ]);
  });

  test('a row per point of the summary', () => {
    expect(summaryTable(run).split('\n')).toEqual([
      'SIZE  BURST  MAX RX    MIN..MAX            GBIT/S  TRIALS  UNSTABLE',
      '64    16     10.0kpps  10.0kpps..10.0kpps  0.005   3       1',
    ]);
  });

  test('the report starts with what ran where, how it ended and under which placement', () => {
    expect(runReport(run).split('\n').slice(0, 4)).toEqual([
      'Run default/demo-1 of demo: testpmd, Succeeded 2/2 on node-a',
      'Completed: 2/2 trials measured',
      'Placement: exclusive (every role on dedicated cores, as in the paper)',
      '',
    ]);
  });
});

/** The cells of the named columns, row by row: each from where its header starts to where the next one does. */
function cells(table: string, ...names: string[]): string[][] {
  const [header = '', ...rows] = table.split('\n');
  const headers = header.split(/ {2,}/);
  let at = 0;
  const starts = headers.map((h) => {
    at = header.indexOf(h, at) + h.length;
    return at - h.length;
  });
  return rows.map((row) =>
    names.map((name) => {
      const i = headers.indexOf(name);
      if (i < 0) throw new Error(`no column ${name} in ${header}`);
      return row.slice(starts[i], starts[i + 1]).trim();
    }),
  );
}

describe('placement: figures made under a compromise one are labelled on every row', () => {
  const exclusive = 'Placement: exclusive (every role on dedicated cores, as in the paper)';
  const isolated =
    'Placement: isolated-dut (only the device under test, the switch or else the receiver, on dedicated cores): a compromise placement, figures not comparable with exclusive ones';
  const shared =
    'Placement: shared (every role on shared CPUs): a compromise placement, figures not comparable with exclusive ones';
  test.each([
    [
      'exclusive on testpmd: the switch CPUs where it said them, no placement note',
      placed('exclusive'),
      exclusive,
      'CPUS TX/RX/SW',
      [
        ['2/3/4', ''],
        ['2/3/?', 'the switch did not answer the port-counter request'],
        ['-', 'Failed'],
      ],
    ],
    [
      'isolated-dut on testpmd: every row says it, the failed trial (which records none) by its run',
      placed('isolated-dut'),
      isolated,
      'CPUS TX/RX/SW',
      [
        ['2/3/4', 'isolated-dut'],
        ['2/3/?', 'isolated-dut,the switch did not answer the port-counter request'],
        ['-', 'isolated-dut,Failed'],
      ],
    ],
    [
      'shared on memif: no switch, no switch CPUs',
      placed('shared', 'memif'),
      shared,
      'CPUS TX/RX',
      [
        ['2/3', 'shared'],
        ['2/3', 'shared,the switch did not answer the port-counter request'],
        ['-', 'shared,Failed'],
      ],
    ],
    [
      "shared, trials of an older operator that recorded no placement: the run's spec",
      placed('shared', 'testpmd', false),
      shared,
      'CPUS TX/RX/SW',
      [
        ['2/3/4', 'shared'],
        ['2/3/?', 'shared,the switch did not answer the port-counter request'],
        ['-', 'shared,Failed'],
      ],
    ],
  ])('%s', (_name, placedRun, line, cpusHeader, rows) => {
    const table = trialsTable(placedRun);
    expect(table.split('\n')[0]).toMatch(new RegExp(` ${cpusHeader.replace(/\//g, '\\/')} +NOTE$`));
    expect(cells(table, cpusHeader, 'NOTE')).toEqual(rows);
    expect(runHeader(placedRun).at(-1)).toBe(line);
    for (const report of [runReport, showReport]) expect(report(placedRun).split('\n').slice(0, 2)).toContain(line);
  });

  test.each([
    ['exclusive', placed('exclusive'), '64B 15.0kpps'],
    ['isolated-dut', placed('isolated-dut'), '64B 15.0kpps (isolated-dut)'],
    ['shared', placed('shared', 'memif'), '64B 15.0kpps (shared)'],
    ['no headline yet', { ...placed('shared'), status: { phase: 'Running' as const } }, undefined],
  ])('the headline of a run under %s', (_name, placedRun, headline) => {
    expect(runHeadline(placedRun)).toBe(headline);
  });

  test.each([
    ['the last run was exclusive', 'exclusive', 'exclusive', '64B 1.0kpps'],
    ['the last run was shared, the benchmark is exclusive now', 'shared', 'exclusive', '64B 1.0kpps (shared)'],
    ['the last run was isolated-dut', 'isolated-dut', 'isolated-dut', '64B 1.0kpps (isolated-dut)'],
    ["the last run is gone: the benchmark's placement now", undefined, 'shared', '64B 1.0kpps (shared)'],
  ] as const)('list labels a compromise headline: %s', (_name, last, now, headline) => {
    const b = benchmark('sm', 'testpmd', {
      phase: 'Succeeded',
      lastRun: { name: 'sm-1', phase: 'Succeeded', headline: '64B 1.0kpps' },
    });
    b.spec.resources.cpuPolicy = now;
    const placements = new Map(last ? [['lab/sm-1', last] as const] : []);
    expect(cells(listTable([b], new Date(), { placements }), 'HEADLINE')).toEqual([[headline]]);
  });
});

describe('where the frames were lost', () => {
  const behindSwitch = { lossLocatedBy: 'switch-counters', lostAtSenderRing: 0, lostAtReceiver: 0 } as const;
  test.each([
    ['no location (a failed trial, or an operator that did not place loss)', {}, '-'],
    ['nothing lost', { ...behindSwitch, lostInSwitch: 0, lostAtReceiverRing: 0, lostUnlocated: 0 }, 'none'],
    [
      'a slow consumer behind a switch: its ring',
      { ...behindSwitch, lostInSwitch: 50, lostAtReceiverRing: 9_900, lostUnlocated: 50 },
      'rx ring 99%',
    ],
    [
      'a switch that drops',
      { ...behindSwitch, lostInSwitch: 700, lostAtReceiverRing: 300, lostUnlocated: 0 },
      'switch 70%',
    ],
    [
      'memif refusing at the sender, by the programs alone (no switch columns)',
      { lossLocatedBy: 'programs', lostAtSenderRing: 30_000, lostAtReceiverRing: 0, lostUnlocated: 10 },
      'tx ring 99%',
    ],
    [
      'a kernel path: no counter between the rings',
      { lossLocatedBy: 'programs', lostAtSenderRing: 0, lostAtReceiverRing: 0, lostUnlocated: 3_000 },
      'unplaced 100%',
    ],
    [
      'the share rounds down, exactly (29 of 100 is 29%, not 28%)',
      { ...behindSwitch, lostAtSenderRing: 15, lostInSwitch: 28, lostAtReceiverRing: 28, lostAtReceiver: 29 },
      'receiver 29%',
    ],
    [
      'a tie goes to the place the frames reach first',
      { ...behindSwitch, lostInSwitch: 50, lostAtReceiverRing: 50, lostUnlocated: 0 },
      'switch 50%',
    ],
  ] as const)('%s: %s', (_name, location, expected) => {
    expect(
      whereLost({ index: 0, packetSize: 64, burstSize: 16, offeredPps: 1, outcome: 'Measured', ...location }),
    ).toBe(expected);
  });

  test('-o wide: the frames lost at every place, "-" where the location has no such place', () => {
    expect(trialsTable(lossPlaced, { wide: true }).split('\n')).toEqual([
      '#  SIZE  BURST  OFFERED   ATTEMPTED  ACCEPTED  RX MEAN   RX SD  LOSS WINDOW  LOSS TRIAL  WHERE LOST    LOST   LOST@TX RING  LOST IN SWITCH  LOST@RX RING  LOST@RX  UNPLACED  LOCATED BY       P50  P99  CPUS TX/RX  NOTE',
      '0  64    16     10.0kpps  -          10.0kpps  10.0kpps  -      0.000%       0.000%      none          0      0             0               0             0        0         switch-counters  -    -    -',
      '1  64    16     20.0kpps  -          20.0kpps  2.0kpps   -      90.000%      90.000%     rx ring 99%   60000  0             0               59500         0        500       switch-counters  -    -    -',
      '2  64    16     40.0kpps  -          40.0kpps  26.0kpps  -      35.000%      35.000%     switch 71%    42000  12000         30000           0             0        0         switch-counters  -    -    -',
      '3  64    16     10.0kpps  -          10.0kpps  9.9kpps   -      1.000%       1.000%      unplaced 90%  1000   0             -               100           -        900       programs         -    -    -           the switch did not answer the port-counter request',
      '4  64    16     80.0kpps  -          -         -         -      -            -           -             -      -             -               -             -        -         -                -    -    -           Failed',
    ]);
  });

  test('show and results carry the wide columns only with -o wide', () => {
    const header = (report: string) => report.split('\n').find((l) => l.startsWith('#  SIZE')) ?? '';
    for (const report of [showReport, runReport]) {
      expect(header(report(lossPlaced))).toMatch(/ LOSS TRIAL +WHERE LOST +P50 /);
      expect(header(report(lossPlaced, { wide: true }))).toMatch(
        / WHERE LOST +LOST +LOST@TX RING +LOST IN SWITCH +LOST@RX RING +LOST@RX +UNPLACED +LOCATED BY +P50 /,
      );
    }
  });
});

describe('Table 1: max throughput, NDR and PDR per frame size', () => {
  test.each([
    [
      'a sweep: max throughput with the spread of its repetitions, no NDR/PDR',
      sweep,
      [
        'FRAME  BURST  MAX THROUGHPUT  MIN..MAX            GBIT/S  WIRE GBIT/S  NDR  NDR GBIT/S  PDR',
        '64B    16     30.8kpps        30.5kpps..31.0kpps  0.016   0.021        -    -           -',
        '512B   16     18.0kpps        18.0kpps..18.0kpps  0.074   0.077        -    -           -',
      ],
    ],
    [
      'an ndr-pdr search: NDR and each PDR with its loss ratio',
      search,
      [
        'FRAME  BURST  MAX THROUGHPUT  MIN..MAX  GBIT/S  WIRE GBIT/S  NDR       NDR GBIT/S  PDR',
        '64B    32     1.50Mpps        -         0.768   1.008        1.40Mpps  0.717       1.45Mpps @0.5%, 1.48Mpps @1%',
      ],
    ],
  ])('%s', (_name, run, lines) => {
    expect(throughputTable(run).split('\n')).toEqual(lines);
  });

  test('show prints the run, Table 1, then every trial', () => {
    const lines = showReport(sweep).split('\n');
    expect(lines[0]).toBe('Run lab/tp-2 of tp: testpmd, Succeeded 7/7 on node-a');
    expect(lines).toContain('Maximum throughput per frame size (Table 1):');
    expect(lines.indexOf('Trials:')).toBeGreaterThan(lines.indexOf('Maximum throughput per frame size (Table 1):'));
    expect(lines.filter((l) => /^\d+ {2}(64|512) /.test(l))).toHaveLength(7);
  });
});

describe('progress bar', () => {
  test.each([
    ['not started', undefined, undefined, '[----------] 0/?'],
    ['a third', 1, 3, '[###-------] 1/3 33%'],
    ['done', 7, 7, '[##########] 7/7 100%'],
    ['more done than planned is drawn full', 12, 10, '[##########] 12/10 100%'],
  ])('%s', (_name, done, planned, bar) => {
    expect(progressBar({ ...sweep, status: { trialsCompleted: done, trialsPlanned: planned } }, 10)).toBe(bar);
  });
});

describe('list', () => {
  const now = new Date('2026-01-01T12:00:00Z');
  test.each([
    ['30s', '2026-01-01T11:59:30Z'],
    ['5m', '2026-01-01T11:55:00Z'],
    ['3h', '2026-01-01T09:00:00Z'],
    ['3d', '2025-12-29T12:00:00Z'],
    ['-', undefined],
  ])('age %s', (expected, from) => {
    expect(age(from, now)).toBe(expected);
  });

  test('a row per benchmark: data path, method, phase, last run, headline, next run', () => {
    const benchmarks = [
      benchmark('tp', 'testpmd', {
        phase: 'Succeeded',
        lastRun: { name: 'tp-2', phase: 'Succeeded', completionTime: '2026-01-01T11:55:00Z', headline: '64B 30.8kpps' },
        nextRunTime: '2026-01-02T00:00:00Z',
      }),
      benchmark('mf', 'memif', { phase: 'Running', activeRun: 'mf-1' }, 'other'),
      benchmark('new', 'kernel', undefined),
    ];
    expect(listTable(benchmarks, now).split('\n')).toEqual([
      'NAME  DATAPATH  METHOD  PHASE      LAST RUN               HEADLINE      NEXT RUN',
      'tp    testpmd   max     Succeeded  tp-2 Succeeded 5m ago  64B 30.8kpps  in 12h',
      'mf    memif     max     Running    -                      -             running: mf-1',
      'new   kernel    max     Pending    -                      -             -',
    ]);
    expect(listTable(benchmarks, now, { withNamespace: true }).split('\n')[2]).toMatch(/^other {6}mf {4}memif/);
    // -o wide: the schedule and the CPU policy too.
    expect(listTable(benchmarks, now, { wide: true }).split('\n')[0]).toMatch(/NEXT RUN +SCHEDULE +CPU POLICY$/);
  });
});
