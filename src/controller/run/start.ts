// Starting a run: the namespace must be enabled, preflight must admit it on a node, the cleanup
// finalizer goes on, the node locks are taken, and the pods' network is created. Until the run
// starts nothing exists on a node, so every check is simply made again on the next reconcile
// (node, lease and run events trigger one).
import { ConditionType, Reason } from '../../api/v1alpha1/conditions.js';
import { CLEANUP_FINALIZER } from '../../api/v1alpha1/labels.js';
import type { ReconcileResult } from '../../runtime/reconcile.js';
import { controllerUid } from '../../api/v1alpha1/predicates.js';
import { allowedImages, namespaceEnabled } from '../config.js';
import { inPool, poolSlotTaken } from '../benchmark/fan-out.js';
import { piecesProblems } from './cluster-pieces.js';
import { networkAttachment, switchPod } from './desired.js';
import { acquireLock } from './locks.js';
import { LOCK_DURATION_SECONDS } from './node-lock.js';
import { describeSelector, preflight } from './preflight.js';
import { finish, writeStatus } from './status.js';
import type { RunStep, Setup } from './step.js';
import { trafficPods } from './trials.js';

/** How often a run waiting for something no informer reports (Multus becoming ready) looks again. */
const WAIT_RECHECK_MS = 15_000;
/** A run this operator admitted counts as holding its node until the cache shows it, or this long. */
const ADMISSION_MEMORY_MS = 60_000;

/**
 * Fan-out runs this operator is admitting or has just admitted, by UID, with when: until the cache
 * shows them started they still count against maxConcurrentNodes (controller-runtime's expectations).
 */
export class PoolAdmissions {
  private readonly since = new Map<string, number>();

  add(uid: string, at: Date): void {
    this.since.set(uid, at.getTime());
  }

  delete(uid: string): void {
    this.since.delete(uid);
  }

  /** The UIDs still remembered at `now`. */
  current(now: Date): Set<string> {
    for (const [uid, at] of this.since) if (now.getTime() - at > ADMISSION_MEMORY_MS) this.since.delete(uid);
    return new Set(this.since.keys());
  }
}

