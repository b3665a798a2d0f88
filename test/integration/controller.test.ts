// The operator against a real apiserver: reconcile creates exactly the desired objects, status and
// conditions follow each transition, a restarted operator resumes without repeating a trial, and
// deleting a benchmark removes everything. The test plays the kubelet (pod statuses, termination
// messages) and a node (allocatable resources), so it needs no container runtime.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import {
  BENCHMARK_PLURAL,
  GROUP,
  VERSION,
  type SwitchBenchmark,
  type SwitchBenchmarkRun,
} from '../../src/api/v1alpha1/types.js';
import { CLEANUP_FINALIZER } from '../../src/api/v1alpha1/labels.js';
import { ConditionType } from '../../src/api/v1alpha1/conditions.js';
import type { Operator } from '../../src/manager.js';
import { createNamespace, installCrds, kubeConfig, waitFor } from '../cluster/kube.js';
import { dropRunFinalizers, FakeKubelet, FakeNode, startOperator } from './support.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
let namespace: string;
let nodeName: string;
let fakeNode: FakeNode | undefined;
let kubelet: FakeKubelet;
let operator: Operator | undefined;
let logs: string[] = [];

function benchmark(name: string, spec: Record<string, unknown>): SwitchBenchmark {
  return {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'SwitchBenchmark',
    metadata: { name, namespace },
    spec: {
      placement: { nodeSelector: { 'switchbench.io/test-node': namespace } },
      traffic: { packetSizes: [64], burstSizes: [16] },
      trial: { duration: '2s', warmup: '0s', window: '1s' },
      resources: { cpuPolicy: 'shared', hugepages: { pageSize: '2Mi', perPodMi: 64 } },
      ...spec,
    } as unknown as SwitchBenchmark['spec'],
  };
}

const createBenchmark = (b: SwitchBenchmark) =>
  custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: BENCHMARK_PLURAL, body: b });
const readBenchmark = async (name: string) =>
  (await custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BENCHMARK_PLURAL,
    name,
  })) as SwitchBenchmark;
const condition = (object: SwitchBenchmark | SwitchBenchmarkRun, type: string) =>
  object.status?.conditions?.find((c) => c.type === type);
const podNames = async () =>
  (await core.listNamespacedPod({ namespace })).items.map((p: V1Pod) => p.metadata?.name as string).sort();

beforeAll(async () => {
  await installCrds(kc);
  namespace = await createNamespace(core, 'integration');
  nodeName = `fake-${namespace}`;
  fakeNode = await new FakeNode(kc, nodeName, { 'switchbench.io/test-node': namespace }).register();
  kubelet = new FakeKubelet(kc, namespace);
});

beforeEach(async () => {
  ({ operator, lines: logs } = await startOperator(kc, namespace));
});

afterEach(async () => {
  await operator?.stop();
  operator = undefined;
  // The operator's log of each test, for when one fails or times out.
  writeFileSync(
    path.join(os.tmpdir(), `switchbench-integration-${expect.getState().currentTestName?.replace(/\W+/g, '-')}.log`),
    logs.join('\n'),
  );
});

