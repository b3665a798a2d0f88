// What the DPDK data paths share: where sockets and configuration live, the traffic programs' DPDK
// backend arguments, and the switch images' entrypoints and startup probes (docs/switches.md).
import type { V1Probe } from '@kubernetes/client-node';
import type { SwitchBenchmarkSpec } from '../api/v1alpha1/types.js';
import { choose, integer } from './quote.js';
import { RUN_DIR_IN_POD, type TrafficEndpointPlan, type TrafficRole } from './types.js';

/** Where the switch container finds its ConfigMap (VPP startup.conf, OVS flows, the Snabb program). */
export const CONFIG_DIR = '/etc/switchbench';

/** A switch's vhost-user port towards one traffic role; memif has a single socket. */
export function socketPath(name: TrafficRole | 'memif'): string {
  return `${RUN_DIR_IN_POD}/${name}.sock`;
}

/** The switch's two ports, in the order every switch numbers them: port 0 (1 in OpenFlow) faces the sender. */
export const SWITCH_PORTS = [socketPath('sender'), socketPath('receiver')] as const;

/**
 * Under cpuPolicy shared a switch that can sleep when idle sleeps at most this long per poll: short
 * against a 1024-descriptor ring filling at a few Mpps, long enough to hand the CPU to the others.
 */
export const SHARED_IDLE_SLEEP_US = 100;

const SLEEPS_WHEN_IDLE: Record<SwitchBenchmarkSpec['resources']['cpuPolicy'], boolean> = {
  exclusive: false,
  'isolated-dut': false,
  shared: true,
};

/** Whether the switch gives up its CPU when idle: only under cpuPolicy shared, the others give it cores of its own. */
export function sleepsWhenIdle(spec: SwitchBenchmarkSpec): boolean {
  return choose(spec.resources.cpuPolicy, SLEEPS_WHEN_IDLE, 'spec.resources.cpuPolicy');
}

/**
 * Fixed, locally administered MACs of the traffic programs' ports. The sender addresses its frames
 * to the receiver's, so learning switches can be told where that MAC lives (the receiver never
 * transmits, so they could not learn it).
 */
export const PORT_MAC: Record<TrafficRole, string> = { sender: '02:53:42:00:00:01', receiver: '02:53:42:00:00:02' };

/**
 * Descriptors per virtio ring. DPDK's default of 256 fills within one scheduler slice when pollers
 * share CPUs; 1024 matches memif's default ring, so the two kinds of path get the same buffering.
 */
const VIRTIO_QUEUE_SIZE = 1024;

/**
 * DPDK's EAL reads and sets NUMA memory policy (get_mempolicy, set_mempolicy, mbind); the container
 * runtime's default seccomp profile allows those calls only with CAP_SYS_NICE, and without them EAL
 * fails with "Cannot allocate memory". Every DPDK process here therefore gets SYS_NICE.
 */
export const DPDK_CAPABILITIES = ['SYS_NICE'];

/** Path of a switch image's entrypoint (images/<switch>/). */
export function entrypoint(name: 'testpmd' | 'ovs' | 'vpp' | 'snabb'): string {
  return `/usr/local/bin/sb-switch-${name}`;
}

/**
 * A startup probe that runs the switch's own check (its view of ports and forwarding). Not a
 * readiness probe: the kubelet would run that every period for the whole run, on the switch's own
 * CPU while trials measure it, and each check (a shell and a Python or an ovs-vsctl) stalled testpmd
 * for milliseconds: in paced trials its sender's ring overflowed, 0.1-1 % of frames at 100 kpps.
 * A startup probe stops at its first success, and the pod stays Ready until the switch exits.
 */
