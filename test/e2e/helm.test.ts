// The chart as a user installs it: images pushed to the cluster's registry and pulled from it by the
// node, `helm install` brings the operator up (two replicas, one leader) and owns the CRDs, a testpmd
// benchmark runs through it while `helm upgrade` rolls the operator to a new image tag, a user
// allowed only to create SwitchBenchmarks is refused in a namespace no admin enabled, the operator's
// permissions are exactly the documented ones, and `helm uninstall` leaves nothing of the release
// but the CRDs it keeps.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { GROUP, VERSION, type SwitchBenchmarkRun } from '../../src/api/v1alpha1/types.js';
import { CLEANUP_FINALIZER } from '../../src/api/v1alpha1/labels.js';
import { createNamespace, waitFor } from '../cluster/kube.js';
import { e2eSession, sweepSpec } from './support.js';
import { clusterValue, helm, kubectl, ok, root, sh } from './tools.js';

const session = e2eSession('e2e-helm-idle');
const RELEASE = 'sbe2e';
let releaseNamespace: string;
// Tags of this test run's own: the node must pull the images from the registry, which alone has them.
// The second is what `helm upgrade` moves to.
const REGISTRY = clusterValue('LOCAL_REGISTRY');
const TAG = `e2e-${Date.now()}`;
const NEXT_TAG = `${TAG}-next`;
const FROM_REGISTRY = ['--set', `imageRegistry=${REGISTRY}`, '--set', `imageTag=${TAG}`];
const CRDS = ['switchbenchmarks.switchbench.io', 'switchbenchmarkruns.switchbench.io'];
/** What says which release owns a resource, as Helm reads it before it adopts one. */
const OWNERSHIP = {
  label: 'app.kubernetes.io/managed-by',
  release: 'meta.helm.sh/release-name',
  namespace: 'meta.helm.sh/release-namespace',
} as const;
type Ownership = Record<keyof typeof OWNERSHIP, string | undefined>;

function crdOwnership(crd: string): Ownership {
  const { metadata } = JSON.parse(ok(kubectl, ['get', 'crd', crd, '-o', 'json'])) as {
    metadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  };
  return {
    label: metadata.labels?.[OWNERSHIP.label],
    release: metadata.annotations?.[OWNERSHIP.release],
    namespace: metadata.annotations?.[OWNERSHIP.namespace],
  };
}

/** Sets (or, for undefined, removes) the ownership of a CRD, as kubectl label/annotate do. */
function setCrdOwnership(crd: string, owner: Ownership): void {
  const value = (key: string, v: string | undefined) => (v === undefined ? `${key}-` : `${key}=${v}`);
  ok(kubectl, ['label', 'crd', crd, '--overwrite', value(OWNERSHIP.label, owner.label)]);
  ok(kubectl, [
    ...['annotate', 'crd', crd, '--overwrite'],
    value(OWNERSHIP.release, owner.release),
    value(OWNERSHIP.namespace, owner.namespace),
  ]);
}
// The CRDs' owner before this file adopted them (the demo's release, or none), given back after.
const formerOwners = new Map<string, Ownership>();

type Scope = 'cluster' | 'operator namespace' | 'lock namespace' | 'Multus namespace';
/** The chart's default lockNamespace: one for every release in the cluster. */
const LOCK_NAMESPACE = 'switchbench-system';

/**
 * The operator's rights as the table in docs/security.md lists them: one `resource[.group][/sub]
 * [names] verb` per verb granted, and where it holds. A qualifier the parser does not know fails
 * the test rather than being read wrong.
 */
