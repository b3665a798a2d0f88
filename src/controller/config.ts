import type { Datapath } from '../api/v1alpha1/types.js';
import type { CpuManagerPolicy } from './run/preflight.js';
import type { NamespacedName } from './run/cluster-pieces.js';

/** Operator-level settings, chosen by the cluster admin (flags / chart values), never by a spec. */
export interface OperatorConfig {
  /** Default image of the traffic programs. */
  trafficImage: string;
  /** Default switch image per data path that has a switch. */
  switchImages: Partial<Record<Datapath, string>>;
  /**
   * Images a spec may pick instead of the defaults, per role: an image allowed as a switch is not
   * thereby allowed as traffic, nor the other way round. The defaults are always allowed.
   */
  imageAllowlist: ImageAllowlist;
  /** Attempts of one trial before it is recorded as failed. */
  maxTrialAttempts: number;
  /** Added to a trial's duration for pod start and result upload before the trial counts as hung. */
  trialGraceSeconds: number;
  /** How long the switch may take to become ready before the run fails. */
  switchReadyTimeoutSeconds: number;
  /** How long a traffic pod may stay unscheduled, or fail to pull or create its container, before the run fails. */
  podStartTimeoutSeconds: number;
  /** How long the host-directory cleanup may take before teardown gives up on it (with a warning) rather than hang. */
  cleanupTimeoutSeconds: number;
  /** Namespace of the per-node lock Leases; one for the whole cluster, so that every run queues on the same locks. */
  lockNamespace: string;
  /** The kubelets' CPU manager policy where a node does not state it with a label. */
  cpuManagerPolicy: CpuManagerPolicy;
  /**
   * The namespace label (KEY=VALUE) by which an admin lets a namespace run benchmarks; a run elsewhere
   * fails before any pod. Empty: every namespace may.
   */
  enabledNamespaceLabel: string;
  /**
   * The node label (KEY=VALUE) by which an admin lets a node run benchmarks. It is added to every
   * selector a spec gives, so no spec can place its pods on a node the admin did not label.
   */
  nodeLabel: string;
  /** The Multus DaemonSet whose readiness kernel and sriov runs wait for; unset: not checked. */
  multusDaemonSet?: NamespacedName;
}

export const DEFAULT_CONFIG: OperatorConfig = {
  trafficImage: 'localhost/switchbench-traffic:dev',
  switchImages: {
    testpmd: 'localhost/switchbench-testpmd:dev',
    'ovs-dpdk': 'localhost/switchbench-ovs-dpdk:dev',
    vpp: 'localhost/switchbench-vpp:dev',
    snabb: 'localhost/switchbench-snabb:dev',
  },
  imageAllowlist: { traffic: [], switch: [] },
  maxTrialAttempts: 3,
  trialGraceSeconds: 60,
  switchReadyTimeoutSeconds: 300,
  podStartTimeoutSeconds: 180,
  cleanupTimeoutSeconds: 180,
  lockNamespace: 'switchbench-system',
  cpuManagerPolicy: 'unknown',
  enabledNamespaceLabel: 'switchbench.io/enabled=true',
  nodeLabel: 'switchbench.io/node=true',
};

/** The images each role may run. */
export interface ImageAllowlist {
  traffic: readonly string[];
  switch: readonly string[];
}

/** A KEY=VALUE label setting as a one-entry selector. */
export function labelSelector(setting: string): Record<string, string> {
  const [key, value] = setting.split('=', 2);
  return { [key as string]: value ?? '' };
}

/** Whether a namespace with these labels may run benchmarks under `config`. */
export function namespaceEnabled(config: OperatorConfig, labels: Record<string, string> | undefined): boolean {
  if (!config.enabledNamespaceLabel) return true;
  return Object.entries(labelSelector(config.enabledNamespaceLabel)).every(([k, v]) => labels?.[k] === v);
}

/** The allowlist a spec is checked against: the admin's lists plus each role's defaults. */
export function allowedImages(config: OperatorConfig): ImageAllowlist {
  return {
    traffic: [...new Set([config.trafficImage, ...config.imageAllowlist.traffic])],
    switch: [...new Set([...Object.values(config.switchImages), ...config.imageAllowlist.switch])],
  };
}
