// The node locks of a run: taken before it starts (first come, first served), renewed while it
// runs, released once its pods are gone. Decisions come from node-lock.ts; the writes here are
// guarded by resourceVersion, so of two racing runs one wins.
import type { V1Lease } from '@kubernetes/client-node';
import { Reason } from '../../api/v1alpha1/conditions.js';
import type { SwitchBenchmarkRun } from '../../api/v1alpha1/types.js';
import type { ReconcileResult } from '../../runtime/reconcile.js';
import { isApiError } from '../cluster-writer.js';
import { decideLock, firstInLine, lockHolder, nodeLock, nodeLockName, type HolderState } from './node-lock.js';
import { finish } from './status.js';
import type { RunReconcilerDeps, RunStep } from './step.js';

/** "namespace/name" of a lock holder identity (namespace/name/uid). */
const runName = (holder: string) => holder.split('/').slice(0, 2).join('/');
/** The nodes a run holds or will hold, in the order locks are taken (by name: no deadlock). */
export const runNodes = (run: SwitchBenchmarkRun) =>
  [run.status?.node, run.status?.receiverNode].filter((n): n is string => Boolean(n)).sort();

function holderState(deps: RunReconcilerDeps, holder: string): HolderState {
  const [namespace, name, uid] = holder.split('/');
  if (deps.watchNamespace && namespace !== deps.watchNamespace) return 'unknown';
  const run = name && namespace ? deps.runs.get(name, namespace) : undefined;
  return run && run.metadata.uid === uid ? 'active' : 'gone';
}

const lease = (deps: RunReconcilerDeps, node: string): V1Lease | undefined =>
  deps.leases.get(nodeLockName(node), deps.config.lockNamespace);

/** Takes the node's lock for the run; returns why not when it cannot (the node is busy). */
export async function acquireLock(
  { deps, run, log }: RunStep,
  node: string,
): Promise<{ reason: Reason; message: string } | undefined> {
  const me = lockHolder(run);
  const current = lease(deps, node);
  const decision = decideLock(current, me, deps.now(), (holder) => holderState(deps, holder));
  if (decision.kind === 'held') return undefined;
  const busy = (message: string) => ({ reason: Reason.NodeBusy, message });
  if (decision.kind === 'busy')
    return busy(
      `Node ${node} is in use by SwitchBenchmarkRun ${runName(decision.holder)}; this run starts when it finishes`,
    );
  const queued = deps.runs
    .list()
    .filter((r) => r.status?.phase === 'Queued' && !r.metadata.deletionTimestamp && runNodes(r).includes(node));
  const ahead = queued.find((other) => !firstInLine(run, [other]));
  if (ahead)
    return busy(
      `Node ${node} is free, but SwitchBenchmarkRun ${ahead.metadata.namespace}/${ahead.metadata.name} has waited longer; this run is next after it`,
    );
  const namespace = deps.config.lockNamespace;
  const desired = nodeLock(node, namespace, me, deps.now(), current);
  let won: boolean;
  try {
    won = decision.kind === 'create' ? await deps.writer.createLease(desired) : await deps.writer.replaceLease(desired);
  } catch (err) {
    if (!isApiError(err, 404)) throw err;
    const message = `The namespace ${namespace} of the node locks does not exist: create it (kubectl create namespace ${namespace}) or start the operator with --lock-namespace`;
    return { reason: Reason.LockNamespaceMissing, message };
  }
  if (!won) return busy(`Node ${node} was just taken by another run; this run waits for it`);
  if (decision.kind === 'take') {
    log.warn('Took over a node lock', { node, previous: decision.previous, why: decision.why });
    await deps.writer.event(run, {
      type: 'Normal',
      reason: Reason.NodeLockRecovered,
      message: `Took node ${node} over: ${decision.why}`,
    });
  }
  return undefined;
}

/**
 * Renews the run's node locks; fails the run if another run holds one of them now (this run's
 * operator was gone longer than the lease, and the node went to someone else).
 */
export async function keepLocks(step: RunStep): Promise<ReconcileResult | undefined> {
  const { deps, run } = step;
  const me = lockHolder(run);
  const now = deps.now();
  for (const node of runNodes(run)) {
    const current = lease(deps, node);
    const holder = current?.spec?.holderIdentity;
    const decision = decideLock(current, me, now, () => 'active');
    if (decision.kind === 'held') {
      if (decision.renew) await deps.writer.replaceLease(nodeLock(node, deps.config.lockNamespace, me, now, current));
      continue;
    }
    // The cache may not show this run's own acquisition yet: only a lease taken after this run
    // started was lost.
    if (
      holder &&
      new Date(current?.spec?.acquireTime ?? 0).getTime() > new Date(run.status?.startTime ?? 0).getTime()
    ) {
      const message = `Node ${node} was taken over by SwitchBenchmarkRun ${runName(holder)} while this run's operator was not renewing its lock`;
      return finish(step, { phase: 'Failed', reason: Reason.NodeLockLost, message });
    }
    // A lease deleted by hand is taken again; a lagging cache is looked at again shortly.
    if (!current) await deps.writer.createLease(nodeLock(node, deps.config.lockNamespace, me, now));
    return { requeueAfterMs: 1000 };
  }
  return undefined;
}

export async function releaseLocks({ deps, run }: RunStep): Promise<void> {
  for (const node of runNodes(run)) {
    const current = lease(deps, node);
    if (current?.spec?.holderIdentity === lockHolder(run)) await deps.writer.deleteLease(current);
  }
}
