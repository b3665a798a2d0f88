// Properties every driver keeps, whatever the data path and its options: the controller relies on
// them without knowing which data path it runs.
import { describe, expect, test } from '@jest/globals';
import type { Datapath, SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
import { driverFor } from '../../../src/datapaths/index.js';
import { MAX_SOCKET_PATH_BYTES, RUN_DIR_IN_POD, type TrafficRole } from '../../../src/datapaths/types.js';
import { contextFor, hostPath, vdevArgs } from './context.js';

const ROLES: TrafficRole[] = ['sender', 'receiver'];

// Every runnable data path with each value of its options and both CPU policies.
const VARIANTS: [string, Datapath, Partial<SwitchBenchmarkSpec>][] = [
  ['testpmd', 'testpmd', {}],
  ['testpmd burst 1', 'testpmd', { testpmd: { burst: 1 } }],
  ['ovs-dpdk port-to-port', 'ovs-dpdk', { ovsDpdk: { forwarding: 'port-to-port' } }],
  ['ovs-dpdk l2-learning', 'ovs-dpdk', { ovsDpdk: { forwarding: 'l2-learning' } }],
  ['vpp l2-xconnect', 'vpp', { vpp: { forwarding: 'l2-xconnect' } }],
  ['vpp bridge-domain', 'vpp', { vpp: { forwarding: 'bridge-domain' } }],
  ['snabb l2-learning', 'snabb', { snabb: { forwarding: 'l2-learning' } }],
  ['snabb port-to-port', 'snabb', { snabb: { forwarding: 'port-to-port' } }],
  ['memif ring 256', 'memif', { memif: { ringSize: 256 } }],
  ['memif ring 4096', 'memif', { memif: { ringSize: 4096 } }],
];
const CASES = VARIANTS.flatMap(([name, datapath, spec]) =>
  (['exclusive', 'shared'] as const).map((cpuPolicy) => {
    const context = contextFor(datapath, { ...spec, resources: { cpuPolicy } as SwitchBenchmarkSpec['resources'] });
    return [`${name}, cpuPolicy ${cpuPolicy}`, datapath, context] as const;
  }),
);

// argv elements: paths, words, numbers, MACs, devargs; never whitespace or shell syntax.
const SAFE_ARG = /^[A-Za-z0-9_./,:=@-]+$/;

describe.each(CASES)('%s', (_name, datapath, context) => {
  const driver = driverFor(datapath);
  const plan = driver.switchPlan(context);
  const sender = driver.endpoint(context, 'sender');
  const receiver = driver.endpoint(context, 'receiver');
  const endpoints = [sender, receiver];
  const endpointSockets = endpoints.map((e) => vdevArgs(e.backendArgs).path ?? vdevArgs(e.backendArgs).socket ?? '');

  test('the driver is registered under its data path', () => {
    expect(driver.datapath).toBe(datapath);
  });

  test('every socket is in the run directory and fits sun_path, in the pod and on the host', () => {
    const sockets = [...(plan?.sockets ?? []), ...endpointSockets];
    expect(sockets.length).toBeGreaterThan(0);
    for (const socket of sockets) {
      expect(socket.startsWith(`${RUN_DIR_IN_POD}/`)).toBe(true);
      expect(Buffer.byteLength(socket)).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
      expect(Buffer.byteLength(hostPath(socket))).toBeLessThanOrEqual(MAX_SOCKET_PATH_BYTES);
    }
  });

  test('each traffic program attaches to a socket of the switch, sender and receiver to different ones', () => {
    if (plan) expect(endpointSockets).toEqual(plan.sockets);
    else expect(endpointSockets[0]).toBe(endpointSockets[1]);
  });

  test.each(ROLES)(
    'the %s gets the DPDK backend, EAL arguments last, hugepages and the run directory, no capability',
    (role) => {
      const endpoint = driver.endpoint(context, role);
      const { backendArgs } = endpoint;
      expect(backendArgs.slice(0, 2)).toEqual(['--backend', 'dpdk']);
      expect(backendArgs.slice(backendArgs.indexOf('--'))).toEqual(
        expect.arrayContaining(['--in-memory', '--file-prefix', `sb-${role}`, '--vdev']),
      );
      expect(endpoint).toMatchObject({
        capabilities: ['SYS_NICE'],
        hugepages: true,
        runDir: true,
        annotations: {},
        extendedResources: {},
      });
    },
  );

  test("the sender addresses its frames to the receiver port's MAC", () => {
    expect(sender.backendArgs[sender.backendArgs.indexOf('--dst-mac') + 1]).toBe(vdevArgs(receiver.backendArgs).mac);
    expect(receiver.backendArgs).not.toContain('--dst-mac');
  });

  test('no argument could be read as anything but one plain word', () => {
    const argvs = [...endpoints.map((e) => e.backendArgs), plan?.command ?? [], plan?.startupProbe.exec?.command ?? []];
    for (const arg of argvs.flat()) expect(arg).toMatch(SAFE_ARG);
  });

  if (plan) {
    test('the switch runs the image the run asked for, from its entrypoint, and probes with the same program', () => {
      expect(plan.image).toBe(context.images.switch);
      expect(plan.command[0]).toMatch(/^\/usr\/local\/bin\/sb-switch-[a-z]+$/);
      expect(plan.command[1]).toBe('run');
      expect(plan.startupProbe.exec?.command?.slice(0, 2)).toEqual([plan.command[0], 'ready']);
      expect(plan.startupProbe.periodSeconds).toBeGreaterThan(0);
    });

    test('configuration files have ConfigMap keys, and the command names only files that exist', () => {
      const keys = plan.configFiles.map((file) => file.key);
      for (const key of keys) expect(key).toMatch(/^[-._a-zA-Z0-9]+$/);
      const named = [...plan.command, ...(plan.startupProbe.exec?.command ?? [])].filter((arg) =>
        arg.startsWith(`${plan.configDir}/`),
      );
      for (const path of named) expect(keys).toContain(path.slice(plan.configDir.length + 1));
    });
  }
});
