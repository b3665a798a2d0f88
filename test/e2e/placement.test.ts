// cpuPolicy isolated-dut on the local cluster's node, which has one core for the static CPU manager
// to give: the switch gets it alone and busy-polls; the sender busy-polls and the receiver sleeps when
// idle on the shared CPUs. Every trial records the placement and each role's CPUs, the switch's from
// its own answer, so a figure made under this compromise is labelled as one.
import { GROUP, VERSION, type SwitchBenchmark } from '../../src/api/v1alpha1/types.js';
import { e2eSession, SHARED_RESOURCES } from './support.js';

const session = e2eSession('e2e-place');

/** The CPUs of a cpuset list such as "0-1,3". */
const cpuList = (list: string) =>
  list
    .split(',')
    .filter(Boolean)
    .flatMap((item) => {
      const [from, to = from] = item.split('-').map(Number) as [number, number?];
      return Array.from({ length: (to as number) - from + 1 }, (_, i) => from + i);
    });

test('isolated-dut: the switch alone on its core, the placement and every role’s CPUs in status', async () => {
  const run = await session.runToEnd({
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'SwitchBenchmark',
    metadata: { name: 'e2e-isolated-dut' },
    spec: {
      datapath: 'testpmd',
      traffic: { packetSizes: [64], burstSizes: [32] },
      method: { type: 'max' },
      trial: { duration: '6s', warmup: '2s', window: '3s', sampleInterval: '1s', repetitions: 3 },
      resources: { ...SHARED_RESOURCES, cpuPolicy: 'isolated-dut' },
    } as unknown as SwitchBenchmark['spec'],
  });
  const trials = run.status?.trials ?? [];
  const rates = trials.map((t) => t.rxPpsMean as number);
  console.log(
    `isolated-dut, 64 B, method max: rx ${rates.map((r) => `${(r / 1e6).toFixed(2)} Mpps`).join(', ')}; ` +
      `max/min ${(Math.max(...rates) / Math.min(...rates)).toFixed(2)}; CPUs ${JSON.stringify(trials[0]?.cpus)}`,
  );
  expect(run.status?.phase).toBe('Succeeded');
  expect(trials).toHaveLength(3);
  for (const trial of trials) {
    expect(trial).toMatchObject({ placement: 'isolated-dut', outcome: 'Measured' });
    expect(trial.rxPpsMean).toBeGreaterThan(0);
    const { sender, receiver, switch: switchCpus } = trial.cpus ?? {};
    // The switch's exclusive core is none of the CPUs the traffic programs share.
    const shared = new Set([...cpuList(sender ?? ''), ...cpuList(receiver ?? '')]);
    expect(cpuList(switchCpus ?? '')).not.toHaveLength(0);
    expect(cpuList(switchCpus ?? '').filter((cpu) => shared.has(cpu))).toEqual([]);
    expect(sender).toBe(receiver);
  }
});
