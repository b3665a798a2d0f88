// When a SwitchBenchmark starts its next run: CronJob's rules (most recent missed time only, a starting
// deadline, no overlap), decided from times and facts passed in. Pure: the clock is an argument.
import { CronExpressionParser } from 'cron-parser';
import type { SwitchBenchmarkRun } from '../../api/v1alpha1/types.js';
import { isFinished } from '../../api/v1alpha1/predicates.js';

/** A reconcile is never put off longer than this, so a changed clock or a lost requeue heals itself. */
export const MAX_REQUEUE_MS = 10 * 60_000;

export interface Schedule {
  /** 5 fields or a macro, validated by validate.ts before it gets here. */
  cron: string;
  /** IANA zone; UTC when unset. */
  timeZone?: string | undefined;
  startingDeadlineSeconds?: number | undefined;
}

const parse = (schedule: Schedule, currentDate: Date) =>
  CronExpressionParser.parse(schedule.cron.trim(), { currentDate, tz: schedule.timeZone ?? 'UTC' });

/** The first scheduled time strictly after `after`. */
export function nextScheduleTime(schedule: Schedule, after: Date): Date {
  return parse(schedule, after).next().toDate();
}

/** The latest scheduled time at or before `now`: one step back, however long the operator was away. */
export function latestScheduleTime(schedule: Schedule, now: Date): Date {
  return parse(schedule, new Date(now.getTime() + 1))
    .prev()
    .toDate();
}

export type ScheduleDecision =
  /** Nothing due: wake up at `nextRunTime`. */
  | { kind: 'idle'; nextRunTime: Date }
  /** Start the run standing for `scheduledTime`; the one after is at `nextRunTime`. */
  | { kind: 'start'; scheduledTime: Date; nextRunTime: Date }
  /** Due, but a run of this benchmark is active: start when it finishes, or give up at `giveUpAt`. */
  | { kind: 'wait'; scheduledTime: Date; giveUpAt?: Date }
  /** Due longer ago than the starting deadline: not run. `report` once (the first time it is seen). */
  | { kind: 'skip'; scheduledTime: Date; nextRunTime: Date; report: boolean };

export interface ScheduleState {
  /** The scheduled time of the last run started (or the benchmark's creation): times up to it are done. */
  since: Date;
  /** status.nextRunTime as last written: a skip already announced past it is not reported again. */
  announced?: Date | undefined;
  /** A run of this benchmark is in progress. */
  active: boolean;
  now: Date;
}

/**
 * CronJob's syncCronJob with concurrencyPolicy Forbid: only the most recent missed time counts
 * (never a burst after downtime); it is skipped once it is older than the starting deadline, also
 * while it waits for an active run.
 */
export function decideSchedule(schedule: Schedule, state: ScheduleState): ScheduleDecision {
  const { since, now } = state;
  const due = latestScheduleTime(schedule, now);
  if (due.getTime() <= since.getTime())
    return { kind: 'idle', nextRunTime: nextScheduleTime(schedule, since > now ? since : now) };
  const deadline = schedule.startingDeadlineSeconds;
  const giveUpAt = deadline === undefined ? undefined : new Date(due.getTime() + deadline * 1000);
  if (giveUpAt && now > giveUpAt) {
    const report = state.announced === undefined || state.announced.getTime() <= due.getTime();
    return { kind: 'skip', scheduledTime: due, nextRunTime: nextScheduleTime(schedule, now), report };
  }
  if (state.active)
    return giveUpAt ? { kind: 'wait', scheduledTime: due, giveUpAt } : { kind: 'wait', scheduledTime: due };
  return { kind: 'start', scheduledTime: due, nextRunTime: nextScheduleTime(schedule, now) };
}

/** The delay before the reconcile that acts at `at`, capped by MAX_REQUEUE_MS. */
export function requeueDelayMs(at: Date, now: Date): number {
  return Math.min(MAX_REQUEUE_MS, Math.max(0, at.getTime() - now.getTime()));
}

/** A scheduled run's name: one per scheduled time (cron times are whole minutes), so a retried create is harmless. */
export function scheduledRunName(benchmark: string, scheduledTime: Date): string {
  return `${benchmark}-${Math.floor(scheduledTime.getTime() / 60_000)}`;
}

/** A manual run's name: the next number not taken (the initial run is `-1`). */
export function manualRunName(benchmark: string, runsStarted: number, taken: (name: string) => boolean): string {
  let n = runsStarted + 1;
  while (taken(`${benchmark}-${n}`)) n++;
  return `${benchmark}-${n}`;
}

// Timestamps arrive as strings from watches and as Dates from typed lists: compare them as instants.
const created = (run: SwitchBenchmarkRun) => new Date(run.metadata.creationTimestamp ?? 0).getTime();
export const byCreation = (a: SwitchBenchmarkRun, b: SwitchBenchmarkRun) =>
  created(a) - created(b) || String(a.metadata.name).localeCompare(String(b.metadata.name));

/**
 * Finished runs beyond the newest `historyLimit`, oldest first; a run in progress is never pruned.
 * Fan-out keeps `historyLimit` runs of each node.
 */
export function runsToPrune(runs: readonly SwitchBenchmarkRun[], historyLimit: number): SwitchBenchmarkRun[] {
  const byNode = new Map<string | undefined, SwitchBenchmarkRun[]>();
  for (const run of runs)
    if (isFinished(run) && !run.metadata.deletionTimestamp)
      byNode.set(run.spec.nodeName, [...(byNode.get(run.spec.nodeName) ?? []), run]);
  return [...byNode.values()]
    .flatMap((done) => done.sort(byCreation).slice(0, Math.max(0, done.length - historyLimit)))
    .sort(byCreation);
}
