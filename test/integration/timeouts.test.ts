// Every phase that waits on the cluster ends, against a real apiserver with the operator's timeouts
// set to seconds (the test plays the kubelet): a switch never ready, a trial pod that never starts,
// a trial that never reports, a node lock taken by another run, a host cleanup that never succeeds.
// Each run ends with its documented reason and a message naming the phase, and its teardown leaves
// no pod, ConfigMap or Lease of the operator behind.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type V1Pod,
  type V1PodStatus,
} from '@kubernetes/client-node';
import { BENCHMARK_PLURAL, GROUP, VERSION, type SwitchBenchmarkRun } from '../../src/api/v1alpha1/types.js';
import type { OperatorConfig } from '../../src/controller/config.js';
import { MANAGED_SELECTOR } from '../../src/api/v1alpha1/labels.js';
import { NODE_LOCK_LABEL } from '../../src/api/v1alpha1/labels.js';
import { nodeLock, nodeLockName } from '../../src/controller/run/node-lock.js';
import { CLEANUP_FINALIZER } from '../../src/api/v1alpha1/labels.js';
import { ConditionType } from '../../src/api/v1alpha1/conditions.js';
import type { Operator } from '../../src/manager.js';
import { createNamespace, installCrds, kubeConfig, waitFor } from '../cluster/kube.js';
import { createBenchmark, dropRunFinalizers, FakeKubelet, FakeNode, startOperator } from './support.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const coordination = kc.makeApiClient(CoordinationV1Api);
/** Hang detection only: every timeout under test is a few seconds, so a minute means it never fired. */
const HANG_SECONDS = 60;
let namespace: string;
let kubelet: FakeKubelet;
let operator: Operator | undefined;
let node: FakeNode;
let logs: string[] = [];
let nodes = 0;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const condition = (run: SwitchBenchmarkRun, type: string) => run.status?.conditions?.find((c) => c.type === type);
const events = async (reason: string) =>
  (await core.listNamespacedEvent({ namespace })).items.filter((e) => e.reason === reason);

