import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import type { SwitchBenchmarkSpec, Trial } from '../../../src/api/v1alpha1/types.js';
import { searchBudget } from '../../../src/api/v1alpha1/validate.js';
import { bounds, ndrPdr, timing } from '../../../src/plan/ndr-pdr.js';

/** A data path as a function: loss ratio at an offered rate, and what the sender manages. */
interface Device {
  loss(offered: number): number;
  txCap?: number;
}

const spec = (precision = 0.005, lossRatios = [0, 0.005]): SwitchBenchmarkSpec =>
  defaultSpec({
    datapath: 'testpmd',
    traffic: { packetSizes: [64], burstSizes: [16] },
    method: { type: 'ndr-pdr', ndrPdr: { lossRatios, precision, minRatePps: 10_000, maxRatePps: 20_000_000 } },
  } as never);

function search(device: Device, s = spec()): Trial[] {
  const trials: Trial[] = [];
  for (let next = ndrPdr.next(s, trials); next; next = ndrPdr.next(s, trials)) {
    if (trials.length > 200) throw new Error('the search does not end');
    const achieved = Math.min(next.offeredPps, device.txCap ?? Infinity);
    const limited = achieved < next.offeredPps * 0.98;
    const loss = device.loss(achieved);
    trials.push({
      index: next.index,
      packetSize: next.packetSize,
      burstSize: next.burstSize,
      offeredPps: next.offeredPps,
      purpose: next.purpose,
      outcome: limited ? 'GeneratorLimited' : 'Measured',
      achievedTxPps: achieved,
      rxPpsMean: achieved * (1 - loss),
      lossRatio: loss,
    });
  }
  return trials;
}

const verified = (trials: Trial[], s = spec()) => bounds(s.method.ndrPdr as never, trials).map((b) => (b.verified ? b.lower : undefined));
const capacity = (c: number) => (r: number) => (r <= c ? 0 : (r - c) / r);

describe('ndr-pdr search', () => {
  test.each([
    ['a step at 5 Mpps', { loss: capacity(5e6) }, 5e6, 5e6 / (1 - 0.005)],
    ['a step at 12.3 kpps, near the bottom', { loss: capacity(12_300) }, 12_300, 12_300 / (1 - 0.005)],
    ['loss rising slowly above 3 Mpps', { loss: (r: number) => (r <= 3e6 ? 0 : Math.min(1, (r - 3e6) / 4e8)) }, 3e6, 3e6 + 0.005 * 4e8],
    ['a path that carries the maximum', { loss: () => 0 }, 20e6, 20e6],
  ])('%s: finds each rate within the precision, verified by a full trial', (_name, device, ndr, pdr) => {
    const trials = search(device);
    const [foundNdr, foundPdr] = verified(trials);
    expect(foundNdr).toBeLessThanOrEqual(ndr);
    expect(foundNdr).toBeGreaterThanOrEqual(ndr * (1 - 0.005) - 1);
    expect(foundPdr).toBeLessThanOrEqual(Math.min(pdr, 20e6));
    expect(foundPdr).toBeGreaterThanOrEqual(Math.min(pdr, 20e6) * (1 - 0.005) - 1);
    expect(trials.filter((t) => t.purpose === 'verify').every((t) => t.offeredPps === foundNdr || t.offeredPps === foundPdr)).toBe(true);
  });

  test.each([0.1e6, 1e6, 5e6, 13.7e6])('a step at %d pps is found at 0.5 %% precision within 12 trials for the NDR (the design target)', (c) => {
    const trials = search({ loss: capacity(c) }, spec(0.005, [0]));
    expect(trials.length).toBeLessThanOrEqual(12);
  });

  test('noisy loss near capacity still ends with verified, ordered rates', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const trials = search({ loss: (r) => (r <= 4e6 ? (random() < 0.2 ? 1e-6 : 0) : (r - 4e6) / r) });
    const [ndr, pdr] = verified(trials);
    expect(ndr).toBeDefined();
    expect(pdr).toBeGreaterThanOrEqual(ndr as number);
    expect(pdr).toBeLessThanOrEqual(4e6 / (1 - 0.005));
  });

  test('a non-monotonic curve ends, below its lowest failing rate', () => {
    const trials = search({ loss: (r) => (r > 6e6 && r < 7e6 ? 0 : capacity(2e6)(r)) });
    const [ndr] = verified(trials);
    expect(ndr).toBeLessThanOrEqual(2e6);
  });

  test('a sender that falls short caps the search and is never counted as loss', () => {
    const trials = search({ loss: capacity(50e6), txCap: 8e6 });
    expect(trials.some((t) => t.outcome === 'GeneratorLimited')).toBe(true);
    const [ndr] = verified(trials);
    expect(ndr).toBeLessThanOrEqual(8e6);
    expect(ndr).toBeGreaterThanOrEqual(8e6 * 0.98 * (1 - 0.005));
  });

  test('a path that loses even at the minimum rate ends without a figure', () => {
    const trials = search({ loss: () => 0.5 });
    expect(verified(trials)).toEqual([undefined, undefined]);
    expect(trials.at(-1)?.offeredPps).toBe(10_000);
  });

  /** Short trials pass up to 5 Mpps, full-length ones only up to `sustained` (a slow leak). */
  function leaky(sustained: number): { trials: Trial[]; s: SwitchBenchmarkSpec } {
    const trials: Trial[] = [];
    const s = spec(0.01, [0]);
    for (let next = ndrPdr.next(s, trials); next; next = ndrPdr.next(s, trials)) {
      const loss = capacity(next.purpose === 'verify' ? sustained : 5e6)(next.offeredPps);
      trials.push({ index: next.index, packetSize: 64, burstSize: 16, offeredPps: next.offeredPps, purpose: next.purpose, outcome: 'Measured', achievedTxPps: next.offeredPps, rxPpsMean: next.offeredPps, lossRatio: loss });
    }
    return { trials, s };
  }

  test('a failed verification reopens the search below it', () => {
    const { trials, s } = leaky(4.95e6);
    const [ndr] = verified(trials, s);
    expect(ndr).toBeLessThanOrEqual(4.95e6);
    expect(ndr).toBeGreaterThanOrEqual(4.95e6 * 0.98);
    expect(trials.filter((t) => t.purpose === 'verify').length).toBeGreaterThan(1);
  });

  test('a search that keeps failing its verifications stops at its budget, with no figure it could not verify', () => {
    const { trials, s } = leaky(4e6);
    const budget = searchBudget(s.method.ndrPdr as never, 1);
    expect(trials).toHaveLength(budget.probes + budget.verifications);
    expect(verified(trials, s)).toEqual([undefined]);
  });

  test('search trials are short with proportional warm-up; verification trials are full length', () => {
    const s = spec();
    const first = ndrPdr.next(s, []);
    expect(first).toMatchObject({ offeredPps: 20e6, purpose: 'search', durationSeconds: 10, warmupSeconds: 3, windowSeconds: 3, sampleIntervalSeconds: 1 });
    const trials = search({ loss: capacity(1e6) });
    const verify = trials.find((t) => t.purpose === 'verify') as Trial;
    expect(ndrPdr.next(s, trials.slice(0, trials.indexOf(verify)))).toMatchObject({ purpose: 'verify', durationSeconds: 60, warmupSeconds: 20 });
  });

  test('searches each point in turn and resumes from any prefix of its trials', () => {
    const s = defaultSpec({ datapath: 'testpmd', traffic: { packetSizes: [64, 512] }, method: { type: 'ndr-pdr', ndrPdr: { lossRatios: [0] } } } as never);
    const trials: Trial[] = [];
    for (let next = ndrPdr.next(s, trials); next; next = ndrPdr.next(s, trials)) {
      const loss = capacity(next.packetSize === 64 ? 3e6 : 1e6)(next.offeredPps);
      trials.push({ index: next.index, packetSize: next.packetSize, burstSize: 16, offeredPps: next.offeredPps, purpose: next.purpose, outcome: 'Measured', achievedTxPps: next.offeredPps, rxPpsMean: next.offeredPps * (1 - loss), lossRatio: loss });
    }
    const sizes = trials.map((t) => t.packetSize);
    expect(sizes.indexOf(512)).toBeGreaterThan(sizes.lastIndexOf(64));
    expect(trials.length).toBeLessThanOrEqual(ndrPdr.plannedTrials(s));
  });
});

