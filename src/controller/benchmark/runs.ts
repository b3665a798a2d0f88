// The SwitchBenchmarkRun a benchmark starts: named so a retried create is harmless, labelled and
// owned so the garbage collector and the informers find it, carrying a snapshot of the spec. Pure.
import { API_VERSION, type SwitchBenchmark, type SwitchBenchmarkRun } from '../../api/v1alpha1/types.js';
import {
  BENCHMARK_LABEL,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  ROUND_LABEL,
  RUN_NOW_ANNOTATION,
  TRIGGER_LABEL,
} from '../../api/v1alpha1/labels.js';
import { controllerReference } from '../ownership.js';

/** The run an unscheduled benchmark gets: one, named deterministically so a retried create is harmless. */
export function initialRunName(benchmark: SwitchBenchmark): string {
  return `${benchmark.metadata.name}-1`;
}

export interface RunOrigin {
  scheduledTime?: Date;
  /** The run-now annotation value the run answers; kept on the run so a lagging status cannot start it twice. */
  runNowToken?: string;
  /** Fan-out: the pool node the run is for, and the round (the trigger's run name without fan-out). */
  pool?: { node: string; round: string };
}

export function newRun(
  benchmark: SwitchBenchmark,
  name: string,
  trigger: SwitchBenchmarkRun['spec']['trigger'],
  origin: RunOrigin = {},
): SwitchBenchmarkRun {
  return {
    apiVersion: API_VERSION,
    kind: 'SwitchBenchmarkRun',
    metadata: {
      name,
      namespace: benchmark.metadata.namespace as string,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY,
        [BENCHMARK_LABEL]: benchmark.metadata.name as string,
        [TRIGGER_LABEL]: trigger,
        ...(origin.pool ? { [ROUND_LABEL]: origin.pool.round } : {}),
      },
      ...(origin.runNowToken !== undefined ? { annotations: { [RUN_NOW_ANNOTATION]: origin.runNowToken } } : {}),
      ownerReferences: [controllerReference(benchmark)],
    },
    spec: {
      benchmarkName: benchmark.metadata.name as string,
      benchmarkGeneration: benchmark.metadata.generation ?? 0,
      trigger,
      ...(origin.pool ? { nodeName: origin.pool.node } : {}),
      ...(origin.scheduledTime ? { scheduledTime: origin.scheduledTime.toISOString() } : {}),
      benchmark: structuredClone(benchmark.spec),
    },
  };
}
