// OVS-DPDK: a netdev-datapath bridge whose dpdkvhostuserclient ports connect to sockets the
// traffic programs listen on (images/ovs-dpdk/sb-switch-ovs). Forwarding is either two
// in_port→output flows or the NORMAL action (MAC learning).
import type { SwitchBenchmarkSpecOvsDpdk } from '../api/v1alpha1/types.js';
import {
  CONFIG_DIR,
  DPDK_CAPABILITIES,
  entrypoint,
  execProbe,
  options,
  PORT_MAC,
  SHARED_IDLE_SLEEP_US,
  SWITCH_PORTS,
  virtioUserEndpoint,
} from './common.js';
import { SWITCH_STATE_DIR, type DatapathDriver } from './types.js';

const FLOWS_FILE = 'flows.txt';

/**
 * The OpenFlow table, in ovs-ofctl's flow syntax. The entrypoint requests OpenFlow port 1 for the
 * sender's port and 2 for the receiver's, so the flows need no names.
 */
export function ovsFlows(forwarding: SwitchBenchmarkSpecOvsDpdk['forwarding']): string {
  const lines =
    forwarding === 'port-to-port'
      ? ['priority=100,in_port=1,actions=output:2', 'priority=100,in_port=2,actions=output:1']
      : ['priority=0,actions=NORMAL'];
  return `${lines.join('\n')}\n`;
}

export const ovsDpdkDriver: DatapathDriver = {
  datapath: 'ovs-dpdk',
  network: () => undefined,
  switchPlan(context) {
    const { forwarding } = options(context.spec, 'ovsDpdk');
    const [sender, receiver] = SWITCH_PORTS;
    const flows = `${CONFIG_DIR}/${FLOWS_FILE}`;
    const sleep = context.spec.resources.cpuPolicy === 'shared' ? SHARED_IDLE_SLEEP_US : 0;
    // The receiver never transmits, so NORMAL could never learn where its MAC is and would flood:
    // a static FDB entry is the steady state of a learned one.
    const staticMac = forwarding === 'l2-learning' ? ['--static-mac', `receiver,${PORT_MAC.receiver}`] : [];
    return {
      image: context.images.switch,
      command: [
        entrypoint('ovs'),
        'run',
        '--state-dir',
        SWITCH_STATE_DIR,
        '--port',
        sender,
        '--port',
        receiver,
        '--flows',
        flows,
        '--pmd-max-sleep-us',
        String(sleep),
        ...staticMac,
      ],
      configFiles: [{ key: FLOWS_FILE, content: ovsFlows(forwarding) }],
      configDir: CONFIG_DIR,
      readinessProbe: execProbe([entrypoint('ovs'), 'ready', '--state-dir', SWITCH_STATE_DIR, '--flows', flows]),
      // The netdev datapath always opens a tap device for its own port (NET_ADMIN, in the pod's
      // network namespace); runtimes allow the tun device but create no node for it (MKNOD).
      capabilities: ['NET_ADMIN', 'MKNOD', ...DPDK_CAPABILITIES],
      sockets: [...SWITCH_PORTS],
    };
  },
  endpoint: (_context, role) => virtioUserEndpoint(role, true),
};
