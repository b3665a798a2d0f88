// Which run a command means: `--run N` is the benchmark's run `<benchmark>-N`; without it, the
// latest finished run (for tables, plots and exports) or the active run (for --watch). Pure.
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../api/v1alpha1/types.js';
import { RUN_NOW_ANNOTATION } from '../api/v1alpha1/labels.js';
import { isFinished, pendingRunNow } from '../api/v1alpha1/predicates.js';

export { isFinished };

/** The N of `<benchmark>-N`, else undefined (a run not named by the operator's scheme). */
export function runNumber(benchmark: string, run: SwitchBenchmarkRun): number | undefined {
  const name = run.metadata.name ?? '';
  const suffix = name.startsWith(`${benchmark}-`) ? name.slice(benchmark.length + 1) : '';
  return /^[0-9]+$/.test(suffix) ? Number(suffix) : undefined;
}

/**
 * Newest first, by creation time: the number is no order (manual runs count up from the initial
 * `-1`, scheduled runs are numbered by their minute since the epoch); it breaks ties within a second.
 */
export function newestFirst(benchmark: string, runs: readonly SwitchBenchmarkRun[]): SwitchBenchmarkRun[] {
  const key = (r: SwitchBenchmarkRun) => runNumber(benchmark, r) ?? -1;
  const created = (r: SwitchBenchmarkRun) => new Date(r.metadata.creationTimestamp ?? 0).getTime() || 0;
  return [...runs].sort((a, b) => created(b) - created(a) || key(b) - key(a));
}

/**
 * Why `show --watch` should wait for a run that does not exist yet, or undefined: a run-now request
 * the operator has not answered, or a benchmark that never ran but will.
 */
export function awaitedRun(benchmark: SwitchBenchmark): string | undefined {
  const status = benchmark.status;
  if (status?.activeRun) return undefined;
  const token = pendingRunNow(benchmark.metadata.annotations, status?.lastRunNowToken);
  if (token !== undefined) return `waiting for the run asked for at ${token} to start`;
  if (status?.lastRun || status?.phase === 'Invalid' || status?.phase === 'Suspended') return undefined;
  return `waiting for the first run${status?.nextRunTime ? ` (scheduled ${status.nextRunTime})` : ''}`;
}

export type Wanted = 'finished' | 'latest' | 'active';

/**
 * The run asked for, or an Error whose message says what exists instead. `latest` prefers the active
 * run (show follows what is happening), `finished` skips runs still going (figures need all trials).
 */
export function pickRun(
  benchmark: SwitchBenchmark,
  runs: readonly SwitchBenchmarkRun[],
  number: number | undefined,
  wanted: Wanted,
): SwitchBenchmarkRun {
  const name = benchmark.metadata.name ?? '';
  const ref = `SwitchBenchmark ${benchmark.metadata.namespace}/${name}`;
  const ordered = newestFirst(name, runs);
  if (number !== undefined) {
    const run = ordered.find((r) => runNumber(name, r) === number);
    if (!run) {
      const have = ordered.map((r) => runNumber(name, r)).filter((n) => n !== undefined);
      throw new Error(
        `${ref} has no run ${number} (run ${name}-${number}); runs: ${have.length ? have.join(', ') : 'none'}`,
      );
    }
    if (wanted === 'finished' && !isFinished(run))
      throw new Error(
        `run ${run.metadata.name} has not finished (phase ${run.status?.phase ?? 'Pending'}, ${run.status?.progress ?? '0/?'} trials)`,
      );
    return run;
  }
  const active =
    ordered.find((r) => r.metadata.name === benchmark.status?.activeRun) ?? ordered.find((r) => !isFinished(r));
  const finished = ordered.find(isFinished);
  const run =
    wanted === 'finished' ? finished : wanted === 'active' ? (active ?? finished) : (active ?? finished ?? ordered[0]);
  if (!run) {
    const phase = benchmark.status?.phase ?? 'Pending';
    throw new Error(
      wanted === 'finished'
        ? `${ref} has no finished run yet (phase ${phase}${ordered.length ? `; ${ordered[0]?.metadata.name} is ${ordered[0]?.status?.phase ?? 'Pending'}` : ''})`
        : `${ref} has no run yet (phase ${phase})`,
    );
  }
  return run;
}

/** The merge patch that asks the operator for a run now: any new value does, a timestamp says when. */
export function runNowPatch(now: Date): { metadata: { annotations: Record<string, string> } } {
  return { metadata: { annotations: { [RUN_NOW_ANNOTATION]: now.toISOString() } } };
}
