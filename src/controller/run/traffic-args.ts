import type { SwitchBenchmarkSpec } from '../../api/v1alpha1/types.js';
import type { TrafficEndpointPlan, TrafficRole } from '../../datapaths/types.js';
import type { TrialRequest } from '../../plan/index.js';
import { cpuMode } from './placement.js';

/** The kubelet copies this file into the container's termination message, which reaches the API. */
export const TERMINATION_LOG = '/dev/termination-log';

/** The first UDP destination port of the traffic programs' frames (dataPort). */
export const DATA_PORT_BASE = 5000;
/** Ports per trial, one per attempt; attempts past this many reuse them in turn. */
const PORTS_PER_TRIAL = 16;
/** Ports in use from DATA_PORT_BASE on; trial 3750 takes trial 0's again. */
const PORT_SPAN = 60_000;

/**
 * The UDP destination port of one trial's attempt: its identity, which the receiver checks, counting
 * a frame to another port as foreign. Consecutive attempts, and the last attempt of a trial and the
 * first of the next, always differ. A sender of a lost attempt is still stopping while the next
 * attempt's receiver starts on the same path, and it sends its end marker as it stops: on a shared
 * port that marker would start and end the new receiver's trial. And a switch may forward frames of
 * the trial before late (VPP did, in 3 of 10 reconnections): on a port shared by every trial's first
 * attempt they counted as lost, duplicate and reordered frames of the new trial.
 */
export function dataPort(trial: number, attempt: number): number {
  return DATA_PORT_BASE + ((trial * PORTS_PER_TRIAL + (attempt % PORTS_PER_TRIAL)) % PORT_SPAN);
}

/** The receiver's exit code when no frame arrived before its start timeout (docs/traffic-programs.md). */
export const EXIT_NO_TRAFFIC = 5;

/** The programs' own default start timeout: a receiver waits this long for its first frame. */
const RECEIVER_START_TIMEOUT_SECONDS = 60;
/** What a pod's grace also holds besides the wait for traffic: container start, linger, the summary. */
const START_TIMEOUT_MARGIN_SECONDS = 10;

/**
 * How long a receiver waits for its first frame. Its pod may live the trial's duration plus the
 * grace: a receiver that gets nothing must end on its own before that, with its "no traffic"
 * summary (total loss, a result), not be killed by the deadline with none.
 */
export function receiverStartTimeout(graceSeconds: number): number {
  return Math.max(5, Math.min(RECEIVER_START_TIMEOUT_SECONDS, graceSeconds - START_TIMEOUT_MARGIN_SECONDS));
}

/**
 * argv of sb-sender / sb-receiver for one attempt of a trial (docs/traffic-programs.md). Built only
 * from numbers and enums of a validated spec, and passed to the container as argv: no shell ever
 * parses it. The backend's arguments come last because the DPDK backend ends with "--" and EAL
 * arguments.
 */
export function trafficArgs(
  role: TrafficRole,
  request: TrialRequest,
  spec: SwitchBenchmarkSpec,
  endpoint: TrafficEndpointPlan,
  attempt: number,
  graceSeconds: number,
): string[] {
  const timing = [
    '--duration',
    String(request.durationSeconds),
    '--warmup',
    String(request.warmupSeconds),
    '--window',
    String(request.windowSeconds),
    '--sample-interval',
    String(request.sampleIntervalSeconds),
  ];
  const common = [
    '--burst',
    String(request.burstSize),
    ...timing,
    '--dst-port',
    String(dataPort(request.index, attempt)),
    '--cpu-mode',
    cpuMode(spec.resources.cpuPolicy, role, endpoint.behindSwitch),
    '--summary-file',
    TERMINATION_LOG,
  ];
  const sender = role === 'sender' ? ['--size', String(request.packetSize), '--rate', String(request.offeredPps)] : [];
  const { receiverMaxPps } = spec.traffic;
  const receiver =
    role === 'receiver'
      ? [
          '--start-timeout',
          String(receiverStartTimeout(graceSeconds)),
          ...(receiverMaxPps ? ['--max-pps', String(receiverMaxPps)] : []),
        ]
      : [];
  return [...sender, ...receiver, ...common, ...endpoint.backendArgs];
}
