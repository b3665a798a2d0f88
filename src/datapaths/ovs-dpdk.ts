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
  sleepsWhenIdle,
  SWITCH_PORTS,
  virtioUserEndpoint,
} from './common.js';
import { choose, integer, ovsFlow, type OpenFlowRule } from './quote.js';
import { SWITCH_STATE_DIR, type DatapathDriver } from './types.js';

const FLOWS_FILE = 'flows.txt';
/** The entrypoint requests OpenFlow port 1 for the sender's port and 2 for the receiver's. */
const SENDER_PORT = 1;
const RECEIVER_PORT = 2;

interface Forwarding {
  flows: OpenFlowRule[];
  /**
   * The receiver never transmits, so NORMAL could never learn where its MAC is and would flood:
   * a static FDB entry is the steady state of a learned one.
   */
  staticMac: boolean;
}

const FORWARDING: Record<SwitchBenchmarkSpecOvsDpdk['forwarding'], Forwarding> = {
  'port-to-port': {
    flows: [
      { priority: 100, inPort: SENDER_PORT, action: { output: RECEIVER_PORT } },
      { priority: 100, inPort: RECEIVER_PORT, action: { output: SENDER_PORT } },
    ],
    staticMac: false,
  },
  'l2-learning': { flows: [{ priority: 0, action: 'NORMAL' }], staticMac: true },
};

const forwardingOf = (value: SwitchBenchmarkSpecOvsDpdk['forwarding']) =>
  choose(value, FORWARDING, 'spec.ovsDpdk.forwarding');

/** The OpenFlow table, in ovs-ofctl's flow syntax; the port numbers make names unnecessary. */
export function ovsFlows(forwarding: SwitchBenchmarkSpecOvsDpdk['forwarding']): string {
  return `${forwardingOf(forwarding).flows.map(ovsFlow).join('\n')}\n`;
}

export const ovsDpdkDriver: DatapathDriver = {
  datapath: 'ovs-dpdk',
  network: () => undefined,
  switchPlan(context) {
    const { forwarding } = options(context.spec, 'ovsDpdk');
    const { staticMac } = forwardingOf(forwarding);
    const [sender, receiver] = SWITCH_PORTS;
    const flows = `${CONFIG_DIR}/${FLOWS_FILE}`;
    const sleep = sleepsWhenIdle(context.spec) ? SHARED_IDLE_SLEEP_US : 0;
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
        integer(sleep, 0, 10_000, 'pmd-max-sleep-us'),
        ...(staticMac ? ['--static-mac', `receiver,${PORT_MAC.receiver}`] : []),
      ],
      configFiles: [{ key: FLOWS_FILE, content: ovsFlows(forwarding) }],
      configDir: CONFIG_DIR,
      startupProbe: execProbe([entrypoint('ovs'), 'ready', '--state-dir', SWITCH_STATE_DIR, '--flows', flows]),
      // The netdev datapath always opens a tap device for its own port (NET_ADMIN, in the pod's
      // network namespace); runtimes allow the tun device but create no node for it (MKNOD).
      capabilities: ['NET_ADMIN', 'MKNOD', ...DPDK_CAPABILITIES],
      sockets: [...SWITCH_PORTS],
    };
  },
  endpoint: (_context, role) => virtioUserEndpoint(role, true),
};
