import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');
const chart = path.join(root, 'charts/switchbench');
const helm = path.join(
  execFileSync('bash', ['-c', '. .ci/cluster/lib.sh && echo "$HELM_BIN"'], { cwd: root, encoding: 'utf8' }).trim(),
  'helm',
);

interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: Record<string, unknown>;
  rules?: unknown[];
}

function run(args: string[]): { status: number | null; out: string } {
  const result = spawnSync(helm, args, { encoding: 'utf8' });
  if (result.error)
    throw new Error(
      `${helm} cannot run (${result.error.message}): make test-chart builds it (.ci/cluster/build-binaries.sh helm)`,
    );
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

function render(...set: string[]): Manifest[] {
  const { status, out } = run([
    'template',
    'sb',
    chart,
    '-n',
    'switchbench-system',
    ...set.flatMap((s) => ['--set', s]),
  ]);
  if (status !== 0) throw new Error(out);
  return parseAllDocuments(out.replace(/^walk\.go.*$/gm, ''))
    .map((d) => d.toJS() as Manifest)
    .filter(Boolean);
}
const find = (manifests: Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);
const container = (manifests: Manifest[]) =>
  (
    find(manifests, 'Deployment')[0]?.spec as {
      template: {
        spec: {
          containers: { args: string[]; securityContext: unknown; resources: Record<string, Record<string, string>> }[];
          securityContext: unknown;
        };
      };
    }
  ).template.spec;

test('helm lint --strict passes', () => {
  const { status, out } = run(['lint', '--strict', chart]);
  expect({ status, out }).toMatchObject({ status: 0, out: expect.stringContaining('0 chart(s) failed') });
});

test('defaults: two hardened replicas electing a leader, no CPU request, metrics Service, namespace policy', () => {
  const manifests = render();
  expect(find(manifests, 'Deployment')[0]?.spec).toMatchObject({ replicas: 2 });
  const pod = container(manifests);
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  const operator = (
    pod as unknown as {
      containers: { args: string[]; securityContext: unknown; resources: { requests: Record<string, string> } }[];
    }
  ).containers[0];
  expect(operator?.securityContext).toEqual({
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
  });
  expect(operator?.resources.requests).toEqual({ memory: '128Mi' });
  expect(operator?.args).toEqual(
    expect.arrayContaining([
      '--leader-elect',
      '--leader-election-namespace=switchbench-system',
      '--lock-namespace=switchbench-system',
      '--enabled-namespace-label=switchbench.io/enabled=true',
      '--node-label=switchbench.io/node=true',
      '--metrics-bind-address=:8080',
    ]),
  );
  expect(find(manifests, 'Service').map((m) => m.metadata.name)).toEqual(['sb-operator-metrics']);
  expect(find(manifests, 'ValidatingAdmissionPolicy').map((m) => m.metadata.name)).toEqual([
    'sb-operator-enabled-namespaces',
    'sb-operator-node-label',
  ]);
  expect([...find(manifests, 'ServiceMonitor'), ...find(manifests, 'PrometheusRule')]).toEqual([]);
});

describe('images', () => {
  const images = (manifests: Manifest[]) => {
    const pod = container(manifests) as unknown as { containers: { image: string; args: string[] }[] };
    const args = pod.containers[0]?.args ?? [];
    const daemonSets = find(manifests, 'DaemonSet') as unknown as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    }[];
    return {
      operator: pod.containers[0]?.image,
      traffic: args.find((a) => a.startsWith('--traffic-image=')),
      switches: args.filter((a) => a.startsWith('--switch-image=')),
      daemonSets: daemonSets.map((d) => d.spec.template.spec.containers[0]?.image),
    };
  };
  const pieces = ['multus.install=true', 'sriovDevicePlugin.install=true'];

  test('without a registry: the images images/build.sh imported, the operator naming its own switch images', () => {
    expect(images(render(...pieces))).toEqual({
      operator: 'localhost/switchbench-operator:dev',
      traffic: '--traffic-image=localhost/switchbench-traffic:dev',
      switches: [],
      daemonSets: ['localhost/switchbench-multus:dev', 'localhost/switchbench-sriov-device-plugin:dev'],
    });
  });

  test.each([
    ['the chart version by default', [], '0.1.0'],
    ['imageTag', ['imageTag=v2'], 'v2'],
  ])('imageRegistry names every image, tagged with %s', (_, tag, expected) => {
    const r = 'registry.example.com:5000/nfv';
    expect(images(render(`imageRegistry=${r}`, ...tag, ...pieces))).toEqual({
      operator: `${r}/switchbench-operator:${expected}`,
      traffic: `--traffic-image=${r}/switchbench-traffic:${expected}`,
      switches: ['testpmd', 'ovs-dpdk', 'vpp', 'snabb'].map(
        (d) => `--switch-image=${d}=${r}/switchbench-${d}:${expected}`,
      ),
      daemonSets: [`${r}/switchbench-multus:${expected}`, `${r}/switchbench-sriov-device-plugin:${expected}`],
    });
  });

  test('an image set explicitly wins over the registry', () => {
    expect(
      images(
        render(
          'imageRegistry=reg.example.com',
          'image.repository=mirror.example.com/op',
          'image.tag=1.2.3',
          'trafficImage=mirror.example.com/traffic:7',
          'switchImages.vpp=mirror.example.com/vpp:23.10',
          'multus.install=true',
          'multus.image=mirror.example.com/multus:4',
        ),
      ),
    ).toEqual({
      operator: 'mirror.example.com/op:1.2.3',
      traffic: '--traffic-image=mirror.example.com/traffic:7',
      switches: [
        '--switch-image=testpmd=reg.example.com/switchbench-testpmd:0.1.0',
        '--switch-image=ovs-dpdk=reg.example.com/switchbench-ovs-dpdk:0.1.0',
        '--switch-image=vpp=mirror.example.com/vpp:23.10',
        '--switch-image=snabb=reg.example.com/switchbench-snabb:0.1.0',
      ],
      daemonSets: ['mirror.example.com/multus:4'],
    });
  });

  test.each([
    ['imageRegistry=Registry_With_Caps', 'imageRegistry'],
    ['imageTag=-leading-dash', 'imageTag'],
  ])('%s is refused by the values schema, naming the field', (value, field) => {
    const { status, out } = run(['template', 'sb', chart, '--set', value]);
    expect(status).not.toBe(0);
    expect(out).toContain(`at '/${field}'`);
  });
});

