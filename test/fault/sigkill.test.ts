// SIGKILL the operator at random points while 20 runs go through their whole life, restarting it
// each time as a Deployment would. Afterwards: every planned trial recorded exactly once, no trial
// started twice, and nothing left behind (pods, config maps, node locks, finalizers). The kubelet is
// played by a loop that moves every pod of the namespace through its life as soon as it appears.
import { rmSync } from 'node:fs';
import { ApiException, CoordinationV1Api, CoreV1Api, CustomObjectsApi, type V1Pod } from '@kubernetes/client-node';
import { GROUP, RUN_PLURAL, VERSION, type SwitchBenchmarkRun } from '../../src/api/v1alpha1/types.js';
import { ROLE_LABEL } from '../../src/controller/labels.js';
import { CLEANED_UP } from '../../src/controller/run.js';
import { createNamespace, installCrds, kubeConfig, kubeconfigPath, waitFor } from '../cluster/kube.js';
import { buildBundle, OperatorProcess } from '../integration/operator-process.js';
import { createBenchmark, dropRunFinalizers, FakeKubelet, FakeNode, receiverSummary, senderSummary } from '../integration/support.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const coordination = kc.makeApiClient(CoordinationV1Api);
const RUNS = 20;
const NODES = 2;
const RATES = [1000, 2000, 3000];
let namespace: string;
let bundleDir: string;
const nodes: FakeNode[] = [];

/** Deterministic randomness from a printed seed, so a failing sequence of kills can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const arg = (pod: V1Pod, flag: string) => {
  const args = pod.spec?.containers[0]?.args ?? [];
  return Number(args[args.indexOf(flag) + 1]);
};

/** Plays the kubelet for every pod of the namespace until stopped; remembers every pod it saw. */
class KubeletLoop {
  readonly seen = new Set<string>();
  private stopped = false;
  private readonly kubelet: FakeKubelet;
  readonly done: Promise<void>;

  constructor() {
    this.kubelet = new FakeKubelet(kc, namespace);
    this.done = this.loop();
  }

  stop(): Promise<void> {
    this.stopped = true;
    return this.done;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const pods = (await core.listNamespacedPod({ namespace })).items.filter((p) => !p.metadata?.deletionTimestamp);
      const byName = new Map(pods.map((p) => [p.metadata?.name as string, p]));
      for (const pod of pods) {
        const name = pod.metadata?.name as string;
        this.seen.add(name);
        const phase = pod.status?.phase;
        // A pod deleted between the list and this write: the next round no longer sees it.
        const step = (write: Promise<void>) => write.catch(() => undefined);
        switch (pod.metadata?.labels?.[ROLE_LABEL]) {
          case 'switch':
            if (phase !== 'Running') await step(this.kubelet.running(name, true));
            break;
          case 'receiver': {
            const sender = byName.get(name.replace(/-rx$/, '-tx'));
            if (phase !== 'Running' && phase !== 'Succeeded') await step(this.kubelet.running(name));
            else if (phase === 'Running' && sender?.status?.phase === 'Succeeded') {
              const offered = arg(sender, '--rate');
              await step(this.kubelet.succeeded(name, receiverSummary(offered, offered * 2)));
            }
            break;
          }
          case 'sender':
            if (phase !== 'Succeeded') await step(this.kubelet.succeeded(name, senderSummary(arg(pod, '--rate'), arg(pod, '--rate') * 2)));
            break;
          case 'cleanup':
            if (phase !== 'Succeeded') await step(this.kubelet.succeeded(name, ''));
            break;
        }
      }
      await sleep(100);
    }
  }
}

// Right after the CRDs are installed on a fresh control plane, their storage may still answer 429.
const listRuns = () =>
  waitFor(
    () =>
      custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: RUN_PLURAL }).then(
        (list) => (list as { items: SwitchBenchmarkRun[] }).items,
        (err: unknown) => {
          if (err instanceof ApiException && err.code === 429) return undefined;
          throw err;
        },
      ),
    200,
  );
const cleanedUp = (run: SwitchBenchmarkRun) => run.status?.conditions?.some((c) => c.type === CLEANED_UP && c.status === 'True') ?? false;

beforeAll(async () => {
  bundleDir = buildBundle();
  await installCrds(kc);
  namespace = await createNamespace(core, 'fault-sigkill');
  for (let i = 0; i < NODES; i++) nodes.push(await new FakeNode(kc, `${namespace}-n${i}`, { 'switchbench.io/test-node': `${namespace}-n${i}` }).register());
});

