// Reconciles a SwitchBenchmark: validates its spec, creates its runs, and reflects them in status.
import type { ObjectCache } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'winston';
import { formatFieldErrors, validateSpec } from '../api/v1alpha1/validate.js';
import {
  API_VERSION,
  ConditionType,
  Reason,
  type BenchmarkPhase,
  type SwitchBenchmark,
  type SwitchBenchmarkRun,
  type SwitchBenchmarkStatus,
} from '../api/v1alpha1/types.js';
import type { ReconcileResult } from '../runtime/reconcile.js';
import type { ClusterWriter } from './client.js';
import { setConditions, type ConditionInput } from './conditions.js';
import { allowedImages, type OperatorConfig } from './config.js';
import { BENCHMARK_LABEL, MANAGED_BY, MANAGED_BY_LABEL, TRIGGER_LABEL } from './labels.js';
import { controllerReference, isFinished, runsOf } from './ownership.js';

export interface BenchmarkReconcilerDeps {
  benchmarks: ObjectCache<SwitchBenchmark>;
  runs: ObjectCache<SwitchBenchmarkRun>;
  writer: ClusterWriter;
  config: OperatorConfig;
  log: Logger;
  now: () => Date;
}

/** The run an unscheduled benchmark gets: one, named deterministically so a retried create is harmless. */
export function initialRunName(benchmark: SwitchBenchmark): string {
  return `${benchmark.metadata.name}-1`;
}

export function newRun(benchmark: SwitchBenchmark, name: string, trigger: SwitchBenchmarkRun['spec']['trigger']): SwitchBenchmarkRun {
  return {
    apiVersion: API_VERSION,
    kind: 'SwitchBenchmarkRun',
    metadata: {
      name,
      namespace: benchmark.metadata.namespace as string,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [BENCHMARK_LABEL]: benchmark.metadata.name as string, [TRIGGER_LABEL]: trigger },
      ownerReferences: [controllerReference(benchmark)],
    },
    spec: {
      benchmarkName: benchmark.metadata.name as string,
      benchmarkGeneration: benchmark.metadata.generation ?? 0,
      trigger,
      benchmark: structuredClone(benchmark.spec),
    },
  };
}

// Timestamps arrive as strings from watches and as Dates from typed lists: compare them as instants.
const created = (run: SwitchBenchmarkRun) => new Date(run.metadata.creationTimestamp ?? 0).getTime();
const byCreation = (a: SwitchBenchmarkRun, b: SwitchBenchmarkRun) =>
  created(a) - created(b) || String(a.metadata.name).localeCompare(String(b.metadata.name));

/** The status a benchmark should have, given its runs and the problems with its spec. Pure. */
export function benchmarkStatus(
  benchmark: SwitchBenchmark,
  runs: readonly SwitchBenchmarkRun[],
  specErrors: string,
  runsStarted: number,
  now: Date,
): SwitchBenchmarkStatus {
  const sorted = [...runs].sort(byCreation);
  const active = sorted.filter((r) => !isFinished(r)).at(-1);
  const last = sorted.filter(isFinished).at(-1);
  const generation = benchmark.metadata.generation ?? 0;
  const status: SwitchBenchmarkStatus = { ...benchmark.status, observedGeneration: generation, runsStarted };
  delete status.activeRun;
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
      : { type: ConditionType.Ready, status: 'True', reason: 'SpecAccepted', message: 'The spec is valid' },
    active
      ? { type: ConditionType.Progressing, status: 'True', reason: 'RunInProgress', message: `Run ${active.metadata.name} is ${active.status?.phase ?? 'Pending'} (${active.status?.progress ?? '0/?'})` }
      : { type: ConditionType.Progressing, status: 'False', reason: benchmark.spec.suspend ? 'Suspended' : 'Idle', message: 'No run in progress' },
    last?.status?.phase === 'Failed'
      ? { type: ConditionType.Degraded, status: 'True', reason: 'LastRunFailed', message: `Run ${last.metadata.name} failed: ${readyMessage(last)}` }
      : { type: ConditionType.Degraded, status: 'False', reason: 'AsExpected', message: 'The last run did not fail' },
  ];
  status.conditions = setConditions(benchmark.status?.conditions, conditions, generation, now);
  return status;
}

function readyMessage(run: SwitchBenchmarkRun): string {
  return run.status?.conditions?.find((c) => c.type === ConditionType.Ready)?.message ?? 'no reason recorded';
}

export class BenchmarkReconciler {
  constructor(private readonly deps: BenchmarkReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const benchmark = this.deps.benchmarks.get(name, namespace);
    if (!benchmark || benchmark.metadata.deletionTimestamp) return {};
    const log = this.deps.log.child({ controller: 'switchbenchmark', namespace, name, generation: benchmark.metadata.generation });

    const errors = validateSpec(benchmark.spec, { imageAllowlist: allowedImages(this.deps.config) });
    const specErrors = formatFieldErrors(errors);
    const runs = runsOf(this.deps.runs, benchmark);
    let runsStarted = benchmark.status?.runsStarted ?? 0;

    if (!specErrors && !benchmark.spec.suspend && benchmark.spec.schedule === undefined && runsStarted === 0 && runs.length === 0) {
      const name = initialRunName(benchmark);
      // A benchmark deleted and created again under the same name: its old run goes with the
      // garbage collector, and until then the name is taken. Retry (with backoff) rather than adopt it.
      const leftover = this.deps.runs.get(name, namespace);
      if (leftover) throw new Error(`waiting for SwitchBenchmarkRun ${name} of an earlier benchmark of this name to be deleted`);
      const run = newRun(benchmark, name, 'initial');
      await this.deps.writer.createRun(run);
      runsStarted = 1;
      log.info('Created SwitchBenchmarkRun', { run: run.metadata.name });
      await this.deps.writer.event(benchmark, { type: 'Normal', reason: 'RunCreated', message: `Created run ${run.metadata.name}` });
    }

    const status = benchmarkStatus(benchmark, runs, specErrors, Math.max(runsStarted, runs.length), this.deps.now());
    if (specErrors && benchmark.status?.phase !== 'Invalid') {
      log.info('Rejected spec', { errors: specErrors });
      await this.deps.writer.event(benchmark, { type: 'Warning', reason: Reason.InvalidSpec, message: specErrors });
    }
    if (!isDeepStrictEqual(status, benchmark.status ?? {})) {
      await this.deps.writer.replaceBenchmarkStatus({ ...benchmark, status });
    }
    return {};
  }
}