describe('CRDs', () => {
  const crds = (...set: string[]) =>
    find(render(...set), 'CustomResourceDefinition').filter((m) =>
      m.metadata.name.endsWith('.switchbench.io'),
    ) as (Manifest & {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
    })[];

  test('installed and upgraded with the release, labelled as its objects and kept on uninstall', () => {
    const installed = crds();
    expect(installed.map((c) => c.metadata.name).sort()).toEqual([
      'switchbenchmarkruns.switchbench.io',
      'switchbenchmarks.switchbench.io',
    ]);
    for (const crd of installed) {
      expect(crd.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'Helm',
        'app.kubernetes.io/instance': 'sb',
      });
      expect(crd.metadata.annotations).toEqual({ 'helm.sh/resource-policy': 'keep' });
    }
  });

  test("the CRDs are the repository's crds/, unchanged", () => {
    for (const crd of crds()) {
      const file = `crds/switchbench.io_${crd.metadata.name.split('.')[0]}.yaml`;
      const source = parseAllDocuments(readFileSync(path.join(root, file), 'utf8'))[0]?.toJS() as Manifest;
      expect([file, crd.spec]).toEqual([file, source.spec]);
    }
  });

  test('crds.keep=false lets uninstall delete them; crds.enabled=false leaves them to the user', () => {
    expect(crds('crds.keep=false').map((c) => c.metadata.annotations)).toEqual([undefined, undefined]);
    expect(crds('crds.enabled=false')).toEqual([]);
  });
});

