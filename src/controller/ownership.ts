import type { KubernetesObject, ObjectCache } from '@kubernetes/client-node';
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../api/v1alpha1/types.js';

/** The controlling owner's UID, the link sample-controller's handleObject follows. */
export function controllerUid(object: KubernetesObject): string | undefined {
  return object.metadata?.ownerReferences?.find((ref) => ref.controller)?.uid;
}

export function runsOf(runs: ObjectCache<SwitchBenchmarkRun>, benchmark: SwitchBenchmark): SwitchBenchmarkRun[] {
  return runs.list(benchmark.metadata.namespace).filter((run) => controllerUid(run) === benchmark.metadata.uid);
}

export function isFinished(run: SwitchBenchmarkRun): boolean {
  return run.status?.phase === 'Succeeded' || run.status?.phase === 'Failed';
}
