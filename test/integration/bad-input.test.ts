// Every manifest of the invalid corpus that only the controller can judge, created at once beside a
// valid benchmark: each gets its InvalidSpec condition naming the field, none gets a run, and the
// valid one runs to the end meanwhile.
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { BENCHMARK_PLURAL, GROUP, VERSION, type SwitchBenchmark } from '../../src/api/v1alpha1/types.js';
import type { Operator } from '../../src/operator.js';
import { createNamespace, installCrds, kubeConfig, waitFor } from '../cluster/kube.js';
import { loadInvalidCorpus } from '../invalid/corpus.js';
import { createBenchmark, dropRunFinalizers, FakeKubelet, FakeNode, startOperator } from './support.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
let namespace: string;
let operator: Operator | undefined;
let node: FakeNode | undefined;

beforeAll(async () => {
  await installCrds(kc);
  namespace = await createNamespace(core, 'bad-input');
  node = await new FakeNode(kc, `${namespace}-node`, { 'switchbench.io/test-node': `${namespace}-node` }).register();
  ({ operator } = await startOperator(kc, namespace));
});

afterAll(async () => {
  await operator?.stop();
  await dropRunFinalizers(kc, namespace);
  await node?.delete();
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

test('the controller refuses each bad spec with its field while it keeps running a good one', async () => {
  const bad = loadInvalidCorpus().filter((m) => m.rejectedBy === 'controller');
  expect(bad.length).toBeGreaterThanOrEqual(8);
  await createBenchmark(kc, namespace, 'good', {
    datapath: 'memif',
    placement: { nodeSelector: { 'switchbench.io/test-node': `${namespace}-node` } },
    traffic: { packetSizes: [64], burstSizes: [16] },
    trial: { duration: '2s', warmup: '0s', window: '1s' },
    resources: { cpuPolicy: 'shared', hugepages: { pageSize: '2Mi', perPodMi: 64 } },
  });
  for (const manifest of bad) {
    const object = manifest.object as unknown as SwitchBenchmark;
    await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: BENCHMARK_PLURAL, body: { ...object, metadata: { ...object.metadata, namespace } } });
  }

  const kubelet = new FakeKubelet(kc, namespace);
  await kubelet.playTrial('good-1', 0, 1000, 1000);
  await kubelet.succeeded('good-1-cleanup', '');
  await kubelet.waitForRun('good-1', (r) => r.status?.phase === 'Succeeded');

  for (const manifest of bad) {
    const name = (manifest.object as unknown as SwitchBenchmark).metadata.name as string;
    const refused = await waitFor(async () => {
      const b = (await custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: BENCHMARK_PLURAL, name })) as SwitchBenchmark;
      return b.status?.phase === 'Invalid' ? b : undefined;
    }, 200);
    expect({ file: manifest.file, ready: refused.status?.conditions?.find((c) => c.type === 'Ready') }).toMatchObject({
      file: manifest.file,
      ready: { status: 'False', reason: 'InvalidSpec', message: expect.stringContaining(manifest.expect) },
    });
    expect(await kubelet.run(`${name}-1`)).toBeUndefined();
  }
});
