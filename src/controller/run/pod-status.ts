// What a pod's status says about the program in it: started, finished, stuck and why, and the
// words a failure is reported with. Pure.
import type { V1Pod } from '@kubernetes/client-node';
import { TRAFFIC_COMMAND } from './desired.js';

export const podFinished = (pod: V1Pod) => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
/** Its program has been started: the container runs or has run (a terminated one counts too). */
export const started = (pod: V1Pod) =>
  Boolean(pod.status?.containerStatuses?.some((c) => c.state?.running || c.state?.terminated));
export const running = (pod: V1Pod) => Boolean(pod.status?.containerStatuses?.[0]?.state?.running);
export const exitCode = (pod: V1Pod) => pod.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;
export const label = (pod: V1Pod, key: string) => pod.metadata?.labels?.[key];
/** Deleted already, and on its way out: deleting it again only costs the apiserver a write. */
export const terminating = (pod: V1Pod) => pod.metadata?.deletionTimestamp !== undefined;
export const terminationMessage = (pod: V1Pod | undefined) =>
  pod?.status?.containerStatuses?.[0]?.state?.terminated?.message;
export const ageSeconds = (pod: V1Pod, now: Date) =>
  (now.getTime() - new Date(pod.metadata?.creationTimestamp ?? now).getTime()) / 1000;
export const secondsSince = (time: string | Date | undefined, now: Date) =>
  time ? (now.getTime() - new Date(time).getTime()) / 1000 : 0;

/** Why a pod has not started its program: the scheduler's or the kubelet's words, if it is stuck. */
export function startProblem(pod: V1Pod): string | undefined {
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
export function podFailure(pod: V1Pod | undefined, role: string): string {
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
