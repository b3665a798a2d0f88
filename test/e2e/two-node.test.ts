// The two-node cluster (up.sh two-node): a second kubelet with its own containerd, cgroup root, CPU
// manager state, directories and network namespace, its pods on their own subnet, routed to the
// first node's through the host. A fan-out benchmark runs on both nodes at once, each run on its own
// node; the kernel path carries real packets from a pod on one node to a pod on the other, all four
// socket variants; deleting a fan-out benchmark mid-run leaves nothing on either node. The second
// node joins for this file and is labelled for benchmarks by it, as an admin would; it leaves again
// afterwards unless it was running before.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import { BENCHMARK_PLURAL, GROUP, RUN_PLURAL, VERSION } from '../../src/api/v1alpha1/types.js';
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../../src/api/v1alpha1/types.js';
import { BENCHMARK_LABEL, ROLE_LABEL, ROUND_LABEL, RUN_LABEL } from '../../src/api/v1alpha1/labels.js';
import { hostRunDir } from '../../src/controller/run/desired.js';
import { nodeName as NODE1, runScript } from '../cluster/kube.js';
import { e2eSession, SHARED_RESOURCES, SHORT_TRIAL } from './support.js';
import { clusterValue, kubectl, ok, sh } from './tools.js';

const NODE2 = clusterValue('NODE2_NAME');
const NODE2_DIR = clusterValue('NODE2_DIR');
const NODE2_POD_CIDR = clusterValue('NODE2_POD_CIDR');
const crictl = path.join(clusterValue('CRICTL_BIN'), 'crictl');
/** Each node's containerd, as the host sees its socket. */
const RUNTIMES = { [NODE1]: clusterValue('CONTAINERD_SOCK'), [NODE2]: clusterValue('NODE2_SOCK') };
const POOL = { 'switchbench.io/node': 'true' };
/** The traffic programs' pods (not the switch's, the network's or the cleanup's). */
const TRAFFIC = `${ROLE_LABEL} in (sender,receiver)`;

const session = e2eSession('e2e-nodes');
let node2WasUp = false;

beforeAll(() => {
  node2WasUp = sh('bash', ['-c', '. .ci/cluster/lib.sh && running_mode']).out.trim() === 'two-node';
  runScript('up.sh', 'two-node');
  ok(kubectl, ['label', 'node', NODE2, 'switchbench.io/node=true', '--overwrite']);
}, 600_000);
afterAll(() => {
  // After the session's own teardown (hooks run in the order they were registered).
  ok(kubectl, ['label', 'node', NODE2, 'switchbench.io/node-']);
  if (!node2WasUp) runScript('down.sh', 'second-node');
}, 300_000);

const benchmarkBody = (name: string, spec: Record<string, unknown>) => ({
  apiVersion: `${GROUP}/${VERSION}`,
  kind: 'SwitchBenchmark',
  metadata: { name, namespace: session.namespace() },
  spec: {
    traffic: { packetSizes: [64], burstSizes: [16] },
    method: { type: 'sweep', sweep: { ratesPps: [10_000] } },
    trial: SHORT_TRIAL,
    resources: SHARED_RESOURCES,
    ...spec,
  },
});

const create = (body: ReturnType<typeof benchmarkBody>) =>
  session.custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: session.namespace(),
    plural: BENCHMARK_PLURAL,
    body,
  });

async function runsOf(benchmark: string): Promise<SwitchBenchmarkRun[]> {
  const list = (await session.custom.listNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: session.namespace(),
    plural: RUN_PLURAL,
    labelSelector: `${BENCHMARK_LABEL}=${benchmark}`,
  })) as { items: SwitchBenchmarkRun[] };
  return list.items;
}

const podsOf = async (selector: string): Promise<V1Pod[]> =>
  (await session.core.listNamespacedPod({ namespace: session.namespace(), labelSelector: selector })).items;

/**
 * Where each pod of the benchmark's runs was scheduled and its address, seen while they run (the
 * operator removes them at the end): polled until `done` settles.
 */
