// The SR-IOV path as far as a machine without an SR-IOV NIC can take it, on the real kubelet. The
// chart's SR-IOV network device plugin runs, finds no VF of its resource and so advertises none, and
// a benchmark asking for that resource waits with a condition that says so. A test device plugin
// then advertises two fake VFs through the kubelet's device-plugin API: the whole request path runs
// (each pod requests a VF, the kubelet allocates one and sets PCIDEVICE_<RESOURCE>, the traffic
// program builds EAL's allow list from it) up to the device, which does not exist, and the run
// fails with a condition naming it. Multus is not installed here, so the pods' network selection is
// not acted on: the SR-IOV CNI needs a real VF (docs/multus-sriov.md says what ran and what did not).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { AppsV1Api } from '@kubernetes/client-node';
import { BENCHMARK_PLURAL, GROUP, VERSION, type SwitchBenchmark } from '../../src/api/v1alpha1/types.js';
import { nodeName, waitFor } from '../cluster/kube.js';
import { e2eSession, sweepSpec } from './support.js';
import { chartTemplates, kubectl, ok, root, sh } from './tools.js';

const PIECES_NAMESPACE = 'e2e-sriov-pieces';
const RELEASE = 'sbe2e';
const DEVICE_PLUGIN = `${RELEASE}-sriov-device-plugin`;
const FAKE_RESOURCE = 'switchbench.io/fake_vf';
const session = e2eSession('e2e-sriov');
// The kubelet's device manager listens here whatever its --root-dir: the chart's default.
const DEVICE_PLUGIN_DIR = '/var/lib/kubelet/device-plugins';
const devicePluginManifest = () =>
  chartTemplates(RELEASE, PIECES_NAMESPACE, { 'sriovDevicePlugin.install': 'true' }, ['sriov-device-plugin.yaml']);
let fakePlugin: ChildProcess | undefined;
let fakePluginLog = '';

const allocatable = async (resource: string) =>
  (await session.core.readNode({ name: nodeName })).status?.allocatable?.[resource];
const sriovBenchmark = (name: string, resourceName: string): SwitchBenchmark => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: 'SwitchBenchmark',
  metadata: { name },
  spec: sweepSpec('sriov', [10_000], { sriov: { resourceName } }) as unknown as SwitchBenchmark['spec'],
});

beforeAll(async () => {
  sh(kubectl, ['create', 'namespace', PIECES_NAMESPACE]);
  ok(
    kubectl,
    ['apply', '-f', '-'],
    chartTemplates(RELEASE, PIECES_NAMESPACE, { 'multus.install': 'true' }, ['network-attachment-crd.yaml']),
  );
  ok(kubectl, ['apply', '-n', PIECES_NAMESPACE, '-f', '-'], devicePluginManifest());
});

afterAll(async () => {
  if (fakePlugin?.exitCode === null) {
    fakePlugin.kill('SIGTERM');
    await new Promise((resolve) => fakePlugin?.once('exit', resolve));
  }
  sh(kubectl, ['delete', '-n', PIECES_NAMESPACE, '--wait', '-f', '-'], devicePluginManifest());
  sh(kubectl, ['delete', 'namespace', PIECES_NAMESPACE, '--wait=false']);
});

test("the chart's SR-IOV device plugin runs on the node and, finding no VF, advertises none: a benchmark for that resource waits, saying why", async () => {
  const apps = session.kc.makeApiClient(AppsV1Api);
  await waitFor(async () => {
    const status = (await apps.readNamespacedDaemonSet({ namespace: PIECES_NAMESPACE, name: DEVICE_PLUGIN })).status;
    return status && status.desiredNumberScheduled > 0 && status.numberReady === status.desiredNumberScheduled
      ? true
      : undefined;
  }, 1000);
  // It scanned the node's PCI devices for the chart's default resource and found nothing to offer.
  const log = await waitFor(async () => {
    const out = sh(kubectl, ['logs', '-n', PIECES_NAMESPACE, `daemonset/${DEVICE_PLUGIN}`]).out;
    return out.includes('no devices in device pool, skipping creating resource server for sriov_dpdk')
      ? out
      : undefined;
  }, 1000);
  expect(log).toContain('Discovering host devices');
  expect(await allocatable('intel.com/sriov_dpdk')).toBeUndefined();

  await session.custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: session.namespace(),
    plural: BENCHMARK_PLURAL,
    body: sriovBenchmark('e2e-sriov-none', 'intel.com/sriov_dpdk'),
  });
  const waiting = await waitFor(async () => {
    const run = await session.readRun('e2e-sriov-none-1');
    return run?.status?.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'DeviceResourceMissing')
      ? run
      : undefined;
  }, 500);
  expect(waiting.status?.phase).toBe('Pending');
  expect(waiting.status?.conditions?.find((c) => c.type === 'Progressing')?.message).toBe(
    `Node ${nodeName} advertises no intel.com/sriov_dpdk (spec.sriov.resourceName): the run starts when a device plugin offers VFs under that name there (docs/multus-sriov.md)`,
  );
  expect((await session.core.listNamespacedPod({ namespace: session.namespace() })).items).toEqual([]);
  await session.custom.deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: session.namespace(),
    plural: BENCHMARK_PLURAL,
    name: 'e2e-sriov-none',
  });
});

test('fake VFs from a test device plugin: each pod gets one and its address, and the traffic program refuses the device that is not there', async () => {
  const binary = execFileSync('bash', ['test/fixtures/fake-device-plugin/build.sh'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .at(-1) as string;
  fakePlugin = spawn(binary, ['--resource', FAKE_RESOURCE, '--devices', '2', '--plugin-dir', DEVICE_PLUGIN_DIR], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  fakePlugin.stderr?.on('data', (chunk: Buffer) => (fakePluginLog += chunk.toString()));
  expect(await waitFor(async () => ((await allocatable(FAKE_RESOURCE)) === '2' ? '2' : undefined), 500)).toBe('2');

  const run = await session.runToEnd(sriovBenchmark('e2e-sriov-fake', FAKE_RESOURCE));
  const ready = run.status?.conditions?.find((c) => c.type === 'Ready');
  expect({ phase: run.status?.phase, reason: ready?.reason }).toEqual({ phase: 'Failed', reason: 'AllTrialsFailed' });
  // The condition names the variable, the device and what to check, in the traffic program's words.
  expect(ready?.message).toMatch(
    /^receiver pod e2e-sriov-fake-1-t0-a\d-rx failed: exit code 3 \(Error\): sb-receiver: --pci-from-env PCIDEVICE_SWITCHBENCH_IO_FAKE_VF=0000:ff:1f\.[01]: DPDK found no port on it: the device does not exist on this node, or is not bound to a driver DPDK can use \(vfio-pci\) \(after \d attempts\)$/,
  );
  // The kubelet asked the plugin for the devices: the request went through the device-plugin API.
  expect(fakePluginLog).toMatch(/allocate/i);
  expect(run.status?.trials?.map((t) => t.outcome)).toEqual(['Failed']);
});
