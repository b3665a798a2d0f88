// Where runs go and when they may start, against a real apiserver: node locks and the queue,
// preflight refusals, cross-node placement, start timeouts. Every test has its own fake nodes.
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  V1MicroTime,
  type CoreV1Event,
  type V1Lease,
} from '@kubernetes/client-node';
import {
  BENCHMARK_PLURAL,
  GROUP,
  VERSION,
  type SwitchBenchmark,
  type SwitchBenchmarkRun,
} from '../../src/api/v1alpha1/types.js';
import { CPU_MANAGER_POLICY_LABEL } from '../../src/api/v1alpha1/labels.js';
import { nodeLockName } from '../../src/controller/run/node-lock.js';
import type { Operator } from '../../src/manager.js';
import { createNamespace, installCrds, kubeConfig, waitFor } from '../cluster/kube.js';
import { dropRunFinalizers, FakeKubelet, FakeNode, startOperator } from './support.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const coordination = kc.makeApiClient(CoordinationV1Api);
let namespace: string;
let kubelet: FakeKubelet;
let operator: Operator | undefined;
const nodes: FakeNode[] = [];

/** A fake node only this test's benchmarks select (label switchbench.io/test-node=<its name>). */
async function node(
  suffix: string,
  labels: Record<string, string> = {},
  allocatable?: Record<string, string>,
  ready = true,
): Promise<FakeNode> {
  const name = `${namespace}-${suffix}`;
  const fake = new FakeNode(kc, name, { 'switchbench.io/test-node': name, ...labels }, allocatable);
  fake.ready = ready;
  nodes.push(await fake.register());
  return fake;
}

function benchmark(name: string, on: FakeNode, spec: Record<string, unknown> = {}): SwitchBenchmark {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'SwitchBenchmark',
    metadata: { name, namespace },
    spec: {
      datapath: 'memif',
      placement: { nodeSelector: { 'switchbench.io/test-node': on.name } },
      traffic: { packetSizes: [64], burstSizes: [16] },
      trial: { duration: '2s', warmup: '0s', window: '1s' },
      resources: { cpuPolicy: 'shared', hugepages: { pageSize: '2Mi', perPodMi: 64 } },
      ...spec,
    } as unknown as SwitchBenchmark['spec'],
  };
}

const create = (b: SwitchBenchmark) =>
  custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: BENCHMARK_PLURAL, body: b });
const remove = (name: string) =>
  custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: BENCHMARK_PLURAL, name });
const progressing = (run: SwitchBenchmarkRun) => run.status?.conditions?.find((c) => c.type === 'Progressing');
const ready = (run: SwitchBenchmarkRun) => run.status?.conditions?.find((c) => c.type === 'Ready');
const readLease = (node: FakeNode) =>
  coordination.readNamespacedLease({ namespace, name: nodeLockName(node.name) }).catch(() => undefined);
const events = async (reason: string): Promise<CoreV1Event[]> =>
  (await core.listNamespacedEvent({ namespace })).items.filter((e) => e.reason === reason);

/** Plays a one-trial run to its end and lets it clean up, as the kubelet would. */
async function finishRun(run: string): Promise<void> {
  await kubelet.playTrial(run, 0, 1000, 1000);
  await kubelet.succeeded(`${run}-cleanup`, '');
}

beforeAll(async () => {
  await installCrds(kc);
  namespace = await createNamespace(core, 'placement');
  kubelet = new FakeKubelet(kc, namespace);
});

beforeEach(async () => {
  ({ operator } = await startOperator(kc, namespace));
});

afterEach(async () => {
  await operator?.stop();
  operator = undefined;
});

