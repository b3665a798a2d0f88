// Preflight: which node(s) a run gets, and whether it can run there at all, checked before any pod
// exists. Pure: nodes and candidate pods in, a decision out. Every refusal says what to change.
import { Reason } from '../../api/v1alpha1/conditions.js';
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { CPU_MANAGER_POLICY_LABEL } from '../../api/v1alpha1/labels.js';
import type { SwitchBenchmarkSpec } from '../../api/v1alpha1/types.js';
import type { ImageAllowlist } from '../config.js';
import { parseQuantity } from './quantity.js';

export const CPU_MANAGER_POLICIES = ['static', 'none', 'unknown'] as const;
export type CpuManagerPolicy = (typeof CPU_MANAGER_POLICIES)[number];

export type Admission =
  | { kind: 'admit'; node: string; receiverNode?: string; notes: string[] }
  | { kind: 'wait'; reason: Reason; message: string }
  | { kind: 'reject'; reason: Reason; message: string };

type Refusal = Exclude<Admission, { kind: 'admit' }>;

export interface PreflightInput {
  nodeSelector: Record<string, string>;
  /** Set for cross-node runs: the receiver's pods go to the node it selects. */
  receiverNodeSelector?: Record<string, string>;
  nodes: readonly V1Node[];
  /** Pods of one trial plus the switch, on the node of nodeSelector. */
  pods: readonly V1Pod[];
  /** The receiver's pod when it goes to the receiver's node. */
  receiverPods?: readonly V1Pod[];
  /** The spec's CPU policy: every one but shared needs dedicated cores from the static CPU manager. */
  cpuPolicy: SwitchBenchmarkSpec['resources']['cpuPolicy'];
  /** The policy the admin configured for nodes that do not carry CPU_MANAGER_POLICY_LABEL. */
  cpuManagerPolicy: CpuManagerPolicy;
  /** The run's images by role; no switch image on paths without a switch. */
  images: { traffic: string; switch?: string };
  allowedImages: ImageAllowlist;
  /** The admin's node label as a selector: added to every selector of the spec. */
  nodeLabel: Record<string, string>;
  /** Problems a data path found with its cluster pieces (Multus, device plugins), already worded. */
  datapathProblems?: readonly { reason: Reason; message: string }[];
}

/** A selector as kubectl label takes it: k=v pairs joined by commas. */
export const describeSelector = (selector: Record<string, string>) =>
  Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

