// Turns the traffic programs' JSON summaries (docs/traffic-programs.md), read from the pods'
// termination messages, into the trial record kept in the run's status. Pure.
import type { SwitchBenchmarkSpec, Trial } from '../api/v1alpha1/types.js';
import type { TrialRequest } from '../plan/index.js';
import { computeFigures, type ProgramFigures, type SwitchCounters } from './figures.js';

export const SUMMARY_SCHEMA = 'switchbench.io/trial/v1';

type Json = Record<string, unknown>;

function parseSummary(text: string | undefined, role: 'sender' | 'receiver'): Json {
  const line = text
    ?.trim()
    .split('\n')
    .findLast((l) => l.startsWith('{'));
  if (!line) throw new Error(`the ${role} left no JSON summary in its termination message`);
  let summary: unknown;
  try {
    summary = JSON.parse(line);
  } catch {
    throw new Error(`the ${role}'s summary is not JSON: ${line.slice(0, 120)}`);
  }
  if (typeof summary !== 'object' || summary === null || (summary as Json).schema !== SUMMARY_SCHEMA) {
    throw new Error(`the ${role}'s summary is not of schema ${SUMMARY_SCHEMA}`);
  }
  return summary as Json;
}

/** The number at a dotted path; throws naming the field, since a silently missing figure is worse. */
function number(summary: Json, path: string, role: string): number {
  const value = path.split('.').reduce<unknown>((node, key) => (node as Json | undefined)?.[key], summary);
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`the ${role}'s summary lacks the number ${path}`);
  return value;
}

function text(summary: Json, path: string): string | undefined {
  const value = path.split('.').reduce<unknown>((node, key) => (node as Json | undefined)?.[key], summary);
  return typeof value === 'string' ? value : undefined;
}

/** Latency percentiles, absent when no timestamped packet arrived (the receiver writes nulls). */
function latencyOf(receiver: Json): Pick<Trial, 'latency'> {
  if (number(receiver, 'latency_ns.count', 'receiver') === 0) return {};
  return {
    latency: {
      p50Ns: number(receiver, 'latency_ns.p50', 'receiver'),
      p90Ns: number(receiver, 'latency_ns.p90', 'receiver'),
      p99Ns: number(receiver, 'latency_ns.p99', 'receiver'),
      p999Ns: number(receiver, 'latency_ns.p999', 'receiver'),
      maxNs: number(receiver, 'latency_ns.max', 'receiver'),
    },
  };
}

const base = (request: TrialRequest, now: Date): Trial => ({
  index: request.index,
  packetSize: request.packetSize,
  burstSize: request.burstSize,
  repetition: request.repetition,
  purpose: request.purpose,
  offeredPps: request.offeredPps,
  completionTime: now.toISOString(),
  outcome: 'Measured',
});

export function failedTrial(request: TrialRequest, message: string, now: Date): Trial {
  return { ...base(request, now), outcome: 'Failed', message };
}

/**
 * The switch's counters of both ports, each read by the program on that port (docs/switches.md,
 * "Port counters"); why there are none when a switch was asked and could not say.
 */
function switchCountersOf(sender: Json, receiver: Json): { counters?: SwitchCounters; unavailable?: string } {
  const tx = sender.switch as Json | null | undefined;
  const rx = receiver.switch as Json | null | undefined;
  if (!tx || !rx) return {};
  const error = text(tx, 'error') ?? text(rx, 'error');
  if (error) return { unavailable: error };
  return {
    counters: {
      inRx: number(sender, 'switch.in_rx', 'sender'),
      inDropped: number(sender, 'switch.in_dropped', 'sender'),
      outTx: number(receiver, 'switch.out_tx', 'receiver'),
      outDropped: number(receiver, 'switch.out_dropped', 'receiver'),
    },
  };
}

/**
 * The program figures from both summaries, each named by what it means. A receiver that saw nothing
 * ("no-traffic") still reports what its window would have held: the sender's own count of the
 * frames the path accepted in its window.
 */
