// Fan-out against a real apiserver: one run per node of a pool at each trigger, the bound on nodes
// measured at once, nodes joining and leaving the pool, history kept per node, and the pool verdict
// (outliers in status, a condition, an Event). Every node here is a fake one of this file.
import {
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  setHeaderOptions,
  type CoreV1Event,
} from '@kubernetes/client-node';
import {
  BENCHMARK_PLURAL,
  GROUP,
  RUN_PLURAL,
  VERSION,
  type SwitchBenchmark,
  type SwitchBenchmarkRun,
} from '../../src/api/v1alpha1/types.js';
import type { Operator } from '../../src/manager.js';
import { createNamespace, installCrds, kubeConfig, waitFor } from '../cluster/kube.js';
import { createBenchmark, dropRunFinalizers, FakeKubelet, FakeNode, startOperator } from './support.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
let namespace: string;
let kubelet: FakeKubelet;
let operator: Operator | undefined;
const nodes: FakeNode[] = [];
const POOL_LABEL = 'switchbench.io/test-pool';

/** A fake node, in the pool `pool` of this file unless said otherwise. */
async function node(suffix: string, pool?: string): Promise<FakeNode> {
  const name = `${namespace}-${suffix}`;
  const fake = new FakeNode(kc, name, pool ? { [POOL_LABEL]: `${namespace}-${pool}` } : {});
  nodes.push(await fake.register());
  return fake;
}

const setPool = (fake: FakeNode, pool: string | null) =>
  core.patchNode(
    {
      name: fake.name,
      body: { metadata: { labels: { [POOL_LABEL]: pool === null ? null : `${namespace}-${pool}` } } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );

const benchmark = (name: string, pool: string, fanOut: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  createBenchmark(kc, namespace, name, {
    datapath: 'memif',
    placement: { nodeSelector: { [POOL_LABEL]: `${namespace}-${pool}` }, fanOut },
    traffic: { packetSizes: [64], burstSizes: [16] },
    method: { type: 'sweep', sweep: { ratesPps: [1000] } },
    trial: { duration: '2s', warmup: '0s', window: '1s' },
    resources: { cpuPolicy: 'shared', hugepages: { pageSize: '2Mi', perPodMi: 64 } },
    ...extra,
  });

const readBenchmark = async (name: string) =>
  (await custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BENCHMARK_PLURAL,
    name,
  })) as SwitchBenchmark;
const runsOf = async (benchmarkName: string) =>
  (
    (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: RUN_PLURAL })) as {
      items: SwitchBenchmarkRun[];
    }
  ).items
    .filter((r) => r.spec.benchmarkName === benchmarkName)
    .sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
const progressing = (run: SwitchBenchmarkRun) => run.status?.conditions?.find((c) => c.type === 'Progressing');
const events = async (reason: string): Promise<CoreV1Event[]> =>
  (await core.listNamespacedEvent({ namespace })).items.filter((e) => e.reason === reason);

/** Waits until the benchmark's runs satisfy `until`, and returns them. */
const waitForRuns = (benchmarkName: string, until: (runs: SwitchBenchmarkRun[]) => boolean) =>
  waitFor(async () => {
    const runs = await runsOf(benchmarkName);
    return until(runs) ? runs : undefined;
  }, 200);
const phases = (runs: SwitchBenchmarkRun[]) => runs.map((r) => r.status?.phase ?? 'Pending').sort();

/** Plays a one-trial run to its end with the receive rate given, and lets it clean up. */
async function finishRun(run: string, rxPps: number): Promise<void> {
  await kubelet.playTrial(run, 0, 1000, rxPps);
  await kubelet.succeeded(`${run}-cleanup`, '');
  await kubelet.waitForRun(run, (r) => r.status?.phase === 'Succeeded');
}

beforeAll(async () => {
  await installCrds(kc);
  namespace = await createNamespace(core, 'fanout');
  kubelet = new FakeKubelet(kc, namespace);
  ({ operator } = await startOperator(kc, namespace));
});

