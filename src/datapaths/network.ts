// What the kernel and sriov data paths share: a NetworkAttachmentDefinition per run, attached to the
// traffic pods by Multus as a second interface, and the pods' view of it (docs/multus-sriov.md).
// Pure: the controller creates and deletes the objects these describe.
import type { RunIdentity } from './types.js';

/** The interface Multus gives a pod for the run's network, beside the pod network's eth0. */
export const SECONDARY_INTERFACE = 'net1';
/** Pod annotation selecting extra networks (the Network Plumbing Working Group's multi-net spec). */
export const NETWORKS_ANNOTATION = 'k8s.v1.cni.cncf.io/networks';
/** Pod annotation in which Multus reports every attachment it made, with its addresses. */
export const NETWORK_STATUS_ANNOTATION = 'k8s.v1.cni.cncf.io/network-status';
/** NetworkAttachmentDefinition annotation naming the device plugin resource its pods request. */
export const RESOURCE_NAME_ANNOTATION = 'k8s.v1.cni.cncf.io/resourceName';
export const NAD_GROUP = 'k8s.cni.cncf.io';
export const NAD_VERSION = 'v1';
export const NAD_PLURAL = 'network-attachment-definitions';
export const NAD_CRD_NAME = `${NAD_PLURAL}.${NAD_GROUP}`;
/** Linux limits interface names to 15 bytes (IFNAMSIZ 16 with the NUL). */
export const MAX_INTERFACE_NAME = 15;

/** What a run's network needs from the cluster besides its own objects. */
export interface NetworkPlan {
  /** The NetworkAttachmentDefinition's CNI configuration. */
  cniConfig: Record<string, unknown>;
  /** Annotations of the NetworkAttachmentDefinition (the sriov resource it draws VFs from). */
  annotations: Record<string, string>;
  /** Host interfaces the run's network leaves on its node (the kernel path's bridge), removed at teardown. */
  hostInterfaces: string[];
}

/** The run's NetworkAttachmentDefinition, in the run's namespace: one name per run. */
export function networkName(run: RunIdentity): string {
  return `${run.name}-net`;
}

/**
 * The run's bridge on its node: from the run's UID, so no user string names a host interface, and
 * within IFNAMSIZ. 13 hex digits of a random UUID make a clash with another run's bridge negligible.
 */
export function bridgeName(run: RunIdentity): string {
  const hex = run.uid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/.test(hex)) throw new Error(`run UID ${JSON.stringify(run.uid)} is not a UUID`);
  return `sb${hex.slice(0, MAX_INTERFACE_NAME - 2)}`;
}

/** The pod annotation attaching the run's network as net1, with a fixed MAC where the path sets one. */
export function networksAnnotation(run: RunIdentity, mac?: string): Record<string, string> {
  const selection = {
    name: networkName(run),
    namespace: run.namespace,
    interface: SECONDARY_INTERFACE,
    ...(mac ? { mac } : {}),
  };
  return { [NETWORKS_ANNOTATION]: JSON.stringify([selection]) };
}

interface NetworkStatusEntry {
  name?: unknown;
  interface?: unknown;
  ips?: unknown;
}

/**
 * The IPv4 address Multus reports for the run's network on a pod, from its network-status annotation;
 * undefined while it is not there. Multus names the network namespace/name.
 */
export function secondaryAddress(
  run: RunIdentity,
  annotations: Record<string, string> | undefined,
): string | undefined {
  const raw = annotations?.[NETWORK_STATUS_ANNOTATION];
  if (!raw) return undefined;
  let entries: unknown;
  try {
    entries = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!Array.isArray(entries)) return undefined;
  const wanted = `${run.namespace}/${networkName(run)}`;
  const entry = (entries as NetworkStatusEntry[]).find(
    (e) => e?.name === wanted && e?.interface === SECONDARY_INTERFACE,
  );
  const ips = Array.isArray(entry?.ips) ? (entry.ips as unknown[]) : [];
  return ips.find((ip): ip is string => typeof ip === 'string' && /^\d+\.\d+\.\d+\.\d+$/.test(ip));
}

/**
 * The environment variable in which the SR-IOV network device plugin gives a container the PCI
 * addresses of its devices of a resource: PCIDEVICE_<prefix>_<name>, upper case, '.' as '_'.
 */
export function deviceEnvVar(resourceName: string): string {
  return `PCIDEVICE_${resourceName.replace('/', '_').replace(/\./g, '_').toUpperCase()}`;
}
