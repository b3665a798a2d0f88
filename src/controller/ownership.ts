import type { KubernetesObject, ObjectCache, V1OwnerReference } from '@kubernetes/client-node';
import { API_VERSION, type SwitchBenchmark, type SwitchBenchmarkRun } from '../api/v1alpha1/types.js';

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

/** The reference that makes `owner` the controller of a child: garbage collection follows it. */
export function controllerReference(owner: SwitchBenchmark | SwitchBenchmarkRun): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: owner.kind,
    name: owner.metadata.name as string,
    uid: owner.metadata.uid as string,
    controller: true,
    blockOwnerDeletion: true,
  };
}
