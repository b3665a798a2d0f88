// RFC 2544 throughput search for several loss ratios at once (NDR at 0, PDRs above), in the spirit
// of FD.io CSIT's MLRsearch: one sequence of trials serves every ratio. Pure: the next trial is a
// function of the spec and the trials already finished, so a restarted operator resumes the search.
import { parseDuration } from '../api/v1alpha1/duration.js';
import type { SwitchBenchmarkSpec, Trial } from '../api/v1alpha1/types.js';
import { points, type Method, type TrialRequest } from './trials.js';
import { planBudget, searchBudget } from '../api/v1alpha1/validate.js';
import { median } from '../results/stats.js';

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

/** A trial's verdict at `ratio`: the window's loss (a trial with figures; total loss is loss 1). */
const passes = (trial: Trial, ratio: number) => trial.outcome !== 'Failed' && (trial.windowLossRatio ?? 1) <= ratio;

/**
 * The rate a trial measured the path at: what was offered, or, when the sender missed its pacing
 * schedule, what it attempted (the path was tested at that rate, no higher).
 */
export const rateOf = (trial: Trial) =>
  trial.outcome === 'GeneratorLimited' ? Math.floor(trial.attemptedTxPps ?? trial.offeredPps) : trial.offeredPps;

/**
 * One trial per tried rate: with `trial.repetitions` above 1 each rate of the search is tried that
 * many times in a row, and its verdict is the median of their figures, as sweep takes the median of
 * its repetitions. The group's figures are its medians; its outcome the worst of its trials'.
 */
export function perRate(trials: readonly Trial[]): Trial[] {
  const groups: Trial[][] = [];
  for (const trial of trials) {
    const last = groups.at(-1)?.[0];
    if (last && last.offeredPps === trial.offeredPps && last.purpose === trial.purpose && (trial.repetition ?? 0) > 0)
      groups.at(-1)?.push(trial);
    else groups.push([trial]);
  }
  return groups.map((group) => {
    const [first] = group as [Trial];
    if (group.length === 1) return first;
    const middle = (pick: (t: Trial) => number | undefined) => {
      const values = group.map(pick).filter((v): v is number => v !== undefined);
      return values.length ? median(values) : undefined;
    };
    const outcome = group.some((t) => t.outcome === 'Failed')
      ? 'Failed'
      : group.some((t) => t.outcome === 'GeneratorLimited')
        ? 'GeneratorLimited'
        : 'Measured';
    return {
      ...first,
      outcome,
      windowLossRatio: middle((t) => t.windowLossRatio),
      rxPpsMean: middle((t) => t.rxPpsMean),
      attemptedTxPps: middle((t) => t.attemptedTxPps),
    };
  });
}

/**
 * Bounds per loss ratio from a point's finished trials. At each tested rate the latest trial speaks
 * (a failed verification overrides the short search trial before it). A generator-limited trial is a
 * verdict at the rate it attempted, and caps the search there: the sender offers no more.
 */
export function bounds(search: Search, finished: readonly Trial[]): RatioBounds[] {
  const trials = perRate(finished);
  const latest = new Map<number, Trial>();
  for (const trial of trials) latest.set(rateOf(trial), trial);
  const generatorCap = Math.min(Infinity, ...trials.filter((t) => t.outcome === 'GeneratorLimited').map(rateOf));
  return [...search.lossRatios]
    .sort((a, b) => a - b)
    .map((lossRatio) => {
      const measured = [...latest.values()].filter((t) => t.outcome !== 'Failed');
      const failing = measured.filter((t) => !passes(t, lossRatio)).map(rateOf);
      const upper = Math.min(...failing, generatorCap < Infinity ? generatorCap + 1 : Infinity);
      const passing = measured.filter((t) => passes(t, lossRatio) && rateOf(t) < upper).map(rateOf);
      const lower = passing.length ? Math.max(...passing) : undefined;
      const result: RatioBounds = { lossRatio, verified: false, converged: false };
      if (upper < Infinity) result.upper = upper;
      if (lower !== undefined) result.lower = lower;
      if (lower !== undefined && result.upper !== undefined) result.width = (result.upper - lower) / result.upper;
      const atTop = lower !== undefined && lower >= search.maxRatePps;
      const atBottom = result.upper !== undefined && result.upper <= search.minRatePps;
      result.converged = atTop || atBottom || (result.width !== undefined && result.width < search.precision);
      const atLower = lower === undefined ? undefined : latest.get(lower);
      result.verified = atLower?.purpose === 'verify' && passes(atLower, lossRatio);
      return result;
    });
}

