// Reconciles a SwitchBenchmark: validates its spec, starts its runs (initial, scheduled, run-now),
// prunes its history, and reflects them in status (status.ts); the runs it creates are runs.ts's.
import type { ObjectCache, V1Node } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { formatFieldErrors, validateSpec } from '../../api/v1alpha1/validate.js';
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../../api/v1alpha1/types.js';
import { Reason } from '../../api/v1alpha1/conditions.js';
import { isFinished, pendingRunNow } from '../../api/v1alpha1/predicates.js';
import { ROUND_LABEL, RUN_NOW_ANNOTATION } from '../../api/v1alpha1/labels.js';
import type { ReconcileContext, ReconcileResult } from '../../runtime/reconcile.js';
import { slowStartBatch } from '../../runtime/slow-start.js';
import type { ClusterWriter } from '../cluster-writer.js';
import { allowedImages, labelSelector, type OperatorConfig } from '../config.js';
import { runsOf } from '../ownership.js';
import { describeSelector } from '../run/preflight.js';
import { fanOutRunName, poolNodes } from './fan-out.js';
import { initialRunName, newRun, type RunOrigin } from './runs.js';
import {
  byCreation,
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
  /** The pool of a fan-out benchmark is the nodes its selector and the admin's label match. */
  nodes: ObjectCache<V1Node>;
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

    /** Creates the run; the Event saying so is the caller's, one per trigger even for a pool. */
    const create = async (run: SwitchBenchmarkRun) => {
      await this.deps.writer.createRun(run);
      this.expected.set(key, { run: run.metadata.name as string, at: now.getTime() });
      active = true;
      book.runsStarted++;
      log.info('Created SwitchBenchmarkRun', {
        run: run.metadata.name,
        trigger: run.spec.trigger,
        scheduledTime: run.spec.scheduledTime,
      });
    };
    const created = (message: string) =>
      this.deps.writer.event(benchmark, { type: 'Normal', reason: Reason.RunCreated, message });
    const start = async (run: SwitchBenchmarkRun) => {
      await create(run);
      await created(`Created ${run.spec.trigger} run ${run.metadata.name}`);
    };

    const fanOut = spec.placement.fanOut;
    const pool = fanOut
      ? poolNodes(this.deps.nodes.list(), spec.placement.nodeSelector, labelSelector(this.deps.config.nodeLabel))
      : [];
    let poolEmpty = false;
    /** Under fan-out, a run in the round named `round` for each pool node that has none yet. */
    const fillRound = async (
      round: string,
      trigger: SwitchBenchmarkRun['spec']['trigger'],
      origin: RunOrigin,
      nodesWithRuns: ReadonlySet<string>,
    ) => {
      const nodes = pool.filter((n) => !nodesWithRuns.has(n));
      await slowStartBatch(nodes, RUN_CREATE_BATCH_MAX, (node) =>
        create(
          newRun(benchmark, this.freeName(fanOutRunName(round, node), namespace), trigger, {
            ...origin,
            pool: { node, round },
          }),
        ),
      );
      // One Event for the pool: hundreds of nodes would otherwise crowd out every other Event.
      if (nodes.length) {
        const named = nodes.slice(0, POOL_NODES_NAMED).join(', ');
        const more = nodes.length > POOL_NODES_NAMED ? ` and ${nodes.length - POOL_NODES_NAMED} more` : '';
        await created(`Created ${trigger} runs of round ${round} for ${nodes.length} nodes: ${named}${more}`);
      }
    };
    /**
     * One trigger: one run, or under fan-out one run per pool node, all named after `round`. Returns
     * false when the pool is empty and nothing started.
     */
    const startRound = async (
      round: string,
      trigger: SwitchBenchmarkRun['spec']['trigger'],
      origin: RunOrigin = {},
    ): Promise<boolean> => {
      if (!fanOut) {
        await start(newRun(benchmark, this.freeName(round, namespace), trigger, origin));
        return true;
      }
      if (pool.length === 0) {
        poolEmpty = true;
        return false;
      }
      await fillRound(round, trigger, origin, roundNodes(runs, round));
      return true;
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
      // The round in progress covers the pool: a node that joined since it started (or a run whose
      // create failed part-way through the pool) gets its run in it, as a DaemonSet adds a pod.
      const round = fanOut ? activeRound(runs) : undefined;
      if (round) await fillRound(round.name, round.newest.spec.trigger, originOf(round.newest), round.nodes);
      if (spec.schedule === undefined && book.runsStarted === 0 && runs.length === 0) {
        // An empty pool is waited for: node events bring this benchmark back.
        await startRound(initialRunName(benchmark), 'initial');
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
            if (!runs.some((r) => r.metadata.name === runName || r.metadata.labels?.[ROUND_LABEL] === runName)) {
              await startRound(runName, 'schedule', { scheduledTime: decision.scheduledTime });
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
        const taken = (n: string) =>
          this.deps.runs.get(n, namespace) !== undefined || runs.some((r) => r.metadata.labels?.[ROUND_LABEL] === n);
        await startRound(manualRunName(name, book.runsStarted, taken), 'manual', { runNowToken: token });
        book.lastRunNowToken = token;
      } else if (token !== undefined) {
        log.debug('Run-now request waits for the active run', { token });
      }
    }

    const selector = describeSelector({ ...spec.placement.nodeSelector, ...labelSelector(this.deps.config.nodeLabel) });
    const status = benchmarkStatus(benchmark, runs, specErrors, book, now, {
      pool,
      ...(poolEmpty
        ? {
            empty: `No node has the labels ${selector}, so no run started: label the nodes of the pool, e.g. kubectl label node NODE ${selector.replaceAll(',', ' ')}`,
          }
        : {}),
    });
    if (poolEmpty && !hasReason(benchmark, Reason.PoolEmpty)) {
      log.info('Started no run: the pool is empty', { selector });
      await this.deps.writer.event(benchmark, {
        type: 'Warning',
        reason: Reason.PoolEmpty,
        message: status.conditions?.find((c) => c.reason === Reason.PoolEmpty)?.message ?? selector,
      });
    }
    const outliers = status.pool?.outliers ?? [];
    if (outliers.length && !isDeepStrictEqual(outliers, benchmark.status?.pool?.outliers ?? [])) {
      const message = status.conditions?.find((c) => c.reason === Reason.NodeOutliers)?.message ?? outliers.join(', ');
      log.info('Pool has outliers', { outliers });
      await this.deps.writer.event(benchmark, { type: 'Warning', reason: Reason.NodeOutliers, message });
    }
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

/** Runs of a pool created at once, at most: ReplicaSet's pod creation uses batches up to the same. */
const RUN_CREATE_BATCH_MAX = 32;

/** Nodes a pool's RunCreated Event names before it counts the rest. */
const POOL_NODES_NAMED = 5;

/** The nodes that have a run in the fan-out round named `round`. */
const roundNodes = (runs: readonly SwitchBenchmarkRun[], round: string) =>
  new Set(runs.filter((r) => r.metadata.labels?.[ROUND_LABEL] === round).map((r) => r.spec.nodeName as string));

/** The newest fan-out round with a run still in progress: its name, its newest run, and the nodes it has. */
function activeRound(
  runs: readonly SwitchBenchmarkRun[],
): { name: string; newest: SwitchBenchmarkRun; nodes: Set<string> } | undefined {
  const active = runs.filter((r) => !isFinished(r) && r.metadata.labels?.[ROUND_LABEL] !== undefined);
  const newest = active.sort(byCreation).at(-1);
  const name = newest?.metadata.labels?.[ROUND_LABEL];
  if (!newest || name === undefined) return undefined;
  return { name, newest, nodes: roundNodes(runs, name) };
}

/** What started a run, to start another node's run of the same round alike. */
function originOf(run: SwitchBenchmarkRun): RunOrigin {
  const token = run.metadata.annotations?.[RUN_NOW_ANNOTATION];
  return {
    ...(run.spec.scheduledTime ? { scheduledTime: new Date(run.spec.scheduledTime) } : {}),
    ...(token !== undefined ? { runNowToken: token } : {}),
  };
}

const hasReason = (benchmark: SwitchBenchmark, reason: Reason) =>
  benchmark.status?.conditions?.some((c) => c.reason === reason) ?? false;

/** The latest of some RFC 3339 times (strings from watches, Dates from typed reads), as a string. */
function latestOf(times: readonly (string | Date | undefined)[]): string | undefined {
  const instants = times.filter((t) => t !== undefined).map((t) => new Date(t));
  if (instants.length === 0) return undefined;
  return new Date(Math.max(...instants.map((d) => d.getTime()))).toISOString();
}
