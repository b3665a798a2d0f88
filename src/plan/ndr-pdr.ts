// RFC 2544 throughput search for several loss ratios at once (NDR at 0, PDRs above), in the spirit
// of FD.io CSIT's MLRsearch: one sequence of trials serves every ratio. Pure: the next trial is a
// function of the spec and the trials already finished, so a restarted operator resumes the search.
import { parseDuration } from '../api/v1alpha1/duration.js';
import type { SwitchBenchmarkSpec, Trial } from '../api/v1alpha1/types.js';
import { points, type Method, type TrialRequest } from './trials.js';
import { planBudget, searchBudget } from '../api/v1alpha1/validate.js';

type Search = NonNullable<SwitchBenchmarkSpec['method']['ndrPdr']>;

/** What the trials at one point say about one loss ratio. */
export interface RatioBounds {
  lossRatio: number;
  /** Highest rate known to pass (loss ≤ ratio) below every failing rate; undefined if none yet. */
  lower?: number;
  /** Lowest rate known to fail (loss > ratio, or beyond what the generator achieved). */
  upper?: number;
  /** The lower bound passed a full-length verification trial: the search for this ratio is over. */
  verified: boolean;
  /** The search is narrow enough ((upper − lower) / upper < precision) or pinned at a range end. */
  converged: boolean;
  /** (upper − lower) / upper, when both bounds are known. */
  width?: number;
}

const passes = (trial: Trial, ratio: number) => trial.outcome === 'Measured' && (trial.lossRatio ?? 1) <= ratio;

/**
 * Bounds per loss ratio from a point's finished trials. At each offered rate the latest trial speaks
 * (a failed verification overrides the short search trial before it). A generator-limited trial says
 * nothing about the data path; it caps the search at what the sender achieved.
 */
export function bounds(search: Search, trials: readonly Trial[]): RatioBounds[] {
  const latest = new Map<number, Trial>();
  for (const trial of trials) latest.set(trial.offeredPps, trial);
  const generatorCap = Math.min(
    Infinity,
    ...trials.filter((t) => t.outcome === 'GeneratorLimited').map((t) => Math.floor(t.achievedTxPps ?? t.offeredPps)),
  );
  return [...search.lossRatios]
    .sort((a, b) => a - b)
    .map((lossRatio) => {
      const measured = [...latest.values()].filter((t) => t.outcome !== 'GeneratorLimited' && t.outcome !== 'Failed');
      const failing = measured.filter((t) => !passes(t, lossRatio)).map((t) => t.offeredPps);
      const upper = Math.min(...failing, generatorCap < Infinity ? generatorCap + 1 : Infinity);
      const passing = measured.filter((t) => passes(t, lossRatio) && t.offeredPps < upper).map((t) => t.offeredPps);
      const lower = passing.length ? Math.max(...passing) : undefined;
      const result: RatioBounds = { lossRatio, verified: false, converged: false };
      if (upper < Infinity) result.upper = upper;
      if (lower !== undefined) result.lower = lower;
      if (lower !== undefined && result.upper !== undefined) result.width = (result.upper - lower) / result.upper;
      const atTop = lower !== undefined && lower >= search.maxRatePps;
      const atBottom = result.upper !== undefined && result.upper <= search.minRatePps;
      result.converged = atTop || atBottom || (result.width !== undefined && result.width < search.precision);
      result.verified = lower !== undefined && latest.get(lower)?.purpose === 'verify' && passes(latest.get(lower) as Trial, lossRatio);
      return result;
    });
}

/** Positive: how many of the last trials passed `ratio` in a row; negative: how many failed. */
function trailingStreak(trials: readonly Trial[], ratio: number): number {
  const measured = trials.filter((t) => t.outcome !== 'GeneratorLimited' && t.outcome !== 'Failed');
  const last = measured.at(-1);
  if (!last) return 0;
  const side = passes(last, ratio);
  let count = 0;
  for (let i = measured.length - 1; i >= 0 && passes(measured[i] as Trial, ratio) === side; i--) count++;
  return side ? count : -count;
}