function documentedRights(): { right: string; scope: Scope }[] {
  const lines = readFileSync(path.join(root, 'docs/security.md'), 'utf8')
    .split('\n')
    .map((l) => l.trim());
  const header = lines.indexOf('| API group | resource | verbs | why |');
  if (header < 0) throw new Error('docs/security.md has no "| API group | resource | verbs | why |" table');
  const rows = lines.slice(header + 2);
  const rights: { right: string; scope: Scope }[] = [];
  for (const row of rows.slice(
    0,
    rows.findIndex((r) => !r.startsWith('|')),
  )) {
    const [groupCell = '', resourceCell = '', verbsCell = ''] = row
      .split('|')
      .slice(1)
      .map((c) => c.trim());
    const group = groupCell.startsWith('""') ? '' : groupCell;
    const [, resources = '', qualifier] = /^([^(]+?)(?: \((.+)\))?$/.exec(resourceCell) ?? [];
    let names = '';
    let scope: Scope = 'cluster';
    if (qualifier === 'operator namespace only') scope = 'operator namespace';
    else if (qualifier === 'lock namespace only') scope = 'lock namespace';
    else if (qualifier?.endsWith(', in its namespace')) scope = 'Multus namespace';
    else if (qualifier !== undefined) names = /^`([^`]+)` only$/.exec(qualifier)?.[1] ?? '';
    if (qualifier !== undefined && scope === 'cluster' && names === '')
      throw new Error(`docs/security.md: "${resourceCell}": a qualifier this test cannot read`);
    for (const resource of resources.split(', ')) {
      const [plural, sub] = resource.split('/');
      for (const verb of verbsCell.split(', '))
        rights.push({ right: `${plural}${group && `.${group}`}${sub ? `/${sub}` : ''} [${names}] ${verb}`, scope });
    }
  }
  if (rights.length === 0) throw new Error("docs/security.md: the operator's RBAC table has no rows");
  return rights;
}

const documented = (...scopes: Scope[]) =>
  [
    ...new Set(
      documentedRights()
        .filter((r) => scopes.includes(r.scope))
        .map((r) => r.right),
    ),
  ].sort();

// What the apiserver grants every authenticated user (system:basic-user): asking what it may do itself.
const EVERYONE = new Set([
  'selfsubjectreviews.authentication.k8s.io',
  'selfsubjectaccessreviews.authorization.k8s.io',
  'selfsubjectrulesreviews.authorization.k8s.io',
]);

/** `kubectl auth can-i --list` in the form of documentedRights, less what every authenticated user may do. */
function grantedRights(listing: string): string[] {
  const rights = listing
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      const [, resource, urls, names, verbs = ''] =
        /^(\S*)\s+\[([^\]]*)\]\s+\[([^\]]*)\]\s+\[([^\]]*)\]$/.exec(line.trimEnd()) ?? [];
      if (resource === undefined) throw new Error(`kubectl auth can-i --list: a line this test cannot read: ${line}`);
      // Non-resource URLs (discovery, health, version, the service account issuer) are readable by every
      // authenticated user (system:discovery, system:public-info-viewer): dropped while they are only read.
      if (resource === '' && verbs === 'get') return [];
      if (EVERYONE.has(resource)) return [];
      return verbs.split(' ').map((verb) => `${resource || urls} [${names}] ${verb}`);
    });
  return [...new Set(rights)].sort();
}

/** A sweep benchmark (memif unless said), created as a user would apply it. */
const createBenchmark = (namespace: string, name: string, rates: number[], datapath = 'memif') =>
  session.custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: 'switchbenchmarks',
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'SwitchBenchmark',
      metadata: { name, namespace },
      spec: sweepSpec(datapath, rates),
    },
  });

type Run = SwitchBenchmarkRun;
const readRun = (namespace: string, name: string) =>
  session.custom
    .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'switchbenchmarkruns', name })
    .then(
      (r) => r as Run,
      () => undefined,
    );
const finished = (namespace: string, name: string) =>
  waitFor(async () => {
    const run = await readRun(namespace, name);
    return run?.status?.phase === 'Succeeded' || run?.status?.phase === 'Failed' ? run : undefined;
  }, 1000);

beforeAll(async () => {
  // The images from this checkout (the bundle first: the operator's image copies it), in the registry.
  ok('npm', ['run', 'build']);
  for (const tag of [TAG, NEXT_TAG])
    ok('env', [
      `REGISTRY=${REGISTRY}`,
      `TAG=${tag}`,
      'PUSH=1',
      'bash',
      'images/build.sh',
      'operator',
      'traffic',
      'testpmd',
    ]);
  releaseNamespace = await createNamespace(session.core, 'e2e-helm');
  for (const crd of CRDS) formerOwners.set(crd, crdOwnership(crd));
});

afterAll(async () => {
  sh(helm, ['uninstall', RELEASE, '-n', releaseNamespace, '--wait']);
  await session.core.deleteNamespace({ name: releaseNamespace }).catch(() => undefined);
  for (const [crd, owner] of formerOwners) setCrdOwnership(crd, owner);
});

test('helm install from the registry: the operator comes up, runs a benchmark, refuses unenabled namespaces, holds only its documented rights; upgrade rolls it; uninstall leaves only the CRDs', async () => {
  // The tier applied the CRDs before (as kubectl apply or an earlier chart would have): the release
  // adopts them as the chart's README says, and installs and upgrades them from then on. The release
  // watches one namespace, so that it never meets the operators of other test runs sharing this cluster.
  for (const crd of CRDS) setCrdOwnership(crd, { label: 'Helm', release: RELEASE, namespace: releaseNamespace });
  const namespace = await createNamespace(session.core, 'e2e-helm-bench');
  ok(helm, [
    ...['install', RELEASE, 'charts/switchbench', '-n', releaseNamespace, ...FROM_REGISTRY],
    ...['--set', `watchNamespace=${namespace}`, '--wait', '--timeout', '180s'],
  ]);
  const deploymentImage = () =>
    ok(kubectl, [
      'get',
      'deployment',
      `${RELEASE}-operator`,
      '-n',
      releaseNamespace,
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
  expect(deploymentImage()).toBe(`${REGISTRY}/switchbench-operator:${TAG}`);
  const pulled = ok(kubectl, [
    'get',
    'events',
    '-n',
    releaseNamespace,
    '--field-selector',
    'reason=Pulled',
    '-o',
    'jsonpath={.items[*].message}',
  ]);
  expect(pulled).toContain(`${REGISTRY}/switchbench-operator:${TAG}`);
  const deployment = `${RELEASE}-operator`;
  const lease = await waitFor(
    () =>
      session.kc
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ namespace: releaseNamespace, name: 'switchbench-operator' })
        .then(
          (l) => l.spec?.holderIdentity || undefined,
          () => undefined,
        ),
    500,
  );
  expect(lease).toMatch(new RegExp(`^${deployment}-`));

  // A testpmd benchmark through the chart's operator (its namespace enabled, as an admin would),
  // during which an upgrade moves the operator to a new image tag: the new leader carries the run
  // on, and the trials finished before the upgrade stay as they were recorded.
  try {
    await createBenchmark(namespace, 'charted', [5000, 6000, 7000], 'testpmd');
    const before = await waitFor(async () => {
      const run = await readRun(namespace, 'charted-1');
      return (run?.status?.trials?.length ?? 0) >= 1 ? run : undefined;
    }, 500);
    ok(helm, [
      ...['upgrade', RELEASE, 'charts/switchbench', '-n', releaseNamespace, '--reuse-values'],
      ...['--set', `imageTag=${NEXT_TAG}`, '--set', 'logLevel=debug', '--wait', '--timeout', '180s'],
    ]);
    ok(kubectl, ['rollout', 'status', `deployment/${deployment}`, '-n', releaseNamespace, '--timeout=180s']);
    expect(deploymentImage()).toBe(`${REGISTRY}/switchbench-operator:${NEXT_TAG}`);
    const args = ok(kubectl, [
      ...['get', 'deployment', deployment, '-n', releaseNamespace],
      ...['-o', 'jsonpath={.spec.template.spec.containers[0].args}'],
    ]);
    expect(args).toContain('--log-level=debug');
    const run = await finished(namespace, 'charted-1');
    expect({ phase: run.status?.phase, trials: run.status?.trials?.length }).toEqual({ phase: 'Succeeded', trials: 3 });
    expect(run.status?.trials?.slice(0, before.status?.trials?.length)).toEqual(before.status?.trials);
    // The run's teardown ends before its namespace goes: a terminating namespace refuses the cleanup
    // pod, and the run's finalizer would then outlive the uninstalled operator.
    await waitFor(async () => {
      const current = await readRun(namespace, 'charted-1');
      return current?.metadata.finalizers?.includes(CLEANUP_FINALIZER) ? undefined : current;
    }, 500);
  } finally {
    await session.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }

  // A user who may only create SwitchBenchmarks, in a namespace no admin enabled: refused at the API.
  const closed = await createNamespace(session.core, 'e2e-helm-closed', false);
  try {
    ok(kubectl, [
      '-n',
      closed,
      'create',
      'role',
      'bench-author',
      '--verb=create',
      '--resource=switchbenchmarks.switchbench.io',
    ]);
    ok(kubectl, ['-n', closed, 'create', 'rolebinding', 'bench-author', '--role=bench-author', '--user=alice']);
    const manifest = JSON.stringify({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'SwitchBenchmark',
      metadata: { name: 'sneaky', namespace: closed },
      spec: { datapath: 'memif' },
    });
    const refused = await waitFor(async () => {
      const attempt = sh(kubectl, ['--as', 'alice', 'create', '-f', '-'], manifest);
      // The policy takes a moment to be loaded by the apiserver after the install.
      return attempt.status !== 0 && attempt.out.includes('not enabled for benchmarks') ? attempt.out : undefined;
    }, 1000);
    expect(refused).toContain(
      `namespace ${closed} is not enabled for benchmarks: an admin enables it with kubectl label namespace ${closed} switchbench.io/enabled=true`,
    );
    expect((await session.core.listNamespacedPod({ namespace: closed })).items).toEqual([]);

    // The chart's author role, bound as an admin would: benchmarks yes, runs never (only the operator
    // creates runs, so every run's spec passed admission as a benchmark's).
    ok(kubectl, [
      '-n',
      closed,
      'create',
      'rolebinding',
      'author',
      `--clusterrole=${RELEASE}-operator-author`,
      '--user=bob',
    ]);
    const can = (verb: string, resource: string) =>
      sh(kubectl, ['auth', 'can-i', verb, resource, '--as', 'bob', '-n', closed]).out.trim();
    expect({
      createBenchmark: can('create', 'switchbenchmarks.switchbench.io'),
      readRuns: can('list', 'switchbenchmarkruns.switchbench.io'),
      createRun: can('create', 'switchbenchmarkruns.switchbench.io'),
      deleteRun: can('delete', 'switchbenchmarkruns.switchbench.io'),
    }).toEqual({ createBenchmark: 'yes', readRuns: 'yes', createRun: 'no', deleteRun: 'no' });
    const run = JSON.stringify({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'SwitchBenchmarkRun',
      metadata: { name: 'forged', namespace: closed },
      spec: { benchmarkName: 'forged', benchmarkGeneration: 1, trigger: 'manual', benchmark: { datapath: 'memif' } },
    });
    expect(sh(kubectl, ['--as', 'bob', 'create', '-f', '-'], run).out).toMatch(/forbidden/i);
  } finally {
    await session.core.deleteNamespace({ name: closed }).catch(() => undefined);
  }

  // What the operator's service account may do is exactly what docs/security.md lists: its ClusterRole
  // everywhere, its Leases in the release namespace only. The Multus DaemonSet's row needs
  // --multus-daemonset, which the default install does not set.
  const account = `system:serviceaccount:${releaseNamespace}:${deployment}`;
  const canI = (namespace: string) =>
    grantedRights(ok(kubectl, ['auth', 'can-i', '--list', '--as', account, '-n', namespace]));
  expect(canI('default')).toEqual(documented('cluster'));
  expect(canI(releaseNamespace)).toEqual(documented('cluster', 'operator namespace'));
  expect(canI(LOCK_NAMESPACE)).toEqual(documented('cluster', 'lock namespace'));
  expect(sh(kubectl, ['auth', 'can-i', 'get', 'secrets', '--as', account, '-n', releaseNamespace]).out.trim()).toBe(
    'no',
  );

  ok(helm, ['uninstall', RELEASE, '-n', releaseNamespace, '--wait']);
  // The CRDs stay (crds.keep), and with them every benchmark's results.
  for (const crd of CRDS) {
    const kept = JSON.parse(ok(kubectl, ['get', 'crd', crd, '-o', 'json'])) as {
      metadata: { annotations?: Record<string, string> };
    };
    expect([crd, kept.metadata.annotations?.['helm.sh/resource-policy']]).toEqual([crd, 'keep']);
  }
  // The Deployment's pods stop with their grace period after the uninstall returns.
  const left = await waitFor(() => {
    const names = ok(kubectl, [
      'get',
      'all,serviceaccounts,roles,rolebindings',
      '-n',
      releaseNamespace,
      '-l',
      `app.kubernetes.io/instance=${RELEASE}`,
      '-o',
      'name',
    ]);
    return Promise.resolve(names.trim() === '' ? names : undefined);
  }, 1000);
  const clusterLeft = ok(kubectl, [
    'get',
    'clusterroles,clusterrolebindings,validatingadmissionpolicies,validatingadmissionpolicybindings',
    '-l',
    `app.kubernetes.io/instance=${RELEASE}`,
    '-o',
    'name',
  ]);
  expect({ left: left.trim(), clusterLeft: clusterLeft.trim() }).toEqual({ left: '', clusterLeft: '' });
});

test('two releases share one lock per node: a run of one queues behind a run of the other', async () => {
  // Two installations, each watching a namespace of its own, both with the chart's default lock namespace.
  const releases = ['sbe2e-a', 'sbe2e-b'] as const;
  const namespaces: string[] = [];
  try {
    for (const release of releases) {
      const installedIn = await createNamespace(session.core, `e2e-${release}`);
      const watched = await createNamespace(session.core, `e2e-${release}-bench`);
      namespaces.push(installedIn, watched);
      // The CRDs are owned elsewhere: neither release installs them.
      ok(helm, [
        ...['install', release, 'charts/switchbench', '-n', installedIn, ...FROM_REGISTRY],
        ...['--set', 'crds.enabled=false', '--set', 'replicas=1', '--set', `watchNamespace=${watched}`],
        ...['--set', 'grafanaDashboard.enabled=false', '--wait', '--timeout', '180s'],
      ]);
    }
    const [, benchA, , benchB] = namespaces as [string, string, string, string];
    // A: three trials, so that it holds the node while B arrives.
    await createBenchmark(benchA, 'shared-node', [5000, 6000, 7000]);
    await waitFor(
      async () => ((await readRun(benchA, 'shared-node-1'))?.status?.phase === 'Running' ? true : undefined),
      500,
    );
    await createBenchmark(benchB, 'shared-node', [5000]);
    const queued = await waitFor(async () => {
      const run = await readRun(benchB, 'shared-node-1');
      return run?.status?.phase === 'Queued' ? run : undefined;
    }, 250);
    expect(queued.status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
      reason: 'NodeBusy',
      message: expect.stringContaining(`${benchA}/shared-node-1`),
    });
    const phases = {
      a: (await finished(benchA, 'shared-node-1')).status?.phase,
      b: (await finished(benchB, 'shared-node-1')).status?.phase,
    };
    expect(phases).toEqual({ a: 'Succeeded', b: 'Succeeded' });
    // Each run's teardown (node lock, host directory, finalizer) ends before its operator is
    // uninstalled: an operator gone mid-teardown leaves the run's finalizer and Lease behind.
    for (const namespace of [benchA, benchB])
      await waitFor(async () => {
        const run = await readRun(namespace, 'shared-node-1');
        return run?.metadata.finalizers?.includes(CLEANUP_FINALIZER) ? undefined : true;
      }, 500);
  } finally {
    for (const release of releases)
      sh(helm, ['uninstall', release, '-n', namespaces[releases.indexOf(release) * 2] ?? '', '--wait']);
    for (const namespace of namespaces) await session.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
});
