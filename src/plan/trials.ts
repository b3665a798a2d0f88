import { parseDuration } from '../api/v1alpha1/duration.js';
import type { SwitchBenchmarkSpec, Trial } from '../api/v1alpha1/types.js';
import { sweepRates } from '../api/v1alpha1/validate.js';

/** What the next trial measures; the controller turns it into sender and receiver pods. */
export interface TrialRequest {
  index: number;
  packetSize: number;
  burstSize: number;
  repetition: number;
  /** Packets per second to offer; 0 offers as fast as the sender can (method max). */
  offeredPps: number;
  purpose: Trial['purpose'] & string;
  durationSeconds: number;
  warmupSeconds: number;
  windowSeconds: number;
  sampleIntervalSeconds: number;
}

/**
 * A method picks the next trial from the trials already finished, so a search can steer by their
 * results and a restarted operator simply continues from the run's status.
 */
export interface Method {
  /** Trials the run will make at most (its progress denominator). */
  plannedTrials(spec: SwitchBenchmarkSpec): number;
  next(spec: SwitchBenchmarkSpec, finished: readonly Trial[]): TrialRequest | undefined;
}

type Point = Pick<TrialRequest, 'packetSize' | 'burstSize' | 'repetition' | 'offeredPps'>;

/** Every (packet size, burst size) pair in spec order: the points a run reports on. */
export function points(spec: SwitchBenchmarkSpec): { packetSize: number; burstSize: number }[] {
  return spec.traffic.packetSizes.flatMap((packetSize) =>
    spec.traffic.burstSizes.map((burstSize) => ({ packetSize, burstSize })),
  );
}

function timing(
  spec: SwitchBenchmarkSpec,
): Pick<TrialRequest, 'durationSeconds' | 'warmupSeconds' | 'windowSeconds' | 'sampleIntervalSeconds'> {
  return {
    durationSeconds: parseDuration(spec.trial.duration),
    warmupSeconds: parseDuration(spec.trial.warmup),
    windowSeconds: parseDuration(spec.trial.window),
    sampleIntervalSeconds: parseDuration(spec.trial.sampleInterval),
  };
}

/** A method whose trials are known up front: sweep (the paper's Figure 2) and max. */
function fixedMethod(purpose: 'sweep' | 'max', rates: (spec: SwitchBenchmarkSpec) => number[]): Method {
  const schedule = (spec: SwitchBenchmarkSpec): Point[] =>
    points(spec).flatMap(({ packetSize, burstSize }) =>
      rates(spec).flatMap((offeredPps) =>
        Array.from({ length: spec.trial.repetitions }, (_, repetition) => ({
          packetSize,
          burstSize,
          repetition,
          offeredPps,
        })),
      ),
    );
  return {
    plannedTrials: (spec) => schedule(spec).length,
    next(spec, finished) {
      const point = schedule(spec)[finished.length];
      return point && { index: finished.length, purpose, ...point, ...timing(spec) };
    },
  };
}

export const sweep = fixedMethod('sweep', sweepRates);
export const max = fixedMethod('max', () => [0]);