describe('a trial that failed after its retries', () => {
  test('ends the search at its point, keeping what was found, and is not counted as loss', () => {
    const s = spec();
    const first = ndrPdr.next(s, []);
    const failed: Trial = { index: 0, packetSize: 64, burstSize: 16, offeredPps: first?.offeredPps as number, purpose: 'search', outcome: 'Failed', message: 'port did not come up' };
    expect(ndrPdr.next(s, [failed])).toBeUndefined();
    expect(bounds(s.method.ndrPdr as never, [failed]).map((b) => b.upper)).toEqual([undefined, undefined]);
  });
});

describe('timing of search and verification trials', () => {
  const withTrial = (trial: Record<string, string>, searchTrialDuration: string): SwitchBenchmarkSpec =>
    defaultSpec({
      datapath: 'testpmd',
      method: { type: 'ndr-pdr', ndrPdr: { lossRatios: [0], searchTrialDuration } },
      trial,
    } as never);
  test.each<[string, Record<string, string>, string, 'search' | 'verify', [number, number, number, number]]>([
    ['the paper\'s trial, verified at full length', { duration: '60s', warmup: '20s', window: '20s', sampleInterval: '1s' }, '10s', 'verify', [60, 20, 20, 1]],
    ['the paper\'s proportions in a 10 s search trial', { duration: '60s', warmup: '20s', window: '20s', sampleInterval: '1s' }, '10s', 'search', [10, 3, 3, 1]],
    ['a scaled warm-up below one sample drops to none', { duration: '4s', warmup: '1s', window: '2s', sampleInterval: '1s' }, '3s', 'search', [3, 0, 2, 1]],
    ['a window shorter than the sample interval is one sample', { duration: '60s', warmup: '20s', window: '20s', sampleInterval: '5s' }, '2s', 'search', [2, 0, 0.667, 0.667]],
    ['sub-second samples tile the warm-up exactly', { duration: '10s', warmup: '3s', window: '5s', sampleInterval: '500ms' }, '3s', 'search', [3, 0.5, 1.5, 0.5]],
  ])('%s', (_name, trial, searchTrialDuration, purpose, [duration, warmup, window, sample]) => {
    const t = timing(withTrial(trial, searchTrialDuration), purpose);
    expect(t).toEqual({ durationSeconds: duration, warmupSeconds: warmup, windowSeconds: window, sampleIntervalSeconds: sample });
    // What the receiver insists on: whole samples, and the measurement inside the trial.
    expect(Math.abs(t.warmupSeconds / t.sampleIntervalSeconds - Math.round(t.warmupSeconds / t.sampleIntervalSeconds))).toBeLessThan(1e-9);
    expect(Math.abs(t.windowSeconds / t.sampleIntervalSeconds - Math.round(t.windowSeconds / t.sampleIntervalSeconds))).toBeLessThan(1e-9);
    expect(t.warmupSeconds + t.windowSeconds).toBeLessThanOrEqual(t.durationSeconds);
  });
});
