// Leader election on a coordination.k8s.io/v1 Lease, as client-go's tools/leaderelection runs it
// for controller-runtime: acquire with jittered retries, renew every retry period, give up after the
// renew deadline, release on a graceful stop. The decisions are lease-decision.ts; this is the loop.
import {
  ApiException,
  CoordinationV1Api,
  type KubeConfig,
  type V1Lease,
  type V1LeaseSpec,
} from '@kubernetes/client-node';
import os from 'node:os';
import type { Logger } from 'winston';
import {
  acquireDelay,
  DEFAULT_LEASE_TIMING,
  nextAttempt,
  observe,
  recordOf,
  releasedRecord,
  specOf,
  validateTiming,
  type LeaseTiming,
  type Observation,
} from './lease-decision.js';
import { errorMessage } from './reconcile.js';
import { makeApiClient } from './kube-client.js';

/** Where the election's Lease is kept. Writes are guarded by the resourceVersion of the lease read. */
export interface LeaseStore {
  /** "namespace/name", for logs. */
  readonly description: string;
  /** Undefined when there is no such Lease. */
  get(): Promise<V1Lease | undefined>;
  create(spec: V1LeaseSpec): Promise<V1Lease>;
  /** Fails with a 409 when the Lease changed since `read` was read. */
  replace(read: V1Lease, spec: V1LeaseSpec): Promise<V1Lease>;
}

export class KubeLeaseStore implements LeaseStore {
  readonly description: string;
  private readonly api: CoordinationV1Api;

  constructor(
    kubeConfig: KubeConfig,
    private readonly namespace: string,
    private readonly name: string,
  ) {
    this.api = makeApiClient(kubeConfig, CoordinationV1Api);
    this.description = `${namespace}/${name}`;
  }

  async get(): Promise<V1Lease | undefined> {
    try {
      return await this.api.readNamespacedLease({ namespace: this.namespace, name: this.name });
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw err;
    }
  }

  create(spec: V1LeaseSpec): Promise<V1Lease> {
    return this.api.createNamespacedLease({
      namespace: this.namespace,
      body: {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: this.name, namespace: this.namespace },
        spec,
      },
    });
  }

  replace(read: V1Lease, spec: V1LeaseSpec): Promise<V1Lease> {
    // metadata carries the resourceVersion read: the apiserver refuses the write if another wrote since.
    return this.api.replaceNamespacedLease({ namespace: this.namespace, name: this.name, body: { ...read, spec } });
  }
}

/** controller-runtime's identity, with the PID in place of a UUID: POD_NAME in a cluster. */
export function defaultIdentity(env: NodeJS.ProcessEnv = process.env): string {
  return env.POD_NAME || `${os.hostname()}_${process.pid}`;
}

/** acquired: this process leads now. lost: it could not renew, or another took over. released: it stepped down on stop(). */
export type LeadershipChange = 'acquired' | 'lost' | 'released';

export interface LeaderElectorOptions {
  store: LeaseStore;
  identity: string;
  log: Logger;
  timing?: LeaseTiming;
  now?: () => number;
  random?: () => number;
}

type AttemptResult = {
  outcome: 'leading' | 'held' | 'failed';
  observation?: Observation | undefined;
  lease?: V1Lease | undefined;
};

/**
 * One candidate. start() runs the election in the background; once leadership is lost the elector
 * stops for good (the caller exits, as controller-runtime's manager does), since a process that was
 * deposed may hold state from a reconcile that another leader now repeats.
 */
