// Names on objects that the operator, the kubectl plugin, metrics, the chart and users share:
// labels, annotations and the finalizer. Changing one is an API change.

/** On everything the operator creates, so informers select exactly its objects. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'switchbench-operator';
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

/** On runs and pods: the SwitchBenchmark they belong to. */
export const BENCHMARK_LABEL = 'switchbench.io/benchmark';
/** On pods: the SwitchBenchmarkRun they belong to. */
export const RUN_LABEL = 'switchbench.io/run';
/** On pods: what the pod does in its run. */
export const ROLE_LABEL = 'switchbench.io/role';
export type PodRole = 'sender' | 'receiver' | 'switch' | 'cleanup' | 'network';
/** On traffic pods: the trial's index and the attempt's number (pod names repeat them). */
export const TRIAL_LABEL = 'switchbench.io/trial';
export const ATTEMPT_LABEL = 'switchbench.io/attempt';
/** On runs: what started them (initial, scheduled, manual). */
export const TRIGGER_LABEL = 'switchbench.io/trigger';
/**
 * On fan-out runs: the name the trigger's run would have had without fan-out, the same on every node's
 * run of that trigger (kubectl get sbmrun -l switchbench.io/round=NAME shows one round of the pool).
 */
export const ROUND_LABEL = 'switchbench.io/round';
/** On the node-lock Leases, so the operator's lease informer sees only those. */
export const NODE_LOCK_LABEL = 'switchbench.io/node-lock';
/**
 * On nodes, set by the admin: the kubelet's CPU manager policy (static or none). The Node object does
 * not show it, and reading the kubelet's configz would need nodes/proxy.
 */
export const CPU_MANAGER_POLICY_LABEL = 'switchbench.io/cpu-manager-policy';

/** On a SwitchBenchmark: any new value starts a manual run (`kubectl switchbench run` writes a timestamp). */
export const RUN_NOW_ANNOTATION = 'switchbench.io/run-now';
/** On a sender: the UID of the receiver it was started for, so a replaced receiver is noticed. */
export const RECEIVER_UID_ANNOTATION = 'switchbench.io/receiver-uid';
/** On a receiver: the UID of the switch pod it was started against, so a restarted switch is noticed. */
export const SWITCH_UID_ANNOTATION = 'switchbench.io/switch-uid';

/** On runs that started: deleting one first releases its node locks and removes its host directory. */
export const CLEANUP_FINALIZER = 'switchbench.io/host-cleanup';
