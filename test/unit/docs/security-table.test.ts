// docs/security.md's table of who runs as which user with which capabilities and host access is
// compared with the pods the operator renders for each role, so the page and the code cannot drift.
import { readFileSync, existsSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import type { Datapath, SwitchBenchmarkRun, SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
import { cleanupPod, hostRunDir, NON_ROOT_USER, switchPod, trafficPod } from '../../../src/controller/run/desired.js';
import { driverFor } from '../../../src/datapaths/index.js';
import { RUN_DIR_ON_HOST_ROOT } from '../../../src/datapaths/types.js';
import { contextFor, RUN_UID } from '../datapaths/context.js';

const NODE_LABEL = { 'switchbench.io/node': 'true' };

function runFor(datapath: Datapath, spec: Partial<SwitchBenchmarkSpec> = {}) {
  const context = contextFor(datapath, spec);
  const run: SwitchBenchmarkRun = {
    apiVersion: 'switchbench.io/v1alpha1',
    kind: 'SwitchBenchmarkRun',
    metadata: { name: 'bench-1', namespace: 'perf', uid: RUN_UID },
    spec: { benchmarkName: 'bench', benchmarkGeneration: 1, trigger: 'initial', benchmark: context.spec },
  };
  return { context, run, driver: driverFor(datapath) };
}

function traffic(datapath: Datapath, spec: Partial<SwitchBenchmarkSpec> = {}): V1Pod {
  const { context, run, driver } = runFor(datapath, spec);
  // A receiver: the sender of a kernel run also needs the receiver's address, and holds the same rights.
  return trafficPod({
    run,
    spec: context.spec,
    node: 'n',
    nodeLabel: NODE_LABEL,
    role: 'receiver',
    trial: 0,
    attempt: 0,
    image: context.images.traffic,
    endpoint: driver.endpoint(context, 'receiver'),
    args: [],
    deadlineSeconds: 60,
  });
}

function switched(datapath: Datapath): V1Pod {
  const { context, run, driver } = runFor(datapath);
  const plan = driver.switchPlan(context);
  if (!plan) throw new Error(`${datapath} has no switch`);
  return switchPod(run, context.spec, 'n', NODE_LABEL, plan);
}

/** Each row of the table, by its role cell, and the pod the operator renders for that role. */
const ROLES: Record<string, () => V1Pod> = {
  'DPDK sender/receiver (virtio-user)': () => traffic('testpmd'),
  'DPDK sender/receiver (memif)': () => traffic('memif'),
  'kernel sender/receiver, UDP': () => traffic('kernel', { kernel: { socket: 'udp' } } as never),
  'kernel sender/receiver, raw': () => traffic('kernel', { kernel: { socket: 'raw' } } as never),
  'SR-IOV sender/receiver': () => traffic('sriov', { sriov: { resourceName: 'intel.com/vf', vlan: 0 } }),
  'testpmd switch': () => switched('testpmd'),
  'OVS-DPDK switch': () => switched('ovs-dpdk'),
  'VPP switch': () => switched('vpp'),
  'Snabb switch': () => switched('snabb'),
  'host cleanup': () => cleanupPod(runFor('memif').run, 'n', 'img'),
  'host cleanup of a kernel run': () => cleanupPod(runFor('kernel').run, 'n', 'img', ['sb0123456789abc']),
};

/** What the table says of a pod, in the table's own words. */
function rights(pod: V1Pod): { user: string; capabilities: string; host: string } {
  const container = pod.spec?.containers[0];
  const context = container?.securityContext;
  const user = context?.runAsNonRoot && context.runAsUser === NON_ROOT_USER ? `nobody (${NON_ROOT_USER})` : 'root';
  const added = [...(context?.capabilities?.add ?? [])].sort();
  const host: string[] = [];
  for (const volume of pod.spec?.volumes ?? []) {
    if (volume.hostPath?.path === hostRunDir({ metadata: { uid: RUN_UID } } as SwitchBenchmarkRun))
      host.push('the run directory');
    else if (volume.hostPath?.path === RUN_DIR_ON_HOST_ROOT) host.push("every run's directory");
    else if (volume.hostPath) host.push(`host path ${volume.hostPath.path}`);
    if (volume.emptyDir?.medium?.startsWith('HugePages')) host.push('hugepages');
  }
  const devices = Object.keys(container?.resources?.limits ?? {}).filter(
    (r) => r.includes('/') && !r.startsWith('kubernetes.io/'),
  );
  if (devices.length) host.push('a VF from the device plugin');
  if (pod.spec?.hostNetwork) host.push("the host's network namespace");
  return {
    user,
    capabilities: added.length ? added.map((c) => `\`${c}\``).join(', ') : 'none',
    host: host.length ? host.join(', ') : 'none',
  };
}

function documentedTable(): Map<string, { user: string; capabilities: string; host: string; why: string }> {
  const lines = readFileSync('docs/security.md', 'utf8')
    .split('\n')
    .map((l) => l.trim());
  const header = lines.indexOf('| role | runs as | capabilities added | host access | why |');
  if (header < 0)
    throw new Error('docs/security.md has no "| role | runs as | capabilities added | host access | why |" table');
  const rows = lines.slice(header + 2);
  const table = new Map<string, { user: string; capabilities: string; host: string; why: string }>();
  for (const row of rows.slice(
    0,
    rows.findIndex((r) => !r.startsWith('|')),
  )) {
    const [role = '', user = '', capabilities = '', host = '', why = ''] = row
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    table.set(role, { user, capabilities, host, why });
  }
  return table;
}

const table = documentedTable();

test('the table has a row for every role the operator renders, and no other', () => {
  expect([...table.keys()].sort()).toEqual(Object.keys(ROLES).sort());
});

test.each(Object.entries(ROLES))('%s: the rendered pod holds exactly what the table says', (role, render) => {
  const documented = table.get(role);
  expect(rights(render())).toEqual({
    user: documented?.user,
    capabilities: documented?.capabilities,
    host: documented?.host,
  });
});

test.each([...table.entries()])('%s: the why names the code that needs it, and that file exists', (_role, row) => {
  if (row.user === 'root' || row.capabilities !== 'none' || row.host !== 'none') {
    const cited = [...row.why.matchAll(/`(src\/[^`\s]+\.ts)[^`]*`/g)].map((m) => m[1] as string);
    expect(cited.length).toBeGreaterThan(0);
    for (const file of cited) expect({ file, exists: existsSync(file) }).toEqual({ file, exists: true });
  }
});
