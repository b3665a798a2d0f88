// Two operator processes (the esbuild bundle the image runs) with --leader-elect against the real
// apiserver: one leads and alone reconciles; SIGKILL of the leader hands over once the lease has
// expired, within the bound the algorithm gives from the leader's last renewal; SIGTERM releases
// the Lease so the standby takes over at its next attempt; a leader whose Lease is taken from it
// exits non-zero. Failover times are printed.
import { rmSync } from 'node:fs';
import { CoordinationV1Api, CoreV1Api, CustomObjectsApi, V1MicroTime } from '@kubernetes/client-node';
import { GROUP, RUN_PLURAL, VERSION } from '../../src/api/v1alpha1/types.js';
import { DEFAULT_LEASE_TIMING, JITTER_FACTOR } from '../../src/runtime/lease-decision.js';
import { createNamespace, installCrds, kubeConfig, kubeconfigPath, waitFor } from '../cluster/kube.js';
import { buildBundle, OperatorProcess } from './operator-process.js';
import { createBenchmark, dropRunFinalizers } from './support.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const coordination = kc.makeApiClient(CoordinationV1Api);
const LEASE = 'switchbench-operator';
const LEASE_MS = DEFAULT_LEASE_TIMING.leaseDurationMs;
/**
 * The longest takeover after a dead leader's last renewal: the standby sees that renewal at its next
 * attempt, and takes over at its first attempt a lease duration after seeing it; attempts are up to
 * retryPeriod × (1 + JITTER_FACTOR) apart (15 + 2 × 4.4 = 23.8 s with controller-runtime's timings).
 */
const FAILOVER_MS = LEASE_MS + 2 * DEFAULT_LEASE_TIMING.retryPeriodMs * (1 + JITTER_FACTOR);
/** Two reads and a write to the apiserver, and timers firing late on a shared 2-vCPU machine. */
const SLACK_MS = 3000;
let namespace: string;
let bundleDir: string;
const replicas: OperatorProcess[] = [];

function startReplica(identity: string): OperatorProcess {
  const replica = new OperatorProcess(bundleDir, identity, [
    ...['--kubeconfig', kubeconfigPath, '--namespace', namespace, '--leader-elect'],
    ...[
      '--leader-election-namespace',
      namespace,
      '--leader-election-id',
      LEASE,
      '--log-level',
      'debug',
      '--metrics-bind-address',
      '0',
    ],
  ]);
  replicas.push(replica);
  return replica;
}

const lease = () => coordination.readNamespacedLease({ namespace, name: LEASE }).catch(() => undefined);
const holderIs = (identity: string) =>
  waitFor(async () => ((await lease())?.spec?.holderIdentity === identity ? Date.now() : undefined), 100);

// No node carries this label: the run is created and then waits, which is all this test needs.
const createWaitingBenchmark = (name: string) =>
  createBenchmark(kc, namespace, name, {
    datapath: 'memif',
    placement: { nodeSelector: { 'switchbench.io/test-node': `none-${namespace}` } },
  });
const runExists = (name: string) =>
  waitFor(
    () =>
      custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: RUN_PLURAL, name }).then(
        () => true,
        () => undefined,
      ),
    200,
  );

/** A replica that has filled its caches and seen who leads: ready to take over. */
async function standingBy(replica: OperatorProcess, leader: string): Promise<void> {
  await replica.waitForLog('Synced informer caches');
  await replica.waitForLog('Observed leader', { holder: leader });
}

beforeAll(async () => {
  bundleDir = buildBundle();
  await installCrds(kc);
  namespace = await createNamespace(core, 'leader-election');
});

