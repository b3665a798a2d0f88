import { describe, expect, test } from '@jest/globals';
import { KERNEL_SUBNET, kernelDriver } from '../../../src/datapaths/kernel.js';
import { NETWORK_STATUS_ANNOTATION, NETWORKS_ANNOTATION } from '../../../src/datapaths/network.js';
import { contextFor } from './context.js';

const SOCKET_VARIANTS = [
  ['udp', 'single', []],
  ['udp', 'mmsg', []],
  ['raw', 'single', ['NET_RAW']],
  ['raw', 'mmsg', ['NET_RAW']],
] as const;
const crossNode = { placement: { nodeSelector: { a: '1' }, receiverNodeSelector: { b: '1' } } };
const networkStatus = (entries: unknown) => ({ [NETWORK_STATUS_ANNOTATION]: JSON.stringify(entries) });
const RECEIVER_STATUS = networkStatus([
  { name: 'switchbench/default', interface: 'eth0', ips: ['10.217.0.9'], default: true },
  {
    name: `bench/${'a'.repeat(40)}-run-12345-net`,
    interface: 'net1',
    ips: ['169.254.123.3'],
    mac: '6a:00:00:00:00:01',
  },
]);

describe('kernel driver on one node: a bridge of the run, attached as net1 through Multus', () => {
  test("there is no switch pod: the run's Linux bridge is the switch", () => {
    expect(kernelDriver.switchPlan(contextFor('kernel'))).toBeUndefined();
  });

  test.each(SOCKET_VARIANTS)(
    '%s sockets with %s calls: the backend on net1, the network selected, only the capabilities it needs',
    (socket, batching, capabilities) => {
      const context = contextFor('kernel', { kernel: { socket, batching, mtu: 1500 } });
      expect(kernelDriver.endpoint(context, 'receiver')).toEqual({
        backendArgs: ['--backend', socket, '--batching', batching, '--iface', 'net1'],
        capabilities,
        hugepages: false,
        runDir: false,
        behindSwitch: false,
        annotations: {
          [NETWORKS_ANNOTATION]: JSON.stringify([
            { name: `${'a'.repeat(40)}-run-12345-net`, namespace: 'bench', interface: 'net1' },
          ]),
        },
        extendedResources: {},
      });
      expect(
        kernelDriver.endpoint(context, 'sender', { podIP: '10.217.0.9', annotations: RECEIVER_STATUS }).backendArgs,
      ).toEqual(['--backend', socket, '--batching', batching, '--iface', 'net1', '--dst-ip', '169.254.123.3']);
    },
  );

  test("the network: bridge CNI on a bridge named from the run UID (≤ 15 bytes), host-local addresses, the spec's MTU, nothing on the host", () => {
    const network = kernelDriver.network(
      contextFor('kernel', { kernel: { socket: 'udp', batching: 'single', mtu: 9000 } }),
    );
    expect(network).toEqual({
      cniConfig: {
        cniVersion: '0.4.0',
        name: 'switchbench-kernel',
        type: 'bridge',
        bridge: 'sbf81d4fae7dec1',
        mtu: 9000,
        isGateway: false,
        ipMasq: false,
        ipam: { type: 'host-local', ranges: [[{ subnet: KERNEL_SUBNET }]] },
      },
      annotations: {},
      hostInterfaces: ['sbf81d4fae7dec1'],
    });
    expect(Buffer.byteLength(network?.hostInterfaces[0] ?? '')).toBeLessThanOrEqual(15);
  });

  test.each([
    ['no annotation', undefined],
    ['not JSON', { [NETWORK_STATUS_ANNOTATION]: '[{' }],
    ['only the pod network', networkStatus([{ name: 'switchbench/default', interface: 'eth0', ips: ['10.217.0.9'] }])],
    ["another run's network", networkStatus([{ name: 'bench/other-net', interface: 'net1', ips: ['169.254.123.3'] }])],
    [
      'an address that is not IPv4',
      networkStatus([{ name: `bench/${'a'.repeat(40)}-run-12345-net`, interface: 'net1', ips: ['fe80::1'] }]),
    ],
  ])("the sender is not built while the receiver's net1 address is unknown (%s)", (_case, annotations) => {
    expect(() =>
      kernelDriver.endpoint(contextFor('kernel'), 'sender', {
        podIP: '10.217.0.9',
        ...(annotations ? { annotations } : {}),
      }),
    ).toThrow('the receiver pod has no net1 address in its Multus network-status annotation');
  });
});

describe('kernel driver across nodes: the pod network', () => {
  test.each(SOCKET_VARIANTS)(
    '%s sockets with %s calls on eth0, addressed by pod IP, no network of the run',
    (socket, batching, capabilities) => {
      const context = contextFor('kernel', { kernel: { socket, batching, mtu: 1500 }, ...crossNode });
      expect(kernelDriver.network(context)).toBeUndefined();
      expect(kernelDriver.endpoint(context, 'receiver')).toEqual({
        backendArgs: ['--backend', socket, '--batching', batching, '--iface', 'eth0'],
        capabilities,
        hugepages: false,
        runDir: false,
        behindSwitch: false,
        annotations: {},
        extendedResources: {},
      });
      expect(kernelDriver.endpoint(context, 'sender', { podIP: '10.217.0.7' }).backendArgs).toEqual([
        '--backend',
        socket,
        '--batching',
        batching,
        '--iface',
        'eth0',
        '--dst-ip',
        '10.217.0.7',
        // The gateway takes only frames addressed to it.
        ...(socket === 'raw' ? ['--dst-mac', 'resolve'] : []),
      ]);
    },
  );

  test.each(['10.0.0.256', 'fe80::1', '10.0.0.1 --rate 1', ''])(
    'refuses a receiver address %j that is not IPv4',
    (podIP) => {
      expect(() => kernelDriver.endpoint(contextFor('kernel', crossNode), 'sender', { podIP })).toThrow(
        'is not an IPv4 address',
      );
    },
  );

  test("an MTU other than the pod network's is refused, naming the field", () => {
    expect(() =>
      kernelDriver.endpoint(
        contextFor('kernel', { kernel: { socket: 'udp', batching: 'single', mtu: 9000 }, ...crossNode }),
        'receiver',
      ),
    ).toThrow('spec.kernel.mtu 9000 needs the per-run bridge of a same-node run');
  });
});
