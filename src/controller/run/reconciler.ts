// Reconciles a SwitchBenchmarkRun: start (preflight, locks) → switch → trials → finish → teardown,
// one file per step. Every step reads the informer caches and the run's own status, so a restarted
// operator continues where the cluster says the run is: a trial is recorded once (status is written
// before its pods are deleted, guarded by resourceVersion), and pods are named by trial and attempt,
// so nothing is started twice.
import { Reason } from '../../api/v1alpha1/conditions.js';
import { controllerUid, isFinished, ownedByBenchmark } from '../../api/v1alpha1/predicates.js';
import type { ReconcileContext, ReconcileResult } from '../../runtime/reconcile.js';
import { keepLocks } from './locks.js';
import { LOCK_RENEW_SECONDS } from './node-lock.js';
import { invalidRunSpec, isSetupProblem, setupRun } from './setup.js';
import { SenderLedger } from './sender-ledger.js';
import { PoolAdmissions, start } from './start.js';
import { finish } from './status.js';
import type { RunReconcilerDeps, RunStep } from './step.js';
import { ensureSwitch } from './switch.js';
import { teardown } from './teardown.js';
import { stepTrials } from './trials.js';

export type { RunReconcilerDeps } from './step.js';

export class RunReconciler {
  private readonly admissions = new PoolAdmissions();
  private readonly senders: SenderLedger;

  constructor(private readonly deps: RunReconcilerDeps) {
    this.senders = new SenderLedger(deps.now());
  }

  async reconcile(key: string, context: ReconcileContext): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const run = this.deps.runs.get(name, namespace);
    if (!run) return {};
    const log = context.log.child({ namespace, name: run.spec.benchmarkName, run: name });
    const step: RunStep = { deps: this.deps, run, log };
    // Refused once, and then left alone: no finalizer, no pod, no lock, no teardown.
    if (!ownedByBenchmark(run)) {
      if (isFinished(run) || run.metadata.deletionTimestamp) return {};
      const message =
        'Not carried out: this run was not created by the operator (its controlling owner is not a SwitchBenchmark). Create a SwitchBenchmark instead, and delete this run';
      return finish(step, { phase: 'Failed', reason: Reason.RunNotOwned, message });
    }
    const pods = this.deps.pods.list(namespace).filter((p) => controllerUid(p) === run.metadata.uid);

    if (run.metadata.deletionTimestamp || isFinished(run)) return teardown(step, pods);

    const invalid = run.status?.startTime ? undefined : invalidRunSpec(run);
    if (invalid) return finish(step, { phase: 'Failed', ...invalid });
    const setup = setupRun(run, this.deps.config);
    if (isSetupProblem(setup)) return finish(step, { phase: 'Failed', ...setup });

    if (!run.status?.startTime) return start(step, setup, this.admissions);
    const lockState = await keepLocks(step);
    if (lockState) return lockState;

    const result = (await ensureSwitch(step, setup, pods)) ?? (await stepTrials(step, setup, pods, this.senders));
    // Holding a node means renewing its lock, whatever else the run is waiting for.
    return { requeueAfterMs: Math.min(result.requeueAfterMs ?? Infinity, LOCK_RENEW_SECONDS * 1000) };
  }
}