test('RBAC is the documented least privilege: no secrets, no exec, leases only in the release namespace', () => {
  const manifests = render();
  const rules = (find(manifests, 'ClusterRole').find((r) => r.metadata.name === 'sb-operator')?.rules ?? []) as {
    apiGroups: string[];
    resources: string[];
    resourceNames?: string[];
    verbs: string[];
  }[];
  const flat = rules
    .flatMap((r) =>
      r.resources.map(
        (res) =>
          `${r.apiGroups[0] || 'core'}/${res}${r.resourceNames ? `[${r.resourceNames.join(',')}]` : ''}: ${[...r.verbs].sort().join(',')}`,
      ),
    )
    .sort();
  expect(flat).toEqual([
    'apiextensions.k8s.io/customresourcedefinitions[network-attachment-definitions.k8s.cni.cncf.io]: get',
    'core/configmaps: create,delete',
    'core/events: create',
    'core/namespaces: get,list,watch',
    'core/nodes: get,list,watch',
    'core/pods: create,delete,get,list,watch',
    'k8s.cni.cncf.io/network-attachment-definitions: create,delete',
    'switchbench.io/switchbenchmarkruns/finalizers: update',
    'switchbench.io/switchbenchmarkruns/status: get,update',
    'switchbench.io/switchbenchmarkruns: create,delete,get,list,patch,watch',
    'switchbench.io/switchbenchmarks/finalizers: update',
    'switchbench.io/switchbenchmarks/status: get,update',
    'switchbench.io/switchbenchmarks: get,list,watch',
  ]);
  const role = find(manifests, 'Role')[0] as Manifest;
  expect(role.metadata.namespace).toBe('switchbench-system');
  expect(role.rules).toEqual([
    {
      apiGroups: ['coordination.k8s.io'],
      resources: ['leases'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'delete'],
    },
  ]);
  // Multus and the device plugin are adopted by default: none of their objects, no Multus check.
  expect(manifests.filter((m) => /multus|sriov|network-attachment/.test(m.metadata.name))).toEqual([]);
  expect(
    (container(manifests) as unknown as { containers: { args: string[] }[] }).containers[0]?.args.some((a) =>
      a.startsWith('--multus-daemonset'),
    ),
  ).toBe(false);
});