async function watchPods<T>(benchmark: string, done: Promise<T>): Promise<{ result: T; pods: Map<string, V1Pod> }> {
  const pods = new Map<string, V1Pod>();
  let finished = false;
  const result = done.finally(() => {
    finished = true;
  });
  while (!finished) {
    for (const pod of await podsOf(`${BENCHMARK_LABEL}=${benchmark},${TRAFFIC}`))
      if (pod.status?.podIP) pods.set(pod.metadata?.name as string, pod);
    await Promise.race([result.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 500))]);
  }
  return { result: await result, pods };
}

const finished = (run: SwitchBenchmarkRun) => run.status?.phase === 'Succeeded' || run.status?.phase === 'Failed';

/** The sandboxes a node's containerd still has of this file's namespace (crictl's warnings aside). */
const sandboxesOn = (node: string) =>
  execFileSync(
    crictl,
    ['--runtime-endpoint', `unix://${RUNTIMES[node]}`, 'pods', '-q', '--namespace', session.namespace()],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  )
    .split('\n')
    .filter(Boolean);

/** A run's directory on its node, as the host sees it: the second node's is under its own root. */
const runDirOn = (node: string, run: SwitchBenchmarkRun) =>
  node === NODE2 ? path.join(NODE2_DIR, 'root', hostRunDir(run)) : hostRunDir(run);

/** Whether an IPv4 address is in a CIDR such as 10.217.1.0/24. */
function inCidr(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/') as [string, string];
  const value = (ip: string) => ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
  const size = 2 ** (32 - Number(bits));
  return Math.floor(value(address) / size) === Math.floor(value(base) / size);
}

/** A memif benchmark fanned out over the pool, both nodes at once, with trials of `duration`. */
const createPoolBenchmark = (name: string, duration: number) =>
  create(
    benchmarkBody(name, {
      datapath: 'memif',
      placement: { nodeSelector: POOL, fanOut: { maxConcurrentNodes: 2 } },
      trial: { ...SHORT_TRIAL, duration: `${duration}s`, warmup: '2s', window: `${duration - 4}s` },
    }),
  );

test('fan-out: a memif benchmark runs on both nodes at once, each run on its own node', async () => {
  const name = 'e2e-pool';
  // Long enough that the two runs' trials overlap in time.
  await createPoolBenchmark(name, 12);
  const { result: runs, pods } = await watchPods(
    name,
    session.waitFor(async () => {
      const runs = await runsOf(name);
      return runs.length === 2 && runs.every(finished) ? runs : undefined;
    }, 1000),
  );

  expect(new Set(runs.map((r) => r.spec.nodeName))).toEqual(new Set([NODE1, NODE2]));
  for (const run of runs) {
    expect({ run: run.metadata.name, phase: run.status?.phase }).toEqual({
      run: run.metadata.name,
      phase: 'Succeeded',
    });
    expect(run.metadata.labels?.[ROUND_LABEL]).toBe(runs[0]?.metadata.labels?.[ROUND_LABEL]);
    const trial = run.status?.trials?.[0];
    expect(trial?.rxPackets).toBeGreaterThan(0);
    expect(trial?.txPackets).toBeGreaterThanOrEqual(trial?.rxPackets as number);
    // Every pod of the run ran on the run's node: the second node's on its own pod network.
    const own = [...pods.values()].filter((p) => p.metadata?.labels?.[RUN_LABEL] === run.metadata.name);
    expect(new Set(own.map((p) => p.metadata?.labels?.[ROLE_LABEL]))).toEqual(new Set(['receiver', 'sender']));
    for (const pod of own) {
      expect(pod.spec?.nodeName).toBe(run.spec.nodeName);
      expect(inCidr(pod.status?.podIP as string, NODE2_POD_CIDR)).toBe(run.spec.nodeName === NODE2);
    }
  }
  // In parallel: each started before the other ended.
  const [a, b] = runs.map((r) => [
    Date.parse(r.status?.startTime ?? ''),
    Date.parse(r.status?.completionTime ?? ''),
  ]) as [[number, number], [number, number]];
  expect(a[0] < b[1] && b[0] < a[1]).toBe(true);

  // The pool verdict names both nodes once each run's end is in the benchmark's status.
  const benchmark = await session.waitFor(async () => {
    const current = (await session.custom.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: session.namespace(),
      plural: BENCHMARK_PLURAL,
      name,
    })) as SwitchBenchmark;
    return current.status?.pool?.nodes?.every((n) => n.phase === 'Succeeded') ? current : undefined;
  });
  expect(benchmark.status?.pool?.nodes?.map((n) => n.node).sort()).toEqual([NODE1, NODE2].sort());
});