export class LeaderElector {
  private readonly timing: LeaseTiming;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly handlers: ((leader: boolean, change: LeadershipChange) => void)[] = [];
  private leading = false;
  private stopping = false;
  private observation: Observation | undefined;
  /** The last Lease read or written: its resourceVersion guards the next write. */
  private lease: V1Lease | undefined;
  private reportedHolder: string | undefined;
  private running: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: LeaderElectorOptions) {
    this.timing = options.timing ?? DEFAULT_LEASE_TIMING;
    validateTiming(this.timing);
    if (!options.identity) throw new Error('identity must not be empty');
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder last seen on the Lease ('' when released, undefined before the first read). */
  holder(): string | undefined {
    return this.observation?.record.holderIdentity;
  }

  /** Called on every change of isLeader(), synchronously, in registration order. */
  onChange(handler: (leader: boolean, change: LeadershipChange) => void): void {
    this.handlers.push(handler);
  }

  start(): void {
    if (this.stopping) return;
    this.running ??= this.run();
  }

  /** Stops trying; a leader releases the Lease so that a standby takes over within a retry period. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
    await this.release();
  }

  private async run(): Promise<void> {
    const { log, store, identity } = this.options;
    log.info('Attempting to acquire leader lease', { lease: store.description, identity });
    while ((await this.attempt()) !== 'leading') {
      await this.sleep(acquireDelay(this.timing, this.random()));
      if (this.stopping) return;
    }
    log.info('Acquired leader lease', { lease: store.description, identity });
    // Acquired as stop() was called: stop() releases it, nobody is told to lead.
    if (this.stopping) return;
    this.leading = true;
    this.emit(true, 'acquired');
    for (;;) {
      await this.sleep(this.timing.retryPeriodMs);
      if (this.stopping) return;
      const lost = await this.renew();
      if (this.stopping) return;
      if (lost) {
        this.leading = false;
        log.error('Lost leader lease', { lease: store.description, identity, reason: lost });
        this.emit(false, 'lost');
        return;
      }
    }
  }

  /** One renewal cycle (client-go's PollImmediateUntil under RenewDeadline); returns why leadership was lost, if it was. */
  private async renew(): Promise<string | undefined> {
    const deadline = this.now() + this.timing.renewDeadlineMs;
    for (;;) {
      const outcome = await this.attempt(deadline);
      if (outcome === 'leading' || this.stopping) return undefined;
      // Someone else wrote a valid lease: they judged ours expired. Reconciling beside them would be
      // a split brain, so step down at once instead of retrying until the deadline.
      if (outcome === 'held') return `held by ${this.holder()}`;
      await this.sleep(Math.max(0, Math.min(this.timing.retryPeriodMs, deadline - this.now())));
      if (this.stopping) return undefined;
      if (this.now() >= deadline) return `not renewed within ${this.timing.renewDeadlineMs} ms`;
    }
  }

  /** Reads the Lease and acts on it; a result that arrives after `deadline` counts as a failure and is dropped. */
  private async attempt(deadline = Infinity): Promise<AttemptResult['outcome'] | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      if (deadline !== Infinity) timer = setTimeout(() => resolve('timeout'), Math.max(0, deadline - this.now()));
    });
    const result = await Promise.race([this.tryAcquireOrRenew(), timeout]);
    clearTimeout(timer);
    if (result === 'timeout') return result;
    if (result.observation) this.observation = result.observation;
    if (result.lease) this.lease = result.lease;
    this.reportHolder();
    return result.outcome;
  }

  private async tryAcquireOrRenew(): Promise<AttemptResult> {
    const { store, identity, log } = this.options;
    let read: V1Lease | undefined;
    try {
      read = await store.get();
    } catch (err) {
      log.warn('Failed to read leader lease', { lease: store.description, error: errorMessage(err) });
      return { outcome: 'failed' };
    }
    const now = this.now();
    const observation = read ? observe(this.observation, recordOf(read.spec), now) : undefined;
    const attempt = nextAttempt(observation, identity, this.timing, now);
    if (attempt.kind === 'held') return { outcome: 'held', observation, lease: read };
    try {
      const written =
        read && attempt.kind === 'update'
          ? await store.replace(read, specOf(attempt.record))
          : await store.create(specOf(attempt.record));
      return {
        outcome: 'leading',
        observation: { record: recordOf(written.spec), observedAt: this.now() },
        lease: written,
      };
    } catch (err) {
      // A conflict is another candidate writing first: routine while several start at once.
      const conflict = err instanceof ApiException && (err.code === 409 || err.code === 422);
      log.log(conflict ? 'debug' : 'warn', 'Failed to write leader lease', {
        lease: store.description,
        error: errorMessage(err),
      });
      return { outcome: 'failed', observation, lease: read };
    }
  }

  private async release(): Promise<void> {
    const { store, identity, log } = this.options;
    const held = this.observation?.record;
    const wasLeading = this.leading;
    this.leading = false;
    if (this.lease && held?.holderIdentity === identity) {
      const release = store.replace(this.lease, specOf(releasedRecord(held, this.now())));
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${this.timing.renewDeadlineMs} ms`)),
          this.timing.renewDeadlineMs,
        );
      });
      try {
        this.lease = await Promise.race([release, timeout]);
        this.observation = { record: recordOf(this.lease.spec), observedAt: this.now() };
        log.info('Released leader lease', { lease: store.description, identity });
      } catch (err) {
        log.warn('Failed to release leader lease; the next leader waits for it to expire', {
          lease: store.description,
          error: errorMessage(err),
        });
      } finally {
        clearTimeout(timer);
      }
    }
    if (wasLeading) this.emit(false, 'released');
  }

  private reportHolder(): void {
    const holder = this.holder();
    if (holder === undefined || holder === this.reportedHolder) return;
    this.reportedHolder = holder;
    this.options.log.info('Observed leader', { lease: this.options.store.description, holder: holder || '(released)' });
  }

  private emit(leader: boolean, change: LeadershipChange): void {
    for (const handler of this.handlers) handler(leader, change);
  }

  /** Waits `ms`, or less if stop() is called meanwhile (at once if it already was). */
  private sleep(ms: number): Promise<void> {
    if (this.stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }
}
