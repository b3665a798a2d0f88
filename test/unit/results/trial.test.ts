import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import type { TrialRequest } from '../../../src/plan/index.js';
import { trialFromSummaries } from '../../../src/results/trial.js';

const spec = defaultSpec({
  datapath: 'memif',
  trial: { generatorTolerance: 0.02, maxCoefficientOfVariation: 0.05 },
} as never);
const now = new Date('2026-01-01T00:00:00Z');
const request: TrialRequest = {
  index: 4,
  packetSize: 64,
  burstSize: 16,
  repetition: 0,
  offeredPps: 1_000_000,
  purpose: 'sweep',
  durationSeconds: 60,
  warmupSeconds: 20,
  windowSeconds: 20,
  sampleIntervalSeconds: 1,
};
const SCHEMA = 'switchbench.io/trial/v1';
const sender = (pps: number) =>
  JSON.stringify({ schema: SCHEMA, role: 'sender', tx: { pps, packets: 60_000_000, failures: 12 }, cpus: '2' });
const receiver = (mean: number, stddev: number) =>
  JSON.stringify({
    schema: SCHEMA,
    role: 'receiver',
    rx: { pps_mean: mean, pps_stddev: stddev, packets: 59_999_000, samples: 20 },
    loss: {
      ratio: 0.5,
      lost: 9,
      reordered: 3,
      duplicates: 0,
      window: { expected: 20_000_000, lost: 1000, ratio: 1000 / 20_000_000 },
    },
    latency_ns: { count: 59_999_000, p50: 4100, p90: 8000, p99: 15000, p999: 30000, max: 99000 },
    cpus: '3',
  });

describe('trialFromSummaries', () => {
  test('carries every figure of both programs into the trial', () => {
    expect(
      trialFromSummaries(request, spec, sender(999_000), receiver(998_000, 4990), now, '2025-12-31T23:59:00.000Z'),
    ).toEqual({
      startTime: '2025-12-31T23:59:00.000Z',
      index: 4,
      packetSize: 64,
      burstSize: 16,
      repetition: 0,
      purpose: 'sweep',
      offeredPps: 1_000_000,
      completionTime: now.toISOString(),
      outcome: 'Measured',
      achievedTxPps: 999_000,
      txPackets: 60_000_000,
      txFailures: 12,
      rxPackets: 59_999_000,
      rxPpsMean: 998_000,
      rxPpsStddev: 4990,
      samples: 20,
      coefficientOfVariation: 0.005,
      unstable: false,
      lossRatio: 1000 / 20_000_000,
      lost: 1000,
      reordered: 3,
      duplicates: 0,
      latency: { p50Ns: 4100, p90Ns: 8000, p99Ns: 15000, p999Ns: 30000, maxNs: 99000 },
      cpus: { sender: '2', receiver: '3' },
    });
  });

  test.each([
    ['within tolerance', 981_000, 'Measured'],
    ['short of the offered rate', 979_000, 'GeneratorLimited'],
  ])('a sender %s', (_name, txPps, outcome) => {
    expect(trialFromSummaries(request, spec, sender(txPps), receiver(900_000, 0), now).outcome).toBe(outcome);
  });

  test('an unpaced trial (method max) is never generator-limited', () => {
    expect(trialFromSummaries({ ...request, offeredPps: 0 }, spec, sender(10), receiver(10, 0), now).outcome).toBe(
      'Measured',
    );
  });

  test('flags samples that vary beyond the bound as unstable', () => {
    expect(trialFromSummaries(request, spec, sender(999_000), receiver(600_000, 300_000), now)).toMatchObject({
      unstable: true,
      coefficientOfVariation: 0.5,
    });
  });

  test.each([
    ['no summary at all', undefined, receiver(1, 0), 'the sender left no JSON summary in its termination message'],
    ['a summary that is not JSON', '{oops', receiver(1, 0), "the sender's summary is not JSON"],
    ['another schema', JSON.stringify({ schema: 'x/v9' }), receiver(1, 0), 'is not of schema switchbench.io/trial/v1'],
    [
      'a missing figure',
      sender(1),
      JSON.stringify({ schema: SCHEMA, rx: {} }),
      "the receiver's summary lacks the number rx.pps_mean",
    ],
  ])('%s makes a failed trial that says why', (_name, senderText, receiverText, message) => {
    expect(trialFromSummaries(request, spec, senderText, receiverText, now)).toMatchObject({
      outcome: 'Failed',
      message: expect.stringContaining(message),
    });
  });

  test('takes the last JSON line when the program logged before it', () => {
    expect(trialFromSummaries(request, spec, `EAL: starting\n${sender(999_000)}`, receiver(1, 0), now).outcome).toBe(
      'Measured',
    );
  });
});

test('a trial without timestamped packets has no latency rather than a made-up one', () => {
  const noLatency = JSON.stringify({
    schema: SCHEMA,
    rx: { pps_mean: 0, pps_stddev: 0, packets: 0, samples: 20 },
    loss: { ratio: 1, lost: 10, reordered: 0, duplicates: 0, window: { expected: 10, lost: 10, ratio: 1 } },
    latency_ns: { count: 0, p50: null, p90: null, p99: null, p999: null, max: null },
  });
  const trial = trialFromSummaries(request, spec, sender(999_000), noLatency, now);
  expect(trial).toMatchObject({ outcome: 'Measured', lossRatio: 1 });
  expect(trial.latency).toBeUndefined();
});
