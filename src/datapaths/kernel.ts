// Kernel sockets over veth pairs on a Linux bridge: the paper's Table 1. Until the Multus issue gives
// each run its own bridge and a second interface (net1), the traffic programs use the pod's primary
// interface, which the node's bridge CNI already attaches to a Linux bridge through a veth pair: the
// same data path, shared with the node's other pods (docs/switches.md, "kernel").
import type { DatapathDriver, PeerAddress, TrafficEndpointPlan, TrafficRole } from './types.js';

/** The pod's primary interface, as every CNI names it. */
export const KERNEL_INTERFACE = 'eth0';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function kernelEndpoint(socket: 'udp' | 'raw', batching: 'single' | 'mmsg', role: TrafficRole, peer?: PeerAddress): TrafficEndpointPlan {
  const backendArgs = ['--backend', socket, '--batching', batching, '--iface', KERNEL_INTERFACE];
  if (role === 'sender' && peer) {
    // The address comes from the receiver pod's status, written by the kubelet: checked, never trusted.
    if (!IPV4.test(peer.podIP)) throw new Error(`receiver pod IP ${JSON.stringify(peer.podIP)} is not an IPv4 address`);
    backendArgs.push('--dst-ip', peer.podIP);
  }
  return {
    backendArgs,
    // Raw sockets (AF_PACKET) need CAP_NET_RAW; UDP sockets need nothing.
    capabilities: socket === 'raw' ? ['NET_RAW'] : [],
    hugepages: false,
    runDir: false,
    annotations: {},
    extendedResources: {},
  };
}

export const kernelDriver: DatapathDriver = {
  datapath: 'kernel',
  switchPlan: () => undefined,
  endpoint(context, role, peer) {
    const options = context.spec.kernel;
    if (!options) throw new Error('spec.kernel is missing: drivers expect withDatapathOptions(spec)');
    if (options.mtu !== 1500) {
      throw new Error(`spec.kernel.mtu ${options.mtu} needs the per-run bridge of the Multus data path; the pod network's interface has MTU 1500`);
    }
    return kernelEndpoint(options.socket, options.batching, role, peer);
  },
};
