// The CRDs against a real kube-apiserver: they install, every example is accepted, every manifest of
// the invalid corpus is rejected by the party its header names, with its message, and a run's spec
// cannot be changed once written. The OpenAPI bounds and CEL rules get their first real check here.
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { GROUP, RUN_PLURAL, VERSION } from '../../src/api/v1alpha1/types.js';
import { apiRefusal, loadCrds, loadExamples, loadInvalidCorpus } from '../invalid/corpus.js';
import { createNamespace, installCrds, kubeConfig, waitFor } from './kube.js';

const kc = kubeConfig();
const extensions = kc.makeApiClient(ApiextensionsV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const core = kc.makeApiClient(CoreV1Api);
const crds = loadCrds() as unknown as V1CustomResourceDefinition[];
const corpus = loadInvalidCorpus();
const examples = loadExamples();
let namespace: string;
// What the summary line reports: counted only once a case's assertions have passed.
const passed = { rejected: 0, forController: 0, examples: 0, immutable: false };

beforeAll(async () => {
  await installCrds(kc);
  namespace = await createNamespace(core, 'crds');
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace });
  const apiserverCases = corpus.filter((m) => m.rejectedBy === 'apiserver').length;
  console.log(
    `bad-input (apiserver): ${corpus.length} invalid manifests: ${passed.rejected} of ${apiserverCases} rejected by the apiserver with their message, ` +
      `${passed.forController} of ${corpus.length - apiserverCases} passed on to the controller; ${passed.examples} of ${examples.length} examples accepted; ` +
      `a SwitchBenchmarkRun's spec update ${passed.immutable ? 'refused' : 'NOT shown to be refused'}`,
  );
});

/** Server-side dry-run create, with unknown fields rejected as `kubectl apply` does. */
async function dryRunCreate(object: Record<string, unknown>): Promise<void> {
  const [group, version] = String(object.apiVersion).split('/');
  const crd = crds.find((c) => c.spec.group === group && c.spec.names.kind === object.kind);
  if (!crd || !group || !version)
    throw new Error(`no CRD in crds/ serves ${String(object.apiVersion)} ${String(object.kind)}`);
  const common = { group, version, plural: crd.spec.names.plural, dryRun: 'All', fieldValidation: 'Strict' };
  if (crd.spec.scope === 'Namespaced') {
    await custom.createNamespacedCustomObject({ ...common, namespace, body: object });
  } else {
    await custom.createClusterCustomObject({ ...common, body: object });
  }
}

const rejection = (object: Record<string, unknown>) => apiRefusal(dryRunCreate(object));

test('every CRD in crds/ is established', async () => {
  expect(crds.length).toBeGreaterThan(0);
  for (const crd of crds) {
    const established = await waitFor(async () => {
      const live = await extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
      const conditions = live.status?.conditions ?? [];
      if (conditions.some((c) => c.type === 'NamesAccepted' && c.status === 'False')) {
        throw new Error(`${crd.metadata?.name}: names not accepted: ${JSON.stringify(conditions)}`);
      }
      return conditions.find((c) => c.type === 'Established' && c.status === 'True');
    });
    expect(established).toBeDefined();
  }
});

describe('examples/', () => {
  test.each(examples.map((e) => [e.file, e] as const))('%s is accepted', async (_file, example) => {
    expect(example.objects.length).toBeGreaterThan(0);
    for (const object of example.objects) expect(await rejection(object)).toBeUndefined();
    passed.examples++;
  });
});

describe('invalid corpus', () => {
  const byApiserver = corpus.filter((m) => m.rejectedBy === 'apiserver');
  const byController = corpus.filter((m) => m.rejectedBy === 'controller');

  test.each(byApiserver.map((m) => [m.file, m] as const))('%s is rejected by the apiserver', async (_file, m) => {
    const message = await rejection(m.object);
    expect(message).toBeDefined();
    expect(message).toContain(m.expect);
    passed.rejected++;
  });

  // These pass the schema; only the controller can tell (a time zone that does not exist, ...).
  test.each(byController.map((m) => [m.file, m] as const))(
    '%s passes the apiserver for the controller to reject',
    async (_file, m) => {
      expect(await rejection(m.object)).toBeUndefined();
      passed.forController++;
    },
  );
});

// A transition rule: no create can break it, so the corpus cannot hold its case.
test("a SwitchBenchmarkRun's spec is refused any change once created; its metadata may still change", async () => {
  const name = 'immutable-1';
  const common = { group: GROUP, version: VERSION, namespace, plural: RUN_PLURAL, name };
  await custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: RUN_PLURAL,
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'SwitchBenchmarkRun',
      metadata: { name, namespace },
      spec: {
        benchmarkName: 'immutable',
        benchmarkGeneration: 1,
        trigger: 'initial',
        // A number written as an integer (lossRatios: [0]): CEL once compared it unequal to itself,
        // refusing every later write of the run, the metadata change below among them.
        benchmark: { datapath: 'memif', method: { type: 'ndr-pdr', ndrPdr: { lossRatios: [0] } } },
      },
    },
  });
  try {
    const created = (await custom.getNamespacedCustomObject(common)) as {
      metadata: Record<string, unknown>;
      spec: Record<string, unknown>;
    };
    const replace = (change: { metadata?: Record<string, unknown>; spec?: Record<string, unknown> }) =>
      apiRefusal(custom.replaceNamespacedCustomObject({ ...common, body: { ...created, ...change } }));
    expect(await replace({ spec: { ...created.spec, benchmarkGeneration: 2 } })).toMatch(
      /^422: .*spec: Invalid value: "object": spec of a SwitchBenchmarkRun is immutable/,
    );
    expect(await replace({ spec: { ...created.spec, trigger: 'manual' } })).toContain(
      'spec of a SwitchBenchmarkRun is immutable',
    );

    // The rule holds spec alone: metadata (the operator's cleanup finalizer, labels) may still change.
    const labels = { 'switchbench.io/benchmark': 'immutable' };
    expect(await replace({ metadata: { ...created.metadata, labels } })).toBeUndefined();
    expect(await custom.getNamespacedCustomObject(common)).toMatchObject({ metadata: { labels }, spec: created.spec });
    passed.immutable = true;
  } finally {
    await custom.deleteNamespacedCustomObject(common);
  }
});