test.each([
  ['udp', 'single'],
  ['udp', 'mmsg'],
  ['raw', 'single'],
  ['raw', 'mmsg'],
])('kernel %s sockets, %s: real packets from a pod on one node to a pod on the other', async (socket, batching) => {
  const name = `e2e-cross-${socket}-${batching}`;
  const { result: run, pods } = await watchPods(
    name,
    session.runToEnd(
      benchmarkBody(name, {
        datapath: 'kernel',
        kernel: { socket, batching, mtu: 1500 },
        placement: {
          nodeSelector: { 'kubernetes.io/hostname': NODE1 },
          receiverNodeSelector: { 'kubernetes.io/hostname': NODE2 },
        },
      }) as unknown as SwitchBenchmark,
    ),
  );
  const ready = run.status?.conditions?.find((c) => c.type === 'Ready');
  expect({ phase: run.status?.phase, message: ready?.message }).toMatchObject({ phase: 'Succeeded' });
  const trial = run.status?.trials?.[0];
  expect(trial?.rxPackets).toBeGreaterThan(0);
  expect(trial?.txPackets).toBeGreaterThanOrEqual(trial?.rxPackets as number);
  expect(typeof trial?.windowLost).toBe('number');
  // The sender on the first node, the receiver on the second, on its subnet: every packet was routed.
  const byRole = new Map([...pods.values()].map((p) => [p.metadata?.labels?.[ROLE_LABEL], p]));
  expect(byRole.get('sender')?.spec?.nodeName).toBe(NODE1);
  expect(byRole.get('receiver')?.spec?.nodeName).toBe(NODE2);
  expect(inCidr(byRole.get('sender')?.status?.podIP as string, NODE2_POD_CIDR)).toBe(false);
  expect(inCidr(byRole.get('receiver')?.status?.podIP as string, NODE2_POD_CIDR)).toBe(true);
});

test('deleting a fan-out benchmark mid-run leaves nothing on either node', async () => {
  const name = 'e2e-pool-deleted';
  await createPoolBenchmark(name, 60);
  // Mid-run: both runs' traffic pods running on their nodes.
  const runs = await session.waitFor(async () => {
    const runs = await runsOf(name);
    if (runs.length !== 2) return undefined;
    const running = (await podsOf(`${BENCHMARK_LABEL}=${name},${TRAFFIC}`)).filter(
      (p) => p.status?.phase === 'Running',
    );
    return new Set(running.map((p) => p.spec?.nodeName)).size === 2 && running.length === 4 ? runs : undefined;
  }, 1000);
  for (const node of [NODE1, NODE2]) expect(sandboxesOn(node)).not.toHaveLength(0);
  for (const run of runs) expect(existsSync(runDirOn(run.spec.nodeName as string, run))).toBe(true);

  await session.custom.deleteNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace: session.namespace(),
    plural: BENCHMARK_PLURAL,
    name,
  });

  // What is left of it in the cluster and on each node, until nothing or three minutes have passed.
  const left = async () => ({
    runs: (await runsOf(name)).map((r) => r.metadata.name as string),
    pods: (await podsOf(`${BENCHMARK_LABEL}=${name}`)).map((p) => p.metadata?.name as string),
    sandboxes: Object.fromEntries([NODE1, NODE2].map((node) => [node, sandboxesOn(node)])),
    dirs: runs.map((run) => runDirOn(run.spec.nodeName as string, run)).filter((dir) => existsSync(dir)),
  });
  const nothing = { runs: [], pods: [], sandboxes: { [NODE1]: [], [NODE2]: [] }, dirs: [] };
  const deadline = Date.now() + 180_000;
  let now = await left();
  while (JSON.stringify(now) !== JSON.stringify(nothing) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    now = await left();
  }
  expect(now).toEqual(nothing);
});
