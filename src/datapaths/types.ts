// The contract between the controller and the data paths: the controller builds every pod from these
// plans and never branches on spec.datapath itself. Drivers are pure: spec and identity in, plans out.
import type { V1Probe } from '@kubernetes/client-node';
import type { Datapath, SwitchBenchmarkSpec } from '../api/v1alpha1/types.js';
import type { NetworkPlan } from './network.js';

/** Where each pod of a run sees the run's host directory (vhost-user and memif sockets). */
export const RUN_DIR_IN_POD = '/run/switchbench';
/** Parent of the per-run host directories; fixed by the operator, never taken from a spec. */
export const RUN_DIR_ON_HOST_ROOT = '/var/run/switchbench/runs';
/** Unix socket paths (sun_path) hold at most 107 bytes plus the terminating NUL. */
export const MAX_SOCKET_PATH_BYTES = 107;
/**
 * A writable, memory-backed emptyDir mounted in the switch container (its root filesystem is
 * read-only): switches keep their databases, logs, control sockets and readiness state there.
 */
export const SWITCH_STATE_DIR = '/var/run/switch';

export interface RunIdentity {
  namespace: string;
  /** SwitchBenchmarkRun name. */
  name: string;
  /** SwitchBenchmarkRun UID: keys the host directory, so no user string reaches a host path. */
  uid: string;
}

export interface RunContext {
  run: RunIdentity;
  /** Defaulted spec with its data path's options block present (see withDatapathOptions). */
  spec: SwitchBenchmarkSpec;
  images: { traffic: string; switch: string };
}

export type TrafficRole = 'sender' | 'receiver';

/** A file the operator puts in a ConfigMap and mounts read-only into the switch container. */
export interface ConfigFile {
  /** ConfigMap key and file name. */
  key: string;
  content: string;
}

export interface SwitchPlan {
  image: string;
  /** argv, executed directly: never through a shell. */
  command: string[];
  /** Files mounted read-only at `configDir`. */
  configFiles: ConfigFile[];
  configDir: string;
  /** Started (and from then Ready) once both ports exist and forward, by the switch's own view. */
  startupProbe: V1Probe;
  /** Linux capabilities beyond none (e.g. IPC_LOCK for hugepage locking). */
  capabilities: string[];
  /** Sockets the switch creates or connects to, as seen in the pod (each ≤ MAX_SOCKET_PATH_BYTES). */
  sockets: string[];
}

export interface TrafficEndpointPlan {
  /**
   * Arguments of sb-sender / sb-receiver that select and configure the I/O backend. They go last
   * on the command line: the DPDK backend's end with "--" and the EAL arguments.
   */
  backendArgs: string[];
  capabilities: string[];
  hugepages: boolean;
  /** Mount the run's host directory at RUN_DIR_IN_POD. */
  runDir: boolean;
  /** The program's port is on a switch, which is then the device under test (not the receiver). */
  behindSwitch: boolean;
  /** Pod annotations (e.g. Multus network selection). */
  annotations: Record<string, string>;
  /** Extended resources per pod (e.g. an SR-IOV VF). */
  extendedResources: Record<string, string>;
}

/** Where the receiver can be reached once its pod runs. */
export interface PeerAddress {
  podIP?: string;
  /** The receiver pod's annotations: Multus reports the addresses of its extra networks there. */
  annotations?: Record<string, string>;
}

export interface DatapathDriver {
  readonly datapath: Datapath;
  /** The switch between sender and receiver; undefined when there is none (memif, sriov, kernel). */
  switchPlan(context: RunContext): SwitchPlan | undefined;
  /** The run's own network, attached through Multus; undefined for paths without one. */
  network(context: RunContext): NetworkPlan | undefined;
  /**
   * A traffic program's backend. `peer` is known for the sender only, which starts after the
   * receiver runs: paths that address the receiver by IP (kernel sockets) take it from there.
   */
  endpoint(context: RunContext, role: TrafficRole, peer?: PeerAddress): TrafficEndpointPlan;
}
