// One run at a time per node: a coordination.k8s.io Lease per node names the run that holds the
// node's data path. Pure decisions here; the reconciler makes the writes, guarded by resourceVersion,
// so two operators (or two workers) racing for a node cannot both win.
import { V1MicroTime, type V1Lease } from '@kubernetes/client-node';
import type { SwitchBenchmarkRun } from '../../api/v1alpha1/types.js';
import { MANAGED_BY, MANAGED_BY_LABEL, NODE_LOCK_LABEL } from '../../api/v1alpha1/labels.js';

export const NODE_LOCK_PREFIX = 'switchbench-node-';
/** A holder that stopped renewing for this long is presumed gone (an operator outside our watch, dead). */
export const LOCK_DURATION_SECONDS = 120;
/** Holders renew this often; a running run is reconciled at least this often to do it. */
export const LOCK_RENEW_SECONDS = 30;

export const nodeLockName = (node: string) => `${NODE_LOCK_PREFIX}${node}`;
/** namespace/name/uid: a run re-created under the same name is another holder. */
export const lockHolder = (run: SwitchBenchmarkRun) =>
  `${run.metadata.namespace}/${run.metadata.name}/${run.metadata.uid}`;

/** What the operator knows of a holder: alive, gone (finished or deleted), or outside its watch. */
export type HolderState = 'active' | 'gone' | 'unknown';

export type LockDecision =
  | { kind: 'held'; renew: boolean }
  | { kind: 'create' }
  | { kind: 'take'; previous: string; why: string }
  | { kind: 'busy'; holder: string };

const renewedAt = (lease: V1Lease) => new Date(lease.spec?.renewTime ?? lease.spec?.acquireTime ?? 0).getTime();

export function decideLock(
  lease: V1Lease | undefined,
  me: string,
  now: Date,
  holderState: (holder: string) => HolderState,
): LockDecision {
  if (!lease) return { kind: 'create' };
  const holder = lease.spec?.holderIdentity;
  const age = (now.getTime() - renewedAt(lease)) / 1000;
  if (holder === me) return { kind: 'held', renew: age >= LOCK_RENEW_SECONDS };
  if (!holder) return { kind: 'take', previous: '(none)', why: 'released' };
  const state = holderState(holder);
  if (state === 'gone') return { kind: 'take', previous: holder, why: `its holder ${holder} has finished or is gone` };
  const duration = lease.spec?.leaseDurationSeconds ?? LOCK_DURATION_SECONDS;
  if (state === 'unknown' && age > duration)
    return { kind: 'take', previous: holder, why: `its holder ${holder} stopped renewing ${Math.round(age)}s ago` };
  return { kind: 'busy', holder };
}

/**
 * Whether `run` may take a free node: runs queue first come, first served, so a run only takes the
 * node when no older run is queued for it.
 */
export function firstInLine(run: SwitchBenchmarkRun, queued: readonly SwitchBenchmarkRun[]): boolean {
  const key = (r: SwitchBenchmarkRun) =>
    [new Date(r.metadata.creationTimestamp ?? 0).getTime(), lockHolder(r)] as const;
  const [mine, myName] = key(run);
  return queued.every((other) => {
    if (lockHolder(other) === myName) return true;
    const [theirs, theirName] = key(other);
    return theirs > mine || (theirs === mine && theirName > myName);
  });
}

export function nodeLock(node: string, namespace: string, holder: string, now: Date, previous?: V1Lease): V1Lease {
  // MicroTime: the apiserver parses exactly six fractional digits, a Date's JSON has three.
  const time = new V1MicroTime(now);
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      ...(previous?.metadata ?? {}),
      name: nodeLockName(node),
      namespace,
      labels: { ...(previous?.metadata?.labels ?? {}), [MANAGED_BY_LABEL]: MANAGED_BY, [NODE_LOCK_LABEL]: 'true' },
    },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: LOCK_DURATION_SECONDS,
      acquireTime:
        previous?.spec?.holderIdentity === holder && previous.spec.acquireTime ? previous.spec.acquireTime : time,
      renewTime: time,
      leaseTransitions:
        (previous?.spec?.leaseTransitions ?? 0) + (previous && previous.spec?.holderIdentity !== holder ? 1 : 0),
    },
  };
}
