/** Labels the operator puts on everything it creates, so informers can select exactly its objects. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'switchbench-operator';
export const BENCHMARK_LABEL = 'switchbench.io/benchmark';
export const RUN_LABEL = 'switchbench.io/run';
export const ROLE_LABEL = 'switchbench.io/role';
export const TRIAL_LABEL = 'switchbench.io/trial';
export const ATTEMPT_LABEL = 'switchbench.io/attempt';
export const TRIGGER_LABEL = 'switchbench.io/trigger';

export type PodRole = 'sender' | 'receiver' | 'switch' | 'cleanup' | 'network';

export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
