// Which role gets exclusive cores and which busy-polls, under each spec.resources.cpuPolicy. Pure.
// isolated-dut is what the host benchmark does on a 2-vCPU machine, made a choice a spec states: the
// device under test alone on its core, the sender (sleeping between paced bursts) and the receiver
// (sleeping when idle) on the node's shared CPUs. Three busy pollers on two cores measured tens of kpps; so placed, Mpps.
import type { SwitchBenchmarkSpec } from '../../api/v1alpha1/types.js';

export type CpuPolicy = SwitchBenchmarkSpec['resources']['cpuPolicy'];
export type PlacedRole = 'sender' | 'receiver' | 'switch';

/** The device under test: the switch, or on paths without one (memif, kernel, SR-IOV) the receiver. */
export function isDeviceUnderTest(role: PlacedRole, behindSwitch: boolean): boolean {
  return role === 'switch' || (role === 'receiver' && !behindSwitch);
}

/** Whether the role's pod asks for whole CPUs with Guaranteed QoS: exclusive cores under the static CPU manager. */
export function exclusiveCores(policy: CpuPolicy, role: PlacedRole, behindSwitch: boolean): boolean {
  if (policy === 'isolated-dut') return isDeviceUnderTest(role, behindSwitch);
  return policy === 'exclusive';
}

/**
 * The traffic programs' --cpu-mode: dedicated busy-polls, shared sleeps when paced or idle. Under
 * isolated-dut a sender that spun between paced bursts took the shared CPU from the receiver beside
 * it: a testpmd sweep lost 6 % at the receiver's ring at 500 kpps. Unpaced, shared sends without pause.
 */
export function cpuMode(policy: CpuPolicy, role: PlacedRole, behindSwitch: boolean): 'dedicated' | 'shared' {
  if (policy === 'isolated-dut') return isDeviceUnderTest(role, behindSwitch) ? 'dedicated' : 'shared';
  return policy === 'exclusive' ? 'dedicated' : 'shared';
}

/** CPU request of a role without exclusive cores under cpuPolicy shared: enough to be scheduled beside the others. */
const SHARED_CPU_REQUEST = '100m';

/**
 * The role's CPU request. Exclusive cores are asked for whole (requests = limits). Under
 * isolated-dut the others ask for none: they run on the node's shared CPUs (on a static node, what
 * was not given exclusively, the reserved CPUs included), and a node that has just the device under
 * test's cores free must still take the run (on this project's 2-vCPU node, allocatable is one CPU).
 */
export function cpuRequest(policy: CpuPolicy, role: PlacedRole, behindSwitch: boolean, cpus: number): string {
  if (exclusiveCores(policy, role, behindSwitch)) return String(cpus);
  return policy === 'isolated-dut' ? '0' : SHARED_CPU_REQUEST;
}
