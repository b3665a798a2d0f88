// Trials, one at a time: the method names the next one; its receiver starts, then its sender; when
// both have ended their summaries become the trial's record (written before their pods go, so a
// trial is recorded exactly once). A lost attempt is retried with fresh pods, up to
// maxTrialAttempts; then the trial is recorded Failed. With no trial left, the run completes.
import type { V1Pod } from '@kubernetes/client-node';
import { Reason } from '../../api/v1alpha1/conditions.js';
import {
  ATTEMPT_LABEL,
  RECEIVER_UID_ANNOTATION,
  ROLE_LABEL,
  SWITCH_UID_ANNOTATION,
  TRIAL_LABEL,
} from '../../api/v1alpha1/labels.js';
import type { Trial } from '../../api/v1alpha1/types.js';
import type { TrafficRole } from '../../datapaths/types.js';
import type { TrialRequest } from '../../plan/index.js';
import { headline, summarize } from '../../results/summary.js';
import { failedTrial, trialFromSummaries } from '../../results/trial.js';
import type { ReconcileResult } from '../../runtime/reconcile.js';
import { switchPodName, trafficPod } from './desired.js';
import {
  ageSeconds,
  exitCode,
  label,
  podFailure,
  running,
  secondsSince,
  started,
  startProblem,
  terminating,
  terminationMessage,
} from './pod-status.js';
import { finish, writeStatus } from './status.js';
import type { RunStep, Setup } from './step.js';
import type { SenderLedger } from './sender-ledger.js';
import { EXIT_NO_TRAFFIC, receiverStartTimeout, trafficArgs } from './traffic-args.js';

/**
 * How long after the receiver's warm-up a sender may still start when nothing says why it is late
 * (the operator was away); later, the attempt is redone: a sender deleted mid-trial and made again
 * would pair with a receiver that has counted half a trial.
 */
const SENDER_START_SLACK_SECONDS = 5;
/** What a late sender's container needs to get its first frame to the receiver before that gives up. */
const SENDER_START_MARGIN_SECONDS = 15;

/**
 * The receiver and sender pods of an attempt, each annotated with the UID of the peer it was
 * started against (the sender: its receiver; the receiver: the switch pod), so a replaced peer is
 * noticed. The sender needs the running receiver's address on paths that address it by IP.
 */
