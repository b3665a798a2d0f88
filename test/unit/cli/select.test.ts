import type { SwitchBenchmarkRun } from '../../../src/api/v1alpha1/types.js';
import type { SwitchBenchmark } from '../../../src/api/v1alpha1/types.js';
import { awaitedRun, fanOutNote, pickRun, runNowPatch, type Wanted } from '../../../src/cli/select.js';
import { benchmark, nodeRun, poolBenchmark, run } from './fixtures.js';

const created = (r: SwitchBenchmarkRun, at: string) => ({
  ...r,
  metadata: { ...r.metadata, creationTimestamp: at as unknown as Date },
});
const runs = [
  created(run('tp-1', 'tp', { datapath: 'testpmd' }, { phase: 'Succeeded' }), '2026-01-01T00:00:00Z'),
  created(run('tp-10', 'tp', { datapath: 'testpmd' }, { phase: 'Running', progress: '1/4' }), '2026-01-03T00:00:00Z'),
  created(run('tp-2', 'tp', { datapath: 'testpmd' }, { phase: 'Failed' }), '2026-01-02T00:00:00Z'),
];
const running = benchmark('tp', 'testpmd', { phase: 'Running', activeRun: 'tp-10' });

describe('which run a command means', () => {
  test.each<[string, SwitchBenchmarkRun[], number | undefined, Wanted, string]>([
    ['latest finished, by creation not by name order', runs, undefined, 'finished', 'tp-2'],
    [
      'a manual run after a scheduled one (numbered by its minute) is the newer',
      [
        created(run('tp-29400000', 'tp', { datapath: 'testpmd' }, { phase: 'Succeeded' }), '2026-01-04T00:00:00Z'),
        created(run('tp-3', 'tp', { datapath: 'testpmd' }, { phase: 'Succeeded' }), '2026-01-05T00:00:00Z'),
      ],
      undefined,
      'finished',
      'tp-3',
    ],
    ['latest is the active run', runs, undefined, 'latest', 'tp-10'],
    ['--watch follows the active run', runs, undefined, 'active', 'tp-10'],
    [
      '--watch with nothing running shows the last finished',
      runs.filter((r) => r.metadata.name !== 'tp-10'),
      undefined,
      'active',
      'tp-2',
    ],
    ['--run N is run <benchmark>-N', runs, 1, 'finished', 'tp-1'],
    ['--run N of a running run for show', runs, 10, 'latest', 'tp-10'],
  ])('%s', (_name, candidates, number, wanted, expected) => {
    expect(pickRun(running, candidates, number, wanted).metadata.name).toBe(expected);
  });

  test.each<[string, SwitchBenchmarkRun[], number | undefined, Wanted, string]>([
    ['no such run number', runs, 3, 'finished', 'SwitchBenchmark lab/tp has no run 3 (run tp-3); runs: 10, 2, 1'],
    [
      'a run still going cannot be plotted',
      runs,
      10,
      'finished',
      'run tp-10 has not finished (phase Running, 1/4 trials)',
    ],
    [
      'no finished run yet',
      runs.filter((r) => r.metadata.name === 'tp-10'),
      undefined,
      'finished',
      'SwitchBenchmark lab/tp has no finished run yet (phase Running; tp-10 is Running)',
    ],
    ['no run at all', [], undefined, 'latest', 'SwitchBenchmark lab/tp has no run yet (phase Running)'],
  ])('%s is an error saying what exists', (_name, candidates, number, wanted, message) => {
    expect(() => pickRun(running, candidates, number, wanted)).toThrow(message);
  });

  test('--node on a benchmark without fan-out is an error naming spec.placement.fanOut', () => {
    expect(() => pickRun(running, runs, undefined, 'latest', 'node-a')).toThrow(
      "SwitchBenchmark lab/tp does not fan out (no spec.placement.fanOut): --node picks a node's run of one that does",
    );
  });

  test.each<[string, Partial<SwitchBenchmark['status']>, Record<string, string> | undefined, string | undefined]>([
    ['a run in progress: follow it', { activeRun: 'tp-3', lastRun: { name: 'tp-2' } }, undefined, undefined],
    [
      'run-now not answered yet',
      { lastRun: { name: 'tp-2' }, lastRunNowToken: 'a' },
      { 'switchbench.io/run-now': 'b' },
      'waiting for the run asked for at b to start',
    ],
    [
      'run-now answered: show the last run',
      { lastRun: { name: 'tp-2' }, lastRunNowToken: 'b' },
      { 'switchbench.io/run-now': 'b' },
      undefined,
    ],
    ['never ran yet', { phase: 'Pending' }, undefined, 'waiting for the first run'],
    [
      'never ran, on a schedule',
      { phase: 'Pending', nextRunTime: '2026-01-02T00:00:00Z' },
      undefined,
      'waiting for the first run (scheduled 2026-01-02T00:00:00Z)',
    ],
    ['invalid: nothing will come', { phase: 'Invalid' }, undefined, undefined],
    ['suspended: nothing will come', { phase: 'Suspended' }, undefined, undefined],
  ])('--watch waits for a run: %s', (_name, status, annotations, expected) => {
    const b = benchmark('tp', 'testpmd', status as SwitchBenchmark['status']);
    expect(awaitedRun({ ...b, metadata: { ...b.metadata, annotations } })).toBe(expected);
  });

  test('run now is a merge patch of the annotation to an RFC 3339 timestamp', () => {
    expect(runNowPatch(new Date('2026-01-02T03:04:05.678Z'))).toEqual({
      metadata: { annotations: { 'switchbench.io/run-now': '2026-01-02T03:04:05.678Z' } },
    });
  });
});

