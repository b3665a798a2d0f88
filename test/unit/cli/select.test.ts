import type { SwitchBenchmarkRun } from '../../../src/api/v1alpha1/types.js';
import type { SwitchBenchmark } from '../../../src/api/v1alpha1/types.js';
import { awaitedRun, pickRun, runNowPatch, type Wanted } from '../../../src/cli/select.js';
import { benchmark, run } from './fixtures.js';

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