export function trafficPods(
  { deps, run }: RunStep,
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
    return trafficPod({
      run,
      spec: setup.spec,
      node: nodes[role],
      nodeLabel: setup.nodeLabel,
      role,
      trial: request.index,
      attempt,
      image: setup.context.images.traffic,
      endpoint,
      args: trafficArgs(role, request, setup.spec, endpoint, attempt, deps.config.trialGraceSeconds),
      deadlineSeconds: request.durationSeconds + deps.config.trialGraceSeconds,
    });
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

export async function stepTrials(
  step: RunStep,
  setup: Setup,
  pods: V1Pod[],
  senders: SenderLedger,
): Promise<ReconcileResult> {
  const { deps, run, log } = step;
  const trials = run.status?.trials ?? [];
  const request = setup.method.next(setup.spec, trials);
  const trialPods = pods.filter((p) => label(p, ROLE_LABEL) === 'sender' || label(p, ROLE_LABEL) === 'receiver');
  const current = trialPods.filter((p) => request && label(p, TRIAL_LABEL) === String(request.index));
  const attempt = Math.max(0, ...current.map((p) => Number(label(p, ATTEMPT_LABEL))));
  // Pods of recorded trials and of superseded attempts: their results are in status, or abandoned.
  const stalePods = trialPods.filter(
    (p) => !terminating(p) && (!current.includes(p) || Number(label(p, ATTEMPT_LABEL)) < attempt),
  );
  for (const stale of stalePods) {
    await deps.writer.deletePod(stale);
  }
  if (!request) return complete(step);

  const node = run.status?.node as string;
  const nodes = { sender: node, receiver: run.status?.receiverNode ?? node };
  const switchPod = pods.find((p) => p.metadata?.name === switchPodName(run));
  const names = trafficPods(step, setup, nodes, request, attempt, { switchPod });
  const find = (role: TrafficRole) => current.find((p) => p.metadata?.name === names[role].metadata?.name);
  const receiver = find('receiver');
  const sender = find('sender');
  if (receiver && sender) senders.seen(receiver.metadata?.uid as string, deps.now());
  const broken = brokenAttempt(
    deps.now(),
    request,
    { receiver, sender, switchPod },
    senders,
    deps.config.trialGraceSeconds,
  );
  if (!receiver && !broken) {
    await deps.writer.createPod(names.receiver);
    return {};
  }
  // A pod the scheduler cannot place or whose container cannot be created will not fix itself by
  // retrying the trial: the run fails, naming the phase and what the cluster said.
  for (const pod of [receiver, sender]) {
    const problem = pod && !started(pod) ? startProblem(pod) : undefined;
    if (problem && ageSeconds(pod as V1Pod, deps.now()) > deps.config.podStartTimeoutSeconds) {
      const role = label(pod as V1Pod, ROLE_LABEL) as string;
      const message = `${role} pod ${pod?.metadata?.name} did not start in ${deps.config.podStartTimeoutSeconds}s: ${problem}`;
      const reason = problem.startsWith('not scheduled') ? Reason.PodNotScheduled : Reason.PodNotStarted;
      return finish(step, { phase: 'Failed', reason, message });
    }
  }
  // The sender starts once the receiver runs, so the first packets meet a listening receiver;
  // it learns the receiver's address from there (kernel sockets address it by IP).
  // A receiver the sender cannot address (its extra network has no address) makes the attempt fail.
  let unaddressable: string | undefined;
  // A receiver that has already ended gets no sender (it would count nothing of what one sends):
  // how it ended decides the attempt below, in its own words.
  if (receiver && !sender && !broken && (!started(receiver) || running(receiver))) {
    if (!started(receiver)) return {};
    let senderPod: V1Pod | undefined;
    try {
      senderPod = trafficPods(step, setup, nodes, request, attempt, { receiver, switchPod }).sender;
    } catch (err) {
      unaddressable = `the sender of trial ${request.index} cannot be started: ${(err as Error).message}`;
    }
    if (senderPod) {
      await deps.writer.createPod(senderPod);
      return { requeueAfterMs: (request.warmupSeconds + SENDER_START_SLACK_SECONDS) * 1000 + 1000 };
    }
  }

  // A receiver that got nothing ends "no traffic"; with its sender done, that is the path's total
  // loss, a result, not a lost attempt.
  const senderDone = sender?.status?.phase === 'Succeeded';
  const receiverDone =
    receiver?.status?.phase === 'Succeeded' ||
    (senderDone && receiver?.status?.phase === 'Failed' && exitCode(receiver) === EXIT_NO_TRAFFIC);
  const failed = [receiver, sender].find((p) => p?.status?.phase === 'Failed' && !(p === receiver && receiverDone));
  const hung =
    receiver && ageSeconds(receiver, deps.now()) > request.durationSeconds + 2 * deps.config.trialGraceSeconds;
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
    if (!receiverDone || !senderDone) {
      const remaining = request.durationSeconds + 2 * deps.config.trialGraceSeconds - ageSeconds(receiver, deps.now());
      return { requeueAfterMs: Math.max(1, remaining) * 1000 };
    }
    const startedAt = receiver.status?.startTime ?? receiver.metadata?.creationTimestamp;
    const trial = trialFromSummaries(
      request,
      setup.spec,
      terminationMessage(sender),
      terminationMessage(receiver),
      deps.now(),
      startedAt && new Date(startedAt).toISOString(),
    );
    // Both programs ended well but left no measurement (a summary without the window's figures):
    // an attempt lost like any other, not a verdict on the data path.
    if (trial.outcome !== 'Failed') return record(step, setup, trial);
    message = trial.message as string;
  }
  if (attempt + 1 < deps.config.maxTrialAttempts) {
    // A reconcile whose cache does not show the next attempt's pod yet comes here again: only the
    // one that created it reports the retry.
    const created = await deps.writer.createPod(
      trafficPods(step, setup, nodes, request, attempt + 1, { switchPod }).receiver,
    );
    if (created) {
      log.warn('Trial attempt failed, retrying', { trial: request.index, attempt, detail: message });
      await deps.writer.event(run, {
        type: 'Warning',
        reason: Reason.TrialRetried,
        message: `Trial ${request.index} attempt ${attempt + 1}: ${message}`,
      });
    }
    return {};
  }
  return record(step, setup, failedTrial(request, `${message} (after ${attempt + 1} attempts)`, deps.now()));
}

