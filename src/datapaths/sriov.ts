// SR-IOV: sender and receiver drive a virtual function each with DPDK, and the NIC's embedded switch
// forwards between them. The SR-IOV network device plugin hands each pod a VF of the configured
// resource and its PCI address in PCIDEVICE_<RESOURCE>; the SR-IOV CNI, through Multus, sets the
// VF's MAC and VLAN on its physical function. switchbench never creates VFs or binds drivers.
import { crdSchemas } from '../api/v1alpha1/types.js';
import { DPDK_CAPABILITIES, PORT_MAC } from './common.js';
import { deviceEnvVar, networksAnnotation, RESOURCE_NAME_ANNOTATION, type NetworkPlan } from './network.js';
import { integer, shown } from './quote.js';
import type { DatapathDriver, RunContext, TrafficEndpointPlan, TrafficRole } from './types.js';

/** One name for every run's network: the SR-IOV CNI keeps no state by name. */
export const SRIOV_NETWORK_NAME = 'switchbench-sriov';

const resourceNameSchema = crdSchemas.SwitchBenchmark.properties?.spec?.properties?.sriov?.properties?.resourceName;
if (!resourceNameSchema?.pattern || !resourceNameSchema.maxLength)
  throw new Error('the SwitchBenchmark CRD gives spec.sriov.resourceName no pattern and no maxLength');
/**
 * The CRD's own rule for an extended resource name, checked again because the name reaches the
 * traffic programs' argv as the device plugin's variable and the pods' resource requests.
 */
const RESOURCE_NAME = new RegExp(resourceNameSchema.pattern);
const RESOURCE_NAME_MAX = resourceNameSchema.maxLength;

function sriovOptions(context: RunContext): NonNullable<RunContext['spec']['sriov']> {
  const options = context.spec.sriov;
  if (!options) throw new Error('spec.sriov is missing: drivers expect withDatapathOptions(spec)');
  const { resourceName, vlan } = options;
  if (typeof resourceName !== 'string' || resourceName.length > RESOURCE_NAME_MAX || !RESOURCE_NAME.test(resourceName))
    throw new Error(
      `spec.sriov.resourceName ${shown(resourceName)}: not an extended resource name such as intel.com/sriov_vfio`,
    );
  integer(vlan, 0, 4094, 'spec.sriov.vlan');
  return options;
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
