// Fan-out: one run per node of a pool at each trigger. Which nodes form the pool, what each node's
// run is called, which finished runs history keeps per node, and whether a run may take its node
// under maxConcurrentNodes. Pure.
import { createHash } from 'node:crypto';
import type { V1Node } from '@kubernetes/client-node';
import { isFinished } from '../../api/v1alpha1/predicates.js';
import type { SwitchBenchmarkRun, SwitchBenchmarkSpec } from '../../api/v1alpha1/types.js';
import { matches } from '../run/preflight.js';

/** Run names are label values (switchbench.io/run on every pod): at most 63 characters. */
const MAX_RUN_NAME = 63;

export type FanOut = NonNullable<SwitchBenchmarkSpec['placement']['fanOut']>;

/** Whether a node belongs to the pool: it carries the selector's labels and the admin's. */
export const inPool = (node: V1Node, selector: Record<string, string>, nodeLabel: Record<string, string>) =>
  matches(node, selector) && matches(node, nodeLabel);

/** The nodes of the pool, by name. */
export function poolNodes(
  nodes: readonly V1Node[],
  selector: Record<string, string>,
  nodeLabel: Record<string, string>,
): string[] {
  return nodes
    .filter((n) => inPool(n, selector, nodeLabel))
    .map((n) => n.metadata?.name as string)
    .sort();
}

/**
 * The run of `node` in the round named `round`: the node's name appended when it fits and is a
 * DNS label; otherwise as much of it as fits, with a hash of the whole name so two nodes never collide.
 */
export function fanOutRunName(round: string, node: string): string {
  const plain = `${round}-${node}`;
  if (plain.length <= MAX_RUN_NAME && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(node)) return plain;
  const hash = createHash('sha256').update(node).digest('hex').slice(0, 8);
  const room = MAX_RUN_NAME - round.length - hash.length - 2;
  const stem = node
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, Math.max(0, room))
    .replace(/^-+|-+$/g, '');
  return stem ? `${round}-${stem}-${hash}` : `${round}-${hash}`;
}

/** The node a run is for when fan-out created it; undefined for a single-node benchmark's run. */
export const runNode = (run: SwitchBenchmarkRun) => run.spec.nodeName;

/**
 * Runs that hold a node of the pool, or are being admitted by this operator right now: a run may
 * start while fewer than `max` do. Runs queued for a busy node hold nothing and do not count.
 */
export function poolSlotTaken(
  run: SwitchBenchmarkRun,
  siblings: readonly SwitchBenchmarkRun[],
  admitting: ReadonlySet<string>,
  max: number | undefined,
): { holders: string[] } | undefined {
  if (max === undefined) return undefined;
  const holders = siblings
    .filter(
      (r) =>
        r.metadata.uid !== run.metadata.uid &&
        !isFinished(r) &&
        (r.status?.startTime !== undefined || admitting.has(r.metadata.uid as string)),
    )
    .map((r) => r.metadata.name as string)
    .sort();
  return holders.length >= max ? { holders } : undefined;
}
