// What every end-to-end test file needs: the CRDs, a namespace of its own, an operator watching it
// (in-process, so the test reads its logs), and runs driven to their end. Teardown runs whatever the
// test did, failed or timed out: the operator stopped, the namespace removed with every benchmark,
// run (finalizers included) and pod in it, so that nothing keeps jest alive and nothing holds the
// node's CPUs or hugepages from the next test. Setup first removes what an earlier, aborted test run
// left behind.
import { readFileSync, rmSync } from 'node:fs';
import { ApiException, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import {
  BENCHMARK_PLURAL,
  GROUP,
  RUN_PLURAL,
  VERSION,
  type SwitchBenchmark,
  type SwitchBenchmarkRun,
} from '../../src/api/v1alpha1/types.js';
import { ConditionType } from '../../src/api/v1alpha1/conditions.js';
import { RUN_LABEL } from '../../src/api/v1alpha1/labels.js';
import type { OperatorConfig } from '../../src/controller/config.js';
import { hostRunDir } from '../../src/controller/run/desired.js';
import type { Operator } from '../../src/manager.js';
import { installCrds, kubeConfig, otherClusterUsers, runScript } from '../cluster/kube.js';
import { dropRunFinalizers, startOperator } from '../integration/support.js';

export interface E2eSession {
  readonly kc: ReturnType<typeof kubeConfig>;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  /** The test file's namespace, set once beforeAll has run. */
  namespace(): string;
  /** The in-process operator's JSON log lines so far. */
  logs(): readonly string[];
  readRun(name: string): Promise<SwitchBenchmarkRun | undefined>;
  /** Waits until the run's host directory is removed (HostCleanedUp True): a finished run is cleaned up. */
  hostCleanedUp(runName: string): Promise<void>;
  /**
   * Creates the benchmark (in the session's namespace) and waits for its first run to finish and for
   * the benchmark's status to show that.
   */
  runToEnd(benchmark: SwitchBenchmark): Promise<SwitchBenchmarkRun>;
  /**
   * Polls `probe` until it returns a value other than undefined, as kube.ts' waitFor, but stops (and
   * rejects) once the session is torn down: a wait left behind by a failed test ends with it.
   */
  waitFor<T>(probe: () => Promise<T | undefined>, intervalMs?: number): Promise<T>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
const notFound = (err: unknown) => err instanceof ApiException && err.code === 404;
/**
 * `promise`, marked as handled: a wait that a failed test no longer awaits rejects when the session
 * ends, and must not be an unhandled rejection then (it would crash jest, or fail a later test).
 * Whoever awaits it still gets the rejection.
 */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** `promise`, or a rejection naming `what` after `ms`; the timer does not outlive it. */
async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not done after ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Registers the file's hooks; a failing test prints the operator's last log lines. */
export function e2eSession(prefix: string, config: Partial<OperatorConfig> = {}): E2eSession {
  const kc = kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  let namespace = '';
  let operator: Operator | undefined;
  let logs: string[] = [];
  // Why the session ended, once it has: every wait of the session stops then.
  let closed: string | undefined;

  const waitFor = <T>(probe: () => Promise<T | undefined>, intervalMs = 500): Promise<T> =>
    handled(
      (async () => {
        for (;;) {
          if (closed) throw new Error(`${prefix}: stopped waiting: ${closed}`);
          const value = await probe();
          if (value !== undefined) return value;
          await sleep(intervalMs);
        }
      })(),
    );

  beforeAll(async () => {
    namespace = await prepareTestNamespace(kc, prefix);
    ({ operator, lines: logs } = await startOperator(kc, namespace, [], config));
  });
  afterEach(() => {
    if (expect.getState().assertionCalls !== expect.getState().numPassingAsserts)
      console.log(logs.slice(-40).join('\n'));
  });
  afterAll(async () => {
    closed = 'the test file is torn down';
    const problems: string[] = [];
    // Every step runs whatever the one before did; each is bounded, so a hung apiserver cannot hold the hook.
    try {
      await bounded(operator?.stop() ?? Promise.resolve(), 30_000, 'stopping the operator');
    } catch (err) {
      problems.push(message(err));
    }
    if (namespace) {
      try {
        await removeTestNamespace(kc, namespace);
      } catch (err) {
        problems.push(message(err));
      }
    }
    if (problems.length) throw new Error(`teardown of ${prefix}: ${problems.join('; ')}`);
  });

  const readRun = async (name: string) =>
    (await custom
      .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: RUN_PLURAL, name })
      .catch(() => undefined)) as SwitchBenchmarkRun | undefined;
  return {
    kc,
    core,
    custom,
    namespace: () => namespace,
    logs: () => logs,
    readRun,
    waitFor,
    async hostCleanedUp(runName) {
      await waitFor(async () => {
        const run = await readRun(runName);
        return run?.status?.conditions?.some((c) => c.type === ConditionType.HostCleanedUp && c.status === 'True')
          ? true
          : undefined;
      }, 1000);
    },
    runToEnd(benchmark) {
      return handled(
        (async () => {
          await custom.createNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace,
            plural: BENCHMARK_PLURAL,
            body: { ...benchmark, metadata: { ...benchmark.metadata, namespace } },
          });
          const run = await waitFor(async () => {
            const found = await readRun(`${benchmark.metadata.name}-1`);
            return found?.status?.phase === 'Succeeded' || found?.status?.phase === 'Failed' ? found : undefined;
          }, 1000);
          // The benchmark's status follows its runs' changes gathered over a second.
          await waitFor(async () => {
            const owner = (await custom.getNamespacedCustomObject({
              group: GROUP,
              version: VERSION,
              namespace,
              plural: BENCHMARK_PLURAL,
              name: benchmark.metadata.name as string,
            })) as SwitchBenchmark;
            const last = owner.status?.lastRun;
            return last?.name === run.metadata.name && last?.phase === run.status?.phase ? true : undefined;
          }, 500);
          return run;
        })(),
      );
    },
  };
}

