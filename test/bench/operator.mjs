#!/usr/bin/env node
// `make bench-operator`: what the operator costs, measured against the real control plane with the
// bundled operator running as its own process (as in its image):
//   1. latency it adds: benchmark created → first trial pod created (pod start itself excluded: the
//      test plays the node, so the figure is the operator's own reaction time);
//   2. API requests in steady state, from the apiserver's own request counters (target: 0 LISTs);
//   3. resident memory with 1, 100 and 1000 SwitchBenchmarks in its caches (target ≤ 80 MB), 90 % of
//      them suspended and 10 % scheduled (yearly, so none fires during the bench), and the reaction
//      time again with all of them cached;
//   3b. reconcile duration (the operator's own switchbench_reconcile_duration_seconds) and API requests
//      per second in the 10 s after each step, per verb;
//   4. requests after a kube-apiserver restart (its counters start from zero): no storm, a few
//      LISTs at most however many objects are cached.
// Prints figures, never asserts: this machine is shared and noisy.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  ApiextensionsV1Api,
  V1MicroTime,
} from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { setUpCluster, tearDownCluster, clusterDir, runScript } from '../cluster/cluster.mjs';
import {
  apiRequests,
  dropRunFinalizers,
  freePort,
  imageSettings,
  rss,
  startOperator,
  until,
} from './operator-process.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const group = 'switchbench.io';
const version = 'v1alpha1';

setUpCluster('control-plane');
const kubeconfigPath = `${clusterDir}/admin.kubeconfig`;
const kc = new KubeConfig();
kc.loadFromFile(kubeconfigPath);
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const extensions = kc.makeApiClient(ApiextensionsV1Api);

for (const file of ['switchbench.io_switchbenchmarks.yaml', 'switchbench.io_switchbenchmarkruns.yaml']) {
  const crd = parseAllDocuments(readFileSync(`${root}/crds/${file}`, 'utf8'))[0].toJS();
  await extensions.patchCustomResourceDefinition(
    { name: crd.metadata.name, body: crd, fieldManager: 'switchbench-bench', force: true },
    setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
  );
  await until(async () => {
    const live = await extensions.readCustomResourceDefinition({ name: crd.metadata.name });
    return live.status?.conditions?.find((c) => c.type === 'Established' && c.status === 'True');
  }, `CRD ${crd.metadata.name}`);
}

const namespace = (
  await core.createNamespace({
    body: { metadata: { generateName: 'bench-operator-', labels: { 'switchbench.io/enabled': 'true' } } },
  })
).metadata.name;
// One node per reaction-time sample: runs on one node take turns, and these never finish. No kubelet
// stands behind them: the bench keeps them Ready as one would (status and node lease), else the node
// lifecycle controller marks them NotReady after its grace period and preflight holds the runs.
const nodeNames = Array.from({ length: 10 }, (_, i) => `bench-${namespace}-${i}`);
const coordination = kc.makeApiClient(CoordinationV1Api);
async function heartbeat(nodeName) {
  await until(async () => {
    const node = await core.readNode({ name: nodeName });
    const allocatable = { cpu: '64', memory: '256Gi', 'hugepages-2Mi': '64Gi', pods: '110' };
    const now = new Date();
    const conditions = [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'bench node',
        lastHeartbeatTime: now,
        lastTransitionTime: now,
      },
    ];
    return core
      .replaceNodeStatus({
        name: nodeName,
        body: { ...node, status: { capacity: allocatable, allocatable, conditions } },
      })
      .then(
        () => true,
        () => undefined,
      );
  }, 'node status');
  const spec = { holderIdentity: nodeName, leaseDurationSeconds: 40, renewTime: new V1MicroTime() };
  const lease = await coordination
    .readNamespacedLease({ namespace: 'kube-node-lease', name: nodeName })
    .catch(() => undefined);
  if (lease)
    await coordination.replaceNamespacedLease({
      namespace: 'kube-node-lease',
      name: nodeName,
      body: { ...lease, spec },
    });
  else
    await coordination.createNamespacedLease({
      namespace: 'kube-node-lease',
      body: { metadata: { name: nodeName }, spec },
    });
}
for (const nodeName of nodeNames) {
  await core.createNode({ body: { metadata: { name: nodeName, labels: { 'switchbench.io/bench-node': nodeName } } } });
  await heartbeat(nodeName);
}
// The apiserver restart below leaves a gap in these writes: that is fine within the 40 s grace.
const heartbeats = setInterval(() => Promise.all(nodeNames.map((n) => heartbeat(n))).catch(() => undefined), 10_000);