afterAll(async () => {
  await operator?.stop();
  await dropRunFinalizers(kc, namespace);
  for (const fake of nodes) await fake.delete();
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

test('one run per pool node, at most maxConcurrentNodes at once; the verdict names the slow node', async () => {
  const pool = [await node('a', 'p1'), await node('b', 'p1'), await node('c', 'p1')];
  await node('outside');
  await benchmark('pool', 'p1', { maxConcurrentNodes: 2, outlierFraction: 0.9 });

  let runs = await waitForRuns('pool', (r) => r.length === 3 && phases(r).join() === 'Pending,Running,Running');
  expect(runs.map((r) => [r.metadata.name, r.spec.nodeName, r.metadata.labels?.['switchbench.io/round']])).toEqual(
    pool.map((n) => [`pool-1-${n.name}`, n.name, 'pool-1']),
  );
  // Each run on its own node, the one waiting named with the reason.
  for (const run of runs) expect(run.status?.node).toBe(run.spec.nodeName);
  const waiting = runs.find((r) => r.status?.phase === 'Pending') as SwitchBenchmarkRun;
  expect(progressing(waiting)).toMatchObject({
    reason: 'PoolLimit',
    message: expect.stringContaining('spec.placement.fanOut.maxConcurrentNodes 2'),
  });
  expect(await kubelet.pod(`${waiting.metadata.name}-t0-a0-rx`)).toBeUndefined();

  const [first, second] = runs.filter((r) => r.status?.phase === 'Running').map((r) => r.metadata.name as string);
  await finishRun(first as string, 1000);
  await kubelet.waitForRun(waiting.metadata.name as string, (r) => r.status?.phase === 'Running');
  await finishRun(second as string, 1000);
  await finishRun(waiting.metadata.name as string, 600);

  const judged = await waitFor(async () => {
    const b = await readBenchmark('pool');
    return b.status?.pool?.outliers?.length ? b : undefined;
  }, 200);
  expect(judged.status?.pool).toMatchObject({
    packetSize: 64,
    figure: 'MaxRx',
    medianPps: 1000,
    outliers: [waiting.spec.nodeName],
  });
  expect(judged.status?.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({
    status: 'True',
    reason: 'NodeOutliers',
    message: expect.stringContaining(`${waiting.spec.nodeName} (600pps, 0.60 of the median)`),
  });
  expect((await events('NodeOutliers')).map((e) => e.involvedObject.name)).toEqual(['pool']);
  runs = await runsOf('pool');
  expect(phases(runs)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
});

test('nodes join and leave the pool: a joiner enters the round, a leaver before its start fails NodeLeftPool; history is per node', async () => {
  const [d, e] = [await node('d', 'p2'), await node('e', 'p2')];
  await benchmark('churn', 'p2', { maxConcurrentNodes: 1 }, { historyLimit: 1 });
  const runs = await waitForRuns('churn', (r) => r.length === 2 && phases(r).join() === 'Pending,Running');
  const running = runs.find((r) => r.status?.phase === 'Running') as SwitchBenchmarkRun;
  const waiting = runs.find((r) => r.status?.phase === 'Pending') as SwitchBenchmarkRun;
  const [stays, leaves] = running.spec.nodeName === d.name ? [d, e] : [e, d];

  await setPool(leaves, null);
  const left = await kubelet.waitForRun(waiting.metadata.name as string, (r) => r.status?.phase === 'Failed');
  expect(left.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({
    reason: 'NodeLeftPool',
    message: expect.stringContaining(`Node ${leaves.name} no longer has the pool's labels`),
  });

  // Joins while the round runs: gets its run in this round, which waits for the one slot.
  const f = await node('f', 'p2');
  const joined = await kubelet.waitForRun(`churn-1-${f.name}`, (r) => progressing(r)?.reason === 'PoolLimit');
  expect(joined.metadata.labels?.['switchbench.io/round']).toBe('churn-1');
  await finishRun(running.metadata.name as string, 1000);
  await kubelet.waitForRun(`churn-1-${f.name}`, (r) => r.status?.phase === 'Running');
  await finishRun(`churn-1-${f.name}`, 1000);

  // The next trigger measures the pool as it is now; each node keeps historyLimit (1) of its runs.
  await custom.patchNamespacedCustomObject(
    {
      group: GROUP,
      version: VERSION,
      namespace,
      plural: BENCHMARK_PLURAL,
      name: 'churn',
      body: { metadata: { annotations: { 'switchbench.io/run-now': 'again' } } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  const round = await waitForRuns('churn', (r) => r.filter((x) => x.spec.trigger === 'manual').length === 2);
  const manual = round.filter((r) => r.spec.trigger === 'manual');
  expect(manual.map((r) => r.spec.nodeName).sort()).toEqual([stays.name, f.name].sort());
  const roundName = manual[0]?.metadata.labels?.['switchbench.io/round'] as string;
  // One node at a time (maxConcurrentNodes 1), in whichever order the operator admits them.
  for (let left = manual.length; left > 0; left--) {
    const [next] = await waitForRuns('churn', (r) =>
      r.some((x) => x.spec.trigger === 'manual' && x.status?.phase === 'Running'),
    ).then((r) => r.filter((x) => x.spec.trigger === 'manual' && x.status?.phase === 'Running'));
    expect(next).toBeDefined();
    await finishRun(next?.metadata.name as string, 1000);
  }
  const kept = await waitForRuns('churn', (r) => r.length === 3);
  expect(kept.map((r) => r.metadata.name).sort()).toEqual(
    [waiting.metadata.name, `${roundName}-${stays.name}`, `${roundName}-${f.name}`].sort(),
  );
  const verdict = await waitFor(async () => {
    const b = await readBenchmark('churn');
    return b.status?.pool?.nodes?.length === 2 && b.status.pool.nodes.every((n) => n.run?.startsWith(roundName))
      ? b.status.pool
      : undefined;
  }, 200);
  expect(verdict).toMatchObject({ medianPps: 1000, outliers: [] });
});

test('an empty pool starts nothing and says how to fill it; labelling a node starts the run', async () => {
  await benchmark('empty', 'p3', {});
  const told = await waitFor(async () => {
    const b = await readBenchmark('empty');
    return b.status?.conditions?.find((c) => c.reason === 'PoolEmpty');
  }, 200);
  expect(told.message).toContain(`kubectl label node NODE ${POOL_LABEL}=${namespace}-p3`);
  expect(await runsOf('empty')).toEqual([]);
  expect(await events('PoolEmpty')).toHaveLength(1);

  const g = await node('g');
  await setPool(g, 'p3');
  await kubelet.waitForRun(`empty-1-${g.name}`, (r) => r.status?.phase === 'Running');
});
