// Reconciles a SwitchBenchmarkRun: admit → switch → trials → summary → teardown. Every step reads
// the informer caches and the run's own status, so a restarted operator continues where the cluster
// says the run is: a trial is recorded once (status is written before its pods are deleted, guarded
// by resourceVersion), and pods are named by trial and attempt, so nothing is started twice.
import type { ObjectCache, V1Lease, V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'winston';
import { defaultSpec, withDatapathOptions } from '../api/v1alpha1/defaults.js';
import {
  ConditionType,
  type SwitchBenchmarkRun,
  type SwitchBenchmarkRunStatus,
  type SwitchBenchmarkSpec,
  type Trial,
} from '../api/v1alpha1/types.js';
import { driverFor } from '../datapaths/index.js';
import { networkName } from '../datapaths/network.js';
import type { DatapathDriver, RunContext, TrafficRole } from '../datapaths/types.js';
import { methodFor, type Method, type TrialRequest } from '../plan/index.js';
import { failedTrial, trialFromSummaries } from '../results/trial.js';
import { headline, summarize } from '../results/summary.js';
import type { ReconcileResult } from '../runtime/reconcile.js';
import { preflight } from './admission.js';
import { piecesProblems, type PieceFacts } from './cluster-pieces.js';
import { isApiError, type ClusterWriter } from './client.js';
import { setConditions, type ConditionInput } from './conditions.js';
import { allowedImages, namespaceEnabled, type OperatorConfig } from './config.js';
import {
  cleanupPod,
  cleanupPodName,
  hostRunDir,
  networkAttachment,
  runIdentity,
  switchConfigMap,
  switchConfigMapName,
  switchPod,
  switchPodName,
  TRAFFIC_COMMAND,
  trafficPod,
  type TrafficPodInput,
} from './desired.js';
import { ATTEMPT_LABEL, ROLE_LABEL, TRIAL_LABEL } from './labels.js';
import {
  decideLock,
  firstInLine,
  LOCK_DURATION_SECONDS,
  LOCK_RENEW_SECONDS,
  lockHolder,
  nodeLock,
  nodeLockName,
  type HolderState,
} from './node-lock.js';
import { controllerUid, isFinished } from './ownership.js';
import { trafficArgs } from './traffic-args.js';

export const CLEANUP_FINALIZER = 'switchbench.io/host-cleanup';
/** On a sender: the UID of the receiver it was started for, so a replaced receiver is noticed. */
export const RECEIVER_UID_ANNOTATION = 'switchbench.io/receiver-uid';
/** On a receiver: the UID of the switch pod it was started against, so a restarted switch is noticed. */
export const SWITCH_UID_ANNOTATION = 'switchbench.io/switch-uid';
/** How long after the receiver's warm-up the sender may still start; later, the attempt is redone. */
const SENDER_START_SLACK_SECONDS = 5;
/** Condition recording that the run's host directory is gone, so teardown is not repeated. */
export const CLEANED_UP = 'HostCleanedUp';
/** How often a run waiting for something no informer reports (Multus becoming ready) looks again. */
const WAIT_RECHECK_MS = 15_000;

export interface RunReconcilerDeps {
  runs: ObjectCache<SwitchBenchmarkRun>;
  pods: ObjectCache<V1Pod>;
  nodes: ObjectCache<V1Node>;
  leases: ObjectCache<V1Lease>;
  /** Present when the config restricts benchmarks to labelled namespaces. */
  namespaces?: ObjectCache<V1Namespace>;
  /** The namespace the operator watches; undefined for all. Runs outside it are not in the caches. */
  watchNamespace?: string;
  writer: ClusterWriter;
  /** Reads what the kernel and sriov paths need of the cluster (Multus, the NetworkAttachmentDefinition API). */
  pieces: { facts(): Promise<PieceFacts> };
  config: OperatorConfig;
  log: Logger;
  now: () => Date;
}

interface Setup {
  spec: SwitchBenchmarkSpec;
  method: Method;
  driver: DatapathDriver;
  context: RunContext;
}

const podFinished = (pod: V1Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
const started = (pod: V1Pod) =>
  Boolean(pod.status?.containerStatuses?.some((c) => c.state?.running || c.state?.terminated));
const label = (pod: V1Pod, key: string) => pod.metadata?.labels?.[key];
const terminationMessage = (pod: V1Pod | undefined) => pod?.status?.containerStatuses?.[0]?.state?.terminated?.message;
const ageSeconds = (pod: V1Pod, now: Date) =>
  (now.getTime() - new Date(pod.metadata?.creationTimestamp ?? now).getTime()) / 1000;
const secondsSince = (time: string | Date | undefined, now: Date) =>
  time ? (now.getTime() - new Date(time).getTime()) / 1000 : 0;
/** "namespace/name" of a lock holder identity (namespace/name/uid). */
const runName = (holder: string) => holder.split('/').slice(0, 2).join('/');
const runNodes = (run: SwitchBenchmarkRun) =>
  [run.status?.node, run.status?.receiverNode].filter((n): n is string => Boolean(n)).sort();

/** Why a pod has not started its program: the scheduler's or the kubelet's words, if it is stuck. */
function startProblem(pod: V1Pod): string | undefined {
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (scheduled?.status === 'False')
    return `not scheduled: ${scheduled.message ?? scheduled.reason ?? 'no reason given'}`;
  const waiting = pod.status?.containerStatuses?.find(
    (c) => c.state?.waiting && c.state.waiting.reason !== 'ContainerCreating',
  )?.state?.waiting;
  return waiting ? `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}` : undefined;
}

/** The last lines a program left (its log tail, for a failure); of a JSON summary, just its status. */
function lastWords(message: string | undefined): string | undefined {
  const lines = message?.trim().split('\n').filter(Boolean) ?? [];
  const last = lines.at(-1);
  if (last?.startsWith('{')) {
    try {
      const status = (JSON.parse(last) as { status?: unknown }).status;
      if (typeof status === 'string') return `status ${status}`;
    } catch {
      // not a summary after all: report the lines as they are
    }
  }
  // The traffic programs end a failure with one line of their own ("sb-receiver: ..."); libraries
  // (DPDK's EAL) may have logged before it, which would only bury it.
  const own = lines.filter((line) => Object.values(TRAFFIC_COMMAND).some((program) => line.startsWith(`${program}: `)));
  if (own.length) return own.at(-1);
  return lines.length ? lines.slice(-4).join(' | ') : undefined;
}

/**
 * Why a pod did not complete, in the words a user needs: the pod's own reason (the kubelet's
 * DeadlineExceeded or Evicted, which the container's exit code alone hides), how the container
 * ended and what the program said; or that it never got that far.
 */
function podFailure(pod: V1Pod | undefined, role: string): string {
  if (!pod) return `${role} pod missing`;
  const terminated = pod.status?.containerStatuses?.[0]?.state?.terminated;
  const podReason = pod.status?.reason;
  const phase = pod.status?.phase ?? 'unknown';
  if (!terminated && !podReason && (phase === 'Pending' || phase === 'Running'))
    return `${role} pod ${pod.metadata?.name} was still ${phase}`;
  const said = lastWords(terminated?.message);
  const exit = terminated
    ? `exit code ${terminated.exitCode}${terminated.reason ? ` (${terminated.reason})` : ''}`
    : undefined;
  const how = [podReason, exit].filter(Boolean).join(': ') || phase;
  return `${role} pod ${pod.metadata?.name} failed: ${how}${said ? `: ${said}` : ''}`;
}

export class RunReconciler {
  constructor(private readonly deps: RunReconcilerDeps) {}

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace, name] = key.split('/') as [string, string];
    const run = this.deps.runs.get(name, namespace);
    if (!run) return {};
    const log = this.deps.log.child({
      controller: 'switchbenchmarkrun',
      namespace,
      name: run.spec.benchmarkName,
      run: name,
    });
    const pods = this.deps.pods.list(namespace).filter((p) => controllerUid(p) === run.metadata.uid);

    if (run.metadata.deletionTimestamp || isFinished(run)) return this.teardown(run, pods, log);

    const setup = this.setup(run);
    if ('reason' in setup)
      return this.finish(run, { phase: 'Failed', reason: setup.reason, message: setup.message }, log);

    if (!run.status?.startTime) return this.start(run, setup, log);
    const lockState = await this.keepLocks(run, log);
    if (lockState) return lockState;

    const result = (await this.ensureSwitch(run, setup, pods, log)) ?? (await this.stepTrials(run, setup, pods, log));
    // Holding a node means renewing its lock, whatever else the run is waiting for.
    return { requeueAfterMs: Math.min(result.requeueAfterMs ?? Infinity, LOCK_RENEW_SECONDS * 1000) };
  }

  private setup(run: SwitchBenchmarkRun): Setup | { reason: string; message: string } {
    const spec = withDatapathOptions(defaultSpec(run.spec.benchmark));
    const method = methodFor(spec.method.type);
    if (!method)
      return {
        reason: 'MethodNotSupported',
        message: `spec.method.type ${spec.method.type} is not supported by this operator version`,
      };
    let driver: DatapathDriver;
    try {
      driver = driverFor(spec.datapath);
    } catch (err) {
      return { reason: 'DatapathNotSupported', message: (err as Error).message };
    }
    const image = spec.resources.images;
    const context: RunContext = {
      run: runIdentity(run),
      spec,
      images: {
        traffic: image?.traffic ?? this.deps.config.trafficImage,
        switch: image?.switch ?? this.deps.config.switchImages[spec.datapath] ?? '',
      },
    };
    try {
      // Options the driver cannot honour surface now, as the run's failure, not as endless retries.
      driver.switchPlan(context);
      driver.endpoint(context, 'receiver');
    } catch (err) {
      return { reason: 'UnsupportedOptions', message: (err as Error).message };
    }
    return { spec, method, driver, context };
  }

  private trafficPods(
    run: SwitchBenchmarkRun,
    setup: Setup,
    nodes: Record<TrafficRole, string>,
    request: TrialRequest,
    attempt: number,
    peers: { receiver?: V1Pod; switchPod?: V1Pod } = {},
  ): Record<TrafficRole, V1Pod> {
    const { receiver, switchPod } = peers;
    const peer = receiver ? { podIP: receiver.status?.podIP, annotations: receiver.metadata?.annotations } : undefined;
    const build = (role: TrafficRole) => {
      const endpoint = setup.driver.endpoint(setup.context, role, peer);
      const input: TrafficPodInput = {
        run,
        spec: setup.spec,
        node: nodes[role],
        role,
        trial: request.index,
        attempt,
        image: setup.context.images.traffic,
        endpoint,
        args: trafficArgs(role, request, setup.spec, endpoint, attempt),
        deadlineSeconds: request.durationSeconds + this.deps.config.trialGraceSeconds,
      };
      return trafficPod(input);
    };
    const pairedWith = (pod: V1Pod, key: string, peer: V1Pod | undefined): V1Pod => {
      const uid = peer?.metadata?.uid;
      return uid
        ? { ...pod, metadata: { ...pod.metadata, annotations: { ...pod.metadata?.annotations, [key]: uid } } }
        : pod;
    };
    return {
      sender: pairedWith(build('sender'), RECEIVER_UID_ANNOTATION, receiver),
      receiver: pairedWith(build('receiver'), SWITCH_UID_ANNOTATION, switchPod),
    };
  }

  /**
   * Preflight, then the node locks, then the start. Until the run starts nothing exists on a node, so
   * every check is simply made again on the next reconcile (node, lease and run events trigger one).
   */
  private async start(run: SwitchBenchmarkRun, setup: Setup, log: Logger): Promise<ReconcileResult> {
    const namespace = run.metadata.namespace as string;
    if (
      this.deps.namespaces &&
      !namespaceEnabled(this.deps.config, this.deps.namespaces.get(namespace)?.metadata?.labels)
    ) {
      const label = this.deps.config.enabledNamespaceLabel;
      const message = `Namespace ${namespace} is not enabled for benchmarks, so no pod was created: an admin enables it with kubectl label namespace ${namespace} ${label}`;
      return this.finish(run, { phase: 'Failed', reason: 'NamespaceNotEnabled', message }, log);
    }
    const first = setup.method.next(setup.spec, []);
    const plan = setup.driver.switchPlan(setup.context);
    const candidates = first
      ? this.trafficPods(run, setup, { sender: 'candidate', receiver: 'candidate' }, first, 0)
      : undefined;
    const crossNode = setup.spec.placement.receiverNodeSelector;
    const network = setup.driver.network(setup.context);
    const datapathProblems = network ? piecesProblems(setup.spec.datapath, await this.deps.pieces.facts()) : [];
    const decision = preflight({
      nodeSelector: setup.spec.placement.nodeSelector,
      ...(crossNode ? { receiverNodeSelector: crossNode, receiverPods: candidates ? [candidates.receiver] : [] } : {}),
      nodes: this.deps.nodes.list(),
      pods: [
        ...(candidates ? (crossNode ? [candidates.sender] : [candidates.sender, candidates.receiver]) : []),
        ...(plan ? [switchPod(run, setup.spec, 'candidate', plan)] : []),
      ],
      exclusiveCpus: setup.spec.resources.cpuPolicy === 'exclusive',
      cpuManagerPolicy: this.deps.config.cpuManagerPolicy,
      images: [setup.context.images.traffic, ...(plan ? [setup.context.images.switch] : [])],
      allowedImages: allowedImages(this.deps.config),
      datapathProblems,
    });
    if (decision.kind === 'reject')
      return this.finish(run, { phase: 'Failed', reason: decision.reason, message: decision.message }, log);
    if (decision.kind === 'wait') {
      await this.writeStatus(run, { ...run.status, phase: 'Pending' }, [
        { type: ConditionType.Progressing, status: 'False', reason: decision.reason, message: decision.message },
      ]);
      // Node changes come through the informer; cluster pieces (Multus) are looked at again.
      return datapathProblems.length ? { requeueAfterMs: WAIT_RECHECK_MS } : {};
    }
    // The finalizer comes before any lock or host directory, so that deleting the run always releases them.
    if (!run.metadata.finalizers?.includes(CLEANUP_FINALIZER)) {
      await this.deps.writer.addRunFinalizer(run, CLEANUP_FINALIZER);
      return {};
    }
    const placed = {
      ...run.status,
      node: decision.node,
      ...(decision.receiverNode ? { receiverNode: decision.receiverNode } : {}),
    };
    for (const node of [decision.node, decision.receiverNode].filter((n): n is string => Boolean(n)).sort()) {
      const busy = await this.acquireLock(run, node, log);
      if (busy) {
        await this.writeStatus(run, { ...placed, phase: 'Queued' }, [
          { type: ConditionType.Progressing, status: 'False', ...busy },
        ]);
        // A holder outside this operator's watch is only known to be gone when its lease expires.
        return { requeueAfterMs: LOCK_DURATION_SECONDS * 1000 };
      }
    }
    // Before the first pod: the pods' network must exist when Multus attaches them.
    if (network) await this.deps.writer.createNetworkAttachment(networkAttachment(run, network));
    const planned = setup.method.plannedTrials(setup.spec);
    const where = decision.receiverNode
      ? `node ${decision.node}, receiver on node ${decision.receiverNode}`
      : `node ${decision.node}`;
    const message = [`Running on ${where}`, ...decision.notes].join('; ');
    log.info('Admitted run', { node: decision.node, receiverNode: decision.receiverNode, trialsPlanned: planned });
    await this.writeStatus(
      run,
      {
        ...placed,
        phase: 'Running',
        startTime: this.deps.now().toISOString(),
        trialsPlanned: planned,
        trialsCompleted: 0,
        progress: `0/${planned}`,
        trials: [],
      },
      [{ type: ConditionType.Progressing, status: 'True', reason: 'Admitted', message }],
    );
    await this.deps.writer.event(run, { type: 'Normal', reason: 'Admitted', message });
    return {};
  }

  private holderState(holder: string): HolderState {
    const [namespace, name, uid] = holder.split('/');
    if (this.deps.watchNamespace && namespace !== this.deps.watchNamespace) return 'unknown';
    const run = name && namespace ? this.deps.runs.get(name, namespace) : undefined;
    return run && run.metadata.uid === uid ? 'active' : 'gone';
  }

  private lease(node: string): V1Lease | undefined {
    return this.deps.leases.get(nodeLockName(node), this.deps.config.lockNamespace);
  }

  /** Takes the node's lock for the run; returns why not when it cannot (the node is busy). */
  private async acquireLock(
    run: SwitchBenchmarkRun,
    node: string,
    log: Logger,
  ): Promise<{ reason: string; message: string } | undefined> {
    const me = lockHolder(run);
    const lease = this.lease(node);
    const decision = decideLock(lease, me, this.deps.now(), (holder) => this.holderState(holder));
    if (decision.kind === 'held') return undefined;
    const busy = (message: string) => ({ reason: 'NodeBusy', message });
    if (decision.kind === 'busy')
      return busy(
        `Node ${node} is in use by SwitchBenchmarkRun ${runName(decision.holder)}; this run starts when it finishes`,
      );
    const queued = this.deps.runs
      .list()
      .filter((r) => r.status?.phase === 'Queued' && !r.metadata.deletionTimestamp && runNodes(r).includes(node));
    const ahead = queued.find((other) => !firstInLine(run, [other]));
    if (ahead)
      return busy(
        `Node ${node} is free, but SwitchBenchmarkRun ${ahead.metadata.namespace}/${ahead.metadata.name} has waited longer; this run is next after it`,
      );
    const namespace = this.deps.config.lockNamespace;
    const desired = nodeLock(node, namespace, me, this.deps.now(), lease);
    let won: boolean;
    try {
      won =
        decision.kind === 'create'
          ? await this.deps.writer.createLease(desired)
          : await this.deps.writer.replaceLease(desired);
    } catch (err) {
      if (!isApiError(err, 404)) throw err;
      const message = `The namespace ${namespace} of the node locks does not exist: create it (kubectl create namespace ${namespace}) or start the operator with --lock-namespace`;
      return { reason: 'LockNamespaceMissing', message };
    }
    if (!won) return busy(`Node ${node} was just taken by another run; this run waits for it`);
    if (decision.kind === 'take') {
      log.warn('Took over a node lock', { node, previous: decision.previous, why: decision.why });
      await this.deps.writer.event(run, {
        type: 'Normal',
        reason: 'NodeLockRecovered',
        message: `Took node ${node} over: ${decision.why}`,
      });
    }
    return undefined;
  }

  /**
   * Renews the run's node locks; fails the run if another run holds one of them now (this run's
   * operator was gone longer than the lease, and the node went to someone else).
   */
  private async keepLocks(run: SwitchBenchmarkRun, log: Logger): Promise<ReconcileResult | undefined> {
    const me = lockHolder(run);
    const now = this.deps.now();
    for (const node of runNodes(run)) {
      const lease = this.lease(node);
      const holder = lease?.spec?.holderIdentity;
      const decision = decideLock(lease, me, now, () => 'active');
      if (decision.kind === 'held') {
        if (decision.renew)
          await this.deps.writer.replaceLease(nodeLock(node, this.deps.config.lockNamespace, me, now, lease));
        continue;
      }
      // The cache may not show this run's own acquisition yet: only a lease taken after this run
      // started was lost.
      if (
        holder &&
        new Date(lease?.spec?.acquireTime ?? 0).getTime() > new Date(run.status?.startTime ?? 0).getTime()
      ) {
        const message = `Node ${node} was taken over by SwitchBenchmarkRun ${runName(holder)} while this run's operator was not renewing its lock`;
        return this.finish(run, { phase: 'Failed', reason: 'NodeLockLost', message }, log);
      }
      // A lease deleted by hand is taken again; a lagging cache is looked at again shortly.
      if (!lease) await this.deps.writer.createLease(nodeLock(node, this.deps.config.lockNamespace, me, now));
      return { requeueAfterMs: 1000 };
    }
    return undefined;
  }

  private async releaseLocks(run: SwitchBenchmarkRun): Promise<void> {
    for (const node of runNodes(run)) {
      const lease = this.lease(node);
      if (lease?.spec?.holderIdentity === lockHolder(run)) await this.deps.writer.deleteLease(lease);
    }
  }

  /** Returns a result while the switch is not ready (the run waits), undefined once it forwards. */
  private async ensureSwitch(
    run: SwitchBenchmarkRun,
    setup: Setup,
    pods: V1Pod[],
    log: Logger,
  ): Promise<ReconcileResult | undefined> {
    const plan = setup.driver.switchPlan(setup.context);
    if (!plan) return undefined;
    const pod = pods.find((p) => p.metadata?.name === switchPodName(run));
    if (!pod) {
      const configMap = switchConfigMap(run, plan);
      if (configMap) await this.deps.writer.createConfigMap(configMap);
      await this.deps.writer.createPod(switchPod(run, setup.spec, run.status?.node as string, plan));
      log.info('Created switch Pod', { pod: switchPodName(run) });
      return {};
    }
    if (podFinished(pod))
      return this.finish(run, { phase: 'Failed', reason: 'SwitchFailed', message: podFailure(pod, 'switch') }, log);
    const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    if (ready) return undefined;
    const waited = ageSeconds(pod, this.deps.now());
    const timeout = this.deps.config.switchReadyTimeoutSeconds;
    if (waited > timeout) {
      const problem = startProblem(pod);
      const message = `switch pod ${pod.metadata?.name} was not ready after ${timeout}s${problem ? `: ${problem}` : ''}`;
      return this.finish(run, { phase: 'Failed', reason: 'SwitchNotReady', message }, log);
    }
    return { requeueAfterMs: (timeout - waited) * 1000 + 1000 };
  }

  private async stepTrials(
    run: SwitchBenchmarkRun,
    setup: Setup,
    pods: V1Pod[],
    log: Logger,
  ): Promise<ReconcileResult> {
    const trials = run.status?.trials ?? [];
    const request = setup.method.next(setup.spec, trials);
    const trialPods = pods.filter((p) => label(p, ROLE_LABEL) === 'sender' || label(p, ROLE_LABEL) === 'receiver');
    const current = trialPods.filter((p) => request && label(p, TRIAL_LABEL) === String(request.index));
    const attempt = Math.max(0, ...current.map((p) => Number(label(p, ATTEMPT_LABEL))));
    // Pods of recorded trials and of superseded attempts: their results are in status, or abandoned.
    for (const stale of trialPods.filter((p) => !current.includes(p) || Number(label(p, ATTEMPT_LABEL)) < attempt)) {
      await this.deps.writer.deletePod(run.metadata.namespace as string, stale.metadata?.name as string);
    }
    if (!request) return this.complete(run, log);

    const node = run.status?.node as string;
    const nodes = { sender: node, receiver: run.status?.receiverNode ?? node };
    const switchPod = pods.find((p) => p.metadata?.name === switchPodName(run));
    const names = this.trafficPods(run, setup, nodes, request, attempt, { switchPod });
    const find = (role: TrafficRole) => current.find((p) => p.metadata?.name === names[role].metadata?.name);
    const receiver = find('receiver');
    const sender = find('sender');
    const broken = this.brokenAttempt(request, receiver, sender, switchPod);
    if (!receiver && !broken) {
      await this.deps.writer.createPod(names.receiver);
      return {};
    }
    // A pod the scheduler cannot place or whose container cannot be created will not fix itself by
    // retrying the trial: the run fails, naming the phase and what the cluster said.
    for (const pod of [receiver, sender]) {
      const problem = pod && !started(pod) ? startProblem(pod) : undefined;
      if (problem && ageSeconds(pod as V1Pod, this.deps.now()) > this.deps.config.podStartTimeoutSeconds) {
        const role = label(pod as V1Pod, ROLE_LABEL) as string;
        const message = `${role} pod ${pod?.metadata?.name} did not start in ${this.deps.config.podStartTimeoutSeconds}s: ${problem}`;
        return this.finish(
          run,
          {
            phase: 'Failed',
            reason: problem.startsWith('not scheduled') ? 'PodNotScheduled' : 'PodNotStarted',
            message,
          },
          log,
        );
      }
    }
    // The sender starts once the receiver runs, so the first packets meet a listening receiver;
    // it learns the receiver's address from there (kernel sockets address it by IP).
    // A receiver the sender cannot address (its extra network has no address) makes the attempt fail.
    let unaddressable: string | undefined;
    if (receiver && !sender && !broken) {
      if (!started(receiver)) return {};
      let senderPod: V1Pod | undefined;
      try {
        senderPod = this.trafficPods(run, setup, nodes, request, attempt, { receiver, switchPod }).sender;
      } catch (err) {
        unaddressable = `the sender of trial ${request.index} cannot be started: ${(err as Error).message}`;
      }
      if (senderPod) {
        await this.deps.writer.createPod(senderPod);
        return { requeueAfterMs: (request.warmupSeconds + SENDER_START_SLACK_SECONDS) * 1000 + 1000 };
      }
    }

    const failed = [receiver, sender].find((p) => p?.status?.phase === 'Failed');
    const hung =
      receiver &&
      ageSeconds(receiver, this.deps.now()) > request.durationSeconds + 2 * this.deps.config.trialGraceSeconds;
    let message =
      broken ??
      unaddressable ??
      (failed
        ? podFailure(failed, label(failed, ROLE_LABEL) as string)
        : hung
          ? `trial ${request.index} did not finish in time`
          : undefined);
    if (!message) {
      if (!receiver || !sender) return {};
      if (receiver.status?.phase !== 'Succeeded' || sender.status?.phase !== 'Succeeded') {
        const remaining =
          request.durationSeconds + 2 * this.deps.config.trialGraceSeconds - ageSeconds(receiver, this.deps.now());
        return { requeueAfterMs: Math.max(1, remaining) * 1000 };
      }
      const started = receiver.status?.startTime ?? receiver.metadata?.creationTimestamp;
      const trial = trialFromSummaries(
        request,
        setup.spec,
        terminationMessage(sender),
        terminationMessage(receiver),
        this.deps.now(),
        started && new Date(started).toISOString(),
      );
      // Both programs ended well but left no measurement (a summary without the window's figures):
      // an attempt lost like any other, not a verdict on the data path.
      if (trial.outcome !== 'Failed') return this.record(run, setup, trial, log);
      message = trial.message as string;
    }
    if (attempt + 1 < this.deps.config.maxTrialAttempts) {
      log.warn('Trial attempt failed, retrying', { trial: request.index, attempt, detail: message });
      await this.deps.writer.event(run, {
        type: 'Warning',
        reason: 'TrialRetried',
        message: `Trial ${request.index} attempt ${attempt + 1}: ${message}`,
      });
      await this.deps.writer.createPod(
        this.trafficPods(run, setup, nodes, request, attempt + 1, { switchPod }).receiver,
      );
      return {};
    }
    return this.record(
      run,
      setup,
      failedTrial(request, `${message} (after ${attempt + 1} attempts)`, this.deps.now()),
      log,
    );
  }

  /**
   * Why the current attempt can no longer measure anything, though neither pod failed: one of its
   * pods was deleted or replaced mid-trial, the sender came too late, or the switch restarted under
   * it. Pod names are per attempt, so re-creating the missing pod would pair it with a half-done peer.
   */
  private brokenAttempt(
    request: TrialRequest,
    receiver: V1Pod | undefined,
    sender: V1Pod | undefined,
    switchPod: V1Pod | undefined,
  ): string | undefined {
    if (!receiver) return sender ? `receiver pod of trial ${request.index} was deleted during the trial` : undefined;
    const pairedWith = sender?.metadata?.annotations?.[RECEIVER_UID_ANNOTATION];
    if (sender && pairedWith !== undefined && pairedWith !== receiver.metadata?.uid)
      return `receiver pod ${receiver.metadata?.name} was replaced during the trial`;
    const switchUid = receiver.metadata?.annotations?.[SWITCH_UID_ANNOTATION];
    if (switchPod && switchUid !== undefined && switchUid !== switchPod.metadata?.uid)
      return `switch pod ${switchPod.metadata?.name} was restarted during the trial`;
    const container = receiver.status?.containerStatuses?.[0]?.state;
    const since = container?.running?.startedAt ?? container?.terminated?.startedAt;
    const waited = secondsSince(since, this.deps.now());
    if (!sender && since && waited > request.warmupSeconds + SENDER_START_SLACK_SECONDS) {
      return `sender pod of trial ${request.index} was not there ${Math.round(waited)}s after the receiver started (deleted, or the operator was away): its measurement would miss packets`;
    }
    return undefined;
  }

  private async record(run: SwitchBenchmarkRun, setup: Setup, trial: Trial, log: Logger): Promise<ReconcileResult> {
    const trials = [...(run.status?.trials ?? []), trial];
    const planned = Math.max(run.status?.trialsPlanned ?? 0, trials.length);
    log.info('Recorded trial', {
      trial: trial.index,
      outcome: trial.outcome,
      rxPpsMean: trial.rxPpsMean,
      lossRatio: trial.lossRatio,
    });
    const summary = summarize(setup.spec, trials);
    const line = headline(summary);
    await this.writeStatus(run, {
      ...run.status,
      trials,
      trialsCompleted: trials.length,
      progress: `${trials.length}/${planned}`,
      summary,
      ...(line ? { headline: line } : {}),
    });
    return {};
  }

  private async complete(run: SwitchBenchmarkRun, log: Logger): Promise<ReconcileResult> {
    const trials = run.status?.trials ?? [];
    const measured = trials.filter((t) => t.outcome !== 'Failed').length;
    if (measured === 0) {
      return this.finish(
        run,
        { phase: 'Failed', reason: 'AllTrialsFailed', message: trials.at(-1)?.message ?? 'no trial produced figures' },
        log,
      );
    }
    const counts: [number, string][] = [
      [trials.length - measured, 'failed'],
      [trials.filter((t) => t.unstable).length, 'unstable'],
      [trials.filter((t) => t.outcome === 'GeneratorLimited').length, 'generator-limited'],
    ];
    const problems = counts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
    const message =
      `${measured}/${trials.length} trials measured${problems.length ? ` (${problems.join(', ')})` : ''}; ${run.status?.headline ?? ''}`.trim();
    return this.finish(run, { phase: 'Succeeded', reason: 'Completed', message }, log);
  }

  private async finish(
    run: SwitchBenchmarkRun,
    outcome: { phase: 'Succeeded' | 'Failed'; reason: string; message: string },
    log: Logger,
  ): Promise<ReconcileResult> {
    log.info(outcome.phase === 'Succeeded' ? 'Run succeeded' : 'Run failed', {
      reason: outcome.reason,
      detail: outcome.message,
    });
    await this.writeStatus(
      run,
      {
        ...run.status,
        phase: outcome.phase,
        completionTime: this.deps.now().toISOString(),
      },
      [
        {
          type: ConditionType.Ready,
          status: outcome.phase === 'Succeeded' ? 'True' : 'False',
          reason: outcome.reason,
          message: outcome.message,
        },
        { type: ConditionType.Progressing, status: 'False', reason: outcome.reason, message: 'The run has finished' },
        {
          type: ConditionType.Degraded,
          status: outcome.phase === 'Failed' ? 'True' : 'False',
          reason: outcome.reason,
          message: outcome.message,
        },
      ],
    );
    await this.deps.writer.event(run, {
      type: outcome.phase === 'Succeeded' ? 'Normal' : 'Warning',
      reason: outcome.reason,
      message: outcome.message,
    });
    return {};
  }

  /** Removes the run's pods and config, then its host directory (through a pod on its node), then the finalizer. */
  private async teardown(run: SwitchBenchmarkRun, pods: V1Pod[], log: Logger): Promise<ReconcileResult> {
    const namespace = run.metadata.namespace as string;
    const workers = pods.filter((p) => label(p, ROLE_LABEL) !== 'cleanup');
    const setup = this.setup(run);
    const network = 'reason' in setup ? undefined : setup.driver.network(setup.context);
    const removeNetwork = async () => {
      if (network) await this.deps.writer.deleteNetworkAttachment(namespace, networkName(runIdentity(run)));
    };
    for (const pod of workers) await this.deps.writer.deletePod(namespace, pod.metadata?.name as string);
    if (workers.length) {
      await this.deps.writer.deleteConfigMap(namespace, switchConfigMapName(run));
      // Multus detaches deleted pods from the configuration it cached when it attached them.
      await removeNetwork();
    }

    // The node is in use until every pod of the run is gone; then the next run may have it.
    if (workers.length) return {};
    await this.releaseLocks(run);

    // Set once cleaning is done or given up: either way teardown goes on to the finalizer.
    const settled = run.status?.conditions?.some((c) => c.type === CLEANED_UP);
    const node = run.status?.node;
    const cleanup = pods.find((p) => p.metadata?.name === cleanupPodName(run));
    // A run that never started made no host directory.
    if (node && run.status?.startTime && !settled) {
      const waited = secondsSince(run.status?.completionTime ?? run.metadata.deletionTimestamp, this.deps.now());
      if (waited > this.deps.config.cleanupTimeoutSeconds) {
        const message = `Gave up removing the run's host directory on ${node} after ${Math.round(waited)}s${cleanup ? `: ${podFailure(cleanup, 'cleanup')}` : ''}; remove ${hostRunDir(run)} by hand`;
        log.warn('Host directory cleanup abandoned', { detail: message });
        await this.deps.writer.event(run, { type: 'Warning', reason: 'CleanupAbandoned', message });
        await this.writeStatus(run, { ...run.status }, [
          { type: CLEANED_UP, status: 'False', reason: 'CleanupAbandoned', message },
        ]);
        return {};
      }
      if (!cleanup) {
        // The run's pods are gone (a finished run's last ones went with its last trial).
        await removeNetwork();
        await this.deps.writer.createPod(cleanupPod(run, node, this.deps.config.trafficImage, network?.hostInterfaces));
        return {};
      }
      if (!podFinished(cleanup))
        return { requeueAfterMs: (this.deps.config.cleanupTimeoutSeconds - waited) * 1000 + 1000 };
      if (cleanup.status?.phase === 'Failed') {
        log.warn('Host directory cleanup failed, retrying', { detail: podFailure(cleanup, 'cleanup') });
        await this.deps.writer.deletePod(namespace, cleanupPodName(run));
        return { requeueAfterMs: 5000 };
      }
      // Recorded before the pod goes, so that no reconcile can see neither and clean up twice.
      await this.writeStatus(run, { ...run.status }, [
        { type: CLEANED_UP, status: 'True', reason: 'Removed', message: `Removed the run's host directory on ${node}` },
      ]);
      return {};
    }
    if (cleanup) await this.deps.writer.deletePod(namespace, cleanupPodName(run));
    if (run.metadata.finalizers?.includes(CLEANUP_FINALIZER))
      await this.deps.writer.removeRunFinalizer(run, CLEANUP_FINALIZER);
    return {};
  }

  private async writeStatus(
    run: SwitchBenchmarkRun,
    status: SwitchBenchmarkRunStatus,
    conditions: ConditionInput[] = [],
  ): Promise<void> {
    const generation = run.metadata.generation ?? 0;
    const next: SwitchBenchmarkRunStatus = {
      ...status,
      observedGeneration: generation,
      conditions: setConditions(status.conditions, conditions, generation, this.deps.now()),
    };
    if (isDeepStrictEqual(next, run.status ?? {})) return;
    await this.deps.writer.replaceRunStatus({ ...run, status: next });
  }
}
