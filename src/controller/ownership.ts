// How the operator's objects point to their owners (owner references), the links garbage collection
// and the informers' event handlers follow.
import type { ObjectCache, V1OwnerReference } from '@kubernetes/client-node';
import { controllerUid } from '../api/v1alpha1/predicates.js';
import { API_VERSION, type SwitchBenchmark, type SwitchBenchmarkRun } from '../api/v1alpha1/types.js';

export function runsOf(runs: ObjectCache<SwitchBenchmarkRun>, benchmark: SwitchBenchmark): SwitchBenchmarkRun[] {
  return runs.list(benchmark.metadata.namespace).filter((run) => controllerUid(run) === benchmark.metadata.uid);
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