/**
 * Why the current attempt can no longer measure anything, though neither pod failed: one of its
 * pods was deleted or replaced mid-trial, the sender came too late, or the switch restarted under
 * it. Pod names are per attempt, so re-creating the missing pod would pair it with a half-done peer.
 * A sender this operator has not created yet, though it watched since before the receiver started,
 * is late in its queue, not lost: the receiver's trial starts at its first frame, so the sender may
 * start until shortly before the receiver stops waiting for one.
 */
function brokenAttempt(
  now: Date,
  request: TrialRequest,
  { receiver, sender, switchPod }: { receiver?: V1Pod; sender?: V1Pod; switchPod?: V1Pod },
  senders: SenderLedger,
  graceSeconds: number,
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
  if (sender || !since) return undefined;
  if (senders.senderSeen(receiver.metadata?.uid as string))
    return `sender pod of trial ${request.index} was deleted during the trial`;
  const waited = secondsSince(since, now);
  const strict = request.warmupSeconds + SENDER_START_SLACK_SECONDS;
  const patient = senders.watchingSince.getTime() <= new Date(since).getTime();
  const bound = patient ? Math.max(strict, receiverStartTimeout(graceSeconds) - SENDER_START_MARGIN_SECONDS) : strict;
  if (waited > bound) {
    return `sender pod of trial ${request.index} was not there ${Math.round(waited)}s after the receiver started (deleted before it ran, or the operator was away): its measurement would miss packets`;
  }
  return undefined;
}

async function record(step: RunStep, setup: Setup, trial: Trial): Promise<ReconcileResult> {
  const { run, log } = step;
  const trials = [...(run.status?.trials ?? []), trial];
  const planned = Math.max(run.status?.trialsPlanned ?? 0, trials.length);
  log.info('Recorded trial', {
    trial: trial.index,
    outcome: trial.outcome,
    rxPpsMean: trial.rxPpsMean,
    windowLossRatio: trial.windowLossRatio,
  });
  const summary = summarize(setup.spec, trials);
  const line = headline(summary);
  await writeStatus(step, {
    ...run.status,
    trials,
    trialsCompleted: trials.length,
    progress: `${trials.length}/${planned}`,
    summary,
    ...(line ? { headline: line } : {}),
  });
  return {};
}

async function complete(step: RunStep): Promise<ReconcileResult> {
  const { run } = step;
  const trials = run.status?.trials ?? [];
  const measured = trials.filter((t) => t.outcome !== 'Failed').length;
  if (measured === 0) {
    const message = trials.at(-1)?.message ?? 'no trial produced figures';
    return finish(step, { phase: 'Failed', reason: Reason.AllTrialsFailed, message });
  }
  const counts: [number, string][] = [
    [trials.length - measured, 'failed'],
    [trials.filter((t) => t.unstable).length, 'unstable'],
    [trials.filter((t) => t.outcome === 'GeneratorLimited').length, 'generator-limited'],
  ];
  const problems = counts.filter(([n]) => n > 0).map(([n, what]) => `${n} ${what}`);
  const message =
    `${measured}/${trials.length} trials measured${problems.length ? ` (${problems.join(', ')})` : ''}; ${run.status?.headline ?? ''}`.trim();
  return finish(step, { phase: 'Succeeded', reason: Reason.Completed, message });
}
