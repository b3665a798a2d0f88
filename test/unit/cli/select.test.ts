import type { SwitchBenchmarkRun } from '../../../src/api/v1alpha1/types.js';
import { pickRun, runNowPatch, type Wanted } from '../../../src/cli/select.js';
import { benchmark, run } from './fixtures.js';

const runs = [
  run('tp-1', 'tp', { datapath: 'testpmd' }, { phase: 'Succeeded' }),
  run('tp-10', 'tp', { datapath: 'testpmd' }, { phase: 'Running', progress: '1/4' }),
  run('tp-2', 'tp', { datapath: 'testpmd' }, { phase: 'Failed' }),
];
const running = benchmark('tp', 'testpmd', { phase: 'Running', activeRun: 'tp-10' });

describe('which run a command means', () => {
  test.each<[string, SwitchBenchmarkRun[], number | undefined, Wanted, string]>([
    ['latest finished, by run number not by name order', runs, undefined, 'finished', 'tp-2'],
    ['latest is the active run', runs, undefined, 'latest', 'tp-10'],
    ['--watch follows the active run', runs, undefined, 'active', 'tp-10'],
    ['--watch with nothing running shows the last finished', runs.filter((r) => r.metadata.name !== 'tp-10'), undefined, 'active', 'tp-2'],
    ['--run N is run <benchmark>-N', runs, 1, 'finished', 'tp-1'],
    ['--run N of a running run for show', runs, 10, 'latest', 'tp-10'],
  ])('%s', (_name, candidates, number, wanted, expected) => {
    expect(pickRun(running, candidates, number, wanted).metadata.name).toBe(expected);
  });

  test.each<[string, SwitchBenchmarkRun[], number | undefined, Wanted, string]>([
    ['no such run number', runs, 3, 'finished', 'SwitchBenchmark lab/tp has no run 3 (run tp-3); runs: 10, 2, 1'],
    ['a run still going cannot be plotted', runs, 10, 'finished', 'run tp-10 has not finished (phase Running, 1/4 trials)'],
    ['no finished run yet', runs.filter((r) => r.metadata.name === 'tp-10'), undefined, 'finished', 'SwitchBenchmark lab/tp has no finished run yet (phase Running; tp-10 is Running)'],
    ['no run at all', [], undefined, 'latest', 'SwitchBenchmark lab/tp has no run yet (phase Running)'],
  ])('%s is an error saying what exists', (_name, candidates, number, wanted, message) => {
    expect(() => pickRun(running, candidates, number, wanted)).toThrow(message);
  });

  test('run now is a merge patch of the annotation to an RFC 3339 timestamp', () => {
    expect(runNowPatch(new Date('2026-01-02T03:04:05.678Z'))).toEqual({ metadata: { annotations: { 'switchbench.io/run-now': '2026-01-02T03:04:05.678Z' } } });
  });
});