afterAll(async () => {
  await dropRunFinalizers(kc, namespace);
  await fakeNode?.delete();
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

test('a testpmd sweep runs to the end, survives an operator restart, and cleans up after itself', async () => {
  await createBenchmark(
    benchmark('sweep', { datapath: 'testpmd', method: { type: 'sweep', sweep: { ratesPps: [2000, 1000] } } }),
  );
  const runName = 'sweep-1';

  const admitted = await kubelet.waitForRun(
    runName,
    (r) => r.status?.node !== undefined && (r.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER),
  );
  expect(admitted.status).toMatchObject({ phase: 'Running', node: nodeName, trialsPlanned: 2, progress: '0/2' });
  expect(admitted.spec).toMatchObject({ benchmarkName: 'sweep', trigger: 'initial' });
  expect(condition(admitted, 'Progressing')).toMatchObject({ status: 'True', reason: 'Admitted' });

  const switchPod = await kubelet.waitForPod(`${runName}-switch`);
  expect(switchPod.spec?.nodeSelector).toEqual({ 'kubernetes.io/hostname': nodeName, 'switchbench.io/node': 'true' });
  expect(switchPod.metadata?.ownerReferences?.[0]).toMatchObject({
    kind: 'SwitchBenchmarkRun',
    name: runName,
    controller: true,
  });
  expect(switchPod.spec?.containers[0]?.resources?.limits).toMatchObject({ 'hugepages-2Mi': '64Mi' });
  // No trial starts before the switch forwards.
  expect(await kubelet.pod(`${runName}-t0-a0-rx`)).toBeUndefined();
  await kubelet.running(`${runName}-switch`, true);

  await kubelet.playTrial(runName, 0, 1000, 1000);
  const afterFirst = await kubelet.waitForRun(runName, (r) => (r.status?.trials?.length ?? 0) === 1);
  expect(afterFirst.status?.progress).toBe('1/2');
  expect(afterFirst.status?.trials?.[0]).toMatchObject({
    index: 0,
    offeredPps: 1000,
    outcome: 'Measured',
    rxPpsMean: 1000,
    samples: 20,
    windowLossRatio: 0,
    cpus: { sender: '1', receiver: '1' },
  });
  expect((await readBenchmark('sweep')).status).toMatchObject({ phase: 'Running', activeRun: runName });

  // An operator restart between trials: the next one is created once, the first is not repeated.
  await operator?.stop();
  ({ operator } = await startOperator(kc, namespace, logs));
  await kubelet.playTrial(runName, 1, 2000, 1900);

  const done = await kubelet.waitForRun(runName, (r) => r.status?.phase === 'Succeeded');
  expect(done.status?.trials?.map((t) => [t.index, t.offeredPps])).toEqual([
    [0, 1000],
    [1, 2000],
  ]);
  expect(done.status?.summary).toEqual([
    expect.objectContaining({
      packetSize: 64,
      burstSize: 16,
      maxRxPps: 1900,
      maxRxBitsPerSecond: 1900 * 64 * 8,
      trials: 2,
    }),
  ]);
  expect(done.status?.headline).toBe('64B 1.9kpps');
  expect(condition(done, 'Ready')).toMatchObject({
    status: 'True',
    reason: 'Completed',
    observedGeneration: done.metadata.generation,
  });

  // Teardown: workers go first, then a pod on the node removes the run's host directory.
  await kubelet.waitForPodGone(`${runName}-switch`);
  await kubelet.succeeded(`${runName}-cleanup`, '');
  const cleaned = await kubelet.waitForRun(
    runName,
    (r) =>
      condition(r, ConditionType.HostCleanedUp)?.status === 'True' &&
      !(r.metadata.finalizers ?? []).includes(CLEANUP_FINALIZER),
  );
  expect(cleaned.status?.phase).toBe('Succeeded');
  await waitFor(async () => ((await podNames()).length === 0 ? true : undefined), 200);

  const finished = await waitFor(async () => {
    const b = await readBenchmark('sweep');
    return b.status?.phase === 'Succeeded' ? b : undefined;
  }, 200);
  expect(finished.status).toMatchObject({
    runsStarted: 1,
    lastRun: { name: runName, phase: 'Succeeded', headline: '64B 1.9kpps' },
  });
  expect(finished.status?.activeRun).toBeUndefined();
  expect(condition(finished, 'Ready')).toMatchObject({
    status: 'True',
    observedGeneration: finished.metadata.generation,
  });
  expect(condition(finished, 'Degraded')).toMatchObject({ status: 'False' });
});

test('deleting a benchmark mid-run removes its run, pods and host directory', async () => {
  await createBenchmark(benchmark('doomed', { datapath: 'testpmd' }));
  await kubelet.waitForPod('doomed-1-switch');
  await kubelet.running('doomed-1-switch', true);
  await kubelet.waitForPod('doomed-1-t0-a0-rx');

  await custom.deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BENCHMARK_PLURAL,
    name: 'doomed',
  });
  await kubelet.waitForPodGone('doomed-1-switch');
  await kubelet.waitForPodGone('doomed-1-t0-a0-rx');
  await kubelet.succeeded('doomed-1-cleanup', '');
  await waitFor(async () => ((await kubelet.run('doomed-1')) ? undefined : true), 200);
  await waitFor(async () => ((await podNames()).length === 0 ? true : undefined), 200);
});