describe('which run a command means, under fan-out', () => {
  // Round nb-1 on three nodes, then the scheduled round nb-29453940 (its minute since the epoch), in
  // which node-b is still running; node-c's name is long and dotted, so its run has a hashed name.
  const LONG = 'ip-10-0-1-7.eu-west-1.compute.internal';
  const first = '2026-01-01T00:00:00Z';
  const second = '2026-01-02T00:00:00Z';
  const fanned = [
    nodeRun('nb-1', 'node-b', { phase: 'Succeeded' }, first),
    nodeRun('nb-1', 'node-a', { phase: 'Failed' }, first),
    nodeRun('nb-1', LONG, { phase: 'Succeeded' }, first),
    nodeRun('nb-29453940', 'node-b', { phase: 'Running', progress: '1/4' }, second),
    nodeRun('nb-29453940', 'node-a', { phase: 'Succeeded' }, second),
    nodeRun('nb-29453940', LONG, { phase: 'Pending' }, second),
  ];
  const nb = poolBenchmark(undefined, {}, { phase: 'Running', activeRun: 'nb-29453940-node-b' });
  const hashed = (i: number) => fanned[i]?.metadata.name as string;

  test('a long node name gives a hashed run name, which the round label still places', () => {
    expect(hashed(2)).toMatch(/^nb-1-ip-10-0-1-7-eu-west-1-compute-internal-[0-9a-f]{8}$/);
  });

  test.each<[string, number | undefined, Wanted, string | undefined, string]>([
    [
      'latest finished: of the newest round, the first finished node by name',
      undefined,
      'finished',
      undefined,
      'nb-29453940-node-a',
    ],
    ['show follows the active run', undefined, 'latest', undefined, 'nb-29453940-node-b'],
    ["--node: that node's latest finished run", undefined, 'finished', 'node-b', 'nb-1-node-b'],
    ["--node: that node's run in progress for show", undefined, 'latest', 'node-b', 'nb-29453940-node-b'],
    ['--node with a long, dotted name', undefined, 'finished', LONG, hashed(2)],
    ['--run N is round <benchmark>-N: its first node by name', 1, 'finished', undefined, hashed(2)],
    [
      '--run N for a figure: the first node by name that finished',
      29453940,
      'finished',
      undefined,
      'nb-29453940-node-a',
    ],
    ["--run N --node NODE: that node's run in that round", 1, 'finished', 'node-a', 'nb-1-node-a'],
    ["--run N for show: the round's first node by name, finished or not", 29453940, 'latest', undefined, hashed(5)],
  ])('%s', (_name, number, wanted, node, expected) => {
    expect(pickRun(nb, fanned, number, wanted, node).metadata.name).toBe(expected);
  });

  test.each<[string, number | undefined, Wanted, string | undefined, string]>([
    [
      'a node without runs',
      undefined,
      'finished',
      'node-z',
      `SwitchBenchmark lab/nb has no run on node node-z; nodes with runs: ${LONG}, node-a, node-b`,
    ],
    [
      'a round that does not exist',
      2,
      'finished',
      'node-a',
      'SwitchBenchmark lab/nb has no run 2 on node node-a (round nb-2); runs: 29453940, 1',
    ],
    [
      "a node's run still going in that round",
      29453940,
      'finished',
      'node-b',
      'run nb-29453940-node-b has not finished (phase Running, 1/4 trials)',
    ],
    [
      'a round that does not exist: each round listed once',
      2,
      'latest',
      undefined,
      'SwitchBenchmark lab/nb has no run 2 (round nb-2); runs: 29453940, 1',
    ],
  ])('%s is an error saying what exists', (_name, number, wanted, node, message) => {
    expect(() => pickRun(nb, fanned, number, wanted, node)).toThrow(message);
  });

  test('a fan-out run picked without --node comes with a note naming the flag; with it, or of one node, none', () => {
    const picked = pickRun(nb, fanned, undefined, 'finished');
    expect(fanOutNote(picked, fanned, undefined)).toBe(
      "run nb-29453940-node-a is node node-a's, one of 3 in round nb-29453940: --node NODE picks another node's run, kubectl switchbench pool nb compares them",
    );
    expect(fanOutNote(picked, fanned, 'node-a')).toBeUndefined();
    expect(fanOutNote(runs[0] as SwitchBenchmarkRun, runs, undefined)).toBeUndefined();
  });
});
