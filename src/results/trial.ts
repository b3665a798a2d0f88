// Turns the traffic programs' JSON summaries (docs/traffic-programs.md), read from the pods'
// termination messages, into the trial record kept in the run's status. Pure.
import type { SwitchBenchmarkSpec, Trial } from '../api/v1alpha1/types.js';
import type { TrialRequest } from '../plan/index.js';

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
 * The trial from both summaries. Loss is counted from sequence numbers over the measurement window; a sender short of the offered rate makes the trial
 * generator-limited, reported as such and never blamed on the data path.
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
  try {
    const rxPpsMean = number(receiver, 'rx.pps_mean', 'receiver');
    const rxPpsStddev = number(receiver, 'rx.pps_stddev', 'receiver');
    const achievedTxPps = number(sender, 'tx.pps', 'sender');
    const unpaced = request.offeredPps === 0;
    const generatorLimited = !unpaced && achievedTxPps < request.offeredPps * (1 - spec.trial.generatorTolerance);
    const coefficientOfVariation = rxPpsMean > 0 ? rxPpsStddev / rxPpsMean : 0;
    const cpus: NonNullable<Trial['cpus']> = {};
    const senderCpus = text(sender, 'cpus');
    const receiverCpus = text(receiver, 'cpus');
    if (senderCpus) cpus.sender = senderCpus;
    if (receiverCpus) cpus.receiver = receiverCpus;
    return {
      ...base(request, now),
      ...(startTime ? { startTime } : {}),
      outcome: generatorLimited ? 'GeneratorLimited' : 'Measured',
      ...(generatorLimited
        ? { message: `the sender achieved ${Math.round(achievedTxPps)} of ${request.offeredPps} pps offered` }
        : {}),
      achievedTxPps,
      txPackets: number(sender, 'tx.packets', 'sender'),
      txFailures: number(sender, 'tx.failures', 'sender'),
      rxPackets: number(receiver, 'rx.packets', 'receiver'),
      rxPpsMean,
      rxPpsStddev,
      samples: number(receiver, 'rx.samples', 'receiver'),
      coefficientOfVariation,
      unstable: coefficientOfVariation > spec.trial.maxCoefficientOfVariation,
      // The loss of the traffic the measurement window saw, warm-up excluded like the rates: frames
      // lost while ports connect at start-up say nothing about the data path in steady state.
      lossRatio: number(receiver, 'loss.window.ratio', 'receiver'),
      lost: number(receiver, 'loss.window.lost', 'receiver'),
      reordered: number(receiver, 'loss.reordered', 'receiver'),
      duplicates: number(receiver, 'loss.duplicates', 'receiver'),
      ...latencyOf(receiver),
      cpus,
    };
  } catch (err) {
    return failedTrial(request, (err as Error).message, now);
  }
}
