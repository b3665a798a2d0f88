// The node's hugepages taken by someone else (a pod holding all that are free): a run that needs
// hugepages cannot be placed, and fails with the scheduler's words instead of waiting for ever; none
// of its pods is left behind.
import type { V1Container, V1Pod } from '@kubernetes/client-node';
import { GROUP, VERSION, type SwitchBenchmark } from '../../src/api/v1alpha1/types.js';
import { DEFAULT_CONFIG } from '../../src/controller/config.js';
import { e2eSession, sweepSpec } from '../e2e/support.js';

const START_TIMEOUT = 15;
const session = e2eSession('fault-hugepages', { podStartTimeoutSeconds: START_TIMEOUT });
const HOG = 'hugepage-hog';
const MI = 2 ** 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const UNITS: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
/** Bytes of a quantity as the API writes hugepages. */
function bytes(quantity: string | undefined): number {
  const match = /^(\d+)(k|M|G|Ki|Mi|Gi)?$/.exec(quantity ?? '0');
  if (!match) throw new Error(`unexpected hugepages quantity ${quantity}`);
  return Number(match[1]) * (UNITS[match[2] ?? ''] as number);
}

/** The 2 MiB hugepages a pod holds on its node: its containers', or its largest init container's. */
function hugepagesOf(pod: V1Pod): number {
  const of = (containers: V1Container[] = []) =>
    containers.map((c) => bytes(c.resources?.requests?.['hugepages-2Mi'] ?? c.resources?.limits?.['hugepages-2Mi']));
  return Math.max(
    of(pod.spec?.containers).reduce((a, b) => a + b, 0),
    ...of(pod.spec?.initContainers),
  );
}

/**
 * The hugepages of the node that no pod holds: other test runs on this machine (or what a pod of an
 * earlier test still holds while it stops) take some of the node's pool.
 */
async function freeHugepages(node: string, allocatable: string): Promise<number> {
  const pods = (await session.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` })).items;
  const held = pods
    .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed')
    .reduce((sum, p) => sum + hugepagesOf(p), 0);
  return bytes(allocatable) - held;
}

async function removeHog(namespace: string): Promise<void> {
  await session.core.deleteNamespacedPod({ namespace, name: HOG, gracePeriodSeconds: 0 }).catch(() => undefined);
  await session.waitFor(
    () =>
      session.core.readNamespacedPod({ namespace, name: HOG }).then(
        () => undefined,
        () => true,
      ),
    250,
  );
}

/**
 * A pod holding every free hugepage of the node, once it runs; the MiB it holds. The kubelet turns it
 * away (OutOfhugepages-2Mi) when a pod it counted as gone still holds some: then it is tried again
 * with what is free then, a few times; a hog that neither runs nor is turned away within two minutes
 * fails the test with its state.
 */
async function takeFreeHugepages(namespace: string, node: string, allocatable: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const free = await freeHugepages(node, allocatable);
    if (free <= 0) return 0;
    const hog: V1Pod = {
      metadata: { name: HOG, namespace },
      spec: {
        nodeName: node,
        restartPolicy: 'Never',
        terminationGracePeriodSeconds: 0,
        containers: [
          {
            name: 'hog',
            image: DEFAULT_CONFIG.trafficImage,
            imagePullPolicy: 'Never',
            command: ['sleep', '3600'],
            resources: {
              requests: { 'hugepages-2Mi': `${free / MI}Mi`, memory: '16Mi' },
              limits: { 'hugepages-2Mi': `${free / MI}Mi`, memory: '16Mi' },
            },
          },
        ],
      },
    };
    await session.core.createNamespacedPod({ namespace, body: hog });
    const deadline = Date.now() + 120_000;
    const pod = await session.waitFor(async () => {
      const now = await session.core.readNamespacedPod({ namespace, name: HOG });
      if (now.status?.phase === 'Running' || now.status?.phase === 'Failed') return now;
      if (Date.now() > deadline)
        throw new Error(`the hugepage hog did not start in 120 s: ${JSON.stringify(now.status?.containerStatuses)}`);
      return undefined;
    }, 500);
    if (pod.status?.phase === 'Running') return free / MI;
    const why = `${pod.status?.reason}: ${pod.status?.message}`;
    await removeHog(namespace);
    if (attempt === 5) throw new Error(`the kubelet turned the hugepage hog away ${attempt} times; last: ${why}`);
    console.log(`fault suite: the kubelet turned a hugepage hog of ${free / MI} MiB away (${why}); trying again`);
    await sleep(2000);
  }
}

test('hugepages all taken: the run fails with PodNotScheduled naming hugepages, and leaves no pod', async () => {
  const namespace = session.namespace();
  const node = (await session.core.listNode()).items.find(
    (n) => n.metadata?.labels?.['switchbench.io/node'] === 'true',
  );
  const allocatable = node?.status?.allocatable?.['hugepages-2Mi'];
  expect(allocatable).toBeDefined();
  let taken = 0;
  try {
    taken = await takeFreeHugepages(namespace, node?.metadata?.name as string, allocatable as string);
    const run = await session.runToEnd({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'SwitchBenchmark',
      metadata: { name: 'starved' },
      spec: sweepSpec('memif', [5000]) as unknown as SwitchBenchmark['spec'],
    });
    const ready = run.status?.conditions?.find((c) => c.type === 'Ready');
    console.log(
      `fault suite: hugepages taken by another pod (${taken} MiB, all that were free); run ${run.status?.phase}: ${ready?.reason}: ${ready?.message}`,
    );
    expect(ready).toMatchObject({
      status: 'False',
      reason: 'PodNotScheduled',
      message: expect.stringMatching(
        new RegExp(
          `^receiver pod starved-1-t0-a0-rx did not start in ${START_TIMEOUT}s: not scheduled: .*Insufficient hugepages-2Mi`,
        ),
      ),
    });
    await session.waitFor(
      async () =>
        (await session.core.listNamespacedPod({ namespace, labelSelector: 'switchbench.io/run=starved-1' })).items
          .length === 0
          ? true
          : undefined,
      500,
    );
  } finally {
    await removeHog(namespace);
  }
});
