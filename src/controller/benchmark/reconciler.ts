// Reconciles a SwitchBenchmark: validates its spec, starts its runs (initial, scheduled, run-now),
// prunes its history, and reflects them in status (status.ts); the runs it creates are runs.ts's.
import type { ObjectCache } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { formatFieldErrors, validateSpec } from '../../api/v1alpha1/validate.js';
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../../api/v1alpha1/types.js';
import { Reason } from '../../api/v1alpha1/conditions.js';
import { isFinished, pendingRunNow } from '../../api/v1alpha1/predicates.js';
import { RUN_NOW_ANNOTATION } from '../../api/v1alpha1/labels.js';
import type { ReconcileContext, ReconcileResult } from '../../runtime/reconcile.js';
import type { ClusterWriter } from '../cluster-writer.js';
import { allowedImages, type OperatorConfig } from '../config.js';
import { runsOf } from '../ownership.js';
import { initialRunName, newRun } from './runs.js';
import {
  decideSchedule,
  manualRunName,
  requeueDelayMs,
  runsToPrune,
  scheduledRunName,
  type Schedule,
} from './schedule.js';
import { benchmarkStatus, type Bookkeeping } from './status.js';

export interface BenchmarkReconcilerDeps {
  benchmarks: ObjectCache<SwitchBenchmark>;
  runs: ObjectCache<SwitchBenchmarkRun>;
  writer: ClusterWriter;
  config: OperatorConfig;
  /** The clock: schedules are decided against it (a fake one in tests). */
  now: () => Date;
}

export class BenchmarkReconciler {
  /**
   * Runs created but not yet seen in the cache, per benchmark (controller-runtime's expectations):
   * until the cache shows them they count as active, so a lagging cache never lets a second run start.
   */
  private readonly expected = new Map<string, { run: string; at: number }>();

  constructor(private readonly deps: BenchmarkReconcilerDeps) {}

  async reconcile(key: string, context: ReconcileContext): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const benchmark = this.deps.benchmarks.get(name, namespace);
    if (!benchmark || benchmark.metadata.deletionTimestamp) {
      this.expected.delete(key);
      return {};
    }
    const log = context.log.child({
      namespace,
      name,
      generation: benchmark.metadata.generation,
    });
    const now = this.deps.now();

    const errors = validateSpec(benchmark.spec, { imageAllowlist: allowedImages(this.deps.config) });
    const specErrors = formatFieldErrors(errors);
    const runs = runsOf(this.deps.runs, benchmark);
    const { spec } = benchmark;
    const book: Bookkeeping = {
      runsStarted: Math.max(benchmark.status?.runsStarted ?? 0, runs.length),
      lastScheduleTime: latestOf([benchmark.status?.lastScheduleTime, ...runs.map((r) => r.spec.scheduledTime)]),
      lastRunNowToken: benchmark.status?.lastRunNowToken,
    };
    let active = runs.some((r) => !isFinished(r)) || this.awaitingCache(key, namespace, now);
    let requeueAt: Date | undefined;

    const start = async (run: SwitchBenchmarkRun) => {
      await this.deps.writer.createRun(run);
      this.expected.set(key, { run: run.metadata.name as string, at: now.getTime() });
      active = true;
      book.runsStarted++;
      log.info('Created SwitchBenchmarkRun', {
        run: run.metadata.name,
        trigger: run.spec.trigger,
        scheduledTime: run.spec.scheduledTime,
      });
      await this.deps.writer.event(benchmark, {
        type: 'Normal',
        reason: Reason.RunCreated,
        message: `Created ${run.spec.trigger} run ${run.metadata.name}`,
      });
    };

    if (!specErrors) {
      for (const run of runsToPrune(runs, spec.historyLimit)) {
        await this.deps.writer.deleteRun(namespace, run.metadata.name as string);
        log.info('Deleted SwitchBenchmarkRun beyond historyLimit', {
          run: run.metadata.name,
          historyLimit: spec.historyLimit,
        });
      }
    }

