// The kube-apiserver killed in the middle of a real run and started again (as a crashed static pod
// would be): the operator's watches resume and the run completes, each trial recorded once.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GROUP, VERSION, type SwitchBenchmark } from '../../src/api/v1alpha1/types.js';
import { clusterDir, runScript } from '../cluster/cluster.mjs';
import { e2eSession, sweepSpec } from '../e2e/support.js';
import { waitForExit } from './support.js';

const session = e2eSession('fault-apiserver');

test('a kube-apiserver restart mid-run: watches resume and the run completes', async () => {
  const benchmark: SwitchBenchmark = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'SwitchBenchmark',
    metadata: { name: 'steady' },
    spec: sweepSpec('testpmd', [5000, 10000]) as unknown as SwitchBenchmark['spec'],
  };
  const finished = session.runToEnd(benchmark);
  // The first trial's receiver runs: the operator is between two of its own writes.
  await session.waitFor(async () => {
    const pods = (
      await session.core.listNamespacedPod({
        namespace: session.namespace(),
        labelSelector: 'switchbench.io/run=steady-1',
      })
    ).items;
    return pods.some(
      (p) => p.metadata?.name === 'steady-1-t0-a0-rx' && p.status?.containerStatuses?.[0]?.state?.running,
    )
      ? true
      : undefined;
  }, 300);

  const pid = Number(readFileSync(path.join(clusterDir, 'run', 'kube-apiserver.pid'), 'utf8'));
  const killedAt = Date.now();
  process.kill(pid, 'SIGKILL');
  try {
    // As a kubelet restarts a crashed static pod: once the old process is gone. Until every thread
    // of it has exited it holds its port, and up.sh would start one that cannot bind.
    await waitForExit(pid);
  } finally {
    // Whatever happened, the apiserver comes back: every later test needs it.
    runScript('up.sh', 'full');
  }
  const outage = (Date.now() - killedAt) / 1000;

  const run = await finished;
  const restarts = session.logs().filter((line) => line.includes('Informer watch failed, restarting')).length;
  console.log(
    `fault suite: kube-apiserver down and back in ${outage.toFixed(1)} s mid-run; the operator restarted ${restarts} watches; run ${run.status?.phase} with ${run.status?.trials?.length} trials`,
  );
  expect(run.status?.phase).toBe('Succeeded');
  expect(run.status?.trials?.map((t) => [t.index, t.offeredPps])).toEqual([
    [0, 5000],
    [1, 10000],
  ]);
  expect(restarts).toBeGreaterThan(0);
});
