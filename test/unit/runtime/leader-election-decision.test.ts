import { V1MicroTime } from '@kubernetes/client-node';
import {
  acquireDelay,
  DEFAULT_LEASE_TIMING,
  nextAttempt,
  observe,
  recordOf,
  releasedRecord,
  specOf,
  validateTiming,
  type Attempt,
  type LeaseRecord,
  type Observation,
} from '../../../src/runtime/lease-decision.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const s = (seconds: number) => T0 + seconds * 1000;
const record = (holder: string, extra: Partial<LeaseRecord> = {}): LeaseRecord => ({
  holderIdentity: holder,
  leaseDurationSeconds: 15,
  acquireTime: s(0),
  renewTime: s(0),
  leaseTransitions: 3,
  ...extra,
});
const seen = (r: LeaseRecord, at: number): Observation => ({ record: r, observedAt: at });

describe('nextAttempt (fake clock, controller-runtime timings)', () => {
  const cases: [string, Observation | undefined, number, Attempt][] = [
    [
      'no Lease: create it, first holder, no transitions',
      undefined,
      s(5),
      {
        kind: 'create',
        record: {
          holderIdentity: 'me',
          leaseDurationSeconds: 15,
          acquireTime: s(5),
          renewTime: s(5),
          leaseTransitions: 0,
        },
      },
    ],
    [
      'another holder seen changing 14.999 s ago: wait',
      seen(record('other'), s(0)),
      s(14.999),
      { kind: 'held', holder: 'other', expiresAt: s(15) },
    ],
    [
      'another holder unchanged for exactly the lease duration: take over, one more transition',
      seen(record('other'), s(0)),
      s(15),
      {
        kind: 'update',
        record: {
          holderIdentity: 'me',
          leaseDurationSeconds: 15,
          acquireTime: s(15),
          renewTime: s(15),
          leaseTransitions: 4,
        },
      },
    ],
    [
      'expiry counts the duration written in the record, not ours',
      seen(record('other', { leaseDurationSeconds: 60 }), s(0)),
      s(59),
      { kind: 'held', holder: 'other', expiresAt: s(60) },
    ],
    [
      'a released lease (no holder) is taken at once',
      seen(record('', { leaseDurationSeconds: 1 }), s(100)),
      s(100),
      {
        kind: 'update',
        record: {
          holderIdentity: 'me',
          leaseDurationSeconds: 15,
          acquireTime: s(100),
          renewTime: s(100),
          leaseTransitions: 4,
        },
      },
    ],
    [
      'our own lease: renew, keeping acquireTime and transitions',
      seen(record('me', { acquireTime: s(-300) }), s(0)),
      s(2),
      {
        kind: 'update',
        record: {
          holderIdentity: 'me',
          leaseDurationSeconds: 15,
          acquireTime: s(-300),
          renewTime: s(2),
          leaseTransitions: 3,
        },
      },
    ],
    [
      'our own lease from before a restart (same identity) is renewed without waiting',
      seen(record('me'), s(1)),
      s(1),
      {
        kind: 'update',
        record: {
          holderIdentity: 'me',
          leaseDurationSeconds: 15,
          acquireTime: s(0),
          renewTime: s(1),
          leaseTransitions: 3,
        },
      },
    ],
  ];
  test.each(cases)('%s', (_name, observation, now, expected) => {
    expect(nextAttempt(observation, 'me', DEFAULT_LEASE_TIMING, now)).toEqual(expected);
  });
});

