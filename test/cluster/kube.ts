// The local cluster as the test tiers see it: bring it up in the mode a tier needs (or reuse the
// one running), hand out a KubeConfig for it, tear it down, and small helpers to wait on pods.
// The scripts next to this file do the work; docs/local-cluster.md describes both modes.
import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type V1CustomResourceDefinition,
  type V1Pod,
} from '@kubernetes/client-node';
import { loadCrds } from '../invalid/corpus.js';
import { clusterDir } from './cluster.mjs';

export {
  clusterDir,
  otherClusterUsers,
  runScript,
  setUpCluster,
  startedBySession,
  tearDownCluster,
  type ClusterMode,
} from './cluster.mjs';

export const kubeconfigPath = path.join(clusterDir, 'admin.kubeconfig');
export const nodeName = process.env.SWITCHBENCH_NODE_NAME ?? 'switchbench-node';
/** A pod's nodeSelector for the real node: other tiers create fake nodes in the same cluster. */
export const onTheNode = { 'kubernetes.io/hostname': nodeName };
/** The Debian base image every node has: the one `FROM debian:bookworm-slim` builds on. */
export const baseImage = 'docker.io/library/debian:bookworm-slim';

/** A KubeConfig with cluster-admin rights on the local cluster. */
export function kubeConfig(): KubeConfig {
  if (!existsSync(kubeconfigPath)) {
    throw new Error(`${kubeconfigPath} does not exist: the local cluster is not up (make cluster-up)`);
  }
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return kc;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Polls `probe` until it returns a value other than undefined. No deadline of its own: the
 * calling test's timeout bounds it, and `describe()` says what was awaited when it runs out.
 */
export async function waitFor<T>(probe: () => Promise<T | undefined>, intervalMs = 500): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(intervalMs);
  }
}

/** Waits until the pod has finished (Succeeded or Failed) and returns it. */
export function podFinished(core: CoreV1Api, namespace: string, name: string): Promise<V1Pod> {
  return waitFor(async () => {
    const pod = await core.readNamespacedPod({ namespace, name });
    return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed' ? pod : undefined;
  });
}

/** Waits until every container of the pod runs and returns it. */
export function podRunning(core: CoreV1Api, namespace: string, name: string): Promise<V1Pod> {
  return waitFor(async () => {
    const pod = await core.readNamespacedPod({ namespace, name });
    const statuses = pod.status?.containerStatuses ?? [];
    if (pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded') {
      throw new Error(`pod ${namespace}/${name} ended (${pod.status.phase}) before it was seen running`);
    }
    return statuses.length > 0 && statuses.every((s) => s.state?.running) ? pod : undefined;
  });
}

/** A fresh namespace for one test file, enabled for benchmarks unless `enabled` is false; delete it in afterAll. */
export async function createNamespace(core: CoreV1Api, prefix: string, enabled = true): Promise<string> {
  const labels: Record<string, string> = enabled ? { 'switchbench.io/enabled': 'true' } : {};
  const ns = await core.createNamespace({ body: { metadata: { generateName: `${prefix}-`, labels } } });
  const name = ns.metadata?.name;
  if (!name) throw new Error('the apiserver returned a namespace without a name');
  // Pods need the namespace's default ServiceAccount, which the controller-manager adds shortly after.
  await waitFor(() =>
    core.readNamespacedServiceAccount({ namespace: name, name: 'default' }).then(
      () => true,
      () => undefined,
    ),
  );
  return name;
}

/** Applies every CRD in crds/ (server-side apply) and waits until each is Established. */
export async function installCrds(kc: KubeConfig): Promise<void> {
  const extensions = kc.makeApiClient(ApiextensionsV1Api);
  for (const crd of loadCrds() as unknown as V1CustomResourceDefinition[]) {
    await extensions.patchCustomResourceDefinition(
      { name: crd.metadata?.name ?? '', body: crd, fieldManager: 'switchbench-tests', force: true },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
    await waitFor(async () => {
      const live = await extensions.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' });
      return live.status?.conditions?.find((c) => c.type === 'Established' && c.status === 'True');
    }, 200);
    await waitFor(
      () => watchServed(kc, `/apis/${crd.spec.group}/${crd.spec.versions[0]?.name}/${crd.spec.names.plural}`),
      200,
    );
  }
}

/**
 * Whether the apiserver serves a watch on `path`: a new CRD is Established before its watch cache
 * is, and until then a watch gets 429 "storage is (re)initializing". An operator started in that
 * window would wait out its informer watchdog (minutes) to see anything, longer than a test may take.
 */
async function watchServed(kc: KubeConfig, path: string): Promise<true | undefined> {
  let refused = false;
  const request = await new Watch(kc).watch(
    path,
    {},
    () => undefined,
    (err: unknown) => {
      if (err) refused = true;
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  const served = refused ? undefined : true;
  request.abort();
  return served;
}
