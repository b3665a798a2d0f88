// The CRDs against a real kube-apiserver: they install, every example is accepted, and every
// manifest of the invalid corpus is rejected by the party its header names, with its message.
// The OpenAPI bounds and CEL rules get their first real check here.
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { loadCrds, loadExamples, loadInvalidCorpus } from '../invalid/corpus.js';
import { createNamespace, installCrds, kubeConfig, waitFor } from './kube.js';

const kc = kubeConfig();
const extensions = kc.makeApiClient(ApiextensionsV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const core = kc.makeApiClient(CoreV1Api);
const crds = loadCrds() as unknown as V1CustomResourceDefinition[];
let namespace: string;

beforeAll(async () => {
  await installCrds(kc);
  namespace = await createNamespace(core, 'crds');
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace });
});

/** Server-side dry-run create, with unknown fields rejected as `kubectl apply` does. */
async function dryRunCreate(object: Record<string, unknown>): Promise<void> {
  const [group, version] = String(object.apiVersion).split('/');
  const crd = crds.find((c) => c.spec.group === group && c.spec.names.kind === object.kind);
  if (!crd || !group || !version) throw new Error(`no CRD in crds/ serves ${String(object.apiVersion)} ${String(object.kind)}`);
  const common = { group, version, plural: crd.spec.names.plural, dryRun: 'All', fieldValidation: 'Strict' };
  if (crd.spec.scope === 'Namespaced') {
    await custom.createNamespacedCustomObject({ ...common, namespace, body: object });
  } else {
    await custom.createClusterCustomObject({ ...common, body: object });
  }
}

/** The message the apiserver gave for rejecting `object`, or undefined if it accepted it. */
async function rejection(object: Record<string, unknown>): Promise<string | undefined> {
  try {
    await dryRunCreate(object);
    return undefined;
  } catch (err) {
    if (!(err instanceof ApiException)) throw err;
    const body = typeof err.body === 'string' ? err.body : JSON.stringify(err.body);
    return `${err.code}: ${(JSON.parse(body) as { message?: string }).message ?? body}`;
  }
}

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
  test.each(loadExamples().map((e) => [e.file, e] as const))('%s is accepted', async (_file, example) => {
    expect(example.objects.length).toBeGreaterThan(0);
    for (const object of example.objects) expect(await rejection(object)).toBeUndefined();
  });
});

describe('invalid corpus', () => {
  const corpus = loadInvalidCorpus();
  const byApiserver = corpus.filter((m) => m.rejectedBy === 'apiserver');
  const byController = corpus.filter((m) => m.rejectedBy === 'controller');

  test.each(byApiserver.map((m) => [m.file, m] as const))('%s is rejected by the apiserver', async (_file, m) => {
    const message = await rejection(m.object);
    expect(message).toBeDefined();
    expect(message).toContain(m.expect);
  });

  // These pass the schema; only the controller can tell (a time zone that does not exist, ...).
  test.each(byController.map((m) => [m.file, m] as const))('%s passes the apiserver for the controller to reject', async (_file, m) => {
    expect(await rejection(m.object)).toBeUndefined();
  });
});
