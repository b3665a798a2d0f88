// The chart as a user installs it: `helm install` on the local cluster brings the operator up (two
// replicas, one leader), a benchmark runs through it, a user allowed only to create SwitchBenchmarks
// is refused in a namespace no admin enabled, the operator's permissions are exactly the documented
// ones, and `helm uninstall` leaves nothing of the release.
import { CoordinationV1Api } from '@kubernetes/client-node';
import { GROUP, VERSION } from '../../src/api/v1alpha1/types.js';
import { createNamespace, waitFor } from '../cluster/kube.js';
import { e2eSession, sweepSpec } from './support.js';
import { helm, kubectl, ok, sh } from './tools.js';

const session = e2eSession('e2e-helm-idle');
const RELEASE = 'sbe2e';
let releaseNamespace: string;

beforeAll(async () => {
  // The operator image from this checkout (the bundle first: the image copies it).
  ok('npm', ['run', 'build']);
  ok('bash', ['images/build.sh', 'operator']);
  releaseNamespace = await createNamespace(session.core, 'e2e-helm');
});

afterAll(async () => {
  sh(helm, ['uninstall', RELEASE, '-n', releaseNamespace, '--wait']);
  await session.core.deleteNamespace({ name: releaseNamespace }).catch(() => undefined);
});

test('helm install: the operator comes up, runs a benchmark, refuses unenabled namespaces, holds only its documented rights; uninstall leaves nothing', async () => {
  // The CRDs are already installed by the tier (as they would be by an earlier release): the chart's
  // crds/ are skipped, as Helm does for existing CRDs. The release watches one namespace, so that it
  // never meets the operators of other test runs sharing this cluster.
  const namespace = await createNamespace(session.core, 'e2e-helm-bench');
  ok(helm, ['install', RELEASE, 'charts/switchbench', '-n', releaseNamespace, '--set', 'image.pullPolicy=Never', '--set', `watchNamespace=${namespace}`, '--wait', '--timeout', '180s']);
  const deployment = `${RELEASE}-operator`;
  const lease = await waitFor(
    () => session.kc.makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace: releaseNamespace, name: 'switchbench-operator' }).then((l) => l.spec?.holderIdentity || undefined, () => undefined),
    500,
  );
  expect(lease).toMatch(new RegExp(`^${deployment}-`));

  // A benchmark through the chart's operator (its namespace enabled, as an admin would).
  try {
    await session.custom.createNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: 'switchbenchmarks',
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'SwitchBenchmark',
        metadata: { name: 'charted', namespace },
        spec: sweepSpec('memif', [5000]),
      },
    });
    const run = await waitFor(async () => {
      const current = (await session.custom.getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'switchbenchmarkruns', name: 'charted-1' }).catch(() => undefined)) as
        | { status?: { phase?: string; trials?: unknown[] } }
        | undefined;
      return current?.status?.phase === 'Succeeded' || current?.status?.phase === 'Failed' ? current : undefined;
    }, 1000);
    expect({ phase: run.status?.phase, trials: run.status?.trials?.length }).toEqual({ phase: 'Succeeded', trials: 1 });
  } finally {
    await session.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }

  // A user who may only create SwitchBenchmarks, in a namespace no admin enabled: refused at the API.
  const closed = await createNamespace(session.core, 'e2e-helm-closed', false);
  try {
    ok(kubectl, ['-n', closed, 'create', 'role', 'bench-author', '--verb=create', '--resource=switchbenchmarks.switchbench.io']);
    ok(kubectl, ['-n', closed, 'create', 'rolebinding', 'bench-author', '--role=bench-author', '--user=alice']);
    const manifest = JSON.stringify({ apiVersion: `${GROUP}/${VERSION}`, kind: 'SwitchBenchmark', metadata: { name: 'sneaky', namespace: closed }, spec: { datapath: 'memif' } });
    const refused = await waitFor(async () => {
      const attempt = sh(kubectl, ['--as', 'alice', 'create', '-f', '-'], manifest);
      // The policy takes a moment to be loaded by the apiserver after the install.
      return attempt.status !== 0 && attempt.out.includes('not enabled for benchmarks') ? attempt.out : undefined;
    }, 1000);
    expect(refused).toContain(`namespace ${closed} is not enabled for benchmarks: an admin enables it with kubectl label namespace ${closed} switchbench.io/enabled=true`);
    expect((await session.core.listNamespacedPod({ namespace: closed })).items).toEqual([]);
  } finally {
    await session.core.deleteNamespace({ name: closed }).catch(() => undefined);
  }

  // What the operator's service account may do is what docs/security.md lists.
  const account = `system:serviceaccount:${releaseNamespace}:${deployment}`;
  const clusterRights = ok(kubectl, ['auth', 'can-i', '--list', '--as', account, '-n', 'default']);
  const rows = (text: string) =>
    text
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s{2,}/))
      .filter((cols) => cols.length >= 4 && !cols[0]?.startsWith('selfsubject') && cols[0] !== '')
      .map(([resource, , , verbs]) => `${resource} ${verbs}`)
      .sort();
  expect(rows(clusterRights)).toEqual(expect.arrayContaining(['pods [get list watch create delete]', 'namespaces [get list watch]', 'events [create]']));
  expect(clusterRights).not.toMatch(/^secrets|pods\/exec|nodes\/proxy/m);
  expect(rows(ok(kubectl, ['auth', 'can-i', '--list', '--as', account, '-n', releaseNamespace])).filter((r) => r.startsWith('leases'))).toEqual([
    'leases.coordination.k8s.io [get list watch create update delete]',
  ]);
  expect(sh(kubectl, ['auth', 'can-i', 'get', 'secrets', '--as', account, '-n', releaseNamespace]).out.trim()).toBe('no');

  ok(helm, ['uninstall', RELEASE, '-n', releaseNamespace, '--wait']);
  // The Deployment's pods stop with their grace period after the uninstall returns.
  const left = await waitFor(() => {
    const names = ok(kubectl, ['get', 'all,serviceaccounts,roles,rolebindings', '-n', releaseNamespace, '-l', `app.kubernetes.io/instance=${RELEASE}`, '-o', 'name']);
    return Promise.resolve(names.trim() === '' ? names : undefined);
  }, 1000);
  const clusterLeft = ok(kubectl, ['get', 'clusterroles,clusterrolebindings,validatingadmissionpolicies,validatingadmissionpolicybindings', '-l', `app.kubernetes.io/instance=${RELEASE}`, '-o', 'name']);
  expect({ left: left.trim(), clusterLeft: clusterLeft.trim() }).toEqual({ left: '', clusterLeft: '' });
});