describe('Multus and the SR-IOV device plugin', () => {
  const PATHS = [
    'multus.cniConfDir=/var/lib/x/net.d',
    'multus.cniBinDir=/var/lib/x/bin',
    'sriovDevicePlugin.devicePluginDir=/var/lib/k/dp',
  ];
  type DaemonSet = Manifest & {
    spec: {
      template: {
        spec: {
          containers: { args?: string[]; image: string; securityContext: unknown }[];
          volumes: { name: string; hostPath?: { path: string } }[];
          hostNetwork: boolean;
        };
      };
    };
  };
  const daemonSet = (manifests: Manifest[], name: string) =>
    find(manifests, 'DaemonSet').find((m) => m.metadata.name === name) as DaemonSet;

  test('installed: the thin Multus DaemonSet on the configured CNI directories, its CRD (kept on uninstall), and the operator checks it', () => {
    const manifests = render('multus.install=true', ...PATHS);
    const multus = daemonSet(manifests, 'sb-multus');
    const pod = multus.spec.template.spec;
    expect(pod.containers[0]?.image).toBe('localhost/switchbench-multus:dev');
    expect(pod.containers[0]?.args).toEqual(
      expect.arrayContaining([
        '--multus-conf-file=auto',
        '--multus-kubeconfig-file-host=/var/lib/x/net.d/multus.d/multus.kubeconfig',
        '--cleanup-config-on-exit',
      ]),
    );
    expect(pod.volumes.map((v) => v.hostPath?.path)).toEqual(['/var/lib/x/net.d', '/var/lib/x/bin']);
    const crd = find(manifests, 'CustomResourceDefinition').find((m) =>
      m.metadata.name.endsWith('.k8s.cni.cncf.io'),
    ) as Manifest & {
      metadata: { annotations: Record<string, string> };
    };
    expect(crd.metadata).toMatchObject({
      name: 'network-attachment-definitions.k8s.cni.cncf.io',
      annotations: { 'helm.sh/resource-policy': 'keep' },
    });
    expect((container(manifests) as unknown as { containers: { args: string[] }[] }).containers[0]?.args).toContain(
      '--multus-daemonset=switchbench-system/sb-multus',
    );
    const check = find(manifests, 'Role').find((r) => r.metadata.name === 'sb-operator-multus-check');
    expect(check?.rules).toEqual([
      { apiGroups: ['apps'], resources: ['daemonsets'], resourceNames: ['sb-multus'], verbs: ['get'] },
    ]);
  });

  test("adopted: no Multus objects; the operator checks the cluster's own DaemonSet with a Role in its namespace", () => {
    const manifests = render('multus.daemonSet.namespace=kube-system', 'multus.daemonSet.name=kube-multus-ds');
    expect(find(manifests, 'DaemonSet')).toEqual([]);
    expect((container(manifests) as unknown as { containers: { args: string[] }[] }).containers[0]?.args).toContain(
      '--multus-daemonset=kube-system/kube-multus-ds',
    );
    expect(
      find(manifests, 'Role').find((r) => r.metadata.name === 'sb-operator-multus-check')?.metadata.namespace,
    ).toBe('kube-system');
  });

  test("the device plugin's resource list becomes its own config format, selectors left out matching anything", () => {
    const manifests = render(
      'sriovDevicePlugin.install=true',
      ...PATHS,
      'sriovDevicePlugin.resourceList[0].resourceName=example.com/vf_dpdk',
      'sriovDevicePlugin.resourceList[0].driver=vfio-pci',
      'sriovDevicePlugin.resourceList[0].pfNames[0]=ens1f0',
    );
    const config = find(manifests, 'ConfigMap').find(
      (m) => m.metadata.name === 'sb-sriov-device-plugin',
    ) as Manifest & { data: Record<string, string> };
    expect(JSON.parse(config.data['config.json'] as string)).toEqual({
      resourceList: [
        {
          resourcePrefix: 'example.com',
          resourceName: 'vf_dpdk',
          selectors: { drivers: ['vfio-pci'], pfNames: ['ens1f0'] },
        },
      ],
    });
    const pod = daemonSet(manifests, 'sb-sriov-device-plugin').spec.template.spec;
    expect(pod.volumes.find((v) => v.name === 'device-plugins')?.hostPath?.path).toBe('/var/lib/k/dp');
    expect(pod.containers[0]?.args).toEqual(['--logtostderr', '-v=10', '--config-file=/etc/pcidp/config.json']);
  });
});

test.each<[string, string[], (args: string[]) => void]>([
  [
    'one replica without leader election',
    ['replicas=1', 'leaderElection.enabled=false'],
    (args) => expect(args.some((a) => a.startsWith('--leader-elect'))).toBe(false),
  ],
  ['a watched namespace', ['watchNamespace=team-a'], (args) => expect(args).toContain('--namespace=team-a')],
  [
    'allowed images per role, and switch images',
    ['allowedImages.traffic[0]=reg/x:1', 'allowedImages.switch[0]=reg/s:1', 'switchImages.testpmd=reg/tp:2'],
    (args) =>
      expect(args).toEqual(
        expect.arrayContaining([
          '--allow-traffic-image=reg/x:1',
          '--allow-switch-image=reg/s:1',
          '--switch-image=testpmd=reg/tp:2',
        ]),
      ),
  ],
  ['a node label of its own', ['nodeLabel=pool=nfv'], (args) => expect(args).toContain('--node-label=pool=nfv')],
])('%s', (_name, set, check) => {
  const operator = (container(render(...set)) as unknown as { containers: { args: string[] }[] }).containers[0];
  check(operator?.args ?? []);
});

test('the Grafana dashboard ships as a ConfigMap the sidecar picks up, with the generated JSON', () => {
  const map = find(render(), 'ConfigMap')[0] as Manifest & {
    metadata: { labels: Record<string, string> };
    data: Record<string, string>;
  };
  expect(map.metadata.labels.grafana_dashboard).toBe('1');
  const dashboard = JSON.parse(map.data['switchbench.json'] as string) as { uid: string; panels: { title: string }[] };
  expect(dashboard.uid).toBe('switchbench');
  expect(dashboard.panels.map((p) => p.title)).toEqual(
    expect.arrayContaining([expect.stringMatching(/^Figure 2/), expect.stringMatching(/^Figure 3/)]),
  );
  expect(find(render('grafanaDashboard.enabled=false'), 'ConfigMap')).toEqual([]);
});