// --- test namespaces: owned by a test run, removed with everything in them --------------------------

/** The label naming the test run (`testRunId`) that created a namespace. */
export const TEST_RUN_LABEL = 'switchbench.io/test-run';
/**
 * The namespaces of the e2e and fault tiers: `<prefix>-<random>` of their sessions and helpers, and
 * the fixed ones of their node-wide pieces (e2e-multus-pieces, fault-multus-pieces, e2e-sriov-pieces).
 */
const TIER_NAMESPACE = /^(e2e|fault)-/;

/** The start time of a process (field 22 of its stat, in clock ticks since boot), if it runs. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/**
 * This test run: jest's main process (the cluster's user, which runs every test file of the tier) and
 * its start time, so that a PID reused after a killed run never passes for it.
 */
export function testRunId(): string {
  const pid = Number(process.env.SWITCHBENCH_CLUSTER_USER ?? process.pid);
  return `${pid}.${processStart(pid) ?? 0}`;
}

const testRunLive = (id: string) => {
  const [pid, start] = id.split('.');
  return processStart(Number(pid)) === start;
};

/**
 * Before a test file makes its namespace: the cluster answers (a test that restarted one of its
 * components may have left it down: session.sh starts what is missing), the CRDs are installed, and
 * whatever an earlier test run left in the tiers' namespaces is gone.
 */
async function prepareCluster(kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const answers = await core.listNamespace({ limit: 1 }).then(
    () => true,
    () => false,
  );
  const user = process.env.SWITCHBENCH_CLUSTER_USER;
  if (!answers && user) {
    console.log('the cluster does not answer: starting what is missing');
    runScript('session.sh', 'acquire', 'full', user);
  }
  await installCrds(kc);
  await removeLeftovers(kc);
}

/**
 * Removes the namespaces (with their benchmarks, runs and pods: a hugepage hog among them) that
 * earlier test runs of the e2e and fault tiers left behind: a run killed, or a teardown that could
 * not finish. A namespace of a test run still going (another engineer's, on this machine's one
 * cluster) is left alone; one without an owner (made by an older checkout, or by kube.ts'
 * createNamespace) only when no other test run uses the cluster.
 */
export async function removeLeftovers(kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const me = testRunId();
  let othersRunning: boolean | undefined;
  const leftovers: string[] = [];
  for (const ns of (await core.listNamespace()).items) {
    const name = ns.metadata?.name ?? '';
    if (!TIER_NAMESPACE.test(name)) continue;
    const owner = ns.metadata?.labels?.[TEST_RUN_LABEL];
    // This run's own are of test files that have finished: they run one at a time.
    if (owner && owner !== me && testRunLive(owner)) continue;
    if (!owner && (othersRunning ??= otherClusterUsers() > 0)) continue;
    leftovers.push(name);
  }
  for (const name of leftovers) {
    const runs = await listCustom<SwitchBenchmarkRun>(kc, name, RUN_PLURAL);
    const pods = (await core.listNamespacedPod({ namespace: name })).items.map((p) => p.metadata?.name);
    const held = runs.filter((r) => r.metadata.finalizers?.length).map((r) => r.metadata.name);
    console.log(
      `removing namespace ${name}, left by an earlier test run: runs with finalizers ${held.join(', ') || 'none'}; pods ${pods.join(', ') || 'none'}`,
    );
    await removeTestNamespace(kc, name);
  }
}

/**
 * A fresh namespace for one test file, enabled for benchmarks and labelled with this test run, after
 * the cluster is prepared (prepareCluster). Remove it with removeTestNamespace.
 */
