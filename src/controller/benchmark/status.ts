// A benchmark's status from its runs: phase, the last run's figures, and the three conditions. Pure.
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.js';
import { isFinished } from '../../api/v1alpha1/predicates.js';
import type {
  BenchmarkPhase,
  SwitchBenchmark,
  SwitchBenchmarkRun,
  SwitchBenchmarkStatus,
} from '../../api/v1alpha1/types.js';
import { formatPps } from '../../results/summary.js';
import { poolVerdict } from '../../results/pool.js';
import { setConditions, type ConditionInput } from '../conditions.js';
import { byCreation } from './schedule.js';

/** The status fields the reconciler decides (the rest follows from the runs). */
export interface Bookkeeping {
  runsStarted: number;
  nextRunTime?: string | undefined;
  lastScheduleTime?: string | undefined;
  lastRunNowToken?: string | undefined;
}

/** Fan-out facts: the nodes in the pool now, and why a trigger started nothing (an empty pool). */
export interface PoolFacts {
  pool: readonly string[];
  empty?: string;
}

/** The status a benchmark should have, given its runs and the problems with its spec. Pure. */
export function benchmarkStatus(
  benchmark: SwitchBenchmark,
  runs: readonly SwitchBenchmarkRun[],
  specErrors: string,
  book: Bookkeeping,
  now: Date,
  facts: PoolFacts = { pool: [] },
): SwitchBenchmarkStatus {
  const sorted = [...runs].sort(byCreation);
  const active = sorted.filter((r) => !isFinished(r)).at(-1);
  const last = sorted.filter(isFinished).at(-1);
  const generation = benchmark.metadata.generation ?? 0;
  const {
    activeRun: _active,
    nextRunTime: _next,
    lastScheduleTime: _last,
    lastRunNowToken: _token,
    pool: _pool,
    ...kept
  } = benchmark.status ?? {};
  const status: SwitchBenchmarkStatus = {
    ...kept,
    observedGeneration: generation,
    runsStarted: book.runsStarted,
    ...(book.nextRunTime !== undefined ? { nextRunTime: book.nextRunTime } : {}),
    ...(book.lastScheduleTime !== undefined ? { lastScheduleTime: book.lastScheduleTime } : {}),
    ...(book.lastRunNowToken !== undefined ? { lastRunNowToken: book.lastRunNowToken } : {}),
  };
  if (active) status.activeRun = active.metadata.name as string;
  const fanOut = benchmark.spec.placement.fanOut;
  const pool = fanOut ? poolVerdict(facts.pool, runs, fanOut.outlierFraction ?? 0.9) : undefined;
  if (pool) status.pool = pool;
  const activeCount = sorted.filter((r) => !isFinished(r)).length;
  if (last) {
    status.lastRun = {
      name: last.metadata.name as string,
      phase: last.status?.phase as string,
      ...(last.status?.startTime ? { startTime: last.status.startTime } : {}),
      ...(last.status?.completionTime ? { completionTime: last.status.completionTime } : {}),
      ...(last.status?.headline ? { headline: last.status.headline } : {}),
    };
  }

  let phase: BenchmarkPhase;
  if (specErrors) phase = 'Invalid';
  else if (active) phase = 'Running';
  else if (benchmark.spec.suspend) phase = 'Suspended';
  else if (last) phase = last.status?.phase === 'Succeeded' ? 'Succeeded' : 'Failed';
  else phase = 'Pending';
  status.phase = phase;

  const conditions: ConditionInput[] = [
    specErrors
      ? { type: ConditionType.Ready, status: 'False', reason: Reason.InvalidSpec, message: specErrors }
      : { type: ConditionType.Ready, status: 'True', reason: Reason.SpecAccepted, message: 'The spec is valid' },
    active && fanOut
      ? {
          type: ConditionType.Progressing,
          status: 'True',
          reason: Reason.RunInProgress,
          message: `${activeCount} of the pool's runs in progress, the latest ${active.metadata.name} (${active.status?.phase ?? 'Pending'})`,
        }
      : active
        ? {
            type: ConditionType.Progressing,
            status: 'True',
            reason: Reason.RunInProgress,
            message: `Run ${active.metadata.name} is ${active.status?.phase ?? 'Pending'} (${active.status?.progress ?? '0/?'})`,
          }
        : facts.empty
          ? { type: ConditionType.Progressing, status: 'False', reason: Reason.PoolEmpty, message: facts.empty }
          : {
              type: ConditionType.Progressing,
              status: 'False',
              reason: benchmark.spec.suspend ? Reason.Suspended : Reason.Idle,
              message: 'No run in progress',
            },
    pool
      ? poolCondition(pool)
      : last?.status?.phase === 'Failed'
        ? {
            type: ConditionType.Degraded,
            status: 'True',
            reason: Reason.LastRunFailed,
            message: `Run ${last.metadata.name} failed: ${readyMessage(last)}`,
          }
        : {
            type: ConditionType.Degraded,
            status: 'False',
            reason: Reason.AsExpected,
            message: 'The last run did not fail',
          },
  ];
  status.conditions = setConditions(benchmark.status?.conditions, conditions, generation, now);
  return status;
}

function readyMessage(run: SwitchBenchmarkRun): string {
  return run.status?.conditions?.find((c) => c.type === ConditionType.Ready)?.message ?? 'no reason recorded';
}

/** Degraded for a pool: the outliers, each with its figure against the median or its failed run. */
function poolCondition(pool: NonNullable<SwitchBenchmarkStatus['pool']>): ConditionInput {
  const outliers = (pool.nodes ?? []).filter((n) => n.outlier);
  if (outliers.length === 0) {
    return {
      type: ConditionType.Degraded,
      status: 'False',
      reason: Reason.AsExpected,
      message:
        pool.medianPps !== undefined
          ? `No node below the pool's bound; median ${pool.packetSize}B ${formatPps(pool.medianPps)}`
          : 'No node has a finished run yet',
    };
  }
  const described = outliers.map((n) =>
    n.phase === 'Failed'
      ? `${n.node} (run ${n.run} failed)`
      : `${n.node} (${formatPps(n.pps as number)}, ${(n.ratio as number).toFixed(2)} of the median)`,
  );
  const shown = described.slice(0, 20).join(', ') + (described.length > 20 ? ` and ${described.length - 20} more` : '');
  return {
    type: ConditionType.Degraded,
    status: 'True',
    reason: Reason.NodeOutliers,
    message: `${outliers.length} of ${pool.nodes?.length ?? 0} nodes are outliers ${pool.medianPps !== undefined ? `against the pool median ${pool.packetSize}B ${formatPps(pool.medianPps)}` : '(no node has a figure yet)'}: ${shown}`,
  };
}