export function matches(node: V1Node, selector: Record<string, string>): boolean {
  const labels = node.metadata?.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

/** Sum of what the pods request, per resource; every pod of a run runs at the same time. */
export function totalRequests(pods: readonly V1Pod[]): Map<string, number> {
  const totals = new Map<string, number>();
  for (const pod of pods) {
    for (const container of pod.spec?.containers ?? []) {
      for (const [resource, quantity] of Object.entries(container.resources?.requests ?? {})) {
        totals.set(resource, (totals.get(resource) ?? 0) + parseQuantity(String(quantity)));
      }
    }
  }
  return totals;
}

/** A resource a device plugin provides, as opposed to the kubelet's own (cpu, memory, hugepages, storage). */
const isDeviceResource = (resource: string) => resource.includes('/') && !resource.startsWith('kubernetes.io/');

const show = (resource: string, value: number) =>
  resource === 'cpu'
    ? `${value}`
    : resource === 'memory' || resource.startsWith('hugepages-')
      ? `${Math.round(value / 2 ** 20)}Mi`
      : `${value}`;

/**
 * Why no node carries both the spec's labels and the admin's: the spec contradicts the admin's label
 * (it will never run), or the nodes it selects are not labelled (yet), or it selects none at all.
 */
function noNode(
  selector: Record<string, string>,
  nodeLabel: Record<string, string>,
  nodes: readonly V1Node[],
  field: string,
): Refusal {
  const required = describeSelector(nodeLabel);
  const contradicted = Object.keys(nodeLabel).filter((k) => k in selector && selector[k] !== nodeLabel[k]);
  if (contradicted.length) {
    return {
      kind: 'reject',
      reason: Reason.NodeNotLabelled,
      message: `${field} sets ${contradicted.map((k) => `${k}=${selector[k]}`).join(',')}, but benchmarks run only on nodes the admin labelled ${required}: remove it from the selector`,
    };
  }
  const unlabelled = nodes
    .filter((n) => matches(n, selector))
    .map((n) => n.metadata?.name as string)
    .sort();
  if (unlabelled.length) {
    return {
      kind: 'wait',
      reason: Reason.NodeNotLabelled,
      message: `${field} ${describeSelector(selector)} matches only nodes without the label ${required} that lets a node run benchmarks (${unlabelled.join(', ')}): an admin adds it, e.g. kubectl label node ${unlabelled[0]} ${required}`,
    };
  }
  const wanted = { ...selector, ...nodeLabel };
  const labels = Object.entries(wanted).map(([k, v]) => `${k}=${v}`);
  return {
    kind: 'wait',
    reason: Reason.NodeNotFound,
    message: `No node has the labels ${describeSelector(wanted)} (${field}, with the admin's ${required}): label the node to benchmark, e.g. kubectl label node NODE ${labels.join(' ')}`,
  };
}

/**
 * The node matching the selector and the admin's node label, if exactly one does and its allocatable
 * resources can hold all the pods at once. No node yet is worth waiting for (it may be labelled or
 * join); two nodes or a node too small will not fix themselves, so the run is rejected with what to
 * change.
 */
export function admit(
  selector: Record<string, string>,
  nodeLabel: Record<string, string>,
  nodes: readonly V1Node[],
  pods: readonly V1Pod[],
  field = 'spec.placement.nodeSelector',
): Refusal | { kind: 'admit'; node: string } {
  const candidates = nodes.filter((n) => matches(n, selector) && matches(n, nodeLabel));
  if (candidates.length === 0) return noNode(selector, nodeLabel, nodes, field);
  if (candidates.length > 1) {
    const names = candidates
      .map((n) => n.metadata?.name)
      .sort()
      .join(', ');
    return {
      kind: 'reject',
      reason: Reason.AmbiguousNodeSelector,
      message: `${field} ${describeSelector(selector)} matches ${candidates.length} nodes (${names}); it must select exactly one, or set spec.placement.fanOut to measure each of them`,
    };
  }
  const node = candidates[0] as V1Node;
  const name = node.metadata?.name as string;
  // A node that is not Ready may not have reported what it can allocate yet (one just joining):
  // wait for it rather than judge its resources.
  const refusal = unavailable(node);
  if (refusal) return refusal;
  const allocatable = node.status?.allocatable ?? {};
  const needed = totalRequests(pods);
  const missingHugepages = [...needed.keys()].filter(
    (r) => r.startsWith('hugepages-') && !(parseQuantity(allocatable[r]) > 0),
  );
  if (missingHugepages.length) {
    return {
      kind: 'reject',
      reason: Reason.NoHugepages,
      message: `Node ${name} has no allocatable ${missingHugepages.join(', ')}: reserve hugepages on it (e.g. sysctl vm.nr_hugepages=1024) and restart its kubelet, or change spec.resources.hugepages.pageSize`,
    };
  }
  // Extended resources come from device plugins (an SR-IOV VF): none at all means the plugin is not
  // running there or offers nothing under that name, which an admin may be fixing right now.
  const notAdvertised = [...needed.keys()].filter((r) => isDeviceResource(r) && !(parseQuantity(allocatable[r]) > 0));
  if (notAdvertised.length) {
    return {
      kind: 'wait',
      reason: Reason.DeviceResourceMissing,
      message: `Node ${name} advertises no ${notAdvertised.join(', ')} (spec.sriov.resourceName): the run starts when a device plugin offers VFs under that name there (docs/multus-sriov.md)`,
    };
  }
  const short = [...needed]
    .filter(([resource, amount]) => !(parseQuantity(allocatable[resource]) >= amount))
    .map(
      ([resource, amount]) =>
        `${resource}: needs ${show(resource, amount)}, node allocatable ${allocatable[resource] ?? 'none'}`,
    );
  if (short.length) {
    return {
      kind: 'reject',
      reason: Reason.InsufficientResources,
      message: `Node ${name} cannot hold the run's pods at once (${short.join('; ')}): lower spec.resources or pick a larger node`,
    };
  }
  return { kind: 'admit', node: name };
}

/** A node that cannot take pods now but may later: NotReady or cordoned. */
function unavailable(node: V1Node): Refusal | undefined {
  const name = node.metadata?.name;
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    return {
      kind: 'wait',
      reason: Reason.NodeNotReady,
      message: `Node ${name} is not Ready (${ready?.reason ?? 'no Ready condition'}): the run starts when it is`,
    };
  }
  if (node.spec?.unschedulable) {
    return {
      kind: 'wait',
      reason: Reason.NodeCordoned,
      message: `Node ${name} is cordoned: uncordon it (kubectl uncordon ${name}) for the run to start`,
    };
  }
  return undefined;
}

