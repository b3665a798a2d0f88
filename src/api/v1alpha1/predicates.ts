// Questions every reader of the API asks of an object, answered once for the operator, the plugin
// and the metrics alike.
import type { KubernetesObject } from '@kubernetes/client-node';
import { RUN_NOW_ANNOTATION } from './labels.js';
import type { SwitchBenchmarkRun } from './generated.js';
import { API_VERSION } from './types.js';

/** A run in a final phase: its status is its permanent record. */
export function isFinished(run: SwitchBenchmarkRun): boolean {
  return run.status?.phase === 'Succeeded' || run.status?.phase === 'Failed';
}

/** The controlling owner's UID, the link sample-controller's handleObject follows. */
export function controllerUid(object: KubernetesObject): string | undefined {
  return object.metadata?.ownerReferences?.find((ref) => ref.controller)?.uid;
}

/**
 * Whether a run's controlling owner is a SwitchBenchmark, as on every run the operator creates. Only
 * the operator creates runs; one created any other way is not carried out.
 */
export function ownedByBenchmark(run: SwitchBenchmarkRun): boolean {
  return (
    run.metadata.ownerReferences?.some(
      (ref) => ref.controller && ref.kind === 'SwitchBenchmark' && ref.apiVersion === API_VERSION,
    ) ?? false
  );
}

/** The run-now request a benchmark carries that no run has answered yet, else undefined. */
export function pendingRunNow(
  annotations: Record<string, string> | undefined,
  lastToken: string | undefined,
): string | undefined {
  const token = annotations?.[RUN_NOW_ANNOTATION];
  return token !== undefined && token !== '' && token !== lastToken ? token : undefined;
}
