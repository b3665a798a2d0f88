// The whole invalid corpus, created at once beside a valid benchmark: the apiserver refuses each
// manifest its header gives it with a message naming the field; each one only the controller can
// judge gets its InvalidSpec condition naming the field and no run; the valid one runs to the end
// meanwhile.
import { CustomObjectsApi } from '@kubernetes/client-node';
import { BENCHMARK_PLURAL, GROUP, VERSION, type SwitchBenchmark } from '../../src/api/v1alpha1/types.js';
import { kubeConfig, waitFor } from '../cluster/kube.js';
import { apiRefusal, loadInvalidCorpus } from '../invalid/corpus.js';
import { createBenchmark, FakeKubelet, startFakeNodeFile, stopFakeNodeFile, type FakeNodeFile } from './support.js';

const kc = kubeConfig();
const custom = kc.makeApiClient(CustomObjectsApi);
const corpus = loadInvalidCorpus();
let namespace: string;
let file: Partial<FakeNodeFile> = {};
// What the summary line reports: counted only once a manifest's assertions have passed.
const passed = { byApiserver: 0, byController: 0, good: 'not finished' };

beforeAll(async () => {
  file = await startFakeNodeFile(kc, 'bad-input');
  namespace = file.namespace as string;
});

afterAll(async () => {
  await stopFakeNodeFile(kc, file);
  console.log(
    `bad-input: ${corpus.length} manifests: ${passed.byApiserver} rejected by the apiserver naming the field, ` +
      `${passed.byController} given a condition by the controller; the good benchmark beside them ${passed.good}`,
  );
});

test('the apiserver and the controller refuse each bad spec with its field while the operator runs a good one', async () => {
  const byApiserver = corpus.filter((m) => m.rejectedBy === 'apiserver');
  const byController = corpus.filter((m) => m.rejectedBy === 'controller');
  expect(corpus.length).toBeGreaterThanOrEqual(40);
  expect(byController.length).toBeGreaterThanOrEqual(8);
  await createBenchmark(kc, namespace, 'good', {
    datapath: 'memif',
    placement: { nodeSelector: { 'switchbench.io/test-node': `${namespace}-node` } },
    traffic: { packetSizes: [64], burstSizes: [16] },
    trial: { duration: '2s', warmup: '0s', window: '1s' },
    resources: { cpuPolicy: 'shared', hugepages: { pageSize: '2Mi', perPodMi: 64 } },
  });
  // Created for real (no dry run), with unknown fields refused as kubectl apply does.
  const create = (manifest: (typeof corpus)[number]) => {
    const object = manifest.object as unknown as SwitchBenchmark;
    const body = { ...object, metadata: { ...object.metadata, namespace } };
    return custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: BENCHMARK_PLURAL,
      body,
      fieldValidation: 'Strict',
    });
  };
  // Whatever the check (schema, CEL, strict decoding), the message names a field.
  const namesField = /\b(?:metadata|spec)\.[A-Za-z]/;
  for (const manifest of byApiserver) {
    const refused = await apiRefusal(create(manifest));
    expect({ file: manifest.file, refused }).toEqual({
      file: manifest.file,
      refused: expect.stringContaining(manifest.expect),
    });
    expect({ file: manifest.file, refused }).toEqual({
      file: manifest.file,
      refused: expect.stringMatching(namesField),
    });
    passed.byApiserver++;
  }
  for (const manifest of byController) await create(manifest);

  const kubelet = new FakeKubelet(kc, namespace);
  await kubelet.playTrial('good-1', 0, 1000, 1000);
  await kubelet.succeeded('good-1-cleanup', '');
  await kubelet.waitForRun('good-1', (r) => r.status?.phase === 'Succeeded');
  passed.good = 'Succeeded';

  for (const manifest of byController) {
    const name = (manifest.object as unknown as SwitchBenchmark).metadata.name as string;
    const refused = await waitFor(async () => {
      const b = (await custom.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: BENCHMARK_PLURAL,
        name,
      })) as SwitchBenchmark;
      return b.status?.phase === 'Invalid' ? b : undefined;
    }, 200);
    const ready = refused.status?.conditions?.find((c) => c.type === 'Ready');
    expect({ file: manifest.file, ready }).toMatchObject({
      file: manifest.file,
      ready: { status: 'False', reason: 'InvalidSpec', message: expect.stringContaining(manifest.expect) },
    });
    expect({ file: manifest.file, message: ready?.message }).toEqual({
      file: manifest.file,
      message: expect.stringMatching(namesField),
    });
    expect(await kubelet.run(`${name}-1`)).toBeUndefined();
    passed.byController++;
  }
});
