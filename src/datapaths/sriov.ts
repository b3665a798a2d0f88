// SR-IOV: sender and receiver drive a virtual function each with DPDK, and the NIC's embedded switch
// forwards between them. The SR-IOV network device plugin hands each pod a VF of the configured
// resource and its PCI address in PCIDEVICE_<RESOURCE>; the SR-IOV CNI, through Multus, sets the
// VF's MAC and VLAN on its physical function. switchbench never creates VFs or binds drivers.
import { DPDK_CAPABILITIES, PORT_MAC } from './common.js';
import { deviceEnvVar, networksAnnotation, RESOURCE_NAME_ANNOTATION, type NetworkPlan } from './network.js';
import type { DatapathDriver, RunContext, TrafficEndpointPlan, TrafficRole } from './types.js';

/** One name for every run's network: the SR-IOV CNI keeps no state by name. */
export const SRIOV_NETWORK_NAME = 'switchbench-sriov';

function sriovOptions(context: RunContext): NonNullable<RunContext['spec']['sriov']> {
  if (!context.spec.sriov) throw new Error('spec.sriov is missing: drivers expect withDatapathOptions(spec)');
  return context.spec.sriov;
}

function sriovNetwork(context: RunContext): NetworkPlan {
  const { resourceName, vlan } = sriovOptions(context);
  return {
    cniConfig: {
      cniVersion: '0.4.0',
      name: SRIOV_NETWORK_NAME,
      type: 'sriov',
      vlan,
      // The MAC comes with each pod's attachment (its role's fixed MAC), so the sender can address
      // the receiver's VF before it has sent anything.
      capabilities: { mac: true },
      // A VF driven by DPDK must be allowed the MAC it was given; trust lets DPDK apply it.
      spoofchk: 'on',
      trust: 'on',
    },
    annotations: { [RESOURCE_NAME_ANNOTATION]: resourceName },
    hostInterfaces: [],
  };
}

function sriovEndpoint(context: RunContext, role: TrafficRole): TrafficEndpointPlan {
  const { resourceName } = sriovOptions(context);
  const addressing = role === 'sender' ? ['--dst-mac', PORT_MAC.receiver] : [];
  return {
    // EAL's allow list is the pod's own VF, read from the device plugin's variable at start: a PCI
    // address is only known inside the container.
    backendArgs: [
      '--backend',
      'dpdk',
      ...addressing,
      '--pci-from-env',
      deviceEnvVar(resourceName),
      '--',
      '--in-memory',
      '--file-prefix',
      `sb-${role}`,
    ],
    // vfio maps the hugepages for the VF's DMA, which locks them: IPC_LOCK beside DPDK's SYS_NICE.
    capabilities: [...DPDK_CAPABILITIES, 'IPC_LOCK'],
    hugepages: true,
    runDir: false,
    behindSwitch: false,
    annotations: networksAnnotation(context.run, PORT_MAC[role]),
    extendedResources: { [resourceName]: '1' },
  };
}

export const sriovDriver: DatapathDriver = {
  datapath: 'sriov',
  switchPlan: () => undefined,
  network: sriovNetwork,
  endpoint: sriovEndpoint,
};
