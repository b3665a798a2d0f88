// The run's status, written only when it changed (cert-manager's updaters), with conditions that
// carry the run's generation; and the one way a run ends.
import { isDeepStrictEqual } from 'node:util';
import { ConditionType, type Reason } from '../../api/v1alpha1/conditions.js';
import type { SwitchBenchmarkRunStatus } from '../../api/v1alpha1/types.js';
import type { ReconcileResult } from '../../runtime/reconcile.js';
import { setConditions, type ConditionInput } from '../conditions.js';
import type { RunStep } from './step.js';

export async function writeStatus(
  { deps, run }: RunStep,
  status: SwitchBenchmarkRunStatus,
  conditions: ConditionInput[] = [],
): Promise<void> {
  const generation = run.metadata.generation ?? 0;
  const next: SwitchBenchmarkRunStatus = {
    ...status,
    observedGeneration: generation,
    conditions: setConditions(status.conditions, conditions, generation, deps.now()),
  };
  if (isDeepStrictEqual(next, run.status ?? {})) return;
  await deps.writer.replaceRunStatus({ ...run, status: next });
}

export interface Outcome {
  phase: 'Succeeded' | 'Failed';
  reason: Reason;
  message: string;
}

/** Ends the run: its final phase, the three conditions saying why, and an Event. Teardown follows. */
export async function finish(step: RunStep, outcome: Outcome): Promise<ReconcileResult> {
  const { deps, run, log } = step;
  log.info(outcome.phase === 'Succeeded' ? 'Run succeeded' : 'Run failed', {
    reason: outcome.reason,
    detail: outcome.message,
  });
  const { phase, reason, message } = outcome;
  const succeeded = phase === 'Succeeded';
  await writeStatus(step, { ...run.status, phase, completionTime: deps.now().toISOString() }, [
    { type: ConditionType.Ready, status: succeeded ? 'True' : 'False', reason, message },
    { type: ConditionType.Progressing, status: 'False', reason, message: 'The run has finished' },
    { type: ConditionType.Degraded, status: succeeded ? 'False' : 'True', reason, message },
  ]);
  await deps.writer.event(run, { type: succeeded ? 'Normal' : 'Warning', reason, message });
  return {};
}
