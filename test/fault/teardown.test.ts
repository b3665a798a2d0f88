// Deleting a SwitchBenchmark in the middle of a real trial (real kubelet, real testpmd): its run, pods,
// config map, node lock and host socket directory all go. The time that takes is printed; the bound
// asserted is loose (the machine is shared), the figure is what the 10 s target is read from.
import { CoordinationV1Api } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { BENCHMARK_PLURAL, GROUP, VERSION, type SwitchBenchmarkRun } from '../../src/api/v1alpha1/types.js';
import { hostRunDir } from '../../src/controller/desired.js';
import { waitFor } from '../cluster/kube.js';
import { e2eSession, SHORT_TRIAL, sweepSpec } from '../e2e/support.js';

const session = e2eSession('fault-teardown');

test('a benchmark deleted mid-trial leaves no pod, config map, lock or host directory', async () => {
  const namespace = session.namespace();
  const coordination = session.kc.makeApiClient(CoordinationV1Api);
  await session.custom.createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BENCHMARK_PLURAL,
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'SwitchBenchmark',
      metadata: { name: 'doomed', namespace },
      // A long trial, so that the deletion lands in its middle.
      spec: sweepSpec('testpmd', [5000], { trial: { ...SHORT_TRIAL, duration: '60s', warmup: '5s', window: '10s' } }),
    },
  });
  const pods = async () => (await session.core.listNamespacedPod({ namespace, labelSelector: 'switchbench.io/run=doomed-1' })).items;
  // Mid-trial: the switch forwards and both traffic programs run.
  await waitFor(async () => {
    const running = (await pods()).filter((p) => p.status?.containerStatuses?.[0]?.state?.running);
    return running.length === 3 ? true : undefined;
  }, 500);
  const run = (await session.readRun('doomed-1')) as SwitchBenchmarkRun;
  const directory = hostRunDir(run);
  expect(existsSync(directory)).toBe(true);
  expect((await coordination.listNamespacedLease({ namespace })).items).toHaveLength(1);

  const deletedAt = Date.now();
  await session.custom.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: BENCHMARK_PLURAL, name: 'doomed' });
  const left = async () => ({
    run: (await session.readRun('doomed-1')) ? 1 : 0,
    pods: (await pods()).length,
    configMaps: (await session.core.listNamespacedConfigMap({ namespace })).items.filter((c) => c.metadata?.name !== 'kube-root-ca.crt').length,
    locks: (await coordination.listNamespacedLease({ namespace })).items.length,
    hostDirectory: existsSync(directory) ? 1 : 0,
  });
  const nothing = { run: 0, pods: 0, configMaps: 0, locks: 0, hostDirectory: 0 };
  const gone: Record<string, number> = {};
  await waitFor(async () => {
    const now = await left();
    for (const [what, count] of Object.entries(now)) if (count === 0 && gone[what] === undefined) gone[what] = Date.now() - deletedAt;
    return Object.values(now).every((count) => count === 0) ? true : undefined;
  }, 200);
  const seconds = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;
  console.log(
    [
      'fault suite: SwitchBenchmark deleted mid-trial; gone after',
      ...Object.keys(nothing).map((what) => `  ${what.padEnd(14)} ${seconds(gone[what])}`),
      `  everything     ${seconds(Math.max(...Object.values(gone)))} (target 10 s)`,
    ].join('\n'),
  );
  expect(await left()).toEqual(nothing);
  expect(Math.max(...Object.values(gone))).toBeLessThan(60_000);
});
