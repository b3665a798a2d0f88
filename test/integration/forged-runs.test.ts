// Runs the operator did not make. A SwitchBenchmarkRun's spec becomes pods with hugepages, host paths
// and capabilities, so a run created by hand is held to a benchmark's rules: the apiserver checks its
// spec.benchmark against the SwitchBenchmark's own schema, the operator makes the checks the schema
// cannot and carries out only runs a SwitchBenchmark owns. Each refusal names what is wrong, and
// nothing is created for a refused run.
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { CLEANUP_FINALIZER } from '../../src/api/v1alpha1/labels.js';
import {
  API_VERSION,
  BENCHMARK_PLURAL,
  GROUP,
  RUN_PLURAL,
  VERSION,
  type SwitchBenchmark,
  type SwitchBenchmarkRun,
} from '../../src/api/v1alpha1/types.js';
import { kubeConfig, waitFor } from '../cluster/kube.js';
import { apiRefusal } from '../invalid/corpus.js';
import { createBenchmark, startFakeNodeFile, stopFakeNodeFile, type FakeNodeFile } from './support.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
let namespace: string;
let file: Partial<FakeNodeFile> = {};

beforeAll(async () => {
  file = await startFakeNodeFile(kc, 'forged-runs');
  namespace = file.namespace as string;
});

afterAll(() => stopFakeNodeFile(kc, file));

const validSpec = () => ({
  datapath: 'memif',
  placement: { nodeSelector: { 'switchbench.io/test-node': `${namespace}-node` } },
  trial: { duration: '2s', warmup: '0s', window: '1s' },
  resources: { cpuPolicy: 'shared', hugepages: { pageSize: '2Mi', perPodMi: 64 } },
});

function createRun(name: string, benchmark: Record<string, unknown>, owner?: SwitchBenchmark) {
  return custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: RUN_PLURAL,
    body: {
      apiVersion: API_VERSION,
      kind: 'SwitchBenchmarkRun',
      metadata: {
        name,
        namespace,
        ...(owner
          ? {
              ownerReferences: [
                {
                  apiVersion: API_VERSION,
                  kind: 'SwitchBenchmark',
                  name: owner.metadata.name,
                  uid: owner.metadata.uid,
                  controller: true,
                },
              ],
            }
          : {}),
      },
      spec: { benchmarkName: 'forged', benchmarkGeneration: 1, trigger: 'manual', benchmark },
    },
  });
}

const readRun = (name: string) =>
  custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: RUN_PLURAL,
    name,
  }) as Promise<SwitchBenchmarkRun>;

async function failedRun(name: string): Promise<SwitchBenchmarkRun> {
  return waitFor(async () => {
    const run = await readRun(name);
    return run.status?.phase === 'Failed' ? run : undefined;
  }, 200);
}

async function podsOf(run: string): Promise<string[]> {
  const pods = await core.listNamespacedPod({ namespace });
  return pods.items.map((p) => p.metadata?.name as string).filter((p) => p.startsWith(run));
}

test('the apiserver refuses a run whose spec.benchmark the SwitchBenchmark schema refuses, naming the field', async () => {
  const hostile = [
    // A newline and Lua in a field that reaches the generated Snabb program.
    [
      { datapath: 'snabb', snabb: { forwarding: 'l2-learning\nos.execute("id")' } },
      'spec.benchmark.snabb.forwarding: Unsupported value',
    ],
    [{ datapath: 'vpp', vpp: { forwarding: 'l2-xconnect; exec /tmp/x' } }, 'spec.benchmark.vpp.forwarding'],
    [{ datapath: 'memif', memif: { ringSize: 3 } }, 'spec.benchmark.memif.ringSize'],
    [{ datapath: 'kernel', testpmd: { burst: 32 } }, 'spec.testpmd is allowed only with datapath testpmd'],
    [
      { datapath: 'memif', resources: { images: { traffic: 'x; rm -rf /' } } },
      'spec.benchmark.resources.images.traffic',
    ],
  ] as const;
  for (const [index, [benchmark, field]] of hostile.entries()) {
    const refused = await apiRefusal(createRun(`hostile-${index}`, benchmark));
    expect({ benchmark, refused }).toEqual({ benchmark, refused: expect.stringMatching(/^422: /) });
    expect({ benchmark, refused }).toEqual({ benchmark, refused: expect.stringContaining(field) });
  }
});

test('a run no SwitchBenchmark owns fails once with RunNotOwned, and is touched no further', async () => {
  await createRun('unowned', validSpec());
  const run = await failedRun('unowned');
  expect(run.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
    status: 'False',
    reason: 'RunNotOwned',
    message: expect.stringContaining('not created by the operator'),
  });
  expect(run.metadata.finalizers ?? []).not.toContain(CLEANUP_FINALIZER);
  expect(run.status?.node).toBeUndefined();
  // Resyncs (every 2 s here) reconcile it again: nothing more is written and nothing is created.
  await new Promise((resolve) => setTimeout(resolve, 5000));
  expect((await readRun('unowned')).metadata.resourceVersion).toBe(run.metadata.resourceVersion);
  expect(await podsOf('unowned')).toEqual([]);
});

test('an owned run that breaks a rule only the operator checks fails with InvalidRunSpec, naming the field', async () => {
  // A benchmark to own it, suspended so that it starts no run of its own.
  await createBenchmark(kc, namespace, 'owner', { ...validSpec(), suspend: true });
  const owner = (await custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BENCHMARK_PLURAL,
    name: 'owner',
  })) as SwitchBenchmark;
  // A sample interval the default warm-up is not a whole number of: the CRD cannot tell.
  await createRun('owned-invalid', { ...validSpec(), trial: { warmup: '20s', sampleInterval: '3s' } }, owner);
  const run = await failedRun('owned-invalid');
  expect(run.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
    reason: 'InvalidRunSpec',
    message: expect.stringMatching(/^Nothing was created: spec\.benchmark\.trial\.warmup: /),
  });
  expect(run.metadata.finalizers ?? []).not.toContain(CLEANUP_FINALIZER);
  expect(await podsOf('owned-invalid')).toEqual([]);
});
