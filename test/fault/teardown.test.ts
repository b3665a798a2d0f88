// Deleting a SwitchBenchmark in the middle of a real trial (real kubelet, real traffic programs): its
// run, pods, config map, NetworkAttachmentDefinition, node lock and host socket directory all go.
// Two paths: testpmd over vhost-user (a switch pod, no definition) and the kernel path over Multus
// (a definition and a bridge of the run, no switch pod). The time that takes is printed; the bound
// asserted is loose (the machine is shared), the figure is what the 10 s target is read from.
import { BENCHMARK_PLURAL, GROUP, VERSION, type SwitchBenchmarkRun } from '../../src/api/v1alpha1/types.js';
import { hostRunDir } from '../../src/controller/run/desired.js';
import { RUN_LABEL } from '../../src/api/v1alpha1/labels.js';
import { bridgeName } from '../../src/datapaths/network.js';
import { e2eSession, SHORT_TRIAL, sweepSpec } from '../e2e/support.js';
import { hostHasLink, MultusPieces } from '../e2e/multus-pieces.js';
import { createBenchmark } from '../integration/support.js';
import { leftovers, NOTHING_LEFT, seconds } from './support.js';

const multus = new MultusPieces('sbfault', 'fault-multus-pieces');
const session = e2eSession('fault-teardown', { multusDaemonSet: multus.daemonSet });

beforeAll(() => multus.install(session.kc));
afterAll(() => multus.uninstall());

// A long trial, so that the deletion lands in its middle.
const LONG_TRIAL = { ...SHORT_TRIAL, duration: '60s', warmup: '5s', window: '10s' };

test.each([
  ['testpmd', sweepSpec('testpmd', [5000], { trial: LONG_TRIAL }), 3],
  [
    'kernel',
    sweepSpec('kernel', [5000], { kernel: { socket: 'udp', batching: 'single', mtu: 1500 }, trial: LONG_TRIAL }),
    2,
  ],
] as const)(
  'a %s benchmark deleted mid-trial leaves no pod, config map, definition, lock or host directory',
  async (datapath, spec, podsWhenRunning) => {
    const namespace = session.namespace();
    const name = `doomed-${datapath}`;
    const runName = `${name}-1`;
    await createBenchmark(session.kc, namespace, name, spec);
    const pods = async () =>
      (await session.core.listNamespacedPod({ namespace, labelSelector: `${RUN_LABEL}=${runName}` })).items;
    // Mid-trial: both traffic programs run (and the switch forwards, where there is one).
    await session.waitFor(async () => {
      const running = (await pods()).filter((p) => p.status?.containerStatuses?.[0]?.state?.running);
      return running.length === podsWhenRunning ? true : undefined;
    }, 500);
    const run = (await session.readRun(runName)) as SwitchBenchmarkRun;
    const directory = hostRunDir(run);
    const bridge = bridgeName({ namespace, name: runName, uid: run.metadata.uid as string });
    const before = await leftovers(session.kc, namespace, runName, [directory]);
    // The kernel path has no sockets, hence no host directory; it has a definition instead.
    expect(before).toMatchObject({
      locks: 1,
      hostDirectories: datapath === 'kernel' ? 0 : 1,
      nads: datapath === 'kernel' ? 1 : 0,
    });
    if (datapath === 'kernel') expect(hostHasLink(bridge)).toBe(true);

    const deletedAt = Date.now();
    await session.custom.deleteNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: BENCHMARK_PLURAL,
      name,
    });
    const left = async () => ({
      run: (await session.readRun(runName)) ? 1 : 0,
      ...(await leftovers(session.kc, namespace, runName, [directory])),
      bridge: hostHasLink(bridge) ? 1 : 0,
    });
    const nothing = { run: 0, ...NOTHING_LEFT, bridge: 0 };
    const gone: Record<string, number> = {};
    // Everything gone, or a minute passed: a bound that catches a hang, not the 10 s target.
    const bound = deletedAt + 60_000;
    let now = await left();
    while (Object.values(now).some((count) => count > 0) && Date.now() < bound) {
      for (const [what, count] of Object.entries(now))
        if (count === 0 && gone[what] === undefined) gone[what] = Date.now() - deletedAt;
      await new Promise((resolve) => setTimeout(resolve, 200));
      now = await left();
    }
    for (const [what, count] of Object.entries(now))
      if (count === 0 && gone[what] === undefined) gone[what] = Date.now() - deletedAt;
    console.log(
      [
        `fault suite: ${datapath} SwitchBenchmark deleted mid-trial; gone after`,
        ...Object.keys(nothing).map(
          (what) => `  ${what.padEnd(15)} ${gone[what] === undefined ? 'still there after 60 s' : seconds(gone[what])}`,
        ),
        `  everything      ${seconds(Math.max(...Object.values(gone)))} (target 10 s)`,
      ].join('\n'),
    );
    expect(now).toEqual(nothing);
  },
);