/**
 * Where the trials put the knee of `ratio`: a hint for the next trial, which checks it. Most paths
 * forward a fixed rate when overloaded and lose (offered − capacity) / offered, so what arrived at
 * the lowest overloaded rate, over 1 − ratio, is the answer (a sender that fell short still shows
 * what the path forwarded). When two rates next to the knee forwarded different amounts, loss is
 * rising with the rate instead, and the line through their losses is followed to `ratio` (exact for
 * a linear rise): between the highest rate that lost but passed and the lowest that failed, else
 * down from the two lowest that failed; loss that does not fall towards the lower rate points below
 * the range.
 */
function hint(trials: readonly Trial[], ratio: number, precision: number): number | undefined {
  const failing = trials
    .filter((t) => t.outcome === 'Measured' && !passes(t, ratio) && t.rxPpsMean !== undefined)
    .sort((a, b) => a.offeredPps - b.offeredPps);
  const lossy = trials.filter(
    (t) => t.outcome === 'Measured' && passes(t, ratio) && (t.windowLossRatio ?? 0) > 0 && t.rxPpsMean !== undefined,
  );
  const below = lossy
    .filter((t) => t.offeredPps < (failing[0]?.offeredPps ?? 0))
    .sort((a, b) => b.offeredPps - a.offeredPps)[0];
  const [a, b] = below && failing[0] ? [below, failing[0]] : failing;
  if (a && b && Math.abs((a.rxPpsMean as number) - (b.rxPpsMean as number)) > precision * (b.rxPpsMean as number)) {
    const [lossA, lossB] = [a.windowLossRatio ?? 1, b.windowLossRatio ?? 1];
    return lossB > lossA
      ? a.offeredPps + ((ratio - lossA) * (b.offeredPps - a.offeredPps)) / (lossB - lossA)
      : -Infinity;
  }
  const overloaded = [
    ...failing,
    ...trials.filter((t) => t.outcome === 'GeneratorLimited' && t.rxPpsMean !== undefined),
  ];
  const lowest = overloaded.sort((x, y) => rateOf(x) - rateOf(y))[0];
  // A path that delivered nothing gives no knee to aim at: the search bisects below it.
  return lowest && (lowest.rxPpsMean as number) > 0 ? (lowest.rxPpsMean as number) / (1 - ratio) : undefined;
}

/**
 * The next search trial for one open ratio. A hint is tried just below the knee it predicts, so a
 * right one passes there and fails one step of `precision` above: two trials. A hint that is no news
 * (at or below the lower bound, at or above the upper one) is ignored, and a ratio gets three hinted
 * trials: on a curve the hints keep missing (loss rising ever faster above the knee, where the line
 * through two losses lands on one side every time) more would creep, where a bisection halves. Without
 * a hint the interval is halved in log rate: the precision is relative, so the geometric middle
 * halves what is left.
 */
