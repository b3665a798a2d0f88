// The node's hugepages taken by someone else (a pod holding all of them): a run that needs hugepages
// cannot be placed, and fails with the scheduler's words instead of waiting for ever; none of its
// pods is left behind.
import type { V1Pod } from '@kubernetes/client-node';
import { GROUP, VERSION, type SwitchBenchmark } from '../../src/api/v1alpha1/types.js';
import { DEFAULT_CONFIG } from '../../src/controller/config.js';
import { waitFor } from '../cluster/kube.js';
import { e2eSession, sweepSpec } from '../e2e/support.js';

const START_TIMEOUT = 15;
const session = e2eSession('fault-hugepages', { podStartTimeoutSeconds: START_TIMEOUT });

test('hugepages all taken: the run fails with PodNotScheduled naming hugepages, and leaves no pod', async () => {
  const namespace = session.namespace();
  const node = (await session.core.listNode()).items.find(
    (n) => n.metadata?.labels?.['switchbench.io/node'] === 'true',
  );
  const allocatable = node?.status?.allocatable?.['hugepages-2Mi'];
  expect(allocatable).toBeDefined();
  const hog: V1Pod = {
    metadata: { name: 'hugepage-hog', namespace },
    spec: {
      nodeName: node?.metadata?.name as string,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: 'hog',
          image: DEFAULT_CONFIG.trafficImage,
          imagePullPolicy: 'Never',
          command: ['sleep', '3600'],
          resources: {
            requests: { 'hugepages-2Mi': allocatable as string, memory: '16Mi' },
            limits: { 'hugepages-2Mi': allocatable as string, memory: '16Mi' },
          },
        },
      ],
    },
  };
  await session.core.createNamespacedPod({ namespace, body: hog });
  try {
    await waitFor(
      async () =>
        (await session.core.readNamespacedPod({ namespace, name: 'hugepage-hog' })).status?.phase === 'Running'
          ? true
          : undefined,
      500,
    );
    const run = await session.runToEnd({
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'SwitchBenchmark',
      metadata: { name: 'starved' },
      spec: sweepSpec('memif', [5000]) as unknown as SwitchBenchmark['spec'],
    });
    const ready = run.status?.conditions?.find((c) => c.type === 'Ready');
    console.log(
      `fault suite: hugepages taken by another pod; run ${run.status?.phase}: ${ready?.reason}: ${ready?.message}`,
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
    await waitFor(
      async () =>
        (await session.core.listNamespacedPod({ namespace, labelSelector: 'switchbench.io/run=starved-1' })).items
          .length === 0
          ? true
          : undefined,
      500,
    );
  } finally {
    await session.core.deleteNamespacedPod({ namespace, name: 'hugepage-hog', gracePeriodSeconds: 0 });
  }
});