/** Polls `probe` until it returns a value; fails naming `what` if that takes longer than a hang. */
async function within<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + HANG_SECONDS * 1000;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still not so after ${HANG_SECONDS} s`);
    await sleep(200);
  }
}

/** The run once `until` holds of it. */
const runWhen = (run: string, what: string, until: (r: SwitchBenchmarkRun) => boolean) =>
  within(`run ${run} ${what}`, async () => {
    const r = await kubelet.run(run);
    return r && until(r) ? r : undefined;
  });
const ended = (run: string, phase: 'Failed' | 'Succeeded') => runWhen(run, phase, (r) => r.status?.phase === phase);

function benchmark(name: string, spec: Record<string, unknown> = {}): Promise<unknown> {
  return createBenchmark(kc, namespace, name, {
    datapath: 'memif',
    placement: { nodeSelector: { 'switchbench.io/test-node': node.name } },
    traffic: { packetSizes: [64], burstSizes: [16] },
    trial: { duration: '2s', warmup: '0s', window: '1s' },
    resources: { cpuPolicy: 'shared', hugepages: { pageSize: '2Mi', perPodMi: 64 } },
    ...spec,
  });
}

async function operatorWith(config: Partial<OperatorConfig>): Promise<void> {
  ({ operator } = await startOperator(kc, namespace, logs, config));
}

/** What the operator created in the namespace and has not removed: its pods, ConfigMaps and node locks. */
async function leftovers(): Promise<string[]> {
  const pods = (await core.listNamespacedPod({ namespace })).items.map((p) => `pod/${p.metadata?.name}`);
  const configMaps = (await core.listNamespacedConfigMap({ namespace, labelSelector: MANAGED_SELECTOR })).items.map(
    (c) => `configmap/${c.metadata?.name}`,
  );
  const leases = (
    await coordination.listNamespacedLease({ namespace, labelSelector: `${NODE_LOCK_LABEL}=true` })
  ).items.map((l) => `lease/${l.metadata?.name}`);
  return [...pods, ...configMaps, ...leases];
}

/** Lets the run's host cleanup succeed, then checks that its teardown finished and left nothing. */
async function cleanedUp(run: string): Promise<void> {
  await kubelet.succeeded(`${run}-cleanup`, '');
  const done = await runWhen(
    run,
    'torn down',
    (r) =>
      condition(r, ConditionType.HostCleanedUp)?.status === 'True' &&
      !r.metadata.finalizers?.includes(CLEANUP_FINALIZER),
  );
  expect(done.metadata.finalizers ?? []).toEqual([]);
  await nothingLeft();
}

async function nothingLeft(): Promise<void> {
  // Teardown runs on after the run's status says it ended: wait for it, then let the assertion name what is left.
  await within('the operator removing its objects', async () =>
    (await leftovers()).length === 0 ? true : undefined,
  ).catch(() => undefined);
  expect(await leftovers()).toEqual([]);
}

/** Writes a pod's status as the kubelet would; the scheduler writes it too, so a conflict is retried. */
async function writePodStatus(name: string, status: (pod: V1Pod) => V1PodStatus): Promise<void> {
  await waitFor(async () => {
    const pod = await kubelet.waitForPod(name);
    return core.replaceNamespacedPodStatus({ namespace, name, body: { ...pod, status: status(pod) } }).then(
      () => true,
      (err: unknown) => {
        if (err instanceof ApiException && err.code === 409) return undefined;
        throw err;
      },
    );
  }, 50);
}

const containerOf = (pod: V1Pod) => ({
  name: pod.spec?.containers[0]?.name ?? 'main',
  image: pod.spec?.containers[0]?.image ?? '',
  imageID: '',
  ready: false,
  restartCount: 0,
});

/**
 * The kubelet at a pod's activeDeadlineSeconds: it kills the containers and fails the pod with
 * reason DeadlineExceeded (since Kubernetes 1.27 the phase turns Failed only once they have stopped).
 */
const deadlineExceeded = (pod: V1Pod): V1PodStatus => ({
  phase: 'Failed',
  reason: 'DeadlineExceeded',
  message: 'Pod was active on the node longer than the specified deadline',
  ...(pod.status?.startTime ? { startTime: pod.status.startTime } : {}),
  containerStatuses: [
    { ...containerOf(pod), state: { terminated: { exitCode: 137, reason: 'Error', finishedAt: new Date() } } },
  ],
});

beforeAll(async () => {
  await installCrds(kc);
  namespace = await createNamespace(core, 'timeouts');
  kubelet = new FakeKubelet(kc, namespace);
});

beforeEach(async () => {
  nodes += 1;
  node = await new FakeNode(kc, `${namespace}-n${nodes}`, {}).register();
  await core.patchNode({
    name: node.name,
    body: [{ op: 'add', path: '/metadata/labels/switchbench.io~1test-node', value: node.name }],
  });
  logs = [];
});

afterEach(async () => {
  await operator?.stop();
  operator = undefined;
  await node.delete();
  // The operator's log of each test, for when one fails or times out.
  writeFileSync(
    path.join(os.tmpdir(), `switchbench-integration-${expect.getState().currentTestName?.replace(/\W+/g, '-')}.log`),
    logs.join('\n'),
  );
});

afterAll(async () => {
  await dropRunFinalizers(kc, namespace);
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

test('a switch that never becomes ready fails the run with SwitchNotReady before any trial', async () => {
  await operatorWith({ switchReadyTimeoutSeconds: 3 });
  // ovs-dpdk: its switch has a ConfigMap (the flows), which teardown must remove too.
  await benchmark('sw', { datapath: 'ovs-dpdk' });
  await kubelet.waitForPod('sw-1-switch');
  expect(
    (await core.listNamespacedConfigMap({ namespace, labelSelector: MANAGED_SELECTOR })).items.map(
      (c) => c.metadata?.name,
    ),
  ).toEqual(['sw-1-switch']);
  // Its process runs, but its startup probe never passes.
  await kubelet.running('sw-1-switch', false);

  const failed = await ended('sw-1', 'Failed');
  expect(condition(failed, 'Ready')).toMatchObject({
    status: 'False',
    reason: 'SwitchNotReady',
    message: expect.stringMatching(/^switch pod sw-1-switch was not ready after 3s/),
  });
  expect(condition(failed, 'Degraded')).toMatchObject({ status: 'True', reason: 'SwitchNotReady' });
  expect(failed.status?.trials ?? []).toEqual([]);
  expect(await kubelet.pod('sw-1-t0-a0-rx')).toBeUndefined();
  await cleanedUp('sw-1');
});

test("a trial pod whose container cannot start fails the run with PodNotStarted, naming its role and the kubelet's words", async () => {
  await operatorWith({ podStartTimeoutSeconds: 6 });
  await benchmark('ps');
  const receiver = await kubelet.waitForPod('ps-1-t0-a0-rx');
  // Scheduled (bound to the node, as the scheduler would), then stuck pulling its image: the start
  // timeout names the kubelet's reason, not the scheduler's.
  await core.createNamespacedPodBinding({
    namespace,
    name: 'ps-1-t0-a0-rx',
    body: { metadata: { name: 'ps-1-t0-a0-rx' }, target: { apiVersion: 'v1', kind: 'Node', name: node.name } },
  });
  const image = receiver.spec?.containers[0]?.image ?? '';
  await writePodStatus('ps-1-t0-a0-rx', (pod) => ({
    phase: 'Pending',
    conditions: [{ type: 'PodScheduled', status: 'True' }],
    containerStatuses: [
      {
        ...containerOf(pod),
        state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } },
      },
    ],
  }));

  const failed = await ended('ps-1', 'Failed');
  expect(condition(failed, 'Ready')).toMatchObject({
    status: 'False',
    reason: 'PodNotStarted',
    message: `receiver pod ps-1-t0-a0-rx did not start in 6s: ImagePullBackOff: Back-off pulling image "${image}"`,
  });
  expect(await kubelet.pod('ps-1-t0-a0-tx')).toBeUndefined();
  // A bound pod is gone only once its kubelet confirms the containers stopped: play that part.
  await within('the receiver deleted', async () =>
    (await kubelet.pod('ps-1-t0-a0-rx'))?.metadata?.deletionTimestamp ? true : undefined,
  );
  await core.deleteNamespacedPod({ namespace, name: 'ps-1-t0-a0-rx', gracePeriodSeconds: 0 });
  await cleanedUp('ps-1');
});

test('a trial killed at its activeDeadlineSeconds (DeadlineExceeded) is retried, then recorded as failed, and the run fails', async () => {
  await operatorWith({});
  await benchmark('dl');
  for (const attempt of [0, 1]) {
    const rx = `dl-1-t0-a${attempt}-rx`;
    expect((await kubelet.waitForPod(rx)).spec?.activeDeadlineSeconds).toBe(2 + 30);
    await kubelet.running(rx);
    await kubelet.running(`dl-1-t0-a${attempt}-tx`);
    // The receiver started first, so its deadline passes first.
    await writePodStatus(rx, deadlineExceeded);
  }

  const failed = await ended('dl-1', 'Failed');
  const lastWords = 'receiver pod dl-1-t0-a1-rx failed: DeadlineExceeded: exit code 137 (Error)';
  expect(failed.status?.trials).toEqual([
    expect.objectContaining({ index: 0, outcome: 'Failed', message: `${lastWords} (after 2 attempts)` }),
  ]);
  expect(condition(failed, 'Ready')).toMatchObject({
    status: 'False',
    reason: 'AllTrialsFailed',
    message: `${lastWords} (after 2 attempts)`,
  });
  expect((await events('TrialRetried')).map((e) => e.message)).toEqual([
    'Trial 0 attempt 1: receiver pod dl-1-t0-a0-rx failed: DeadlineExceeded: exit code 137 (Error)',
  ]);
  await cleanedUp('dl-1');
});

test('a trial whose pods run but never report is abandoned by the operator itself, retried, and the run fails', async () => {
  // No kubelet enforces the deadline here (as on a node that went away): the operator gives up on
  // an attempt at duration + 2 × trialGraceSeconds = 4 s.
  await operatorWith({ trialGraceSeconds: 1 });
  await benchmark('mute');
  for (const attempt of [0, 1]) {
    await kubelet.running(`mute-1-t0-a${attempt}-rx`);
    await kubelet.running(`mute-1-t0-a${attempt}-tx`);
  }

  const failed = await ended('mute-1', 'Failed');
  expect(failed.status?.trials).toEqual([
    expect.objectContaining({
      index: 0,
      outcome: 'Failed',
      message: 'trial 0 did not finish in time (after 2 attempts)',
    }),
  ]);
  expect(condition(failed, 'Ready')).toMatchObject({
    status: 'False',
    reason: 'AllTrialsFailed',
    message: 'trial 0 did not finish in time (after 2 attempts)',
  });
  expect((await events('TrialRetried')).map((e) => e.message)).toContain(
    'Trial 0 attempt 1: trial 0 did not finish in time',
  );
  await cleanedUp('mute-1');
});

test('a run whose node lock another run took fails with NodeLockLost and leaves that lock alone', async () => {
  await operatorWith({});
  await benchmark('lost');
  const running = await runWhen('lost-1', 'Running', (r) => r.status?.phase === 'Running');
  await kubelet.running('lost-1-t0-a0-rx');
  // Another operator judged this run's lock expired (its operator away for longer than the lease)
  // and gave the node to its own run.
  const lockName = nodeLockName(node.name);
  const held = await coordination.readNamespacedLease({ namespace, name: lockName });
  expect(held.spec?.holderIdentity).toBe(`${namespace}/lost-1/${running.metadata.uid}`);
  const intruder = `${namespace}/intruder-1/00000000-0000-0000-0000-000000000001`;
  await coordination.replaceNamespacedLease({
    namespace,
    name: lockName,
    body: nodeLock(node.name, namespace, intruder, new Date(), held),
  });

  const failed = await ended('lost-1', 'Failed');
  expect(condition(failed, 'Ready')).toMatchObject({
    status: 'False',
    reason: 'NodeLockLost',
    message: `Node ${node.name} was taken over by SwitchBenchmarkRun ${namespace}/intruder-1 while this run's operator was not renewing its lock`,
  });
  await kubelet.succeeded('lost-1-cleanup', '');
  await runWhen('lost-1', 'torn down', (r) => !r.metadata.finalizers?.includes(CLEANUP_FINALIZER));
  // The lock is the other run's now: the failed run's teardown must not release it.
  expect((await coordination.readNamespacedLease({ namespace, name: lockName })).spec?.holderIdentity).toBe(intruder);
  await coordination.deleteNamespacedLease({ namespace, name: lockName });
  await nothingLeft();
});

