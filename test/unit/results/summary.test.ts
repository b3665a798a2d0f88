import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import type { Trial } from '../../../src/api/v1alpha1/types.js';
import { formatPps, headline, summarize } from '../../../src/results/summary.js';

const spec = defaultSpec({ datapath: 'memif', traffic: { packetSizes: [64, 512], burstSizes: [16] } } as never);
let index = 0;
const trial = (
  packetSize: number,
  offeredPps: number,
  rxPpsMean: number | undefined,
  extra: Partial<Trial> = {},
): Trial => ({
  index: index++,
  packetSize,
  burstSize: 16,
  offeredPps,
  outcome: 'Measured',
  ...(rxPpsMean === undefined ? {} : { rxPpsMean }),
  ...extra,
});

describe('summarize', () => {
  test('takes the best median over offered rates, with min and max of its repetitions', () => {
    const summary = summarize(spec, [
      trial(64, 1e6, 1e6),
      trial(64, 1e6, 0.98e6),
      trial(64, 2e6, 1.5e6),
      trial(64, 2e6, 1.7e6),
      trial(64, 2e6, 1.6e6),
      trial(64, 3e6, 1.2e6),
    ]);
    expect(summary).toEqual([
      {
        packetSize: 64,
        burstSize: 16,
        maxRxPps: 1.6e6,
        maxRxPpsMin: 1.5e6,
        maxRxPpsMax: 1.7e6,
        maxRxBitsPerSecond: 1.6e6 * 64 * 8,
        maxRxWireBitsPerSecond: 1.6e6 * 84 * 8,
        trials: 6,
        unstableTrials: 0,
        generatorLimitedTrials: 0,
      },
    ]);
  });

  test('takes what a generator-limited trial received (the path carried it), never a failed one, and counts both', () => {
    const [point] = summarize(spec, [
      trial(512, 1e6, 0.9e6),
      trial(512, 5e6, 4e6, { outcome: 'GeneratorLimited', attemptedTxPps: 4e6 }),
      trial(512, 6e6, undefined, { outcome: 'Failed', message: 'receiver pod failed' }),
      trial(512, 2e6, 1.9e6, { unstable: true }),
    ]);
    expect(point).toMatchObject({
      packetSize: 512,
      maxRxPps: 4e6,
      trials: 4,
      unstableTrials: 1,
      generatorLimitedTrials: 1,
    });
  });

  test('a point with only failed trials has counts but no figure', () => {
    const [point] = summarize(spec, [trial(64, 1e6, undefined, { outcome: 'Failed' })]);
    expect(point).toEqual({ packetSize: 64, burstSize: 16, trials: 1, unstableTrials: 0, generatorLimitedTrials: 0 });
  });

  test('points without trials are left out', () => {
    expect(summarize(spec, [])).toEqual([]);
  });
});

describe('headline', () => {
  test('leads with the smallest frame', () => {
    expect(headline(summarize(spec, [trial(512, 0, 2.5e6), trial(64, 0, 5.214e6)]))).toBe('64B 5.21Mpps');
  });

  test('is absent without a figure', () => {
    expect(headline([])).toBeUndefined();
  });

  test.each([
    [5_214_000, '5.21Mpps'],
    [227_400, '227.4kpps'],
    [999, '999pps'],
  ])('formats %d as %s', (pps, text) => {
    expect(formatPps(pps)).toBe(text);
  });
});

describe('summarize an ndr-pdr search', () => {
  const search = defaultSpec({
    datapath: 'vpp',
    traffic: { packetSizes: [64] },
    method: { type: 'ndr-pdr', ndrPdr: { lossRatios: [0, 0.01], precision: 0.01 } },
  } as never);
  const t = (offeredPps: number, lossRatio: number, purpose: Trial['purpose']) =>
    trial(64, offeredPps, offeredPps * (1 - lossRatio), {
      windowLossRatio: lossRatio,
      purpose,
      achievedTxPps: offeredPps,
    });

  test('reports the verified NDR and PDR as pps and bit/s, with the final interval width', () => {
    const [point] = summarize(search, [
      t(20e6, 0.5, 'search'),
      t(1_000_000, 0, 'search'),
      t(1_005_000, 0.005, 'search'),
      t(1_009_000, 0.02, 'search'),
      t(1_000_000, 0, 'verify'),
      t(1_005_000, 0.005, 'verify'),
    ]);
    expect(point?.ndr).toEqual({
      lossRatio: 0,
      pps: 1_000_000,
      bitsPerSecond: 1_000_000 * 64 * 8,
      wireBitsPerSecond: 1_000_000 * 84 * 8,
    });
    expect(point?.pdr).toEqual([
      { lossRatio: 0.01, pps: 1_005_000, bitsPerSecond: 1_005_000 * 64 * 8, wireBitsPerSecond: 1_005_000 * 84 * 8 },
    ]);
    expect(point?.intervalWidth).toBeCloseTo(5000 / 1_005_000, 9);
    expect(headline(point ? [point] : [])).toBe('64B NDR 1.00Mpps');
  });

  test('an unverified rate is not reported', () => {
    const [point] = summarize(search, [t(20e6, 0.5, 'search'), t(1_000_000, 0, 'search')]);
    expect(point?.ndr).toBeUndefined();
    expect(point?.pdr).toBeUndefined();
  });
});