test("monitoring objects carry kube-prometheus-stack's labels by default, and the namespace, labels and annotations given", () => {
  const on = ['metrics.serviceMonitor.enabled=true', 'metrics.prometheusRule.enabled=true'];
  const byDefault = render(...on);
  const metadataOf = (manifests: Manifest[], kind: string) =>
    find(manifests, kind)[0]?.metadata as unknown as {
      namespace: string;
      labels: Record<string, string>;
      annotations?: object;
    };
  expect(metadataOf(byDefault, 'ServiceMonitor')).toMatchObject({
    namespace: 'switchbench-system',
    labels: { release: 'kube-prometheus-stack' },
  });
  expect(metadataOf(byDefault, 'PrometheusRule').labels.release).toBe('kube-prometheus-stack');
  expect(metadataOf(byDefault, 'ConfigMap')).toMatchObject({
    labels: { grafana_dashboard: '1' },
    annotations: { grafana_folder: 'switchbench' },
  });
  const elsewhere = render(
    ...on,
    ...['serviceMonitor', 'prometheusRule'].flatMap((k) => [
      `metrics.${k}.namespace=monitoring`,
      `metrics.${k}.labels.release=kps`,
      `metrics.${k}.annotations.team=nfv`,
    ]),
    'grafanaDashboard.namespace=grafana',
    'grafanaDashboard.labels.dashboards=nfv',
  );
  for (const kind of ['ServiceMonitor', 'PrometheusRule'])
    expect(metadataOf(elsewhere, kind)).toMatchObject({
      namespace: 'monitoring',
      labels: { release: 'kps' },
      annotations: { team: 'nfv' },
    });
  expect(metadataOf(elsewhere, 'ConfigMap')).toMatchObject({ namespace: 'grafana', labels: { dashboards: 'nfv' } });
  // Wherever it lives, the ServiceMonitor selects the metrics Service in the release namespace.
  expect(find(elsewhere, 'ServiceMonitor')[0]?.spec).toMatchObject({
    namespaceSelector: { matchNames: ['switchbench-system'] },
    endpoints: [{ port: 'metrics', interval: '30s', honorLabels: true }],
  });
});

test('the operator pods take pull secrets and affinity; two replicas get a PodDisruptionBudget, one does not', () => {
  const manifests = render('imagePullSecrets[0].name=regcred', 'affinity.nodeAffinity.foo=bar');
  expect(container(manifests)).toMatchObject({
    imagePullSecrets: [{ name: 'regcred' }],
    affinity: { nodeAffinity: { foo: 'bar' } },
  });
  expect(find(manifests, 'PodDisruptionBudget')[0]?.spec).toMatchObject({
    minAvailable: 1,
    selector: { matchLabels: { 'app.kubernetes.io/instance': 'sb' } },
  });
  expect(find(render('replicas=1', 'leaderElection.enabled=false'), 'PodDisruptionBudget')).toEqual([]);
});

/**
 * NOTES.txt as `helm install` prints it. helm template leaves NOTES out and a dry-run install needs a
 * cluster, so a copy of the chart renders the same file through tpl, with the same values.
 */