afterAll(async () => {
  for (const r of replicas.filter((p) => p.running)) r.signal('SIGKILL');
  await Promise.all(replicas.map((r) => r.exited));
  if (namespace) {
    await dropRunFinalizers(kc, namespace);
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

test('two replicas: one leads and reconciles; SIGKILL fails over after the lease, SIGTERM at once; a deposed leader exits 1', async () => {
  try {
    await failoverScenario();
  } catch (err) {
    for (const r of replicas) console.log(`--- ${r.identity}\n${r.tail(40)}`);
    throw err;
  }
});

async function failoverScenario(): Promise<void> {
  const [a, b] = [startReplica('replica-a'), startReplica('replica-b')];
  const holder = await waitFor(async () => (await lease())?.spec?.holderIdentity || undefined, 100);
  const [leader, standby] = holder === a.identity ? [a, b] : [b, a];
  expect(holder).toBe(leader.identity);
  await leader.waitForLog('Started operator');
  await standingBy(standby, leader.identity);
  expect(standby.logged('Acquired leader lease')).toBe(false);
  expect(await lease()).toMatchObject({
    spec: { holderIdentity: leader.identity, leaseDurationSeconds: LEASE_MS / 1000 },
  });

  // Only the leader reconciles: it creates the run; the standby's workers never started.
  await createWaitingBenchmark('first');
  await runExists('first-1');
  await leader.waitForLog('Created SwitchBenchmarkRun', { run: 'first-1' });
  expect(standby.logged('Created SwitchBenchmarkRun')).toBe(false);
  expect(standby.logged('Started operator')).toBe(false);

  // SIGKILL: no release. The Lease is read once the leader is dead, so that it holds its last
  // renewal (read before the kill, a renewal could still land between the read and the signal).
  const killedAt = Date.now();
  leader.signal('SIGKILL');
  expect(await leader.exited).toBe('SIGKILL');
  const last = await lease();
  expect(last?.spec?.holderIdentity).toBe(leader.identity);
  await holderIs(standby.identity);
  // Both times were written by processes on this machine's clock: the old holder's last renewTime
  // and the new holder's acquireTime, the moment it decided to take over.
  const lastRenewal = new Date(last?.spec?.renewTime ?? 0).getTime();
  const takenOver = new Date((await lease())?.spec?.acquireTime ?? 0).getTime();
  const fromRenewal = takenOver - lastRenewal;
  console.log(
    `leader election: failover after ${(fromRenewal / 1000).toFixed(1)} s from the last renewal, ${((takenOver - killedAt) / 1000).toFixed(1)} s from the kill`,
  );
  // Never before the lease expired by the standby's clock (it saw that renewal no earlier than it
  // was written), and at most FAILOVER_MS after it; the slack only absorbs the time of the requests
  // of those attempts and late timers on a loaded machine.
  expect(fromRenewal).toBeGreaterThanOrEqual(LEASE_MS);
  expect(fromRenewal).toBeLessThanOrEqual(FAILOVER_MS + SLACK_MS);
  await standby.waitForLog('Started operator');
  await createWaitingBenchmark('second');
  await runExists('second-1');
  await standby.waitForLog('Created SwitchBenchmarkRun', { run: 'second-1' });
  expect((await lease())?.spec?.leaseTransitions).toBe(1);

  // The Deployment would restart the killed pod: a new standby. SIGTERM to the leader releases the Lease.
  const c = startReplica('replica-c');
  await standingBy(c, standby.identity);
  const terminatedAt = Date.now();
  standby.signal('SIGTERM');
  const termFailover = (await holderIs(c.identity)) - terminatedAt;
  console.log(
    `leader election: failover after SIGTERM of the leader (lease released) took ${(termFailover / 1000).toFixed(1)} s`,
  );
  expect(await standby.exited).toBe(0);
  expect(standby.logged('Released leader lease')).toBe(true);
  expect((await lease())?.spec?.leaseTransitions).toBe(2);
  expect(termFailover).toBeLessThan(LEASE_MS);
  await c.waitForLog('Started operator');
  await createWaitingBenchmark('third');
  await runExists('third-1');
  await c.waitForLog('Created SwitchBenchmarkRun', { run: 'third-1' });

  // Another identity writes the Lease (as one that judged c expired would): c steps down and exits 1.
  const current = await lease();
  const now = new V1MicroTime(Date.now());
  await coordination.replaceNamespacedLease({
    namespace,
    name: LEASE,
    body: { ...current, spec: { ...current?.spec, holderIdentity: 'intruder', acquireTime: now, renewTime: now } },
  });
  expect(await c.exited).toBe(1);
  expect(c.logged('Lost leader lease', { reason: 'held by intruder' })).toBe(true);
}