export async function prepareTestNamespace(kc: KubeConfig, prefix: string): Promise<string> {
  await prepareCluster(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const labels = { 'switchbench.io/enabled': 'true', [TEST_RUN_LABEL]: testRunId() };
  const ns = await core.createNamespace({ body: { metadata: { generateName: `${prefix}-`, labels } } });
  const name = ns.metadata?.name;
  if (!name) throw new Error('the apiserver returned a namespace without a name');
  // Pods need the namespace's default ServiceAccount, which the controller-manager adds shortly after.
  for (;;) {
    const ready = await core.readNamespacedServiceAccount({ namespace: name, name: 'default' }).then(
      () => true,
      () => false,
    );
    if (ready) return name;
    await sleep(500);
  }
}

async function listCustom<T>(kc: KubeConfig, namespace: string, plural: string): Promise<T[]> {
  return kc
    .makeApiClient(CustomObjectsApi)
    .listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })
    .then(
      (list) => (list as { items: T[] }).items,
      (err: unknown) => {
        // No CRD, no such object.
        if (notFound(err)) return [];
        throw err;
      },
    );
}

/**
 * Removes a test namespace with everything in it, whether or not an operator still watches it: its
 * benchmarks (no new run starts), its runs' finalizers (nothing else would remove them once the
 * operator is gone; the host directory the operator's cleanup would have removed goes here, the
 * node being this machine) once their pods are stopped (with a grace period of a second; after half
 * the bound, every pod of the namespace at once), then the namespace. Returns once the namespace is
 * gone; throws saying what is left after `boundMs`.
 */
export async function removeTestNamespace(kc: KubeConfig, namespace: string, boundMs = 150_000): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const started = Date.now();
  let deleted = false;
  for (;;) {
    const exists = await core.readNamespace({ name: namespace }).then(
      () => true,
      (err: unknown) => {
        if (notFound(err)) return false;
        throw err;
      },
    );
    if (!exists) return;
    const key = { group: GROUP, version: VERSION, namespace };
    for (const benchmark of await listCustom<SwitchBenchmark>(kc, namespace, BENCHMARK_PLURAL)) {
      if (benchmark.metadata.deletionTimestamp) continue;
      await custom
        .deleteNamespacedCustomObject({ ...key, plural: BENCHMARK_PLURAL, name: benchmark.metadata.name as string })
        .catch((err: unknown) => {
          if (!notFound(err)) throw err;
        });
    }
    // The runs' pods first (a switch still uses its host directory), then what the operator would have
    // done after them.
    const force = Date.now() - started > boundMs / 2;
    await core
      .deleteCollectionNamespacedPod({ namespace, labelSelector: RUN_LABEL, gracePeriodSeconds: force ? 0 : 1 })
      .catch((err: unknown) => {
        if (!notFound(err)) throw err;
      });
    if (force)
      await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 }).catch((err: unknown) => {
        if (!notFound(err)) throw err;
      });
    const runs = await listCustom<SwitchBenchmarkRun>(kc, namespace, RUN_PLURAL);
    for (const run of runs.filter((r) => r.metadata.finalizers?.length)) {
      try {
        rmSync(hostRunDir(run), { recursive: true, force: true });
      } catch {
        // A run without a proper UID has no host directory.
      }
    }
    await dropRunFinalizers(kc, namespace, runs);
    if (!deleted) {
      await core.deleteNamespace({ name: namespace }).catch((err: unknown) => {
        if (!notFound(err)) throw err;
      });
      deleted = true;
    }
    if (Date.now() - started > boundMs) {
      const pods = (await core.listNamespacedPod({ namespace })).items.map(
        (p) => `${p.metadata?.name} (${p.status?.phase})`,
      );
      const left = (await listCustom<SwitchBenchmarkRun>(kc, namespace, RUN_PLURAL)).map((r) => r.metadata.name);
      throw new Error(
        `namespace ${namespace} still there after ${boundMs / 1000} s: pods ${pods.join(', ') || 'none'}; runs ${left.join(', ') || 'none'}`,
      );
    }
    await sleep(1000);
  }
}

/** What trial pods get on this two-core machine: shared CPUs and small hugepage pools. */
export const SHARED_RESOURCES = {
  cpuPolicy: 'shared',
  cpus: { sender: 1, receiver: 1, switch: 1 },
  memoryMi: 256,
  hugepages: { pageSize: '2Mi', perPodMi: 512 },
};
/** Short trials: what correctness needs, not what a measurement would. */
export const SHORT_TRIAL = { duration: '6s', warmup: '2s', window: '3s', sampleInterval: '1s', repetitions: 1 };

/** A small sweep at 64-byte frames; `overrides` replace whole top-level fields of the spec. */
export function sweepSpec(
  datapath: string,
  ratesPps: number[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    datapath,
    traffic: { packetSizes: [64], burstSizes: [16] },
    method: { type: 'sweep', sweep: { ratesPps } },
    trial: SHORT_TRIAL,
    resources: SHARED_RESOURCES,
    ...overrides,
  };
}