test('a host cleanup that never succeeds is given up with CleanupAbandoned, after a finished run and on deletion', async () => {
  await operatorWith({ cleanupTimeoutSeconds: 3 });
  await benchmark('dirty');
  await kubelet.playTrial('dirty-1', 0, 1000, 1000);
  await ended('dirty-1', 'Succeeded');
  // The cleanup pod is created and never runs: its node is gone.
  await kubelet.waitForPod('dirty-1-cleanup');
  const abandoned = await runWhen(
    'dirty-1',
    'past its cleanup',
    (r) => !r.metadata.finalizers?.includes(CLEANUP_FINALIZER),
  );
  expect(abandoned.status?.phase).toBe('Succeeded');
  const directory = `/var/run/switchbench/runs/${abandoned.metadata.uid}`;
  expect(condition(abandoned, ConditionType.HostCleanedUp)).toMatchObject({
    status: 'False',
    reason: 'CleanupAbandoned',
    message: expect.stringMatching(
      new RegExp(
        `^Gave up removing the run's host directory on ${node.name} after \\d+s: cleanup pod dirty-1-cleanup was still Pending; remove ${directory} by hand$`,
      ),
    ),
  });
  await nothingLeft();

  // Deleted mid-run: the deletion completes although the cleanup pod never runs.
  await benchmark('doomed');
  await kubelet.waitForPod('doomed-1-t0-a0-rx');
  const doomed = (await kubelet.run('doomed-1')) as SwitchBenchmarkRun;
  await custom.deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BENCHMARK_PLURAL,
    name: 'doomed',
  });
  await kubelet.waitForPod('doomed-1-cleanup');
  await within('run doomed-1 deleted', async () => ((await kubelet.run('doomed-1')) ? undefined : true));
  expect((await events('CleanupAbandoned')).map((e) => [e.involvedObject.name, e.message])).toEqual([
    ['dirty-1', expect.stringContaining(`remove ${directory} by hand`)],
    ['doomed-1', expect.stringContaining(`remove /var/run/switchbench/runs/${doomed.metadata.uid} by hand`)],
  ]);
  await nothingLeft();
});