/** The apiserver's request counters for the switchbench and pod resources, by verb. */
async function requestCounts() {
  const counts = {};
  for (const { verb, resource, count } of await apiRequests(kc)) {
    if (!['switchbenchmarks', 'switchbenchmarkruns', 'pods', 'nodes', 'leases', 'namespaces'].includes(resource))
      continue;
    counts[verb] = (counts[verb] ?? 0) + count;
  }
  return counts;
}

/** Reconcile durations per controller from the operator's histogram: count, mean and the bucket bound under which 99 % fell. */
async function reconcileDurations() {
  const text = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text());
  const byController = {};
  for (const line of text.split('\n')) {
    const m = /^switchbench_reconcile_duration_seconds_(bucket|sum|count)\{(.*)\} (\S+)$/.exec(line);
    if (!m) continue;
    const labels = Object.fromEntries([...m[2].matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    const entry = (byController[labels.controller] ??= { buckets: [] });
    if (m[1] === 'bucket') entry.buckets.push([Number(labels.le), Number(m[3])]);
    else entry[m[1]] = Number(m[3]);
  }
  return Object.entries(byController)
    .map(([controller, { buckets, sum, count }]) => {
      const p99 = buckets.find(([, n]) => n >= 0.99 * count)?.[0];
      return `${controller} ${count} reconciles, mean ${((sum / count) * 1000).toFixed(1)} ms, p99 ≤ ${p99 === Infinity ? '+Inf' : `${p99 * 1000} ms`}`;
    })
    .join('; ');
}

/** API requests per second by verb over the next `seconds`. */
async function requestRates(seconds) {
  const before = await requestCounts();
  await sleep(seconds * 1000);
  const after = await requestCounts();
  return Object.fromEntries(
    Object.keys(after)
      .map((verb) => [verb, Number(((after[verb] - (before[verb] ?? 0)) / seconds).toFixed(1))])
      .filter(([, rate]) => rate > 0),
  );
}

const metricsPort = await freePort();
const operator = startOperator(kubeconfigPath, namespace, metricsPort);
const benchmark = (name, spec, node = nodeNames[0]) => ({
  apiVersion: `${group}/${version}`,
  kind: 'SwitchBenchmark',
  metadata: { name, namespace },
  spec: {
    datapath: 'memif',
    placement: { nodeSelector: { 'switchbench.io/bench-node': node } },
    trial: { duration: '2s', warmup: '0s', window: '1s' },
    ...spec,
  },
});

/** Reaction time of `count` new benchmarks, each on a node of its own: created → first trial pod. */
async function reactionTimes(prefix, nodes) {
  const latencies = [];
  for (const [i, node] of nodes.entries()) {
    const name = `${prefix}-${i}`;
    const started = performance.now();
    await create(benchmark(name, {}, node));
    await until(
      () =>
        core.readNamespacedPod({ namespace, name: `${name}-1-t0-a0-rx` }).then(
          () => true,
          () => undefined,
        ),
      `trial pod of ${name}`,
    );
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const median = latencies[Math.floor(latencies.length / 2)];
  return `median ${median.toFixed(0)} ms, min ${latencies[0].toFixed(0)} ms, max ${latencies.at(-1).toFixed(0)} ms`;
}
const create = (body) =>
  custom.createNamespacedCustomObject({ group, version, namespace, plural: 'switchbenchmarks', body });

try {
  await sleep(3000);
  const figures = [];

  // 1. Reaction time: created → the first trial's receiver pod exists (memif has no switch to wait for).
  figures.push(
    `apply → first trial pod created (operator's own latency, 5 benchmarks, empty caches): ${await reactionTimes('latency', nodeNames.slice(0, 5))} (target: ≤ 1000 ms)`,
  );

  // 2 and 3. Caches of 1, 100 and 1000 suspended benchmarks; steady state = nothing changes for 20 s.
  const rssAt = {};
  const ratesAt = {};
  let created = 0;
  for (const target of [1, 100, 1000]) {
    const batch = [];
    // Every tenth is scheduled, yearly: a schedule to keep, and nothing to run during the bench.
    for (; created < target; created++) {
      batch.push(
        create(benchmark(`idle-${created}`, created % 10 === 9 ? { schedule: '0 0 1 1 *' } : { suspend: true })),
      );
    }
    await Promise.all(batch);
    ratesAt[target] = await requestRates(10);
    rssAt[target] = rss(operator.pid);
  }
  figures.push(`reconcile duration after creating 1000 benchmarks: ${await reconcileDurations()}`);
  figures.push(
    `API requests/s (all clients, by verb) in the 10 s after reaching 1 / 100 / 1000 benchmarks: ${[1, 100, 1000].map((n) => JSON.stringify(ratesAt[n])).join(' / ')}`,
  );
  // Other clients (the namespace controller emptying a deleted namespace) list too: wait them out.
  await until(
    async () =>
      (await core.listNamespace()).items.some((ns) => ns.status?.phase === 'Terminating') ? undefined : true,
    'terminating namespaces to go',
    300_000,
  );
  const before = await requestCounts();
  await sleep(20_000);
  const after = await requestCounts();
  const delta = Object.fromEntries(
    Object.keys(after)
      .map((verb) => [verb, after[verb] - (before[verb] ?? 0)])
      .filter(([, n]) => n > 0),
  );
  figures.push(
    `API requests in 20 s of steady state with 1005 benchmarks cached: ${JSON.stringify(delta)} (LIST: ${delta.LIST ?? 0}; target: 0)`,
  );
  figures.push(
    `operator RSS with 1 / 100 / 1000 benchmarks cached (90 % suspended, 10 % scheduled; ${imageSettings}): ${rssAt[1].toFixed(1)} / ${rssAt[100].toFixed(1)} / ${rssAt[1000].toFixed(1)} MB (target: ≤ 80 MB at 1000)`,
  );
  figures.push(
    `apply → first trial pod created with 1005 benchmarks cached (5 benchmarks): ${await reactionTimes('loaded', nodeNames.slice(5, 10))}`,
  );

  // 4. A kube-apiserver restart: its counters restart with it, so what they show is the reconnect.
  const apiserverPid = Number(readFileSync(`${clusterDir}/run/kube-apiserver.pid`, 'utf8'));
  process.kill(apiserverPid, 'SIGKILL');
  runScript('up.sh', 'control-plane');
  await sleep(30_000);
  const reconnect = await requestCounts();
  figures.push(
    `API requests in the 30 s after a kube-apiserver restart with 1015 benchmarks cached (all clients): ${JSON.stringify(reconnect)} (LIST: ${reconnect.LIST ?? 0}; no storm: LISTs stay at most one per informer)`,
  );
  console.log(['', 'bench-operator', ...figures.map((f) => `  ${f}`)].join('\n'));
} finally {
  clearInterval(heartbeats);
  operator.kill('SIGTERM');
  await dropRunFinalizers(custom, namespace);
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  for (const nodeName of nodeNames) {
    await core.deleteNode({ name: nodeName }).catch(() => undefined);
    await coordination.deleteNamespacedLease({ namespace: 'kube-node-lease', name: nodeName }).catch(() => undefined);
  }
  tearDownCluster();
}
