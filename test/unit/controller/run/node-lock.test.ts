import type { V1Lease } from '@kubernetes/client-node';
import type { SwitchBenchmarkRun } from '../../../../src/api/v1alpha1/types.js';
import {
  decideLock,
  firstInLine,
  LOCK_DURATION_SECONDS,
  LOCK_RENEW_SECONDS,
  lockHolder,
  nodeLock,
  nodeLockName,
  type HolderState,
} from '../../../../src/controller/run/node-lock.js';

const now = new Date('2026-11-25T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
const lease = (holder: string | undefined, renewedSecondsAgo: number): V1Lease => ({
  metadata: { name: nodeLockName('n1'), namespace: 'switchbench-system', resourceVersion: '7' },
  spec: {
    ...(holder ? { holderIdentity: holder } : {}),
    leaseDurationSeconds: LOCK_DURATION_SECONDS,
    renewTime: ago(renewedSecondsAgo),
    acquireTime: ago(600),
  },
});
const state = (s: HolderState) => () => s;

describe('decideLock', () => {
  test.each<[string, V1Lease | undefined, HolderState, ReturnType<typeof decideLock>]>([
    ['no lease: create it', undefined, 'active', { kind: 'create' }],
    ['held by me, fresh', lease('ns/me/u1', 5), 'active', { kind: 'held', renew: false }],
    ['held by me, due for renewal', lease('ns/me/u1', LOCK_RENEW_SECONDS), 'active', { kind: 'held', renew: true }],
    ['released (no holder)', lease(undefined, 5), 'active', { kind: 'take', previous: '(none)', why: 'released' }],
    ['held by an active run', lease('ns/other/u2', 5), 'active', { kind: 'busy', holder: 'ns/other/u2' }],
    [
      'held by an active run that stopped renewing (its operator sees it)',
      lease('ns/other/u2', 9999),
      'active',
      { kind: 'busy', holder: 'ns/other/u2' },
    ],
    [
      'held by a run that is gone',
      lease('ns/other/u2', 5),
      'gone',
      { kind: 'take', previous: 'ns/other/u2', why: 'its holder ns/other/u2 has finished or is gone' },
    ],
    [
      'held by a run outside the watch, renewing',
      lease('far/other/u2', LOCK_DURATION_SECONDS - 1),
      'unknown',
      { kind: 'busy', holder: 'far/other/u2' },
    ],
    [
      'held by a run outside the watch, expired',
      lease('far/other/u2', LOCK_DURATION_SECONDS + 1),
      'unknown',
      {
        kind: 'take',
        previous: 'far/other/u2',
        why: `its holder far/other/u2 stopped renewing ${LOCK_DURATION_SECONDS + 1}s ago`,
      },
    ],
  ])('%s', (_name, current, holderState, expected) => {
    expect(decideLock(current, 'ns/me/u1', now, state(holderState))).toEqual(expected);
  });
});

const run = (name: string, created: string, namespace = 'ns'): SwitchBenchmarkRun =>
  ({ metadata: { name, namespace, uid: `uid-${name}`, creationTimestamp: created } }) as unknown as SwitchBenchmarkRun;

describe('firstInLine', () => {
  const early = run('early', '2026-11-25T10:00:00Z');
  const late = run('late', '2026-11-25T11:00:00Z');
  const tie = run('a-tie', '2026-11-25T11:00:00Z');
  test.each<[string, SwitchBenchmarkRun, SwitchBenchmarkRun[], boolean]>([
    ['alone in the queue', late, [], true],
    ['only itself queued', late, [late], true],
    ['an older run is queued', late, [early, late], false],
    ['only younger runs are queued', early, [late], true],
    ['same creation time: the name decides', late, [tie], false],
    ['same creation time, the earlier name', tie, [late], true],
  ])('%s', (_name, candidate, queued, expected) => {
    expect(firstInLine(candidate, queued)).toBe(expected);
  });
});

describe('nodeLock', () => {
  const me = lockHolder(run('me', '2026-11-25T10:00:00Z'));

  test('a new lock names the holder with its UID, and counts no transition', () => {
    expect(nodeLock('n1', 'locks', me, now)).toMatchObject({
      metadata: { name: 'switchbench-node-n1', namespace: 'locks', labels: { 'switchbench.io/node-lock': 'true' } },
      spec: { holderIdentity: 'ns/me/uid-me', acquireTime: now, renewTime: now, leaseTransitions: 0 },
    });
  });

  test('a renewal keeps the acquire time and resourceVersion; a takeover counts a transition', () => {
    const renewed = nodeLock('n1', 'locks', 'ns/other/u2', now, lease('ns/other/u2', 40));
    expect(renewed.metadata?.resourceVersion).toBe('7');
    expect(renewed.spec).toMatchObject({ acquireTime: ago(600), renewTime: now, leaseTransitions: 0 });
    expect(nodeLock('n1', 'locks', me, now, lease('ns/other/u2', 40)).spec).toMatchObject({
      holderIdentity: me,
      acquireTime: now,
      leaseTransitions: 1,
    });
  });
});