    if (!specErrors && !spec.suspend) {
      if (spec.schedule === undefined && book.runsStarted === 0 && runs.length === 0) {
        await start(newRun(benchmark, this.freeName(initialRunName(benchmark), namespace), 'initial'));
      }
      if (spec.schedule !== undefined) {
        const schedule: Schedule = {
          cron: spec.schedule,
          timeZone: spec.timeZone,
          startingDeadlineSeconds: spec.startingDeadlineSeconds,
        };
        const since = new Date(latestOf([book.lastScheduleTime, benchmark.metadata.creationTimestamp]) ?? now);
        const announced = benchmark.status?.nextRunTime ? new Date(benchmark.status.nextRunTime) : undefined;
        const decision = decideSchedule(schedule, { since, announced, active, now });
        switch (decision.kind) {
          case 'idle':
            requeueAt = decision.nextRunTime;
            break;
          case 'start': {
            const runName = scheduledRunName(name, decision.scheduledTime);
            // Started already, and the status write that records it was lost or is not in the cache yet.
            if (!runs.some((r) => r.metadata.name === runName)) {
              await start(
                newRun(benchmark, this.freeName(runName, namespace), 'schedule', {
                  scheduledTime: decision.scheduledTime,
                }),
              );
            }
            book.lastScheduleTime = decision.scheduledTime.toISOString();
            requeueAt = decision.nextRunTime;
            break;
          }
          case 'wait':
            // The active run's end enqueues this benchmark; the deadline is the only other reason to look.
            requeueAt = decision.giveUpAt;
            log.debug('Scheduled run waits for the active run', {
              scheduledTime: decision.scheduledTime.toISOString(),
            });
            break;
          case 'skip':
            if (decision.report) {
              const message = `Missed scheduled time ${decision.scheduledTime.toISOString()}: not started within startingDeadlineSeconds (${spec.startingDeadlineSeconds} s)${active ? ' while an earlier run was active' : ''}`;
              log.info('Skipped scheduled run', { scheduledTime: decision.scheduledTime.toISOString() });
              await this.deps.writer.event(benchmark, { type: 'Warning', reason: Reason.MissedSchedule, message });
            }
            requeueAt = decision.nextRunTime;
            break;
        }
        book.nextRunTime = (decision.kind === 'wait' ? decision.scheduledTime : decision.nextRunTime).toISOString();
      }

      const token = pendingRunNow(benchmark.metadata.annotations, book.lastRunNowToken);
      if (token !== undefined && runs.some((r) => r.metadata.annotations?.[RUN_NOW_ANNOTATION] === token)) {
        book.lastRunNowToken = token;
      } else if (token !== undefined && !active) {
        await start(
          newRun(
            benchmark,
            manualRunName(name, book.runsStarted, (n) => this.deps.runs.get(n, namespace) !== undefined),
            'manual',
            { runNowToken: token },
          ),
        );
        book.lastRunNowToken = token;
      } else if (token !== undefined) {
        log.debug('Run-now request waits for the active run', { token });
      }
    }

    const status = benchmarkStatus(benchmark, runs, specErrors, book, now);
    if (specErrors && benchmark.status?.phase !== 'Invalid') {
      log.info('Rejected spec', { errors: specErrors });
      await this.deps.writer.event(benchmark, { type: 'Warning', reason: Reason.InvalidSpec, message: specErrors });
    }
    if (!isDeepStrictEqual(status, benchmark.status ?? {})) {
      await this.deps.writer.replaceBenchmarkStatus({ ...benchmark, status });
    }
    return requeueAt ? { requeueAfterMs: requeueDelayMs(requeueAt, now) } : {};
  }

  /**
   * A benchmark deleted and created again under the same name finds its old runs still being
   * collected, and until then their names are taken: retry (with backoff) rather than adopt one.
   */
  private freeName(name: string, namespace: string): string {
    if (this.deps.runs.get(name, namespace))
      throw new Error(`waiting for SwitchBenchmarkRun ${name} of an earlier benchmark of this name to be deleted`);
    return name;
  }

  /** Whether a run this reconciler created is still missing from the cache (given up after a minute). */
  private awaitingCache(key: string, namespace: string, now: Date): boolean {
    const expected = this.expected.get(key);
    if (!expected) return false;
    if (this.deps.runs.get(expected.run, namespace) || Math.abs(now.getTime() - expected.at) > 60_000) {
      this.expected.delete(key);
      return false;
    }
    return true;
  }
}

/** The latest of some RFC 3339 times (strings from watches, Dates from typed reads), as a string. */
function latestOf(times: readonly (string | Date | undefined)[]): string | undefined {
  const instants = times.filter((t) => t !== undefined).map((t) => new Date(t));
  if (instants.length === 0) return undefined;
  return new Date(Math.max(...instants.map((d) => d.getTime()))).toISOString();
}
