import { describe, expect, test } from '@jest/globals';
import type { SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
import { ovsDpdkDriver, ovsFlows } from '../../../src/datapaths/ovs-dpdk.js';
import { contextFor, vdevArgs } from './context.js';

const spec = (forwarding: 'port-to-port' | 'l2-learning', cpuPolicy: 'exclusive' | 'shared' = 'exclusive') =>
  contextFor('ovs-dpdk', { ovsDpdk: { forwarding }, resources: { cpuPolicy } as SwitchBenchmarkSpec['resources'] });

// ovs-ofctl(8) flow syntax: comma-separated field=value pairs, actions last.
const FLOW = /^(priority=\d+,)?(in_port=\d+,)?actions=(output:\d+|NORMAL)$/;

describe('OVS-DPDK driver', () => {
  test.each([
    ['port-to-port', ['priority=100,in_port=1,actions=output:2', 'priority=100,in_port=2,actions=output:1']],
    ['l2-learning', ['priority=0,actions=NORMAL']],
  ] as const)('%s installs exactly its flows, in ovs-ofctl syntax', (forwarding, flows) => {
    const text = ovsFlows(forwarding);
    expect(text.trimEnd().split('\n')).toEqual(flows);
    for (const line of flows) expect(line).toMatch(FLOW);
    expect(ovsDpdkDriver.switchPlan(spec(forwarding))?.configFiles).toEqual([{ key: 'flows.txt', content: text }]);
  });

  test.each([
    ['port-to-port', []],
    ['l2-learning', ['--static-mac', 'receiver,02:53:42:00:00:02']],
  ] as const)('%s: the receiver MAC is pinned to its port only where OVS learns', (forwarding, staticMac) => {
    const command = ovsDpdkDriver.switchPlan(spec(forwarding))?.command ?? [];
    const index = command.indexOf('--static-mac');
    expect(index < 0 ? [] : command.slice(index, index + 2)).toEqual(staticMac);
  });

  test.each([
    ['exclusive', '0'],
    ['shared', '100'],
  ] as const)('cpuPolicy %s: PMD threads sleep at most %s µs when idle', (cpuPolicy, sleep) => {
    const command = ovsDpdkDriver.switchPlan(spec('port-to-port', cpuPolicy))?.command ?? [];
    expect(command[command.indexOf('--pmd-max-sleep-us') + 1]).toBe(sleep);
  });

  test('OVS gets NET_ADMIN and MKNOD for the tap device of its netdev datapath and SYS_NICE for DPDK, nothing else', () => {
    expect(ovsDpdkDriver.switchPlan(spec('port-to-port'))?.capabilities).toEqual(['NET_ADMIN', 'MKNOD', 'SYS_NICE']);
  });

  test('the switch runs with its state directory, both ports and the flows, and is ready when OVS holds those flows', () => {
    const plan = ovsDpdkDriver.switchPlan(spec('port-to-port'));
    expect(plan?.command.slice(0, 10)).toEqual([
      '/usr/local/bin/sb-switch-ovs',
      'run',
      '--state-dir',
      '/var/run/switch',
      '--port',
      '/run/switchbench/sender.sock',
      '--port',
      '/run/switchbench/receiver.sock',
      '--flows',
      '/etc/switchbench/flows.txt',
    ]);
    expect(plan?.startupProbe.exec?.command).toEqual([
      '/usr/local/bin/sb-switch-ovs',
      'ready',
      '--state-dir',
      '/var/run/switch',
      '--flows',
      '/etc/switchbench/flows.txt',
    ]);
  });

  test.each(['sender', 'receiver'] as const)(
    "the %s listens (server=1): OVS's dpdkvhostuserclient port connects to it",
    (role) => {
      expect(vdevArgs(ovsDpdkDriver.endpoint(spec('port-to-port'), role).backendArgs)).toMatchObject({
        path: `/run/switchbench/${role}.sock`,
        server: '1',
      });
    },
  );
});