function searchRate(search: Search, trials: readonly Trial[], open: RatioBounds): number {
  const { precision, minRatePps: min } = search;
  const upper = open.upper ?? search.maxRatePps;
  const lower = open.lower;
  // The bottom of the range is tried before giving up on it, so "below minRatePps" is a finding.
  if (lower === undefined && upper - min <= min * precision) return min;
  const lowest = lower === undefined ? min : lower + 1;
  const knee = hint(trials, open.lossRatio, precision);
  const middle = Math.floor(Math.sqrt((lower ?? min) * upper));
  if (knee !== undefined) {
    const aimAt = (known: readonly Trial[]) =>
      Math.floor((hint(known, open.lossRatio, precision) ?? NaN) * (1 - precision / 2));
    const hinted = trials.filter(
      (t, i) => t.purpose === 'search' && t.outcome === 'Measured' && t.offeredPps === aimAt(trials.slice(0, i)),
    ).length;
    const aim = Math.max(lowest, aimAt(trials));
    if (hinted < 3 && aim < upper && (lower === undefined || aim > lower * (1 + precision / 2))) return aim;
    // The lower bound passed next to the hint, which was right or off by noise: step up from it, by
    // twice what the hint was off. A hint off by more than a few steps was wrong: bisect instead.
    if (lower !== undefined && lower >= knee * (1 - precision) && lower < knee * (1 + 4 * precision)) {
      const step = Math.max(precision, 2 * (lower / knee - 1));
      return Math.min(upper - 1, middle, Math.floor(lower * (1 + step)));
    }
  }
  return Math.min(upper - 1, Math.max(lowest, middle));
}

/** The next offered rate at one point, or undefined when every ratio is verified or hopeless. */
export function nextRate(
  search: Search,
  finished: readonly Trial[],
): { rate: number; purpose: 'search' | 'verify' } | undefined {
  const trials = perRate(finished);
  if (trials.length === 0) return { rate: search.maxRatePps, purpose: 'search' };
  // A trial that failed after its retries (a program that cannot start, a pod that cannot run) says
  // nothing about loss; searching on would fail the same way. The point keeps what it has found.
  if (trials.at(-1)?.outcome === 'Failed') return undefined;
  const all = bounds(search, trials);
  // Not yet converged: narrow the widest interval first.
  const open = all.filter((b) => !b.converged);
  if (open.length) {
    const widest = open.sort((a, b) => (b.width ?? 1) - (a.width ?? 1))[0] as RatioBounds;
    return { rate: searchRate(search, trials, widest), purpose: 'search' };
  }
  const unverified = all.find((b) => b.lower !== undefined && !b.verified);
  return unverified ? { rate: unverified.lower as number, purpose: 'verify' } : undefined;
}

/** sb-receiver's shortest --sample-interval (docs/traffic-programs.md). */
const MIN_SAMPLE_MS = 10;

/**
 * Search trials are short: warm-up and window shrink with them, in the proportions of a full trial,
 * then snap to whole sample intervals (the receiver's samples tile the warm-up and the window), the
 * window keeping at least one sample of at least the receiver's shortest interval. Computed in
 * milliseconds, which also keeps the arguments readable.
 */
export function timing(spec: SwitchBenchmarkSpec, purpose: 'search' | 'verify') {
  const ms = (seconds: number) => Math.round(seconds * 1000);
  const duration = ms(parseDuration(spec.trial.duration));
  const length =
    purpose === 'verify' ? duration : ms(parseDuration((spec.method.ndrPdr as Search).searchTrialDuration));
  const scaled = (seconds: number) => (ms(seconds) * length) / duration;
  const window = scaled(parseDuration(spec.trial.window));
  const sample = Math.min(ms(parseDuration(spec.trial.sampleInterval)), Math.max(MIN_SAMPLE_MS, Math.round(window)));
  const windowMs = Math.max(1, Math.round(window / sample)) * sample;
  const warmupMs =
    Math.min(Math.floor(scaled(parseDuration(spec.trial.warmup)) / sample), Math.floor((length - windowMs) / sample)) *
    sample;
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
      // A rate is tried trial.repetitions times in a row before the search moves on.
      const last = own.at(-1);
      const repeated = last ? own.length - own.findLastIndex((t) => t.repetition === 0) : 0;
      const again = last && last.outcome !== 'Failed' && repeated < spec.trial.repetitions;
      const next = again
        ? { rate: last.offeredPps, purpose: last.purpose as 'search' | 'verify' }
        : nextRate(search, own);
      if (!next) continue;
      const request: TrialRequest = {
        index: finished.length,
        packetSize,
        burstSize,
        repetition: again ? repeated : 0,
        offeredPps: next.rate,
        purpose: next.purpose,
        ...timing(spec, next.purpose),
      };
      return request;
    }
    return undefined;
  },
};
