// A benchmark's status from its runs: phase, the last run's figures, and the three conditions. Pure.
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.js';
import { isFinished } from '../../api/v1alpha1/predicates.js';
import type {
  BenchmarkPhase,
  SwitchBenchmark,
  SwitchBenchmarkRun,
  SwitchBenchmarkStatus,
} from '../../api/v1alpha1/types.js';
import { setConditions, type ConditionInput } from '../conditions.js';
import { byCreation } from './schedule.js';

/** The status fields the reconciler decides (the rest follows from the runs). */
export interface Bookkeeping {
  runsStarted: number;
  nextRunTime?: string | undefined;
  lastScheduleTime?: string | undefined;
  lastRunNowToken?: string | undefined;
}

/** The status a benchmark should have, given its runs and the problems with its spec. Pure. */
export function benchmarkStatus(
  benchmark: SwitchBenchmark,
  runs: readonly SwitchBenchmarkRun[],
  specErrors: string,
  book: Bookkeeping,
  now: Date,
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
    active
      ? {
          type: ConditionType.Progressing,
          status: 'True',
          reason: Reason.RunInProgress,
          message: `Run ${active.metadata.name} is ${active.status?.phase ?? 'Pending'} (${active.status?.progress ?? '0/?'})`,
        }
      : {
          type: ConditionType.Progressing,
          status: 'False',
          reason: benchmark.spec.suspend ? Reason.Suspended : Reason.Idle,
          message: 'No run in progress',
        },
    last?.status?.phase === 'Failed'
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
