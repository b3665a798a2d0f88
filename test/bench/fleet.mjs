#!/usr/bin/env node
// `make bench-operator`'s fleet case: one fan-out SwitchBenchmark over 100 and then 500 nodes
// simulated by kwok (built from its Go module, like the cluster's other binaries), against the real
// control plane, with the bundled operator running as in its image. kwok plays each node's kubelet:
// heartbeats, and the operator's pods through stages (running at once; the sender done after 1 s and
// the receiver after 8 s, each leaving the summary the traffic programs leave; cleanup pods done at
// once). Per size it prints:
//   - trigger → all runs started (every run Running, i.e. admitted with its node lock taken), and →
//     all runs Succeeded;
//   - API writes per run made by the operator, from its own request counter
//     (switchbench_rest_client_requests_total), with the apiserver's count by resource beside it (less
//     kwok's and the scheduler's status writes and the control plane's lease renewals; kwok's final
//     pod deletes, a kubelet's in a real cluster, remain in it);
//   - the operator's peak resident set.
// Goals: all runs started within 30 s at 500 nodes, ≤ 20 API writes per run, RSS ≤ 120 MB. A figure,
// never a pass/fail. FLEET_SIZES (default 100,500) chooses the sizes.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { clusterDir, setUpCluster, tearDownCluster } from '../cluster/cluster.mjs';
import { receiverSummary, senderSummary } from '../fixtures/trial-summaries.mjs';
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
const SIZES = (process.env.FLEET_SIZES ?? '100,500').split(',').map(Number);
const KWOK_LABEL = 'switchbench.io/kwok';
const RX_PPS = 1_000_000;