function renderNotes(...set: string[]): string {
  const copy = mkdtempSync(path.join(os.tmpdir(), 'switchbench-chart-'));
  try {
    cpSync(chart, copy, { recursive: true, dereference: true });
    copyFileSync(path.join(copy, 'templates/NOTES.txt'), path.join(copy, 'notes.txt'));
    writeFileSync(
      path.join(copy, 'templates/zz-notes.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\ndata:\n  notes: {{ tpl (.Files.Get "notes.txt") . | quote }}\n',
    );
    const { status, out } = run([
      'template',
      'sb',
      copy,
      '-n',
      'switchbench-system',
      '--show-only',
      'templates/zz-notes.yaml',
      ...set.flatMap((s) => ['--set', s]),
    ]);
    if (status !== 0) throw new Error(out);
    return (
      parseAllDocuments(out).map((d) => d.toJS() as { data: { notes: string } })[0] as { data: { notes: string } }
    ).data.notes;
  } finally {
    rmSync(copy, { recursive: true, force: true });
  }
}

test('NOTES.txt gives the next steps with the values of this release', () => {
  const notes = renderNotes('nodeLabel=pool=nfv');
  expect(notes).toContain('kubectl label namespace NAMESPACE switchbench.io/enabled=true');
  expect(notes).toContain('kubectl label node NODE pool=nfv switchbench.io/cpu-manager-policy=static');
  expect(notes).toContain('kubectl -n NAMESPACE apply -f examples/testpmd.yaml');
  expect(notes).toContain('Node locks are Leases in namespace switchbench-system');
  expect(renderNotes('enabledNamespaceLabel=')).toContain('every namespace may: enabledNamespaceLabel is ""');
});

test('every namespace enabled: no namespace policy, the node-label policy stays', () => {
  expect(find(render('enabledNamespaceLabel='), 'ValidatingAdmissionPolicy').map((m) => m.metadata.name)).toEqual([
    'sb-operator-node-label',
  ]);
});

test('the node locks live in one namespace for every release: created when missing, kept on uninstall', () => {
  // The release namespace is the lock namespace by default here: nothing extra.
  const inRelease = render();
  expect(find(inRelease, 'Namespace')).toEqual([]);
  expect(find(inRelease, 'Role').map((r) => r.metadata.name)).toEqual(['sb-operator-leases']);
  const elsewhere = render('lockNamespace=bench-locks');
  expect(find(elsewhere, 'Namespace')).toEqual([
    expect.objectContaining({
      metadata: expect.objectContaining({
        name: 'bench-locks',
        annotations: { 'helm.sh/resource-policy': 'keep' },
      }),
    }),
  ]);
  const locks = find(elsewhere, 'Role').find((r) => r.metadata.name === 'sb-operator-node-locks') as Manifest;
  expect(locks.metadata.namespace).toBe('bench-locks');
  expect(find(elsewhere, 'RoleBinding').find((r) => r.metadata.name === 'sb-operator-node-locks')).toMatchObject({
    metadata: { namespace: 'bench-locks' },
    subjects: [{ kind: 'ServiceAccount', name: 'sb-operator', namespace: 'switchbench-system' }],
  });
  const operator = (container(elsewhere) as unknown as { containers: { args: string[] }[] }).containers[0];
  expect(operator?.args).toContain('--lock-namespace=bench-locks');
});

test('user roles: authors write SwitchBenchmarks and only read runs; aggregated into edit and view', () => {
  const roles = find(render(), 'ClusterRole');
  interface Role {
    metadata: { name: string; labels: Record<string, string> };
    rules: { resources: string[]; verbs: string[] }[];
  }
  const author = roles.find((r) => r.metadata.name === 'sb-operator-author') as unknown as Role;
  const runVerbs = author.rules
    .filter((rule) => rule.resources.includes('switchbenchmarkruns'))
    .flatMap((rule) => rule.verbs);
  expect(runVerbs.sort()).toEqual(['get', 'list', 'watch']);
  expect(author.metadata.labels['rbac.authorization.k8s.io/aggregate-to-edit']).toBe('true');
  expect(roles.find((r) => r.metadata.name === 'sb-operator-viewer')).toMatchObject({
    metadata: { labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
  });
  const plain = find(render('userRoles.aggregateToDefaultRoles=false'), 'ClusterRole');
  expect(plain.flatMap((r) => Object.keys((r as unknown as Role).metadata.labels))).not.toContain(
    'rbac.authorization.k8s.io/aggregate-to-edit',
  );
});

test.each([
  ['an unknown key', ['replica=3'], "additional properties 'replica' not allowed"],
  ['an unknown nested key', ['metrics.portt=1'], "additional properties 'portt' not allowed"],
  ['a CPU manager policy that does not exist', ['cpuManagerPolicy=dynamic'], 'cpuManagerPolicy'],
  ['a relative CNI directory', ['multus.cniConfDir=etc/cni'], 'cniConfDir'],
  [
    'a VF driver that does not exist',
    ['sriovDevicePlugin.resourceList[0].resourceName=a.io/b', 'sriovDevicePlugin.resourceList[0].driver=e1000'],
    'driver',
  ],
  [
    'a resource name without a prefix',
    ['sriovDevicePlugin.resourceList[0].resourceName=vf', 'sriovDevicePlugin.resourceList[0].driver=vfio-pci'],
    'resourceName',
  ],
])('the schema refuses %s', (_name, set, message) => {
  const { status, out } = run(['template', 'sb', chart, ...set.flatMap((s) => ['--set', s])]);
  expect(status).not.toBe(0);
  expect(out).toContain(message);
});

test('the alert rules pass promtool check rules', () => {
  const manifests = render('metrics.prometheusRule.enabled=true', 'metrics.serviceMonitor.enabled=true');
  const rule = find(manifests, 'PrometheusRule')[0] as Manifest;
  expect((rule.spec as { groups: { rules: { alert: string }[] }[] }).groups[0]?.rules.map((r) => r.alert)).toEqual([
    'SwitchbenchRunFailed',
    'SwitchbenchThroughputRegressed',
    'SwitchbenchPoolNodeOutlier',
    'SwitchbenchOperatorDown',
  ]);
  expect(find(manifests, 'ServiceMonitor')).toHaveLength(1);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchbench-rules-'));
  try {
    const file = path.join(dir, 'rules.json');
    writeFileSync(file, JSON.stringify(rule.spec));
    const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    if (check.error) throw new Error(`promtool is missing (${check.error.message}): run .ci/install-prometheus.sh`);
    expect({ status: check.status, out: check.stdout + check.stderr }).toMatchObject({
      status: 0,
      out: expect.stringContaining('SUCCESS: 4 rules found'),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('promtool test rules: the outlier alert fires for the outlier node of a pool, and only for it', () => {
  const rule = find(render('metrics.prometheusRule.enabled=true'), 'PrometheusRule')[0] as Manifest;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'switchbench-rule-tests-'));
  try {
    writeFileSync(path.join(dir, 'rules.json'), JSON.stringify(rule.spec));
    const series = (node: string, values: string) => ({
      series: `switchbench_pool_node_outlier{namespace="nfv",benchmark="nightly",node="${node}"}`,
      values,
    });
    const tests = {
      rule_files: ['rules.json'],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [series('w1', '0x10'), series('w2', '0x4 1x5'), series('w3', '1x3 0x6')],
          alert_rule_test: [
            {
              eval_time: '8m',
              alertname: 'SwitchbenchPoolNodeOutlier',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', namespace: 'nfv', benchmark: 'nightly', node: 'w2' },
                  exp_annotations: {
                    summary: 'Node w2 is an outlier of the pool of nfv/nightly',
                    description:
                      "Its latest run fell below the benchmark's spec.placement.fanOut.outlierFraction of the pool median, or failed: kubectl switchbench pool nightly -n nfv compares the nodes.",
                  },
                },
              ],
            },
            {
              eval_time: '2m',
              alertname: 'SwitchbenchPoolNodeOutlier',
              exp_alerts: [
                {
                  exp_labels: { severity: 'warning', namespace: 'nfv', benchmark: 'nightly', node: 'w3' },
                  exp_annotations: {
                    summary: 'Node w3 is an outlier of the pool of nfv/nightly',
                    description:
                      "Its latest run fell below the benchmark's spec.placement.fanOut.outlierFraction of the pool median, or failed: kubectl switchbench pool nightly -n nfv compares the nodes.",
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    writeFileSync(path.join(dir, 'tests.json'), JSON.stringify(tests));
    const check = spawnSync('promtool', ['test', 'rules', 'tests.json'], { cwd: dir, encoding: 'utf8' });
    if (check.error) throw new Error(`promtool is missing (${check.error.message}): run .ci/install-prometheus.sh`);
    expect({ status: check.status, out: check.stdout + check.stderr }).toMatchObject({
      status: 0,
      out: expect.stringContaining('SUCCESS'),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