/** The next offered rate at one point, or undefined when every ratio is verified or hopeless. */
export function nextRate(search: Search, trials: readonly Trial[]): { rate: number; purpose: 'search' | 'verify' } | undefined {
  if (trials.length === 0) return { rate: search.maxRatePps, purpose: 'search' };
  // A trial that failed after its retries (a program that cannot start, a pod that cannot run) says
  // nothing about loss; searching on would fail the same way. The point keeps what it has found.
  if (trials.at(-1)?.outcome === 'Failed') return undefined;
  const all = bounds(search, trials);
  // Not yet converged: narrow the widest interval first. The first narrowing after the probe at the
  // maximum aims just below what arrived there, which is close to the answer on most data paths.
  const open = all.filter((b) => !b.converged);
  if (open.length) {
    const widest = open.sort((a, b) => (b.width ?? 1) - (a.width ?? 1))[0] as RatioBounds;
    const upper = widest.upper ?? search.maxRatePps;
    const lower = widest.lower ?? search.minRatePps;
    const tested = new Set(trials.map((t) => t.offeredPps));
    if (widest.lower === undefined && !tested.has(search.minRatePps)) {
      const arrived = trials.find((t) => t.offeredPps === search.maxRatePps && t.outcome === 'Measured')?.rxPpsMean;
      if (trials.length === 1 && arrived !== undefined && arrived > search.minRatePps && arrived < upper) {
        return { rate: Math.floor(arrived * (1 - search.precision / 2)), purpose: 'search' };
      }
    }
    const middle = Math.floor((lower + upper) / 2);
    // External search (MLRsearch): after a pass, step up from the lower bound, after a failure step
    // down from the upper one, doubling the step with each further result on the same side. The
    // answer usually lies close to one bound, and bisection alone would spend ~log2(range/precision)
    // trials crossing the empty part of the range.
    const streak = trailingStreak(trials, widest.lossRatio);
    const step = search.precision * 2 ** Math.max(0, Math.abs(streak) - 1);
    let rate = middle;
    if (widest.lower !== undefined && widest.upper !== undefined && streak > 0) rate = Math.min(middle, Math.floor(lower * (1 + step)));
    if (widest.lower !== undefined && widest.upper !== undefined && streak < 0) rate = Math.max(middle, Math.ceil(upper * (1 - step)));
    // The bottom of the range is tried before giving up on it, so "below minRatePps" is a finding.
    if (widest.lower === undefined && upper - search.minRatePps <= search.minRatePps * search.precision) rate = search.minRatePps;
    else rate = Math.min(upper - 1, Math.max(lower + (widest.lower === undefined ? 0 : 1), rate));
    return { rate: Math.max(search.minRatePps, rate), purpose: 'search' };
  }
  const unverified = all.find((b) => b.lower !== undefined && !b.verified);
  return unverified ? { rate: unverified.lower as number, purpose: 'verify' } : undefined;
}

/**
 * Search trials are short: warm-up and window shrink with them, in the proportions of a full trial,
 * then snap to whole sample intervals (the receiver's samples tile the warm-up and the window), the
 * window keeping at least one sample. Computed in milliseconds, which also keeps the arguments readable.
 */
export function timing(spec: SwitchBenchmarkSpec, purpose: 'search' | 'verify') {
  const ms = (seconds: number) => Math.round(seconds * 1000);
  const duration = ms(parseDuration(spec.trial.duration));
  const length = purpose === 'verify' ? duration : ms(parseDuration((spec.method.ndrPdr as Search).searchTrialDuration));
  const scaled = (seconds: number) => (ms(seconds) * length) / duration;
  const window = scaled(parseDuration(spec.trial.window));
  const sample = Math.min(ms(parseDuration(spec.trial.sampleInterval)), Math.max(1, Math.round(window)));
  const windowMs = Math.max(1, Math.round(window / sample)) * sample;
  const warmupMs = Math.min(Math.floor(scaled(parseDuration(spec.trial.warmup)) / sample), Math.floor((length - windowMs) / sample)) * sample;
  return {
    durationSeconds: length / 1000,
    warmupSeconds: Math.max(0, warmupMs) / 1000,
    windowSeconds: windowMs / 1000,
    sampleIntervalSeconds: sample / 1000,
  };
}

export const ndrPdr: Method = {
  plannedTrials: (spec) => planBudget(spec).trials,
  next(spec, finished) {
    const search = spec.method.ndrPdr;
    if (!search) return undefined;
    for (const { packetSize, burstSize } of points(spec)) {
      const own = finished.filter((t) => t.packetSize === packetSize && t.burstSize === burstSize);
      // A point out of budget keeps what it found, its interval width saying how far it got.
      const budget = searchBudget(search, spec.trial.repetitions);
      if (own.length >= budget.probes + budget.verifications) continue;
      const next = nextRate(search, own);
      if (!next) continue;
      const request: TrialRequest = {
        index: finished.length,
        packetSize,
        burstSize,
        repetition: 0,
        offeredPps: next.rate,
        purpose: next.purpose,
        ...timing(spec, next.purpose),
      };
      return request;
    }
    return undefined;
  },
};