setUpCluster('control-plane');
execFileSync('bash', ['.ci/cluster/build-binaries.sh', 'kwok'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
const kwokBin = execFileSync('bash', ['-c', '. .ci/cluster/lib.sh && echo "$KWOK_BIN/kwok"'], {
  cwd: root,
  encoding: 'utf8',
}).trim();
const kubeconfigPath = `${clusterDir}/admin.kubeconfig`;
const kc = new KubeConfig();
kc.loadFromFile(kubeconfigPath);
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
execFileSync(
  'bash',
  [
    '-c',
    `. .ci/cluster/lib.sh && "$K8S_BIN/kubectl" --kubeconfig ${kubeconfigPath} apply --server-side --force-conflicts -f crds/`,
  ],
  {
    cwd: root,
    stdio: 'ignore',
  },
);

/** A kwok stage for the operator's pods of one role: done after `delayMs`, with `message`. */
const completeStage = (role, delayMs, message) => `
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: switchbench-${role}-done
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchLabels: { switchbench.io/role: ${role} }
    matchExpressions:
      - { key: .metadata.deletionTimestamp, operator: DoesNotExist }
      - { key: .status.phase, operator: In, values: [Running] }
  delay: { durationMilliseconds: ${delayMs} }
  next:
    statusTemplate: |
      {{ $now := Now }}
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 0
        started: false
        state:
          terminated:
            exitCode: 0
            reason: Completed
            message: '${message}'
            startedAt: {{ $now | Quote }}
            finishedAt: {{ $now | Quote }}
      {{ end }}
      phase: Succeeded
`;

/** A kwok stage that writes the node Ready: once for a node not Ready yet, then as its heartbeat. */
const nodeStage = (name, readyNow, delay) => `
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: ${name}
spec:
  resourceRef: { apiGroup: v1, kind: Node }
  selector:
    matchExpressions:
      - { key: '.status.conditions.[] | select( .type == "Ready" ) | .status', operator: ${readyNow ? 'In' : 'NotIn'}, values: ['True'] }
  ${delay ? `delay: ${delay}` : ''}
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - { type: Ready, status: "True", reason: KubeletReady, message: kwok, lastHeartbeatTime: {{ $now | Quote }}, lastTransitionTime: {{ $now | Quote }} }
      phase: Running
`;

// Nodes: ready once, then a status heartbeat (no node lease: kwok's writes stay out of the lease
// counters, which are the operator's node locks). Pods: running with an address, then done per role.
const stages = `
${nodeStage('node-ready', false)}
---
${nodeStage('node-heartbeat', true, '{ durationMilliseconds: 20000, jitterDurationMilliseconds: 25000 }')}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-running
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - { key: .metadata.deletionTimestamp, operator: DoesNotExist }
      - { key: .status.podIP, operator: DoesNotExist }
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - { type: Ready, status: "True", lastTransitionTime: {{ $now | Quote }} }
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: true
        restartCount: 0
        started: true
        state: { running: { startedAt: {{ $now | Quote }} } }
      {{ end }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      podIP: {{ PodIPWith .spec.nodeName false ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
      phase: Running
      startTime: {{ $now | Quote }}
---
${completeStage('sender', 1000, senderSummary(RX_PPS, RX_PPS * 2))}
---
${completeStage('receiver', 8000, receiverSummary(RX_PPS, RX_PPS * 2))}
---
${completeStage('cleanup', 100, '')}
---
apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-delete
spec:
  resourceRef: { apiGroup: v1, kind: Pod }
  selector:
    matchExpressions:
      - { key: .metadata.deletionTimestamp, operator: Exists }
  next:
    delete: true
`;

const work = mkdtempSync(path.join(tmpdir(), 'sb-bench-fleet-'));
writeFileSync(path.join(work, 'kwok.yaml'), stages);
// kwok logs every stage it plays: kept out of the figures, in a file that outlives the run.
const kwokLog = path.join(tmpdir(), 'sb-bench-fleet-kwok.log');
console.error(`kwok's log: ${kwokLog}`);
const kwok = spawn(
  kwokBin,
  [
    `--kubeconfig=${kubeconfigPath}`,
    `--config=${path.join(work, 'kwok.yaml')}`,
    '--manage-all-nodes=false',
    `--manage-nodes-with-label-selector=${KWOK_LABEL}=true`,
    '--node-lease-duration-seconds=0',
    '--cidr=10.240.0.1/12',
    '--node-ip=10.239.255.1',
    `--server-address=127.0.0.1:${await freePort()}`,
  ],
  { stdio: ['ignore', 'ignore', openSync(kwokLog, 'w')] },
);

/** Writes by the operator: every write the apiserver counted, less kwok's, the scheduler's and the baseline's. */
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY']);
const notOperator = ({ resource, subresource, group: apiGroup }) =>
  (resource === 'pods' && (subresource === 'status' || subresource === 'binding')) ||
  resource === 'nodes' ||
  (resource === 'events' && apiGroup === 'events.k8s.io') ||
  resource === 'namespaces';
const writes = async () => {
  const byResource = {};
  for (const entry of await apiRequests(kc)) {
    if (!WRITES.has(entry.verb) || notOperator(entry)) continue;
    const key = `${entry.verb} ${entry.resource}${entry.subresource ? `/${entry.subresource}` : ''}`;
    byResource[key] = (byResource[key] ?? 0) + entry.count;
  }
  return byResource;
};
const minus = (after, before) =>
  Object.fromEntries(
    Object.entries(after)
      .map(([key, n]) => [key, n - (before[key] ?? 0)])
      .filter(([, n]) => n > 0),
  );
const total = (counts) => Object.values(counts).reduce((sum, n) => sum + n, 0);

const listRuns = async (namespace) =>
  (await custom.listNamespacedCustomObject({ group, version, namespace, plural: 'switchbenchmarkruns' })).items;

/** The operator's own metrics: one series per value of its first label. */
const scrape = async (metricsPort) => {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return (metric) => {
    const found = {};
    for (const [, labels, value] of text.matchAll(new RegExp(`^${metric}\\{([^}]*)\\} (\\S+)$`, 'gm'))) {
      found[/^\w+="([^"]*)"/.exec(labels)[1]] = Number(value);
    }
    return found;
  };
};

/** Where the operator's time went: mean wait in each queue and mean reconcile. */
const operatorTimes = (series) => {
  const means = (histogram) => {
    const sums = series(`${histogram}_sum`);
    const counts = series(`${histogram}_count`);
    return Object.keys(counts)
      .filter((key) => counts[key] > 0)
      .map((key) => `${key} ${((1000 * sums[key]) / counts[key]).toFixed(1)} ms × ${counts[key]}`)
      .join(', ');
  };
  return `queue wait: ${means('switchbench_workqueue_queue_duration_seconds')}; reconcile: ${means('switchbench_reconcile_duration_seconds')}`;
};

/** Writes the operator sent, by HTTP method, from its own request counter. */
const operatorWrites = (series) =>
  Object.fromEntries(
    Object.entries(series('switchbench_rest_client_requests_total')).filter(([method]) => method !== 'GET'),
  );

/** Seconds from the trigger by which a share of the runs had started (status.startTime, whole seconds). */
const startedBy = (runs, triggeredAt, share) => {
  const times = runs.map((r) => Date.parse(r.status.startTime)).sort((a, b) => a - b);
  return Math.max(0, (times[Math.ceil(share * times.length) - 1] - triggeredAt) / 1000).toFixed(0);
};

let operator;
const namespaces = [];
const nodeNames = [];
try {
  for (const size of SIZES) {
    const namespace = (
      await core.createNamespace({
        body: { metadata: { generateName: 'bench-fleet-', labels: { 'switchbench.io/enabled': 'true' } } },
      })
    ).metadata.name;
    namespaces.push(namespace);
    const pool = `${namespace}`;
    const allocatable = { cpu: '64', memory: '256Gi', 'hugepages-2Mi': '64Gi', pods: '110' };
    const names = Array.from({ length: size }, (_, i) => `${namespace}-n${i}`);
    nodeNames.push(...names);
    for (let i = 0; i < names.length; i += 50)
      await Promise.all(
        names.slice(i, i + 50).map((name) =>
          core.createNode({
            body: {
              metadata: {
                name,
                labels: {
                  [KWOK_LABEL]: 'true',
                  'switchbench.io/node': 'true',
                  'switchbench.io/fleet': pool,
                  'kubernetes.io/hostname': name,
                },
              },
              status: { allocatable, capacity: allocatable },
            },
          }),
        ),
      );
    await until(async () => {
      const nodes = (await core.listNode({ labelSelector: `switchbench.io/fleet=${pool}` })).items;
      const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === size ? true : undefined;
    }, `${size} kwok nodes Ready`);

    const metricsPort = await freePort();
    operator = startOperator(
      kubeconfigPath,
      namespace,
      metricsPort,
      (process.env.FLEET_OPERATOR_ARGS ?? '').split(' ').filter(Boolean),
    );
    await until(
      () =>
        fetch(`http://127.0.0.1:${metricsPort}/metrics`).then(
          (r) => (r.ok ? true : undefined),
          () => undefined,
        ),
      'the operator',
    );
    await sleep(5000);
    const baselineStart = await writes();
    await sleep(10_000);
    const baselinePerSecond = Object.fromEntries(
      Object.entries(minus(await writes(), baselineStart)).map(([key, n]) => [key, n / 10]),
    );

    let peak = rss(operator.pid);
    const sampler = setInterval(() => (peak = Math.max(peak, rss(operator.pid))), 500);
    const before = await writes();
    const sentBefore = operatorWrites(await scrape(metricsPort));
    const triggered = performance.now();
    const triggeredAt = Date.now();
    await custom.createNamespacedCustomObject({
      group,
      version,
      namespace,
      plural: 'switchbenchmarks',
      body: {
        apiVersion: `${group}/${version}`,
        kind: 'SwitchBenchmark',
        metadata: { name: 'fleet', namespace },
        spec: {
          datapath: 'memif',
          placement: { nodeSelector: { 'switchbench.io/fleet': pool }, fanOut: {} },
          traffic: { packetSizes: [64], burstSizes: [32] },
          method: { type: 'max' },
          trial: { duration: '2s', warmup: '0s', window: '1s' },
          resources: { cpuPolicy: 'shared', hugepages: { pageSize: '2Mi', perPodMi: 64 } },
        },
      },
    });
    // Polled once a second: listing hundreds of runs more often would load the apiserver being measured.
    // When each run started comes from its status.startTime.
    const POLL_MS = 1000;
    const startTimes = await until(
      async () => {
        const runs = await listRuns(namespace);
        return runs.length === size && runs.every((r) => r.status?.startTime) ? runs : undefined;
      },
      `${size} runs started`,
      120_000,
      POLL_MS,
    );
    // Runs whose trial attempts failed retry, and may still be going: reported, not waited for forever.
    const doneAfter = await until(
      async () => {
        const runs = await listRuns(namespace);
        return runs.length === size &&
          runs.every((r) => r.status?.phase === 'Succeeded' || r.status?.phase === 'Failed')
          ? `${((performance.now() - triggered) / 1000).toFixed(0)} s`
          : undefined;
      },
      `${size} runs finished`,
      300_000,
      POLL_MS,
    ).catch(() => 'not within 300 s');
    // Teardown (pods deleted, locks released) follows the run's end: let it settle before counting.
    await until(
      async () => {
        const pods = (await core.listNamespacedPod({ namespace })).items;
        return pods.length === 0 ? true : undefined;
      },
      'pods gone',
      120_000,
      POLL_MS,
    );
    await sleep(5000);
    const elapsed = (performance.now() - triggered) / 1000;
    clearInterval(sampler);
    const made = minus(await writes(), before);
    const baseline = Object.fromEntries(
      Object.entries(baselinePerSecond).map(([key, rate]) => [key, Math.round(rate * elapsed)]),
    );
    const byResource = minus(made, baseline);
    const series = await scrape(metricsPort);
    const sent = minus(operatorWrites(series), sentBefore);
    const runs = await listRuns(namespace);
    const failed = runs.filter((r) => r.status?.phase !== 'Succeeded');
    const verdict = (
      await custom.getNamespacedCustomObject({ group, version, namespace, plural: 'switchbenchmarks', name: 'fleet' })
    ).status?.pool;
    // Printed as each size ends: a later size that fails leaves the earlier figures readable.
    console.log(
      [
        `bench-operator fleet (kwok), ${size} nodes`,
        `  ${size} nodes: trigger → all ${size} runs started ${startedBy(startTimes, triggeredAt, 1)} s (goal ≤ 30 s at 500), → all finished ${doneAfter}` +
          ` (${size - failed.length} Succeeded${failed.length ? `, ${failed.length} not: ${failed[0].status?.conditions?.find((c) => c.type === 'Ready')?.message}` : ''});` +
          ` pool verdict: ${verdict?.nodes?.length ?? 0} nodes, median ${verdict?.medianPps ?? '-'} pps, ${verdict?.outliers?.length ?? 0} outliers`,
        `    runs started by: half ${startedBy(startTimes, triggeredAt, 0.5)} s, 90 % ${startedBy(startTimes, triggeredAt, 0.9)} s; operator ${operatorTimes(series)}`,
        `    API writes by the operator: ${(total(sent) / size).toFixed(1)} per run (goal ≤ 20): ${JSON.stringify(sent)} (its own request counter);`,
        `      by resource, as the apiserver counted them (kwok's final pod deletes included): ${JSON.stringify(byResource)}`,
        `    operator peak RSS ${peak.toFixed(1)} MB (goal ≤ 120 MB; ${imageSettings})`,
      ].join('\n'),
    );
    operator.kill('SIGTERM');
    await new Promise((resolve) => operator.once('exit', resolve));
    operator = undefined;
  }
} finally {
  operator?.kill('SIGTERM');
  kwok.kill('SIGTERM');
  for (const namespace of namespaces) {
    await dropRunFinalizers(custom, namespace);
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
  for (const name of nodeNames) await core.deleteNode({ name }).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
  tearDownCluster();
}
