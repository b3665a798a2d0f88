// The election loop on fake timers against an in-memory Lease with the apiserver's optimistic
// concurrency (a write must carry the resourceVersion it read). The real apiserver and real
// processes are test/integration/leader-election.test.ts.
import { jest } from '@jest/globals';
import { ApiException, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import winston from 'winston';
import { LeaderElector, type LeadershipChange, type LeaseStore } from '../../../src/runtime/leader-election.js';

const log = winston.createLogger({ silent: true });
const conflict = () => new ApiException(409, 'Conflict', '{"message":"the object has been modified"}', {});
// As on the wire: MicroTimes become strings, nothing is shared with the caller.
const wire = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

class FakeApiserver {
  lease: V1Lease | undefined;
  private version = 0;

  write(spec: V1LeaseSpec, expectedVersion?: string): V1Lease {
    if (
      expectedVersion === undefined
        ? this.lease !== undefined
        : this.lease?.metadata?.resourceVersion !== expectedVersion
    )
      throw conflict();
    this.lease = wire({
      metadata: { name: 'lease', namespace: 'test', resourceVersion: String(++this.version) },
      spec,
    });
    return wire(this.lease);
  }
}

/** One replica's connection to the apiserver; `partitioned` cuts it off. */
class Connection implements LeaseStore {
  readonly description = 'test/lease';
  partitioned = false;
  constructor(private readonly server: FakeApiserver) {}

  private check(): void {
    if (this.partitioned) throw new Error('connect ECONNREFUSED');
  }
  async get() {
    this.check();
    return this.server.lease && wire(this.server.lease);
  }
  async create(spec: V1LeaseSpec) {
    this.check();
    return this.server.write(spec);
  }
  async replace(read: V1Lease, spec: V1LeaseSpec) {
    this.check();
    return this.server.write(spec, read.metadata?.resourceVersion ?? '');
  }
}

interface Replica {
  elector: LeaderElector;
  connection: Connection;
  changes: { at: number; change: LeadershipChange }[];
}

let server: FakeApiserver;
let t0: number;
const elapsed = () => Date.now() - t0;

function replica(identity: string): Replica {
  const connection = new Connection(server);
  const elector = new LeaderElector({ store: connection, identity, log, random: () => 0 });
  const changes: Replica['changes'] = [];
  elector.onChange((_leader, change) => changes.push({ at: elapsed(), change }));
  return { elector, connection, changes };
}

/** a starts first and leads, b stands by; `ms` later. */
async function leaderAndStandby(ms: number): Promise<[Replica, Replica]> {
  const a = replica('a');
  const b = replica('b');
  a.elector.start();
  await jest.advanceTimersByTimeAsync(100);
  b.elector.start();
  await jest.advanceTimersByTimeAsync(ms);
  return [a, b];
}

function changeAt(r: Replica, change: LeadershipChange): number {
  const found = r.changes.find((c) => c.change === change);
  if (!found) throw new Error(`no ${change} change among ${JSON.stringify(r.changes)}`);
  return found.at;
}

const holder = () => server.lease?.spec?.holderIdentity;

beforeEach(() => {
  jest.useFakeTimers();
  server = new FakeApiserver();
  t0 = Date.now();
});
afterEach(() => jest.useRealTimers());

test('of two replicas exactly one leads; the other keeps waiting while the leader renews', async () => {
  const [a, b] = await leaderAndStandby(60_000);
  expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
  expect(holder()).toBe('a');
  expect(b.elector.holder()).toBe('a');
  expect(a.changes).toEqual([{ at: 0, change: 'acquired' }]);
  expect(b.changes).toEqual([]);
  expect(server.lease?.spec?.leaseTransitions).toBe(0);
  await Promise.all([a.elector.stop(), b.elector.stop()]);
});

test('a stopped leader releases the Lease and the standby takes over on its next attempt', async () => {
  const [a, b] = await leaderAndStandby(30_000);
  const stoppedAt = elapsed();
  await a.elector.stop();
  expect(a.elector.isLeader()).toBe(false);
  expect(a.changes.map((c) => c.change)).toEqual(['acquired', 'released']);
  expect(server.lease?.spec).toMatchObject({ holderIdentity: '', leaseDurationSeconds: 1 });
  await jest.advanceTimersByTimeAsync(2_000);
  expect(b.elector.isLeader()).toBe(true);
  expect(changeAt(b, 'acquired') - stoppedAt).toBeLessThanOrEqual(2_000);
  expect(server.lease?.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  await b.elector.stop();
});

test('a leader cut off from the apiserver steps down after the renew deadline, before the standby may take over', async () => {
  const [a, b] = await leaderAndStandby(10_000);
  const lastRenewal = Date.parse(server.lease?.spec?.renewTime as unknown as string) - t0;
  a.connection.partitioned = true;
  await jest.advanceTimersByTimeAsync(30_000);
  const lost = changeAt(a, 'lost');
  const acquired = changeAt(b, 'acquired');
  // Renewal cycle: one retry period after the last renewal, then the 10 s renew deadline.
  expect(lost - lastRenewal).toBeGreaterThanOrEqual(10_000);
  expect(lost - lastRenewal).toBeLessThanOrEqual(12_000);
  // The standby waits the 15 s lease duration from when it saw the last renewal: never two leaders.
  expect(acquired).toBeGreaterThan(lost);
  expect(acquired - lastRenewal).toBeGreaterThanOrEqual(15_000);
  expect(acquired - lastRenewal).toBeLessThanOrEqual(15_000 + 2_000 + 2_000);
  expect(a.elector.isLeader()).toBe(false);
  expect(b.elector.isLeader()).toBe(true);
  // A deposed elector stops for good: the process exits and starts again as a standby.
  a.connection.partitioned = false;
  await jest.advanceTimersByTimeAsync(60_000);
  expect(a.changes.map((c) => c.change)).toEqual(['acquired', 'lost']);
  expect(holder()).toBe('b');
  await Promise.all([a.elector.stop(), b.elector.stop()]);
});

test('a leader that finds another holder on its Lease steps down at once', async () => {
  const a = replica('a');
  a.elector.start();
  await jest.advanceTimersByTimeAsync(100);
  server.write({ ...server.lease?.spec, holderIdentity: 'intruder' }, server.lease?.metadata?.resourceVersion);
  await jest.advanceTimersByTimeAsync(2_100);
  expect(a.changes.map((c) => c.change)).toEqual(['acquired', 'lost']);
  expect(holder()).toBe('intruder');
  await a.elector.stop();
  expect(holder()).toBe('intruder');
});

test('stopping a standby leaves the Lease alone', async () => {
  const a = replica('a');
  const b = replica('b');
  a.elector.start();
  b.elector.start();
  await jest.advanceTimersByTimeAsync(5_000);
  const before = server.lease?.metadata?.resourceVersion;
  await b.elector.stop();
  expect(server.lease?.metadata?.resourceVersion).toBe(before);
  expect(b.changes).toEqual([]);
  await a.elector.stop();
});

test('a renewal that does not answer within the renew deadline counts as lost', async () => {
  const a = replica('a');
  a.elector.start();
  await jest.advanceTimersByTimeAsync(100);
  // The apiserver accepts the connection and never answers.
  a.connection.get = () => new Promise(() => undefined);
  await jest.advanceTimersByTimeAsync(2_000 + 10_000);
  expect(a.changes.map((c) => c.change)).toEqual(['acquired', 'lost']);
});

test('stop() during an acquire attempt returns without waiting out the retry delay', async () => {
  const [a, b] = await leaderAndStandby(1_000);
  let answer: (() => void) | undefined;
  const get = b.connection.get.bind(b.connection);
  b.connection.get = () => new Promise((resolve) => (answer = () => resolve(get())));
  await jest.advanceTimersByTimeAsync(5_000);
  const stopped = b.elector.stop().then(() => elapsed());
  const stopCalledAt = elapsed();
  answer?.();
  await jest.advanceTimersByTimeAsync(0);
  expect(await stopped).toBe(stopCalledAt);
  await a.elector.stop();
});
