// The decisions of client-go's leader election (tools/leaderelection), as pure functions of the
// Lease record read, what this candidate observed before, and the local clock. The loop that reads
// and writes the Lease lives in leader-election.ts.
import { V1MicroTime, type V1LeaseSpec } from '@kubernetes/client-node';

export interface LeaseTiming {
  /** How long a non-leader waits, from the moment it saw the record last change, before taking over. */
  leaseDurationMs: number;
  /** How long the leader keeps retrying a failed renewal before it gives up leadership. */
  renewDeadlineMs: number;
  /** Pause between attempts, to acquire (jittered) and to renew. */
  retryPeriodMs: number;
}

/** controller-runtime's defaults. */
export const DEFAULT_LEASE_TIMING: LeaseTiming = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** client-go's JitterFactor: acquire attempts wait retryPeriod × (1 + random × 1.2). */
export const JITTER_FACTOR = 1.2;

/** Throws naming the first setting that breaks client-go's constraints (NewLeaderElector). */
export function validateTiming(timing: LeaseTiming): void {
  for (const [field, value] of Object.entries(timing)) {
    if (!Number.isFinite(value) || value <= 0)
      throw new Error(`${field} must be a positive number of milliseconds, got ${value}`);
  }
  if (timing.leaseDurationMs < 1000)
    throw new Error(
      `leaseDurationMs must be at least 1000 (the Lease counts whole seconds), got ${timing.leaseDurationMs}`,
    );
  if (timing.leaseDurationMs <= timing.renewDeadlineMs) {
    throw new Error(
      `leaseDurationMs (${timing.leaseDurationMs}) must be greater than renewDeadlineMs (${timing.renewDeadlineMs})`,
    );
  }
  if (timing.renewDeadlineMs <= JITTER_FACTOR * timing.retryPeriodMs) {
    throw new Error(
      `renewDeadlineMs (${timing.renewDeadlineMs}) must be greater than ${JITTER_FACTOR} × retryPeriodMs (${timing.retryPeriodMs})`,
    );
  }
}

/** The Lease's spec as the election reads it; times in epoch milliseconds. */
export interface LeaseRecord {
  /** Empty: nobody holds the lease (released), anyone may take it at once. */
  holderIdentity: string;
  leaseDurationSeconds: number;
  acquireTime?: number;
  renewTime?: number;
  leaseTransitions: number;
}

// client-node 1.4 hands MicroTime fields back as the wire's strings, whatever the declared type.
const millis = (time: Date | string | undefined): number | undefined =>
  time === undefined ? undefined : new Date(time).getTime();

export function recordOf(spec: V1LeaseSpec | undefined): LeaseRecord {
  const acquireTime = millis(spec?.acquireTime);
  const renewTime = millis(spec?.renewTime);
  return {
    holderIdentity: spec?.holderIdentity ?? '',
    leaseDurationSeconds: spec?.leaseDurationSeconds ?? 0,
    ...(acquireTime === undefined ? {} : { acquireTime }),
    ...(renewTime === undefined ? {} : { renewTime }),
    leaseTransitions: spec?.leaseTransitions ?? 0,
  };
}

/** The spec to write; MicroTime so that the apiserver gets the six fractional digits it parses. */
export function specOf(record: LeaseRecord): V1LeaseSpec {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    ...(record.acquireTime === undefined ? {} : { acquireTime: new V1MicroTime(record.acquireTime) }),
    ...(record.renewTime === undefined ? {} : { renewTime: new V1MicroTime(record.renewTime) }),
    leaseTransitions: record.leaseTransitions,
  };
}

export function sameRecord(a: LeaseRecord, b: LeaseRecord): boolean {
  return (
    a.holderIdentity === b.holderIdentity &&
    a.leaseDurationSeconds === b.leaseDurationSeconds &&
    a.acquireTime === b.acquireTime &&
    a.renewTime === b.renewTime &&
    a.leaseTransitions === b.leaseTransitions
  );
}

/** A record and when this candidate, by its own clock, first saw it. */
export interface Observation {
  record: LeaseRecord;
  observedAt: number;
}

/**
 * The observation after reading `record` at `now`. Expiry is measured from when the record last
 * changed as seen here, never from its renewTime: the holder's clock may be skewed against ours,
 * and only the local clock's intervals are trusted (client-go's observedTime).
 */
export function observe(previous: Observation | undefined, record: LeaseRecord, now: number): Observation {
  return previous && sameRecord(previous.record, record) ? previous : { record, observedAt: now };
}

export type Attempt =
  /** No Lease yet: create it as its first holder. */
  | { kind: 'create'; record: LeaseRecord }
  /** Write this record, guarded by the resourceVersion read (renewal, takeover, or taking a released lease). */
  | { kind: 'update'; record: LeaseRecord }
  /** Another candidate holds a lease that has not expired by our clock. */
  | { kind: 'held'; holder: string; expiresAt: number };

/** What a candidate does after reading the Lease (`observation` undefined: there is none). */
export function nextAttempt(
  observation: Observation | undefined,
  identity: string,
  timing: LeaseTiming,
  now: number,
): Attempt {
  const leaseDurationSeconds = Math.floor(timing.leaseDurationMs / 1000);
  if (!observation) {
    return {
      kind: 'create',
      record: { holderIdentity: identity, leaseDurationSeconds, acquireTime: now, renewTime: now, leaseTransitions: 0 },
    };
  }
  const { record, observedAt } = observation;
  const ours = record.holderIdentity === identity;
  const expiresAt = observedAt + record.leaseDurationSeconds * 1000;
  if (record.holderIdentity !== '' && !ours && expiresAt > now)
    return { kind: 'held', holder: record.holderIdentity, expiresAt };
  return {
    kind: 'update',
    record: {
      holderIdentity: identity,
      leaseDurationSeconds,
      // A renewal keeps when leadership began; a takeover counts one more transition.
      acquireTime: ours ? (record.acquireTime ?? now) : now,
      renewTime: now,
      leaseTransitions: ours ? record.leaseTransitions : record.leaseTransitions + 1,
    },
  };
}

/**
 * The record a leader writes when it steps down on purpose: no holder and a 1 s duration, so the
 * next candidate takes over on its next attempt instead of waiting out the lease (ReleaseOnCancel).
 */
export function releasedRecord(held: LeaseRecord, now: number): LeaseRecord {
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: now,
    renewTime: now,
    leaseTransitions: held.leaseTransitions,
  };
}

/** Pause before the next acquire attempt: client-go's wait.Jitter(retryPeriod, 1.2). */
export function acquireDelay(timing: LeaseTiming, random: number): number {
  return timing.retryPeriodMs * (1 + random * JITTER_FACTOR);
}