test('a failing trial is retried, then recorded as failed with the reason', async () => {
  await createBenchmark(benchmark('flaky', { datapath: 'testpmd' }));
  await kubelet.running(`flaky-1-switch`, true);
  await kubelet.waitForPod('flaky-1-t0-a0-rx');
  await kubelet.failed('flaky-1-t0-a0-rx', 3, 'sb-receiver: --vdev: port did not come up');
  await kubelet.waitForPod('flaky-1-t0-a1-rx');
  await kubelet.waitForPodGone('flaky-1-t0-a0-rx');
  await kubelet.failed('flaky-1-t0-a1-rx', 3, 'sb-receiver: --vdev: port did not come up');

  const failed = await kubelet.waitForRun('flaky-1', (r) => r.status?.phase === 'Failed');
  expect(failed.status?.trials).toEqual([
    expect.objectContaining({
      index: 0,
      outcome: 'Failed',
      message: expect.stringContaining(
        'exit code 3 (Error): sb-receiver: --vdev: port did not come up (after 2 attempts)',
      ),
    }),
  ]);
  expect(condition(failed, 'Ready')).toMatchObject({ status: 'False', reason: 'AllTrialsFailed' });
  const benchmarkStatus = await waitFor(async () => {
    const b = await readBenchmark('flaky');
    return b.status?.phase === 'Failed' ? b : undefined;
  }, 200);
  expect(condition(benchmarkStatus, 'Degraded')).toMatchObject({ status: 'True', reason: 'LastRunFailed' });
});

test('a run that cannot fit on its node fails at once, naming the resource', async () => {
  await createBenchmark(
    benchmark('huge', {
      datapath: 'testpmd',
      resources: { cpuPolicy: 'shared', hugepages: { pageSize: '2Mi', perPodMi: 512 } },
    }),
  );
  const failed = await kubelet.waitForRun('huge-1', (r) => r.status?.phase === 'Failed');
  expect(condition(failed, 'Ready')).toMatchObject({
    status: 'False',
    reason: 'InsufficientResources',
    message: expect.stringContaining('hugepages-2Mi: needs 1536Mi, node allocatable 1Gi'),
  });
  expect((await podNames()).filter((name) => name.startsWith('huge-'))).toEqual([]);
});

test('a spec the CRD admits but the controller cannot run gets an InvalidSpec condition and no run', async () => {
  await createBenchmark(benchmark('bad-cron', { datapath: 'memif', schedule: '*/5 * * * * *' }));
  const invalid = await waitFor(async () => {
    const b = await readBenchmark('bad-cron');
    return b.status?.phase === 'Invalid' ? b : undefined;
  }, 200);
  expect(condition(invalid, 'Ready')).toMatchObject({
    status: 'False',
    reason: 'InvalidSpec',
    message: expect.stringContaining('spec.schedule: "*/5 * * * * *" must have 5 fields'),
  });
  expect(await kubelet.run('bad-cron-1')).toBeUndefined();
});

test('a benchmark created again under the name of a deleted one waits for the old run to go, then runs', async () => {
  await createBenchmark(benchmark('again', { datapath: 'memif' }));
  const first = await kubelet.waitForRun('again-1', (r) => r.status?.node === nodeName);
  await custom.deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BENCHMARK_PLURAL,
    name: 'again',
  });
  await createBenchmark(benchmark('again', { datapath: 'memif' }));
  // The old run is still there (its pods and host directory are being cleaned up): no adoption.
  const fresh = await readBenchmark('again');
  await kubelet.succeeded('again-1-cleanup', '');
  const second = await kubelet.waitForRun(
    'again-1',
    (r) => r.metadata.uid !== first.metadata.uid && r.status?.node === nodeName,
  );
  expect(second.metadata.ownerReferences?.[0]?.uid).toBe(fresh.metadata.uid);
  // It holds the node: let the next test have it.
  await custom.deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BENCHMARK_PLURAL,
    name: 'again',
  });
  await kubelet.succeeded('again-1-cleanup', '');
  await waitFor(async () => ((await kubelet.run('again-1')) ? undefined : true), 200);
});

// Last: it relabels the node.
test('a run waits for a node with its labels and starts when one is labelled', async () => {
  await createBenchmark(
    benchmark('waiting', {
      datapath: 'memif',
      placement: { nodeSelector: { 'switchbench.io/test-node': `${namespace}-later` } },
    }),
  );
  const waiting = await kubelet.waitForRun('waiting-1', (r) => r.status?.phase === 'Pending');
  expect(condition(waiting, 'Progressing')).toMatchObject({
    status: 'False',
    reason: 'NodeNotFound',
    message: expect.stringContaining(
      `kubectl label node NODE switchbench.io/test-node=${namespace}-later switchbench.io/node=true`,
    ),
  });
  await core.patchNode(
    { name: nodeName, body: { metadata: { labels: { 'switchbench.io/test-node': `${namespace}-later` } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  await kubelet.waitForRun('waiting-1', (r) => r.status?.node === nodeName);
  await kubelet.waitForPod('waiting-1-t0-a0-rx');
});