function cpuPolicyOf(node: V1Node, configured: CpuManagerPolicy): CpuManagerPolicy {
  const stated = node.metadata?.labels?.[CPU_MANAGER_POLICY_LABEL];
  return stated === 'static' || stated === 'none' ? stated : configured;
}

/** Every check that can be made before a pod exists, in the order a user would fix them. */
export function preflight(input: PreflightInput): Admission {
  const disallowed = (['traffic', 'switch'] as const).filter(
    (role) => input.images[role] !== undefined && !input.allowedImages[role].includes(input.images[role] as string),
  );
  if (disallowed.length) {
    return {
      kind: 'reject',
      reason: Reason.ImageNotAllowed,
      message: disallowed
        .map(
          (role) =>
            `Image ${input.images[role]} is not on the operator's ${role} image allowlist: use the default image or ask the admin to add it (--allow-${role}-image)`,
        )
        .join('; '),
    };
  }
  const problem = input.datapathProblems?.[0];
  if (problem) return { kind: 'wait', ...problem };

  const placements: { selector: Record<string, string>; pods: readonly V1Pod[]; field: string }[] = [
    { selector: input.nodeSelector, pods: input.pods, field: 'spec.placement.nodeSelector' },
  ];
  if (input.receiverNodeSelector) {
    placements.push({
      selector: input.receiverNodeSelector,
      pods: input.receiverPods ?? [],
      field: 'spec.placement.receiverNodeSelector',
    });
  }
  const chosen: V1Node[] = [];
  for (const { selector, pods, field } of placements) {
    const decision = admit(selector, input.nodeLabel, input.nodes, pods, field);
    if (decision.kind !== 'admit') return decision;
    chosen.push(input.nodes.find((n) => n.metadata?.name === decision.node) as V1Node);
  }
  const [node, receiverNode] = chosen as [V1Node, V1Node | undefined];
  if (receiverNode && receiverNode.metadata?.name === node.metadata?.name) {
    return {
      kind: 'reject',
      reason: Reason.SameNode,
      message: `spec.placement.receiverNodeSelector selects node ${node.metadata?.name}, the node of spec.placement.nodeSelector: select another node, or remove it for a same-node run`,
    };
  }

  const notes: string[] = [];
  for (const candidate of chosen) {
    if (input.cpuPolicy === 'shared') continue;
    const policy = cpuPolicyOf(candidate, input.cpuManagerPolicy);
    const name = candidate.metadata?.name as string;
    if (policy === 'none') {
      return {
        kind: 'reject',
        reason: Reason.CPUManagerNotStatic,
        message: `spec.resources.cpuPolicy ${input.cpuPolicy} needs the kubelet's static CPU manager, and node ${name} runs policy none: set cpuManagerPolicy: static in its kubelet configuration (and label it ${CPU_MANAGER_POLICY_LABEL}=static), or use cpuPolicy: shared`,
      };
    }
    if (policy === 'unknown') {
      notes.push(
        `the CPU manager policy of node ${name} is not known, so cores may not be exclusive (label it ${CPU_MANAGER_POLICY_LABEL}=static once it is)`,
      );
    }
  }
  return {
    kind: 'admit',
    node: node.metadata?.name as string,
    ...(receiverNode ? { receiverNode: receiverNode.metadata?.name as string } : {}),
    notes,
  };
}
