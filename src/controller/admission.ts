// Which node a run gets, and whether it can fit there at all. Pure: nodes in, decision out.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { parseQuantity } from './quantity.js';

export type Admission =
  | { kind: 'admit'; node: string }
  | { kind: 'wait'; reason: string; message: string }
  | { kind: 'reject'; reason: string; message: string };

const describeSelector = (selector: Record<string, string>) =>
  Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');

function matches(node: V1Node, selector: Record<string, string>): boolean {
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

const show = (resource: string, value: number) =>
  resource === 'cpu' ? `${value}` : resource === 'memory' || resource.startsWith('hugepages-') ? `${Math.round(value / 2 ** 20)}Mi` : `${value}`;

/**
 * The node matching the selector, if exactly one does and its allocatable resources can hold all the
 * run's pods at once. No node yet is worth waiting for (it may be labelled or join); two nodes or a
 * node too small will not fix themselves, so the run is rejected with what to change.
 */
export function admit(selector: Record<string, string>, nodes: readonly V1Node[], pods: readonly V1Pod[]): Admission {
  const candidates = nodes.filter((n) => matches(n, selector));
  if (candidates.length === 0) {
    return {
      kind: 'wait',
      reason: 'NodeNotFound',
      message: `No node has the labels ${describeSelector(selector)}: label the node to benchmark, e.g. kubectl label node NODE ${describeSelector(selector)}`,
    };
  }
  if (candidates.length > 1) {
    const names = candidates.map((n) => n.metadata?.name).sort().join(', ');
    return {
      kind: 'reject',
      reason: 'AmbiguousNodeSelector',
      message: `spec.placement.nodeSelector ${describeSelector(selector)} matches ${candidates.length} nodes (${names}); it must select exactly one`,
    };
  }
  const node = candidates[0] as V1Node;
  const allocatable = node.status?.allocatable ?? {};
  const short = [...totalRequests(pods)]
    .filter(([resource, needed]) => !(parseQuantity(allocatable[resource]) >= needed))
    .map(([resource, needed]) => `${resource}: needs ${show(resource, needed)}, node allocatable ${allocatable[resource] ?? 'none'}`);
  if (short.length) {
    return {
      kind: 'reject',
      reason: 'InsufficientResources',
      message: `Node ${node.metadata?.name} cannot hold the run's pods at once (${short.join('; ')}): lower spec.resources or pick a larger node`,
    };
  }
  return { kind: 'admit', node: node.metadata?.name as string };
}