export async function start(step: RunStep, setup: Setup, admissions: PoolAdmissions): Promise<ReconcileResult> {
  const { deps, run, log } = step;
  const namespace = run.metadata.namespace as string;
  if (deps.namespaces && !namespaceEnabled(deps.config, deps.namespaces.get(namespace)?.metadata?.labels)) {
    const label = deps.config.enabledNamespaceLabel;
    const message = `Namespace ${namespace} is not enabled for benchmarks, so no pod was created: an admin enables it with kubectl label namespace ${namespace} ${label}`;
    return finish(step, { phase: 'Failed', reason: Reason.NamespaceNotEnabled, message });
  }
  const first = setup.method.next(setup.spec, []);
  const plan = setup.driver.switchPlan(setup.context);
  const candidates = first
    ? trafficPods(step, setup, { sender: 'candidate', receiver: 'candidate' }, first, 0)
    : undefined;
  const crossNode = setup.spec.placement.receiverNodeSelector;
  const network = setup.driver.network(setup.context);
  const datapathProblems = network ? piecesProblems(setup.spec.datapath, await deps.pieces.facts()) : [];
  const poolNode = run.spec.nodeName;
  let nodes = deps.nodes.list();
  if (poolNode !== undefined) {
    const node = nodes.find((n) => n.metadata?.name === poolNode);
    const selector = setup.spec.placement.nodeSelector;
    if (!node || !inPool(node, selector, setup.nodeLabel)) {
      const why = node
        ? `no longer has the pool's labels ${describeSelector({ ...selector, ...setup.nodeLabel })}`
        : 'was deleted';
      const message = `Node ${poolNode} ${why} before this run started, so nothing was created on it; the benchmark's next trigger measures the pool as it is then`;
      return finish(step, { phase: 'Failed', reason: Reason.NodeLeftPool, message });
    }
    nodes = [node];
  }
  const decision = preflight({
    nodeSelector: setup.spec.placement.nodeSelector,
    ...(crossNode ? { receiverNodeSelector: crossNode, receiverPods: candidates ? [candidates.receiver] : [] } : {}),
    nodes,
    pods: [
      ...(candidates ? (crossNode ? [candidates.sender] : [candidates.sender, candidates.receiver]) : []),
      ...(plan ? [switchPod(run, setup.spec, 'candidate', setup.nodeLabel, plan)] : []),
    ],
    cpuPolicy: setup.spec.resources.cpuPolicy,
    cpuManagerPolicy: deps.config.cpuManagerPolicy,
    images: { traffic: setup.context.images.traffic, ...(plan ? { switch: setup.context.images.switch } : {}) },
    allowedImages: allowedImages(deps.config),
    nodeLabel: setup.nodeLabel,
    datapathProblems,
  });
  if (decision.kind === 'reject')
    return finish(step, { phase: 'Failed', reason: decision.reason, message: decision.message });
  if (decision.kind === 'wait') {
    await writeStatus(step, { ...run.status, phase: 'Pending' }, [
      { type: ConditionType.Progressing, status: 'False', reason: decision.reason, message: decision.message },
    ]);
    // Node changes come through the informer; cluster pieces (Multus) are looked at again.
    return datapathProblems.length ? { requeueAfterMs: WAIT_RECHECK_MS } : {};
  }
  // The finalizer comes before any lock or host directory, so that deleting the run always releases them.
  if (!run.metadata.finalizers?.includes(CLEANUP_FINALIZER)) {
    await deps.writer.addRunFinalizer(run, CLEANUP_FINALIZER);
    return {};
  }
  const placed = {
    ...run.status,
    node: decision.node,
    ...(decision.receiverNode ? { receiverNode: decision.receiverNode } : {}),
  };
  const uid = run.metadata.uid as string;
  const maxNodes = setup.spec.placement.fanOut?.maxConcurrentNodes;
  if (poolNode !== undefined && maxNodes !== undefined) {
    const siblings = deps.runs
      .list(namespace)
      .filter((r) => r.spec.nodeName !== undefined && controllerUid(r) === controllerUid(run));
    const taken = poolSlotTaken(run, siblings, admissions.current(deps.now()), maxNodes);
    if (taken) {
      const message = `${taken.holders.length} runs of this benchmark hold their nodes (spec.placement.fanOut.maxConcurrentNodes ${maxNodes}: ${taken.holders.slice(0, 5).join(', ')}${taken.holders.length > 5 ? ', …' : ''}); this run starts on node ${poolNode} when one of them finishes`;
      await writeStatus(step, { ...run.status, phase: 'Pending', node: poolNode }, [
        { type: ConditionType.Progressing, status: 'False', reason: Reason.PoolLimit, message },
      ]);
      // A finishing run releases its node lock, and the lease event wakes the runs waiting here.
      return {};
    }
    // Counted from here on, before the first await: the other worker sees this run as holding a node.
    admissions.add(uid, deps.now());
  }
  for (const node of [decision.node, decision.receiverNode].filter((n): n is string => Boolean(n)).sort()) {
    const busy = await acquireLock(step, node);
    if (busy) {
      admissions.delete(uid);
      await writeStatus(step, { ...placed, phase: 'Queued' }, [
        { type: ConditionType.Progressing, status: 'False', ...busy },
      ]);
      // A holder outside this operator's watch is only known to be gone when its lease expires.
      return { requeueAfterMs: LOCK_DURATION_SECONDS * 1000 };
    }
  }
  // Before the first pod: the pods' network must exist when Multus attaches them.
  if (network) await deps.writer.createNetworkAttachment(networkAttachment(run, network));
  const planned = setup.method.plannedTrials(setup.spec);
  const where = decision.receiverNode
    ? `node ${decision.node}, receiver on node ${decision.receiverNode}`
    : `node ${decision.node}`;
  const message = [`Running on ${where}`, ...decision.notes].join('; ');
  log.info('Admitted run', { node: decision.node, receiverNode: decision.receiverNode, trialsPlanned: planned });
  await writeStatus(
    step,
    {
      ...placed,
      phase: 'Running',
      startTime: deps.now().toISOString(),
      trialsPlanned: planned,
      trialsCompleted: 0,
      progress: `0/${planned}`,
      trials: [],
    },
    [{ type: ConditionType.Progressing, status: 'True', reason: Reason.Admitted, message }],
  );
  await deps.writer.event(run, { type: 'Normal', reason: Reason.Admitted, message });
  return {};
}