export function execProbe(command: string[]): V1Probe {
  // Start-up takes seconds (OVS and VPP initialise DPDK or their buffers); probing every 2 s keeps
  // the wait short, and a probe may take long while the CPU is shared. The operator's
  // switchReadyTimeoutSeconds (300 s by default) decides when a switch failed to start: the
  // kubelet's own budget, 400 s, only stops a switch the operator no longer waits for.
  return { exec: { command }, initialDelaySeconds: 1, periodSeconds: 2, timeoutSeconds: 10, failureThreshold: 200 };
}

/** The data path's options block, which withDatapathOptions guarantees for the spec's own path. */
export function options<K extends 'testpmd' | 'ovsDpdk' | 'vpp' | 'snabb' | 'memif'>(
  spec: SwitchBenchmarkSpec,
  field: K,
): NonNullable<SwitchBenchmarkSpec[K]> {
  const value = spec[field];
  if (value === undefined) throw new Error(`spec.${field} is missing: drivers expect withDatapathOptions(spec)`);
  return value as NonNullable<SwitchBenchmarkSpec[K]>;
}

/**
 * EAL arguments of a traffic program. --in-memory keeps no hugepage files and no shared
 * configuration, so a killed program leaves nothing behind; --single-file-segments keeps the memory
 * table within vhost-user's limit of 8 regions with 2 MiB pages.
 */
function eal(role: TrafficRole, vdev: string): string[] {
  return ['--in-memory', '--single-file-segments', '--no-pci', '--file-prefix', `sb-${role}`, '--vdev', vdev];
}

function dpdkEndpoint(
  role: TrafficRole,
  vdev: string,
  behindSwitch: boolean,
  programArgs: string[] = [],
): TrafficEndpointPlan {
  const addressing = role === 'sender' ? ['--dst-mac', PORT_MAC.receiver] : [];
  return {
    backendArgs: ['--backend', 'dpdk', ...addressing, ...programArgs, '--', ...eal(role, vdev)],
    // Beyond SYS_NICE, DPDK with --in-memory and no PCI devices needs no capability (test/switches).
    capabilities: [...DPDK_CAPABILITIES],
    hugepages: true,
    runDir: true,
    behindSwitch,
    annotations: {},
    extendedResources: {},
  };
}

/** Where every switch answers port-counter requests (docs/switches.md, "Port counters"). */
export const SWITCH_COUNTERS_DIR = `${RUN_DIR_IN_POD}/counters`;

/**
 * A traffic program's virtio-user port on the switch's vhost-user socket for its role. The switch is
 * the vhost-user server unless it connects as a client (OVS's dpdkvhostuserclient ports), in which
 * case the traffic program listens. Each program snapshots the switch's counters of its port around
 * its trial, which is how a trial's loss is located.
 */
export function virtioUserEndpoint(role: TrafficRole, switchConnects: boolean): TrafficEndpointPlan {
  const server = switchConnects ? ',server=1' : '';
  const vdev = `net_virtio_user0,path=${socketPath(role)},queues=1,queue_size=${VIRTIO_QUEUE_SIZE},mac=${PORT_MAC[role]}${server}`;
  return dpdkEndpoint(role, vdev, true, ['--switch-counters', SWITCH_COUNTERS_DIR]);
}

/**
 * A memif port: the receiver is the server (it creates the socket), the sender the client. The
 * socket is a file in the run directory, not an abstract one: abstract sockets live in a network
 * namespace, and every pod has its own.
 */
export function memifEndpoint(role: TrafficRole, ringSize: number): TrafficEndpointPlan {
  // memif's rsize is the base-2 logarithm of the ring size (the CRD allows powers of two only).
  const rsize = Math.log2(ringSize);
  const memifRole = role === 'receiver' ? 'server' : 'client';
  const vdev =
    `net_memif0,role=${memifRole},id=0,socket=${socketPath('memif')},socket-abstract=no,` +
    `rsize=${integer(rsize, 8, 12, 'spec.memif.ringSize (log2)')},mac=${PORT_MAC[role]}`;
  return dpdkEndpoint(role, vdev, false);
}
