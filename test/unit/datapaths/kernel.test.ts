import { describe, expect, test } from '@jest/globals';
import { kernelDriver } from '../../../src/datapaths/kernel.js';
import { contextFor } from './context.js';

describe('kernel driver (interim: the pod network bridge)', () => {
  test('there is no switch: the Linux bridge of the node is the switch', () => {
    expect(kernelDriver.switchPlan(contextFor('kernel'))).toBeUndefined();
  });

  test.each([
    ['udp', 'single', []],
    ['udp', 'mmsg', []],
    ['raw', 'single', ['NET_RAW']],
    ['raw', 'mmsg', ['NET_RAW']],
  ] as const)('%s sockets with %s calls: the backend on eth0, and only the capabilities it needs', (socket, batching, capabilities) => {
    const context = contextFor('kernel', { kernel: { socket, batching, mtu: 1500 } });
    expect(kernelDriver.endpoint(context, 'receiver')).toEqual({
      backendArgs: ['--backend', socket, '--batching', batching, '--iface', 'eth0'],
      capabilities,
      hugepages: false,
      runDir: false,
      annotations: {},
      extendedResources: {},
    });
    expect(kernelDriver.endpoint(context, 'sender', { podIP: '10.217.0.7' }).backendArgs).toEqual(['--backend', socket, '--batching', batching, '--iface', 'eth0', '--dst-ip', '10.217.0.7']);
  });

  test.each(['10.0.0.256', 'fe80::1', '10.0.0.1 --rate 1', ''])('refuses a receiver address %j that is not IPv4', (podIP) => {
    expect(() => kernelDriver.endpoint(contextFor('kernel'), 'sender', { podIP })).toThrow('is not an IPv4 address');
  });

  test('an MTU other than the pod network\'s is refused, naming the field', () => {
    expect(() => kernelDriver.endpoint(contextFor('kernel', { kernel: { socket: 'udp', batching: 'single', mtu: 9000 } }), 'receiver')).toThrow('spec.kernel.mtu 9000 needs the per-run bridge');
  });
});