function programFigures(
  request: TrialRequest,
  sender: Json,
  receiver: Json,
  switchCounters: SwitchCounters | undefined,
): ProgramFigures {
  const tx = (path: string) => number(sender, `tx.${path}`, 'sender');
  const rx = (path: string) => number(receiver, path, 'receiver');
  const nothingArrived = text(receiver, 'status') === 'no-traffic';
  const txWindowAccepted = tx('window_packets');
  return {
    packetSize: request.packetSize,
    txAccepted: tx('packets'),
    txWindowAccepted,
    txRefused: tx('failures'),
    txWindowRefused: tx('window_failures'),
    txMissed: tx('missed'),
    txWindowSeconds: number(sender, 'trial.window_s', 'sender'),
    rxPackets: nothingArrived ? 0 : rx('rx.packets'),
    rxWindowExpected: nothingArrived ? txWindowAccepted : rx('loss.window.expected'),
    rxWindowLost: nothingArrived ? txWindowAccepted : rx('loss.window.lost'),
    rxLost: nothingArrived ? tx('packets') : rx('loss.lost'),
    rxPpsMean: nothingArrived ? 0 : rx('rx.pps_mean'),
    rxPpsStddev: nothingArrived ? 0 : rx('rx.pps_stddev'),
    samples: nothingArrived ? 0 : rx('rx.samples'),
    reordered: nothingArrived ? 0 : rx('loss.reordered'),
    duplicates: nothingArrived ? 0 : rx('loss.duplicates'),
    txProbes: tx('probes'),
    txEndMarkers: tx('end_markers'),
    rxProbes: rx('rx.probes'),
    rxEndMarkers: rx('rx.end_markers'),
    rxForeign: rx('loss.foreign'),
    rxLocalDrops: rx('loss.local_drops'),
    ...(switchCounters ? { switchCounters } : {}),
  };
}

/**
 * The trial from both summaries (figures as src/results/figures.ts defines them). A sender that
 * missed its pacing schedule makes the trial GeneratorLimited: still a measurement of the path, at
 * the rate attempted. Frames the path refused are its loss. Nothing arriving is a result (loss 1).
 * One-way latency needs one clock: a cross-node trial has none.
 */
export function trialFromSummaries(
  request: TrialRequest,
  spec: SwitchBenchmarkSpec,
  senderText: string | undefined,
  receiverText: string | undefined,
  now: Date,
  startTime?: string,
): Trial {
  let sender: Json;
  let receiver: Json;
  try {
    sender = parseSummary(senderText, 'sender');
    receiver = parseSummary(receiverText, 'receiver');
  } catch (err) {
    return failedTrial(request, (err as Error).message, now);
  }
  const frameSize = (receiver as { frame_size?: unknown }).frame_size;
  if (typeof frameSize === 'number' && frameSize > 0 && frameSize !== request.packetSize) {
    return failedTrial(
      request,
      `the receiver got ${frameSize}-byte frames, the trial sent ${request.packetSize}: the path changed the frames`,
      now,
    );
  }
  try {
    const { counters, unavailable } = switchCountersOf(sender, receiver);
    const program = programFigures(request, sender, receiver, counters);
    const figures = computeFigures(program, spec.trial);
    const attempted = figures.attemptedTxPps as number;
    const generatorLimited =
      request.offeredPps > 0 && attempted < request.offeredPps * (1 - spec.trial.generatorTolerance);
    const crossNode = Boolean(spec.placement.receiverNodeSelector);
    const notes = [
      generatorLimited &&
        `the sender missed its pacing schedule: it attempted ${Math.round(attempted)} of ${request.offeredPps} pps offered, and the figures measure the path at that rate`,
      program.rxPackets === 0 && 'nothing arrived: the path lost every frame',
      crossNode && 'no latency: sender and receiver ran on two nodes, with two clocks',
      unavailable && `loss not placed by the switch's counters: ${unavailable}`,
    ].filter((note): note is string => Boolean(note));
    const cpus: NonNullable<Trial['cpus']> = {};
    const senderCpus = text(sender, 'cpus');
    const receiverCpus = text(receiver, 'cpus');
    // The switch says its CPUs in its port-counters answer (docs/switches.md).
    const switchCpus = text(receiver, 'switch.cpus') ?? text(sender, 'switch.cpus');
    if (senderCpus) cpus.sender = senderCpus;
    if (receiverCpus) cpus.receiver = receiverCpus;
    if (switchCpus) cpus.switch = switchCpus;
    return {
      ...base(request, now),
      ...(startTime ? { startTime } : {}),
      placement: spec.resources.cpuPolicy,
      outcome: generatorLimited ? 'GeneratorLimited' : 'Measured',
      ...(notes.length ? { message: notes.join('; ') } : {}),
      ...figures,
      ...(crossNode || program.rxPackets === 0 ? {} : latencyOf(receiver)),
      cpus,
    };
  } catch (err) {
    return failedTrial(request, (err as Error).message, now);
  }
}
