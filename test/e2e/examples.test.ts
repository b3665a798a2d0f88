// The examples run on the local cluster to Succeeded with real packets: testpmd and OVS-DPDK (both
// forwarding modes) between two vhost-user ports, memif, and VPP and Snabb (both modes each) where
// their images are in the cluster (images/vpp and images/snabb build only on machines that can reach
// FD.io and the Snabb sources). The kernel example runs in multus.test.ts, which installs Multus. Trials are
// cut short and CPUs shared (the static CPU manager has one exclusive core to give on this machine);
// every trial must carry figures the user can trust: packets received, loss counted, the CPUs each
// program ran on, and the receiver's sample count.
import type { V1Pod } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../../src/api/v1alpha1/types.js';
import { waitFor } from '../cluster/kube.js';
import { DEFAULT_CONFIG } from '../../src/controller/config.js';
import { e2eSession, SHARED_RESOURCES, SHORT_TRIAL } from './support.js';
import { imageInCluster } from './tools.js';

const session = e2eSession('e2e');

function example(file: string, overrides: Record<string, unknown>): SwitchBenchmark {
  const benchmark = parse(readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8')) as SwitchBenchmark;
  benchmark.spec = {
    ...benchmark.spec,
    traffic: { packetSizes: [64, 512], burstSizes: [16] },
    method: { type: 'sweep', sweep: { ratesPps: [10_000] } },
    trial: SHORT_TRIAL as SwitchBenchmark['spec']['trial'],
    resources: SHARED_RESOURCES as SwitchBenchmark['spec']['resources'],
    ...overrides,
  };
  return benchmark;
}

function expectTrustworthy(run: SwitchBenchmarkRun): void {
  const ready = run.status?.conditions?.find((c) => c.type === 'Ready');
  expect({ phase: run.status?.phase, reason: ready?.reason, message: ready?.message }).toMatchObject({
    phase: 'Succeeded',
    reason: 'Completed',
  });
  expect(run.status?.trials).toHaveLength(2);
  for (const trial of run.status?.trials ?? []) {
    // A sleeping sender on a shared, noisy CPU may miss a few per cent of its schedule: that is
    // reported as GeneratorLimited (a measurement at the rate attempted), never as a failure.
    expect({ outcome: trial.outcome, message: trial.message }).toEqual(
      trial.outcome === 'GeneratorLimited'
        ? {
            outcome: 'GeneratorLimited',
            message: expect.stringMatching(
              /^the sender missed its pacing schedule: it attempted \d+ of 10000 pps offered, and the figures measure the path at that rate$/,
            ),
          }
        : { outcome: 'Measured', message: undefined },
    );
    expect(trial.offeredPps).toBe(10_000);
    expect(trial.rxPpsMean).toBeGreaterThan(0);
    expect(trial.rxPackets).toBeGreaterThan(0);
    expect(trial.samples).toBeGreaterThan(0);
    expect(trial.txPackets).toBeGreaterThanOrEqual(trial.rxPackets as number);
    expect(typeof trial.windowLost).toBe('number');
    expect(trial.windowLossRatio).toBeGreaterThanOrEqual(0);
    expect(trial.trialLossRatio).toBeGreaterThanOrEqual(0);
    expect(trial.cpus?.sender).toMatch(/^\d+([-,]\d+)*$/);
    expect(trial.cpus?.receiver).toMatch(/^\d+([-,]\d+)*$/);
  }
  expect(run.status?.summary?.map((p) => p.packetSize)).toEqual([64, 512]);
}

async function podsLeft(run: SwitchBenchmarkRun): Promise<V1Pod[]> {
  return (
    await session.core.listNamespacedPod({
      namespace: session.namespace(),
      labelSelector: `switchbench.io/run=${run.metadata.name}`,
    })
  ).items;
}

type Case = [file: string, name: string, overrides: Record<string, unknown>];
const BUILT_ELSEWHERE: Record<'vpp' | 'snabb', Case[]> = {
  vpp: [
    ['vpp.yaml', 'e2e-vpp-xconnect', { vpp: { forwarding: 'l2-xconnect' } }],
    ['vpp.yaml', 'e2e-vpp-bridge', { vpp: { forwarding: 'bridge-domain' } }],
  ],
  snabb: [
    ['snabb.yaml', 'e2e-snabb-l2', { snabb: { forwarding: 'l2-learning' } }],
    ['snabb.yaml', 'e2e-snabb-p2p', { snabb: { forwarding: 'port-to-port' } }],
  ],
};
const inCluster = (['vpp', 'snabb'] as const).filter((datapath) =>
  imageInCluster(DEFAULT_CONFIG.switchImages[datapath] as string),
);
const leftOut = (['vpp', 'snabb'] as const).filter((datapath) => !inCluster.includes(datapath));
if (leftOut.length)
  process.stderr.write(
    `examples.test.ts: ${leftOut.join(' and ')} left out: no image in the cluster (images/build.sh ${leftOut.join(' ')} on a machine that can build them)\n`,
  );
const cases: Case[] = [
  ['testpmd.yaml', 'e2e-testpmd', {}],
  ['memif.yaml', 'e2e-memif', {}],
  ['ovs-dpdk.yaml', 'e2e-ovs-p2p', { ovsDpdk: { forwarding: 'port-to-port' } }],
  ['ovs-dpdk.yaml', 'e2e-ovs-l2', { ovsDpdk: { forwarding: 'l2-learning' } }],
  ...inCluster.flatMap((datapath) => BUILT_ELSEWHERE[datapath]),
];

test.each(cases)(
  '%s (%s) runs to Succeeded with real packets, and leaves no pod behind',
  async (file, name, overrides) => {
    const benchmark = example(file, overrides);
    benchmark.metadata.name = name;
    const run = await session.runToEnd(benchmark);
    expectTrustworthy(run);
    // Finished means cleaned up too: the host directory removed (by a pod on the node), then no pod left.
    await session.hostCleanedUp(run.metadata.name as string);
    await waitFor(async () => ((await podsLeft(run)).length === 0 ? true : undefined), 1000);
  },
);
