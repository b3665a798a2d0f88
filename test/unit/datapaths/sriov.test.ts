import { describe, expect, test } from '@jest/globals';
import { NETWORKS_ANNOTATION, RESOURCE_NAME_ANNOTATION } from '../../../src/datapaths/network.js';
import { sriovDriver } from '../../../src/datapaths/sriov.js';
import { contextFor } from './context.js';

const context = (resourceName: string, vlan = 0) => contextFor('sriov', { sriov: { resourceName, vlan } });
const NETWORK = `${'a'.repeat(40)}-run-12345-net`;

describe('sriov driver: a VF each from the device plugin, attached by the SR-IOV CNI through Multus', () => {
  test("there is no switch pod: the NIC's embedded switch forwards", () => {
    expect(sriovDriver.switchPlan(context('intel.com/sriov_dpdk'))).toBeUndefined();
  });

  test.each([
    ['intel.com/sriov_dpdk', 'PCIDEVICE_INTEL_COM_SRIOV_DPDK'],
    ['switchbench.io/fake_vf', 'PCIDEVICE_SWITCHBENCH_IO_FAKE_VF'],
    ['example.com/Mellanox.CX6', 'PCIDEVICE_EXAMPLE_COM_MELLANOX_CX6'],
  ])("%s: each pod requests one VF and drives the one in %s with DPDK, at its role's MAC", (resourceName, envVar) => {
    const sender = sriovDriver.endpoint(context(resourceName), 'sender');
    const receiver = sriovDriver.endpoint(context(resourceName), 'receiver');
    expect(sender.backendArgs).toEqual([
      '--backend',
      'dpdk',
      '--dst-mac',
      '02:53:42:00:00:02',
      '--pci-from-env',
      envVar,
      '--',
      '--in-memory',
      '--file-prefix',
      'sb-sender',
    ]);
    expect(receiver.backendArgs).toEqual([
      '--backend',
      'dpdk',
      '--pci-from-env',
      envVar,
      '--',
      '--in-memory',
      '--file-prefix',
      'sb-receiver',
    ]);
    for (const [endpoint, mac] of [
      [sender, '02:53:42:00:00:01'],
      [receiver, '02:53:42:00:00:02'],
    ] as const) {
      expect(endpoint.extendedResources).toEqual({ [resourceName]: '1' });
      expect(endpoint.hugepages).toBe(true);
      expect(endpoint.runDir).toBe(false);
      expect(endpoint.capabilities).toEqual(['SYS_NICE', 'IPC_LOCK']);
      expect(JSON.parse(endpoint.annotations[NETWORKS_ANNOTATION] ?? '')).toEqual([
        { name: NETWORK, namespace: 'bench', interface: 'net1', mac },
      ]);
      // DPDK must see the VF: never the vdev-only EAL arguments of the software paths.
      expect(endpoint.backendArgs).not.toContain('--no-pci');
    }
  });

  test("the network: SR-IOV CNI with the spec's VLAN, MACs from the attachments, the resource named for Multus", () => {
    expect(sriovDriver.network(context('intel.com/sriov_dpdk', 100))).toEqual({
      cniConfig: {
        cniVersion: '0.4.0',
        name: 'switchbench-sriov',
        type: 'sriov',
        vlan: 100,
        capabilities: { mac: true },
        spoofchk: 'on',
        trust: 'on',
      },
      annotations: { [RESOURCE_NAME_ANNOTATION]: 'intel.com/sriov_dpdk' },
      hostInterfaces: [],
    });
  });
});