afterAll(async () => {
  await dropRunFinalizers(kc, namespace);
  for (const fake of nodes) await fake.delete();
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

test('runs on one node take turns, first come first served, through the node lease', async () => {
  const shared = await node('serial');
  await create(benchmark('first', shared));
  await kubelet.waitForRun('first-1', (r) => r.status?.phase === 'Running');
  await create(benchmark('second', shared));
  await kubelet.waitForRun('second-1', (r) => r.status?.phase === 'Queued');
  await create(benchmark('third', shared));

  const queued = await kubelet.waitForRun('third-1', (r) => r.status?.phase === 'Queued');
  expect(progressing(queued)).toMatchObject({
    status: 'False',
    reason: 'NodeBusy',
    message: expect.stringContaining(`in use by SwitchBenchmarkRun ${namespace}/first-1`),
  });
  expect((await readLease(shared))?.spec?.holderIdentity).toMatch(new RegExp(`^${namespace}/first-1/`));
  expect(await kubelet.pod('second-1-t0-a0-rx')).toBeUndefined();

  await finishRun('first-1');
  // The older of the two waiting runs goes next; the other keeps waiting.
  await kubelet.waitForRun('second-1', (r) => r.status?.phase === 'Running');
  expect((await readLease(shared))?.spec?.holderIdentity).toMatch(new RegExp(`^${namespace}/second-1/`));
  expect((await kubelet.run('third-1'))?.status?.phase).toBe('Queued');

  await finishRun('second-1');
  await kubelet.waitForRun('third-1', (r) => r.status?.phase === 'Running');
  await finishRun('third-1');
  await kubelet.waitForRun('third-1', (r) => r.status?.phase === 'Succeeded');
  await waitFor(async () => ((await readLease(shared)) ? undefined : true), 200);
});

test('a lock whose holder is gone is taken over at once; one held outside the watch, once it expires', async () => {
  const lease = (node: FakeNode, holder: string, renewed: Date): V1Lease => ({
    metadata: { name: nodeLockName(node.name), namespace, labels: { 'switchbench.io/node-lock': 'true' } },
    spec: {
      holderIdentity: holder,
      leaseDurationSeconds: 120,
      acquireTime: new V1MicroTime(renewed),
      renewTime: new V1MicroTime(renewed),
    },
  });
  const orphaned = await node('orphaned');
  await coordination.createNamespacedLease({
    namespace,
    body: lease(orphaned, `${namespace}/vanished-1/0000`, new Date()),
  });
  await create(benchmark('heir', orphaned));
  await kubelet.waitForRun('heir-1', (r) => r.status?.phase === 'Running');
  expect((await events('NodeLockRecovered')).map((e) => e.message)).toEqual([
    expect.stringContaining(`its holder ${namespace}/vanished-1/0000 has finished or is gone`),
  ]);

  // Another operator's run (a namespace this operator does not watch) that keeps renewing its lock.
  const foreign = await node('foreign');
  await coordination.createNamespacedLease({ namespace, body: lease(foreign, 'elsewhere/run-1/1111', new Date()) });
  await create(benchmark('patient', foreign));
  const waiting = await kubelet.waitForRun('patient-1', (r) => r.status?.phase === 'Queued');
  expect(progressing(waiting)?.message).toContain('in use by SwitchBenchmarkRun elsewhere/run-1');
  // Its operator dies: the lease is last renewed long ago.
  const stale = (await readLease(foreign)) as V1Lease;
  await coordination.replaceNamespacedLease({
    namespace,
    name: nodeLockName(foreign.name),
    body: { ...stale, spec: lease(foreign, 'elsewhere/run-1/1111', new Date(Date.now() - 600_000)).spec },
  });
  await kubelet.waitForRun('patient-1', (r) => r.status?.phase === 'Running');

  await remove('heir');
  await remove('patient');
});

test('preflight: a NotReady or cordoned node holds the run Pending with the reason; no hugepages or no static CPU manager fails it', async () => {
  const unready = await node('unready', {}, undefined, false);
  await create(benchmark('early', unready));
  const pending = await kubelet.waitForRun('early-1', (r) => progressing(r)?.reason === 'NodeNotReady');
  expect(pending.status?.phase).toBe('Pending');
  expect(progressing(pending)?.message).toContain(`Node ${unready.name} is not Ready (KubeletNotReady)`);
  unready.ready = true;
  await unready.heartbeat();
  await kubelet.waitForRun('early-1', (r) => r.status?.phase === 'Running');

  const cordoned = await node('cordoned');
  await core.patchNode({ name: cordoned.name, body: [{ op: 'add', path: '/spec/unschedulable', value: true }] });
  await create(benchmark('blocked', cordoned));
  const held = await kubelet.waitForRun('blocked-1', (r) => progressing(r)?.reason === 'NodeCordoned');
  expect(progressing(held)?.message).toContain(`kubectl uncordon ${cordoned.name}`);

  const noHugepages = await node('nohuge', {}, { cpu: '8', memory: '16Gi', pods: '110' });
  await create(benchmark('hungry', noHugepages));
  const hungry = await kubelet.waitForRun('hungry-1', (r) => r.status?.phase === 'Failed');
  expect(ready(hungry)).toMatchObject({
    reason: 'NoHugepages',
    message: expect.stringContaining(`Node ${noHugepages.name} has no allocatable hugepages-2Mi`),
  });

  const unpinned = await node('unpinned', { [CPU_MANAGER_POLICY_LABEL]: 'none' });
  await create(
    benchmark('pinned', unpinned, {
      resources: { cpuPolicy: 'exclusive', hugepages: { pageSize: '2Mi', perPodMi: 64 } },
    }),
  );
  const pinned = await kubelet.waitForRun('pinned-1', (r) => r.status?.phase === 'Failed');
  expect(ready(pinned)).toMatchObject({
    reason: 'CPUManagerNotStatic',
    message: expect.stringContaining("spec.resources.cpuPolicy exclusive needs the kubelet's static CPU manager"),
  });
  expect(
    (await core.listNamespacedPod({ namespace })).items.filter((p) =>
      /^(hungry|pinned|blocked)-/.test(p.metadata?.name ?? ''),
    ),
  ).toEqual([]);

  for (const name of ['early', 'blocked', 'hungry', 'pinned']) await remove(name);
});

test('cross-node: the receiver goes to the node of receiverNodeSelector, the sender stays; other combinations are refused', async () => {
  const home = await node('home');
  const away = await node('away');
  await create(
    benchmark('apart', home, {
      datapath: 'kernel',
      placement: {
        nodeSelector: { 'switchbench.io/test-node': home.name },
        receiverNodeSelector: { 'switchbench.io/test-node': away.name },
      },
    }),
  );
  const running = await kubelet.waitForRun('apart-1', (r) => r.status?.phase === 'Running');
  expect(running.status).toMatchObject({ node: home.name, receiverNode: away.name });
  expect(progressing(running)?.message).toContain(`Running on node ${home.name}, receiver on node ${away.name}`);
  const receiver = await kubelet.waitForPod('apart-1-t0-a0-rx');
  // The admin's node label too: a pod created after the admin withdrew the node stays unscheduled.
  expect(receiver.spec?.nodeSelector).toEqual({ 'kubernetes.io/hostname': away.name, 'switchbench.io/node': 'true' });
  await kubelet.running('apart-1-t0-a0-rx');
  const sender = await kubelet.waitForPod('apart-1-t0-a0-tx');
  expect(sender.spec?.nodeSelector).toEqual({ 'kubernetes.io/hostname': home.name, 'switchbench.io/node': 'true' });
  // Both nodes are held for the run.
  expect((await readLease(away))?.spec?.holderIdentity).toMatch(new RegExp(`^${namespace}/apart-1/`));
  expect((await readLease(home))?.spec?.holderIdentity).toMatch(new RegExp(`^${namespace}/apart-1/`));

  await create(
    benchmark('together', home, {
      datapath: 'kernel',
      placement: {
        nodeSelector: { 'switchbench.io/test-node': home.name },
        receiverNodeSelector: { 'switchbench.io/test-node': home.name },
      },
    }),
  );
  const same = await kubelet.waitForRun('together-1', (r) => r.status?.phase === 'Failed');
  expect(ready(same)).toMatchObject({
    reason: 'SameNode',
    message: expect.stringContaining('select another node, or remove it for a same-node run'),
  });

  const refused = await create(
    benchmark('vhost-apart', home, {
      datapath: 'testpmd',
      placement: { nodeSelector: { a: 'b' }, receiverNodeSelector: { c: 'd' } },
    }),
  ).then(
    () => undefined,
    (err: unknown) => (err instanceof ApiException ? String(err.body) : String(err)),
  );
  expect(refused).toContain('spec.placement.receiverNodeSelector (cross-node) is allowed only with datapath kernel or');

  await remove('apart');
  await remove('together');
});

test('a selector naming a node the admin did not label waits, saying which label to add, and creates nothing', async () => {
  // The author names a node by hostname; the admin never labelled it for benchmarks.
  const unlabelled = await node('unlabelled', { 'switchbench.io/node': 'no' });
  await create(
    benchmark('elsewhere', unlabelled, { placement: { nodeSelector: { 'kubernetes.io/hostname': unlabelled.name } } }),
  );
  const waiting = await kubelet.waitForRun('elsewhere-1', (r) => progressing(r)?.reason === 'NodeNotLabelled');
  expect(waiting.status?.phase).toBe('Pending');
  expect(progressing(waiting)?.message).toBe(
    `spec.placement.nodeSelector kubernetes.io/hostname=${unlabelled.name} matches only nodes without the label switchbench.io/node=true that lets a node run benchmarks (${unlabelled.name}): an admin adds it, e.g. kubectl label node ${unlabelled.name} switchbench.io/node=true`,
  );
  expect(waiting.metadata.finalizers ?? []).toEqual([]);
  expect(await readLease(unlabelled)).toBeUndefined();
  expect(await kubelet.pod('elsewhere-1-switch')).toBeUndefined();
  await remove('elsewhere');
});

test('a traffic pod that cannot be scheduled fails the run, naming the phase and what the scheduler said', async () => {
  await operator?.stop();
  ({ operator } = await startOperator(kc, namespace, [], { podStartTimeoutSeconds: 2 }));
  const tainted = await node('tainted');
  await create(benchmark('stuck', tainted));
  const failed = await kubelet.waitForRun('stuck-1', (r) => r.status?.phase === 'Failed');
  expect(ready(failed)).toMatchObject({
    reason: 'PodNotScheduled',
    message: expect.stringMatching(
      /^receiver pod stuck-1-t0-a0-rx did not start in 2s: not scheduled: .*untolerated taint/,
    ),
  });
  await remove('stuck');
});

test('a benchmark in a namespace no admin enabled is refused before any pod, saying how to enable it', async () => {
  const closed = await createNamespace(core, 'closed', false);
  const { operator: guard } = await startOperator(kc, closed);
  try {
    const somewhere = await node('closed');
    await custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: closed,
      plural: BENCHMARK_PLURAL,
      body: { ...benchmark('sneaky', somewhere), metadata: { name: 'sneaky', namespace: closed } },
    });
    const refused = await new FakeKubelet(kc, closed).waitForRun('sneaky-1', (r) => r.status?.phase === 'Failed');
    expect(ready(refused)).toMatchObject({
      reason: 'NamespaceNotEnabled',
      message: `Namespace ${closed} is not enabled for benchmarks, so no pod was created: an admin enables it with kubectl label namespace ${closed} switchbench.io/enabled=true`,
    });
    expect((await core.listNamespacedPod({ namespace: closed })).items).toEqual([]);
  } finally {
    await guard.stop();
    await dropRunFinalizers(kc, closed);
    await core.deleteNamespace({ name: closed }).catch(() => undefined);
  }
});