describe('observe: expiry runs on the local clock from the last change seen', () => {
  test.each([
    ['first read: observed now', undefined, record('other'), s(7), s(7)],
    ['same record read again: the first sighting stands', seen(record('other'), s(3)), record('other'), s(9), s(3)],
    [
      'renewed (renewTime moved): observed now',
      seen(record('other'), s(3)),
      record('other', { renewTime: s(2) }),
      s(9),
      s(9),
    ],
    ['new holder: observed now', seen(record('other'), s(3)), record('third'), s(9), s(9)],
    [
      'transitions changed: observed now',
      seen(record('other'), s(3)),
      record('other', { leaseTransitions: 4 }),
      s(9),
      s(9),
    ],
  ])('%s', (_name, previous, read, now, observedAt) => {
    expect(observe(previous, read, now)).toEqual({ record: read, observedAt });
  });

  test.each([
    // The holder's clock runs an hour behind: its renewTime looks long expired, yet it renews.
    ['holder clock 1 h behind', -3600],
    // The holder's clock runs an hour ahead: its renewTime is in our future, yet it stopped.
    ['holder clock 1 h ahead', 3600],
  ])('clock skew (%s) changes nothing: only changes of the record count', (_name, skewSeconds) => {
    let observation: Observation | undefined;
    // The holder renews every 2 s for 10 s by its own clock, then dies.
    for (let t = 0; t <= 10; t += 2) {
      observation = observe(observation, record('other', { renewTime: s(t + skewSeconds) }), s(t + 0.5));
      expect(nextAttempt(observation, 'me', DEFAULT_LEASE_TIMING, s(t + 0.5)).kind).toBe('held');
    }
    const afterDeath = (t: number) =>
      nextAttempt(
        observe(observation, record('other', { renewTime: s(10 + skewSeconds) }), s(t)),
        'me',
        DEFAULT_LEASE_TIMING,
        s(t),
      );
    expect(afterDeath(25.4).kind).toBe('held');
    expect(afterDeath(25.5).kind).toBe('update');
  });
});

describe('releasedRecord', () => {
  test('no holder, 1 s duration, transitions kept, times now', () => {
    expect(releasedRecord(record('me', { leaseTransitions: 7 }), s(30))).toEqual({
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: s(30),
      renewTime: s(30),
      leaseTransitions: 7,
    });
  });
});

describe('recordOf / specOf', () => {
  test('MicroTime is written with six fractional digits and read back from the wire string', () => {
    const spec = specOf(record('me', { renewTime: Date.parse('2026-01-01T00:00:02.345Z') }));
    expect(spec.renewTime).toBeInstanceOf(V1MicroTime);
    expect(JSON.parse(JSON.stringify(spec)).renewTime).toBe('2026-01-01T00:00:02.345000Z');
    // client-node 1.4 returns MicroTime fields as the strings the apiserver sent.
    const wire = JSON.parse(JSON.stringify(spec)) as Parameters<typeof recordOf>[0];
    expect(recordOf(wire)).toEqual(record('me', { renewTime: Date.parse('2026-01-01T00:00:02.345Z') }));
  });

  test('an empty spec reads as a released lease that expired', () => {
    expect(recordOf({})).toEqual({ holderIdentity: '', leaseDurationSeconds: 0, leaseTransitions: 0 });
    expect(nextAttempt(seen(recordOf({}), s(0)), 'me', DEFAULT_LEASE_TIMING, s(0)).kind).toBe('update');
  });
});

describe('timing', () => {
  test.each([
    ['controller-runtime defaults', DEFAULT_LEASE_TIMING, undefined],
    [
      'lease not longer than renew deadline',
      { leaseDurationMs: 10_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
      /leaseDurationMs \(10000\) must be greater than renewDeadlineMs/,
    ],
    [
      'renew deadline within 1.2 retry periods',
      { leaseDurationMs: 15_000, renewDeadlineMs: 2_400, retryPeriodMs: 2_000 },
      /renewDeadlineMs \(2400\) must be greater than 1.2 × retryPeriodMs/,
    ],
    [
      'zero retry period',
      { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 0 },
      /retryPeriodMs must be a positive number/,
    ],
    [
      'sub-second lease',
      { leaseDurationMs: 900, renewDeadlineMs: 500, retryPeriodMs: 100 },
      /leaseDurationMs must be at least 1000/,
    ],
  ])('%s', (_name, timing, error) => {
    if (error) expect(() => validateTiming(timing)).toThrow(error);
    else expect(() => validateTiming(timing)).not.toThrow();
  });

  test.each([
    [0, 2000],
    [0.5, 3200],
    [1, 4400],
  ])('acquire delay with random %p is %p ms (client-go JitterFactor 1.2)', (random, ms) => {
    expect(acquireDelay(DEFAULT_LEASE_TIMING, random)).toBeCloseTo(ms);
  });
});
