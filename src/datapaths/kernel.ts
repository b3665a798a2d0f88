// Kernel sockets over veth pairs on a Linux bridge: the paper's Table 1. On one node each run gets
// a bridge of its own, attached to both traffic pods as net1 through Multus (bridge CNI, host-local
// IPAM), so no other pod's traffic shares it and its MTU is the spec's. Across nodes a node-local
// bridge cannot carry the traffic: the pods use the pod network's eth0, whatever the cluster's CNI
// makes of it (docs/multus-sriov.md).
import type { SwitchBenchmarkSpec, SwitchBenchmarkSpecKernel } from '../api/v1alpha1/types.js';
import { bridgeName, networksAnnotation, SECONDARY_INTERFACE, secondaryAddress, type NetworkPlan } from './network.js';
import { choose } from './quote.js';
import type { DatapathDriver, PeerAddress, RunContext, TrafficEndpointPlan, TrafficRole } from './types.js';

/** The pod network's interface, as every CNI names it: the cross-node runs' path. */
export const POD_NETWORK_INTERFACE = 'eth0';
/**
 * The per-run networks' subnet. Each bridge is a separate layer-2 segment without an address on the
 * host, so every run may use the same one; link-local space stays clear of pod and service CIDRs.
 */
export const KERNEL_SUBNET = '169.254.123.0/24';
/** One name for every run's network: host-local keeps its (released) leases in one directory per name. */
export const KERNEL_NETWORK_NAME = 'switchbench-kernel';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function kernelOptions(spec: SwitchBenchmarkSpec): NonNullable<SwitchBenchmarkSpec['kernel']> {
  if (!spec.kernel) throw new Error('spec.kernel is missing: drivers expect withDatapathOptions(spec)');
  return spec.kernel;
}

const crossNode = (context: RunContext) => Boolean(context.spec.placement.receiverNodeSelector);

function receiverAddress(context: RunContext, peer: PeerAddress): string {
  if (crossNode(context)) {
    // The address comes from the receiver pod's status, written by the kubelet: checked, never trusted.
    if (!peer.podIP || !IPV4.test(peer.podIP))
      throw new Error(`receiver pod IP ${JSON.stringify(peer.podIP)} is not an IPv4 address`);
    return peer.podIP;
  }
  const address = secondaryAddress(context.run, peer.annotations);
  if (!address || !IPV4.test(address)) {
    throw new Error(
      `the receiver pod has no ${SECONDARY_INTERFACE} address in its Multus network-status annotation: is Multus running on the node?`,
    );
  }
  return address;
}

/** The traffic programs' backend per socket kind, and what it needs: raw sockets (AF_PACKET) CAP_NET_RAW. */
const SOCKETS: Record<SwitchBenchmarkSpecKernel['socket'], { backend: string; capabilities: string[] }> = {
  udp: { backend: 'udp', capabilities: [] },
  raw: { backend: 'raw', capabilities: ['NET_RAW'] },
};
/** The traffic programs' --batching values, one per value of the API. */
const BATCHING: Record<SwitchBenchmarkSpecKernel['batching'], string> = { single: 'single', mmsg: 'mmsg' };

function kernelEndpoint(context: RunContext, role: TrafficRole, peer?: PeerAddress): TrafficEndpointPlan {
  const options = kernelOptions(context.spec);
  const socket = choose(options.socket, SOCKETS, 'spec.kernel.socket');
  const batching = choose(options.batching, BATCHING, 'spec.kernel.batching');
  const iface = crossNode(context) ? POD_NETWORK_INTERFACE : SECONDARY_INTERFACE;
  const backendArgs = ['--backend', socket.backend, '--batching', batching, '--iface', iface];
  if (role === 'sender' && peer) backendArgs.push('--dst-ip', receiverAddress(context, peer));
  // Across nodes the pod network routes: its gateway takes only frames addressed to it, so a raw
  // sender looks its MAC up as the kernel resolves it (on one bridge, broadcast reaches the receiver).
  if (role === 'sender' && options.socket === 'raw' && crossNode(context)) backendArgs.push('--dst-mac', 'resolve');
  return {
    backendArgs,
    capabilities: [...socket.capabilities],
    hugepages: false,
    runDir: false,
    behindSwitch: false,
    annotations: crossNode(context) ? {} : networksAnnotation(context.run),
    extendedResources: {},
  };
}

function kernelNetwork(context: RunContext): NetworkPlan | undefined {
  if (crossNode(context)) return undefined;
  const bridge = bridgeName(context.run);
  return {
    cniConfig: {
      cniVersion: '0.4.0',
      name: KERNEL_NETWORK_NAME,
      type: 'bridge',
      bridge,
      mtu: kernelOptions(context.spec).mtu,
      // A plain layer-2 segment between the two pods: no address, route or NAT on the host.
      isGateway: false,
      ipMasq: false,
      ipam: { type: 'host-local', ranges: [[{ subnet: KERNEL_SUBNET }]] },
    },
    annotations: {},
    hostInterfaces: [bridge],
  };
}

export const kernelDriver: DatapathDriver = {
  datapath: 'kernel',
  switchPlan: () => undefined,
  network: kernelNetwork,
  endpoint(context, role, peer) {
    const { mtu } = kernelOptions(context.spec);
    if (crossNode(context) && mtu !== 1500) {
      throw new Error(
        `spec.kernel.mtu ${mtu} needs the per-run bridge of a same-node run; across nodes the pod network's interface has MTU 1500`,
      );
    }
    return kernelEndpoint(context, role, peer);
  },
};
