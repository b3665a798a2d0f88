// Multus installed from the chart on the real cluster, and the kernel path as the operator deploys
// it: each run gets a NetworkAttachmentDefinition and a bridge of its own, both traffic pods a second
// interface (net1) on it, and all four socket variants of the paper's Table 1 send real packets over
// it. Afterwards the bridge is gone from the node and the definition from the API; uninstalling
// Multus leaves the node's CNI configuration as it was.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { V1Pod } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../../src/api/v1alpha1/types.js';
import { KERNEL_SUBNET } from '../../src/datapaths/kernel.js';
import {
  bridgeName,
  NAD_GROUP,
  NAD_PLURAL,
  NAD_VERSION,
  NETWORK_STATUS_ANNOTATION,
} from '../../src/datapaths/network.js';
import { waitFor } from '../cluster/kube.js';
import { e2eSession, SHARED_RESOURCES, SHORT_TRIAL } from './support.js';
import { cniConfDir, hostHasLink, multusConfig, MultusPieces } from './multus-pieces.js';
import { kubectl, ok } from './tools.js';

const multus = new MultusPieces('sbe2e', 'e2e-multus-pieces');
const session = e2eSession('e2e-multus', { multusDaemonSet: multus.daemonSet });

beforeAll(() => multus.install(session.kc));
afterAll(() => multus.uninstall());

function kernelBenchmark(
  name: string,
  kernel: NonNullable<SwitchBenchmark['spec']['kernel']>,
  packetSizes: [number, ...number[]],
): SwitchBenchmark {
  const benchmark = parse(
    readFileSync(new URL('../../examples/kernel.yaml', import.meta.url), 'utf8'),
  ) as SwitchBenchmark;
  benchmark.metadata.name = name;
  benchmark.spec = {
    ...benchmark.spec,
    kernel,
    traffic: { packetSizes, burstSizes: [16] },
    method: { type: 'sweep', sweep: { ratesPps: [10_000] } },
    trial: SHORT_TRIAL as SwitchBenchmark['spec']['trial'],
    resources: SHARED_RESOURCES as SwitchBenchmark['spec']['resources'],
  };
  return benchmark;
}

interface Seen {
  bridge?: string;
  bridgeOnHost: boolean;
  senderArgs?: string[];
  receiverNetworkStatus?: string;
}

/** Watches a run's pods and its node while it runs: what the sender was told and where the bridge was. */
async function observe(runName: string, until: Promise<unknown>): Promise<Seen> {
  const seen: Seen = { bridgeOnHost: false };
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const run = await session.readRun(runName);
    if (run?.metadata.uid && !seen.bridge)
      seen.bridge = bridgeName({ namespace: session.namespace(), name: runName, uid: run.metadata.uid });
    if (seen.bridge && hostHasLink(seen.bridge)) seen.bridgeOnHost = true;
    const pods: V1Pod[] = (
      await session.core.listNamespacedPod({
        namespace: session.namespace(),
        labelSelector: `switchbench.io/run=${runName}`,
      })
    ).items;
    const sender = pods.find((p) => p.metadata?.labels?.['switchbench.io/role'] === 'sender');
    const receiver = pods.find((p) => p.metadata?.labels?.['switchbench.io/role'] === 'receiver');
    seen.senderArgs ??= sender?.spec?.containers[0]?.args;
    seen.receiverNetworkStatus ??= receiver?.metadata?.annotations?.[NETWORK_STATUS_ANNOTATION];
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return seen;
}

test.each([
  ['udp', 'single', 1500, [64]],
  ['udp', 'mmsg', 9000, [64, 8000]],
  ['raw', 'single', 1500, [64]],
  ['raw', 'mmsg', 1500, [64]],
] as const)(
  'kernel %s sockets, %s calls, MTU %d: real packets over net1 on a bridge of the run, removed afterwards',
  async (socket, batching, mtu, packetSizes) => {
    const name = `e2e-net-${socket}-${batching}`;
    const finished = session.runToEnd(
      kernelBenchmark(name, { socket, batching, mtu }, [...packetSizes] as [number, ...number[]]),
    );
    const seen = await observe(`${name}-1`, finished);
    const run: SwitchBenchmarkRun = await finished;

    const ready = run.status?.conditions?.find((c) => c.type === 'Ready');
    expect({ phase: run.status?.phase, reason: ready?.reason, message: ready?.message }).toMatchObject({
      phase: 'Succeeded',
      reason: 'Completed',
    });
    expect(run.status?.trials?.map((t) => t.packetSize)).toEqual(packetSizes);
    for (const trial of run.status?.trials ?? []) {
      console.log(
        `kernel ${socket}/${batching} MTU ${mtu} over net1: ${trial.packetSize} B at ${trial.offeredPps} pps offered: rx ${trial.rxPpsMean} pps, ${trial.rxPackets} of ${trial.txPackets} packets, loss ${trial.windowLossRatio}, ${trial.outcome}`,
      );
      expect(trial.outcome === 'Measured' || trial.outcome === 'GeneratorLimited').toBe(true);
      expect(trial.rxPackets).toBeGreaterThan(0);
      expect(trial.txPackets).toBeGreaterThanOrEqual(trial.rxPackets as number);
    }
    // The sender addressed the receiver's net1, whose address Multus reported from the run's network.
    const [subnet] = KERNEL_SUBNET.split('.0/');
    const statuses = JSON.parse(seen.receiverNetworkStatus ?? '[]') as {
      name: string;
      interface: string;
      ips?: string[];
      mtu?: number;
    }[];
    const net1 = statuses.find((s) => s.interface === 'net1');
    expect(net1).toMatchObject({
      name: `${session.namespace()}/${name}-1-net`,
      ips: [expect.stringMatching(new RegExp(`^${subnet}\\.\\d+$`))],
    });
    expect(seen.senderArgs).toEqual(expect.arrayContaining(['--iface', 'net1', '--dst-ip', net1?.ips?.[0]]));
    expect(seen.bridgeOnHost).toBe(true);

    // Finished means cleaned up: the bridge deleted on the node, the definition gone with the pods.
    await session.hostCleanedUp(run.metadata.name as string);
    expect(hostHasLink(seen.bridge as string)).toBe(false);
    const nad = await session.custom
      .getNamespacedCustomObject({
        group: NAD_GROUP,
        version: NAD_VERSION,
        namespace: session.namespace(),
        plural: NAD_PLURAL,
        name: `${name}-1-net`,
      })
      .then(
        () => 'exists',
        () => 'gone',
      );
    expect(nad).toBe('gone');
  },
);

test('uninstalling Multus takes its configuration off the node: new pods use the node network alone again', async () => {
  ok(kubectl, ['delete', '-n', multus.daemonSet.namespace, '--wait', '-f', '-'], multus.manifest());
  await waitFor(async () => (multusConfig().length === 0 ? true : undefined), 500);
  expect(readdirSync(cniConfDir).filter((f) => f.endsWith('.conflist') || f.endsWith('.conf'))).toEqual([
    '10-switchbench.conflist',
  ]);
  expect(existsSync(`${cniConfDir}/10-switchbench.conflist`)).toBe(true);
});
