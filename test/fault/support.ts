// What the fault tests check after a run is gone or finished: nothing of it left in the API or on
// the node.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { ApiException, CoordinationV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { SwitchBenchmarkRun } from '../../src/api/v1alpha1/types.js';
import { RUN_LABEL } from '../../src/api/v1alpha1/labels.js';
import { ConditionType } from '../../src/api/v1alpha1/conditions.js';
import { NAD_GROUP, NAD_PLURAL, NAD_VERSION } from '../../src/datapaths/network.js';
import { SHARED_RESOURCES } from '../e2e/support.js';

export interface Leftovers {
  pods: number;
  configMaps: number;
  nads: number;
  locks: number;
  hostDirectories: number;
}

/**
 * The e2e tests' shared CPUs with a quarter of their hugepages: enough for the programs' pools, and
 * a run still fits on the node's 2 GiB while other test runs hold some of it.
 */
export const FAULT_RESOURCES = { ...SHARED_RESOURCES, hugepages: { pageSize: '2Mi', perPodMi: 128 } };

export const NOTHING_LEFT: Leftovers = { pods: 0, configMaps: 0, nads: 0, locks: 0, hostDirectories: 0 };

/**
 * A request the apiserver may refuse for a while with 429 "storage is (re)initializing": a list of a
 * resource whose CRD was installed moments ago (the test file's Multus pieces bring the
 * NetworkAttachmentDefinition's), on a fresh cluster. Asked again for up to a minute.
 */
async function whenServed<T>(request: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await request();
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 429) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

/**
 * What of the runs remains in `namespace` (their lock namespace too) and on the node: pods of `run`,
 * or of every run when undefined, and the host directories given.
 */
export async function leftovers(
  kc: KubeConfig,
  namespace: string,
  run: string | undefined,
  hostDirectories: string[],
): Promise<Leftovers> {
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  // Without the NetworkAttachmentDefinition API (Multus not installed), no definition can exist.
  const nads = await whenServed(() =>
    kc
      .makeApiClient(CustomObjectsApi)
      .listNamespacedCustomObject({ group: NAD_GROUP, version: NAD_VERSION, namespace, plural: NAD_PLURAL }),
  ).then(
    (list) => (list as { items: unknown[] }).items.length,
    (err: unknown) => {
      if (err instanceof ApiException && err.code === 404) return 0;
      throw err;
    },
  );
  return {
    pods: (await core.listNamespacedPod({ namespace, ...(run ? { labelSelector: `${RUN_LABEL}=${run}` } : {}) })).items
      .length,
    configMaps: (await core.listNamespacedConfigMap({ namespace })).items.filter(
      (c) => c.metadata?.name !== 'kube-root-ca.crt',
    ).length,
    nads,
    locks: (await coordination.listNamespacedLease({ namespace })).items.length,
    hostDirectories: hostDirectories.filter((d) => existsSync(d)).length,
  };
}

/**
 * Leftovers once they are all gone, or whatever remains after `boundMs`: a bound that only catches
 * a hang, so that a leftover fails the test with what it is instead of timing it out.
 */
export async function leftoversAfter(
  kc: KubeConfig,
  namespace: string,
  run: string | undefined,
  hostDirectories: string[],
  boundMs: number,
): Promise<Leftovers> {
  const deadline = Date.now() + boundMs;
  for (;;) {
    const now = await leftovers(kc, namespace, run, hostDirectories);
    if (Object.values(now).every((n) => n === 0) || Date.now() > deadline) return now;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

export const cleanedUp = (run: SwitchBenchmarkRun | undefined) =>
  run?.status?.conditions?.some((c) => c.type === ConditionType.HostCleanedUp && c.status === 'True') ?? false;

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Whether a process and all its threads have exited (a zombie its parent has not reaped yet has):
 * until then a killed process still holds its ports and files.
 */
export function processGone(pid: number): boolean {
  let tasks: string[];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return true;
  }
  return tasks.every((task) => {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      return /^[ZXx]/.test(stat.slice(stat.lastIndexOf(')') + 2));
    } catch {
      return true;
    }
  });
}

/**
 * Waits until `pid` has exited (processGone), polling every 50 ms; throws after `boundMs`, a bound
 * that only catches a process that does not die.
 */
export async function waitForExit(pid: number, boundMs = 60_000): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (!processGone(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} has not exited ${boundMs / 1000} s after SIGKILL`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