afterAll(async () => {
  if (namespace) {
    await dropRunFinalizers(kc, namespace);
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
  for (const node of nodes) await node.delete();
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

test(`SIGKILL at random points during ${RUNS} runs: no finished trial lost, none duplicated, nothing orphaned`, async () => {
  const seed = Number(process.env.FAULT_SEED ?? Date.now() % 1_000_000);
  const next = random(seed);
  console.log(`fault suite: seed ${seed} (FAULT_SEED=${seed} replays the kill times)`);
  const kubelet = new KubeletLoop();
  for (let i = 0; i < RUNS; i++) {
    await createBenchmark(kc, namespace, `bm${i}`, {
      datapath: 'testpmd',
      placement: { nodeSelector: { 'switchbench.io/test-node': `${namespace}-n${i % NODES}` } },
      traffic: { packetSizes: [64], burstSizes: [16] },
      method: { type: 'sweep', sweep: { ratesPps: RATES } },
      trial: { duration: '2s', warmup: '0s', window: '1s' },
      resources: { cpuPolicy: 'shared', hugepages: { pageSize: '2Mi', perPodMi: 64 } },
    });
  }

  const args = ['--kubeconfig', kubeconfigPath, '--namespace', namespace, '--lock-namespace', namespace, '--log-level', 'debug', '--metrics-bind-address', '0'];
  const started = Date.now();
  let kills = 0;
  const finishedAtKill: number[] = [];
  let operator: OperatorProcess | undefined;
  const finished = async () => {
    const runs = await listRuns();
    return runs.length === RUNS && runs.every((r) => r.status?.phase === 'Succeeded' && cleanedUp(r) && !r.metadata.finalizers?.length);
  };
  try {
    while (!(await finished())) {
      if (Date.now() - started > 480_000) throw new Error(`the runs did not finish in 8 minutes after ${kills} kills`);
      operator = new OperatorProcess(bundleDir, `operator-${kills}`, args);
      // Anywhere from before the caches are synced (about half a second) to a few reconciles in.
      await Promise.race([sleep(200 + next() * 1800), operator.exited]);
      if (!operator.running) throw new Error(`the operator exited by itself:\n${operator.tail(40)}`);
      operator.signal('SIGKILL');
      await operator.exited;
      kills++;
      finishedAtKill.push((await listRuns()).filter((r) => r.status?.phase === 'Succeeded').length);
    }
    // A last, unkilled operator finishes whatever teardown is left; then nothing may remain.
    operator = new OperatorProcess(bundleDir, 'operator-final', args);
    await waitFor(async () => ((await finished()) ? true : undefined), 500);
    await waitFor(async () => ((await core.listNamespacedPod({ namespace })).items.length === 0 ? true : undefined), 500);
  } catch (err) {
    if (operator) console.log(operator.tail(60));
    throw err;
  } finally {
    if (operator?.running) operator.signal('SIGKILL');
    await kubelet.stop();
  }

  const runs = await listRuns();
  const trials = runs.flatMap((r) => (r.status?.trials ?? []).map((t) => ({ run: r.metadata.name as string, ...t })));
  const duplicates = runs.filter((r) => new Set((r.status?.trials ?? []).map((t) => t.index)).size !== (r.status?.trials ?? []).length);
  const retried = [...kubelet.seen].filter((name) => /-a[1-9]\d*-(rx|tx)$/.test(name));
  const pods = (await core.listNamespacedPod({ namespace })).items.map((p) => p.metadata?.name);
  const configMaps = (await core.listNamespacedConfigMap({ namespace })).items.map((c) => c.metadata?.name).filter((n) => n !== 'kube-root-ca.crt');
  const locks = (await coordination.listNamespacedLease({ namespace })).items.map((l) => l.metadata?.name);
  console.log(
    [
      `fault suite: operator SIGKILLed ${kills} times at random points during ${RUNS} runs (${((Date.now() - started) / 1000).toFixed(0)} s)`,
      `  runs Succeeded when each kill landed: ${finishedAtKill.join(' ')}`,
      `  runs Succeeded and cleaned up: ${runs.filter((r) => r.status?.phase === 'Succeeded' && cleanedUp(r)).length}/${RUNS}`,
      `  trials recorded: ${trials.length}/${RUNS * RATES.length} planned; runs with a trial recorded twice: ${duplicates.length}`,
      `  trial pods started again after a kill (attempt > 0): ${retried.length}; pods seen in all: ${kubelet.seen.size}`,
      `  left behind: ${pods.length} pods, ${configMaps.length} config maps, ${locks.length} node locks`,
    ].join('\n'),
  );
  // How many kills fit depends on the machine's speed (18 to 30 seen); what matters is that they landed throughout
  // the runs' lives, not only before the first run finished.
  expect(kills).toBeGreaterThanOrEqual(5);
  expect(new Set(finishedAtKill).size).toBeGreaterThanOrEqual(3);
  expect(runs.map((r) => r.status?.trials?.map((t) => [t.index, t.offeredPps, t.outcome]))).toEqual(runs.map(() => RATES.map((rate, index) => [index, rate, 'Measured'])));
  expect(duplicates).toEqual([]);
  expect(retried).toEqual([]);
  expect({ pods, configMaps, locks }).toEqual({ pods: [], configMaps: [], locks: [] });
});
