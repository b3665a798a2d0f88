import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import type { SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
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
const WINDOW_S = 20;

/**
 * What the programs would report for a 60 s trial with a 20 s window offered 1 Mpps, from what
 * happened to the frames of the window (the whole trial is three times the window):
 * missed: slots the sender's core fell behind on; refused: the path's transmit ring was full;
 * dropped: accepted but never received. Behind a switch (switchDrop, ringDrop: of dropped, those the
 * switch dropped inside or could not put into the receiver's ring), each program also reports the
 * switch's counters of its port; the rest of dropped the receiver never counted. The sender's three
 * end markers pass the switch too.
 */
function programs({
  missed = 0,
  refused = 0,
  dropped = 0,
  arrived = true,
  stddev = 0,
  switched = false,
  switchDrop = 0,
  ringDrop = 0,
  localDrops = 0,
  endMarkersRead = 3,
} = {}) {
  const scheduled = 1_000_000 * WINDOW_S;
  const accepted = scheduled - missed - refused;
  const received = accepted - dropped;
  const inRx = 3 * accepted + 3;
  const sender = {
    schema: SCHEMA,
    role: 'sender',
    status: 'completed',
    cpus: '2',
    trial: { window_s: WINDOW_S },
    tx: {
      pps: accepted / WINDOW_S,
      packets: 3 * accepted,
      window_packets: accepted,
      failures: 3 * refused,
      window_failures: refused,
      missed: 3 * missed,
      window_missed: missed,
      probes: 0,
      end_markers: 3,
    },
    switch: switched ? { source: 'testpmd', in_rx: inRx, in_dropped: 0 } : null,
  };
  const rxSwitch = switched
    ? { source: 'testpmd', out_tx: inRx - 3 * (switchDrop + ringDrop), out_dropped: 3 * ringDrop, cpus: '1' }
    : null;
  const receiver = arrived
    ? {
        schema: SCHEMA,
        role: 'receiver',
        status: 'completed',
        cpus: '3',
        rx: {
          pps_mean: received / WINDOW_S,
          pps_stddev: stddev,
          packets: 3 * received,
          samples: 20,
          probes: 0,
          end_markers: endMarkersRead,
        },
        loss: {
          lost: 3 * dropped,
          reordered: 3,
          duplicates: 0,
          foreign: 0,
          local_drops: localDrops,
          window: { expected: accepted, lost: dropped, ratio: dropped / accepted },
        },
        latency_ns: { count: 3 * received, p50: 4100, p90: 8000, p99: 15000, p999: 30000, max: 99000 },
        switch: rxSwitch,
      }
    : {
        schema: SCHEMA,
        role: 'receiver',
        status: 'no-traffic',
        cpus: '3',
        rx: { packets: 0, probes: 0, end_markers: 0, samples: 0 },
        loss: { foreign: 0, local_drops: 0 },
        switch: rxSwitch,
      };
  return [JSON.stringify(sender), JSON.stringify(receiver)] as const;
}

const trialOf = (outputs: readonly [string, string], overrides: Partial<SwitchBenchmarkSpec> = {}) =>
  trialFromSummaries(request, { ...spec, ...overrides }, outputs[0], outputs[1], now, '2025-12-31T23:59:00.000Z');

describe('trialFromSummaries', () => {
  test('carries every figure of both programs into the trial, as src/results/figures.ts defines them', () => {
    expect(trialOf(programs({ refused: 1000, dropped: 3000, stddev: 4985 }))).toEqual({
      startTime: '2025-12-31T23:59:00.000Z',
      index: 4,
      packetSize: 64,
      burstSize: 16,
      repetition: 0,
      purpose: 'sweep',
      offeredPps: 1_000_000,
      completionTime: now.toISOString(),
      outcome: 'Measured',
      placement: 'exclusive',
      attemptedTxPps: 1_000_000,
      achievedTxPps: 999_950,
      txPackets: 3 * 19_999_000,
      txRefused: 3000,
      txMissed: 0,
      rxPackets: 3 * 19_996_000,
      rxPpsMean: 999_800,
      rxPpsStddev: 4985,
      rxL2BitsPerSecond: 999_800 * 64 * 8,
      rxWireBitsPerSecond: 999_800 * 84 * 8,
      samples: 20,
      coefficientOfVariation: 4985 / 999_800,
      unstable: false,
      windowAttempted: 20_000_000,
      windowLost: 4000,
      windowLossRatio: 4000 / 20_000_000,
      trialLost: 12_000,
      trialLossRatio: 12_000 / 60_000_000,
      lossLocatedBy: 'programs',
      lostAtSenderRing: 3000,
      lostAtReceiverRing: 0,
      lostUnlocated: 9000,
      reordered: 3,
      rxForeign: 0,
      duplicates: 0,
      latency: { p50Ns: 4100, p90Ns: 8000, p99Ns: 15000, p999Ns: 30000, maxNs: 99000 },
      cpus: { sender: '2', receiver: '3' },
    });
  });

  // The cause of a shortfall decides what it is: a generator limit (still a measurement, at the rate
  // attempted) or the path's loss, wherever the path lost the frames.
  test.each([
    ['a sender on schedule, nothing lost', {}, 'Measured', 1_000_000, 0],
    ['missed slots within tolerance', { missed: 300_000 }, 'Measured', 985_000, 0],
    ['missed slots beyond tolerance', { missed: 1_000_000 }, 'GeneratorLimited', 950_000, 0],
    ["ring full at the sender: the path's loss", { refused: 1_000_000 }, 'Measured', 1_000_000, 0.05],
    ['dropped after the ring (switch or receiver)', { dropped: 2_000_000 }, 'Measured', 1_000_000, 0.1],
    [
      'both: a generator shortfall and the path refusing',
      { missed: 2_000_000, refused: 900_000 },
      'GeneratorLimited',
      900_000,
      0.05,
    ],
  ])('%s', (_name, what, outcome, attempted, windowLoss) => {
    const trial = trialOf(programs(what));
    expect(trial.outcome).toBe(outcome);
    expect(trial.attemptedTxPps).toBeCloseTo(attempted, 6);
    expect(trial.windowLossRatio).toBeCloseTo(windowLoss, 9);
    expect(trial.message ?? '').toContain(outcome === 'GeneratorLimited' ? 'missed its pacing schedule' : '');
  });

  // Where the path lost the frames, by each counter's evidence; the places add up to trialLost.
  const W = 3; // the trial holds three windows
  test.each([
    ['missed slots: no loss to place', { missed: 1_000_000 }, 'programs', [0, undefined, 0, undefined, 0]],
    ['ring full at the sender', { refused: 1000 }, 'programs', [W * 1000, undefined, 0, undefined, 0]],
    [
      "without a switch, the receiver's own drops place the rest",
      { dropped: 1000, localDrops: 3600 },
      'programs',
      [0, undefined, W * 1000, undefined, 0],
    ],
    [
      "without a switch, end-marker copies the receiver's socket dropped are no data loss",
      // Two of the three copies dropped beside 2999 data frames; the 3000th was lost on the bridge.
      { dropped: 1000, localDrops: 2999 + 2, endMarkersRead: 1 },
      'programs',
      [0, undefined, 2999, undefined, 1],
    ],
    [
      'without a switch, the path between the rings keeps no count',
      { dropped: 1000 },
      'programs',
      [0, undefined, 0, undefined, W * 1000],
    ],
    [
      'dropped inside the switch',
      { switched: true, dropped: 1000, switchDrop: 1000 },
      'switch-counters',
      [0, W * 1000, 0, 0, 0],
    ],
    [
      "refused at the receiver's ring",
      { switched: true, dropped: 1000, ringDrop: 1000 },
      'switch-counters',
      [0, 0, W * 1000, 0, 0],
    ],
    ['lost at the receiver', { switched: true, dropped: 1000 }, 'switch-counters', [0, 0, 0, W * 1000, 0]],
    [
      'all four at once',
      { switched: true, refused: 500, dropped: 1000, switchDrop: 200, ringDrop: 300 },
      'switch-counters',
      [W * 500, W * 200, W * 300, W * 500, 0],
    ],
    [
      'total loss, refused at the receiver ring',
      { switched: true, dropped: 20_000_000, ringDrop: 20_000_000 },
      'switch-counters',
      [0, 0, W * 20_000_000, 0, 0],
    ],
  ])('%s', (_name, what, by, [senderRing, inSwitch, receiverRing, atReceiver, unlocated]) => {
    const trial = trialOf(programs(what));
    expect(trial).toMatchObject({ lossLocatedBy: by, lostAtSenderRing: senderRing, lostAtReceiverRing: receiverRing });
    expect(trial.lostInSwitch).toBe(inSwitch);
    expect(trial.lostAtReceiver).toBe(atReceiver);
    expect(trial.lostUnlocated).toBe(unlocated);
    const placed = [senderRing, inSwitch, receiverRing, atReceiver, unlocated].reduce<number>(
      (a, b) => a + (b ?? 0),
      0,
    );
    expect(placed).toBe(trial.trialLost);
  });

  test("the trial records its placement and every role's CPUs, the switch's from its counters answer", () => {
    const trial = trialOf(programs({ switched: true }), {
      resources: { ...spec.resources, cpuPolicy: 'isolated-dut' },
    });
    expect(trial).toMatchObject({ placement: 'isolated-dut', cpus: { sender: '2', receiver: '3', switch: '1' } });
  });

  test("a switch that could not say leaves the loss to the programs' counters, and the message says why", () => {
    const [tx, rx] = programs({ dropped: 1000 });
    const failing = JSON.stringify({ ...JSON.parse(tx), switch: { error: 'the switch did not answer' } });
    const receiver = JSON.stringify({ ...JSON.parse(rx), switch: { source: 'ovs-dpdk', out_tx: 1, out_dropped: 0 } });
    const trial = trialFromSummaries(request, spec, failing, receiver, now);
    expect(trial).toMatchObject({ lossLocatedBy: 'programs', lostUnlocated: 3000 });
    expect(trial.message).toContain("loss not placed by the switch's counters: the switch did not answer");
  });

  test('nothing arriving is total loss, a result: loss 1, rate 0, said in the message', () => {
    const trial = trialOf(programs({ arrived: false }));
    expect(trial).toMatchObject({
      outcome: 'Measured',
      rxPackets: 0,
      rxPpsMean: 0,
      windowLossRatio: 1,
      trialLossRatio: 1,
      message: 'nothing arrived: the path lost every frame',
    });
    expect(trial.latency).toBeUndefined();
  });

  test('frames of another size than the trial sent fail the trial, saying so', () => {
    const [tx, rx] = programs();
    const resized = JSON.stringify({ ...JSON.parse(rx), frame_size: 60 });
    expect(trialFromSummaries(request, spec, tx, resized, now)).toMatchObject({
      outcome: 'Failed',
      message: 'the receiver got 60-byte frames, the trial sent 64: the path changed the frames',
    });
  });

  test('a cross-node trial carries no latency, and says why', () => {
    const crossNode = { placement: { ...spec.placement, receiverNodeSelector: { 'kubernetes.io/hostname': 'b' } } };
    const trial = trialOf(programs(), crossNode);
    expect(trial.latency).toBeUndefined();
    expect(trial.message).toContain('two nodes, with two clocks');
  });

  test('an unpaced trial (method max) is never generator-limited', () => {
    const [tx, rx] = programs({ missed: 10_000_000 });
    expect(trialFromSummaries({ ...request, offeredPps: 0 }, spec, tx, rx, now).outcome).toBe('Measured');
  });

  test('flags samples that vary beyond the bound as unstable', () => {
    expect(trialOf(programs({ stddev: 500_000 }))).toMatchObject({ unstable: true, coefficientOfVariation: 0.5 });
  });

  const [goodSender, goodReceiver] = programs();
  test.each([
    ['no summary at all', undefined, goodReceiver, 'the sender left no JSON summary in its termination message'],
    ['a summary that is not JSON', '{oops', goodReceiver, "the sender's summary is not JSON"],
    ['another schema', JSON.stringify({ schema: 'x/v9' }), goodReceiver, 'is not of schema switchbench.io/trial/v1'],
    [
      'a missing figure',
      goodSender,
      JSON.stringify({ schema: SCHEMA, status: 'completed', rx: {} }),
      "the receiver's summary lacks the number rx.packets",
    ],
  ])('%s makes a failed trial that says why', (_name, senderText, receiverText, message) => {
    expect(trialFromSummaries(request, spec, senderText, receiverText, now)).toMatchObject({
      outcome: 'Failed',
      message: expect.stringContaining(message),
    });
  });

  test('takes the last JSON line when the program logged before it', () => {
    expect(trialFromSummaries(request, spec, `EAL: starting\n${goodSender}`, goodReceiver, now).outcome).toBe(
      'Measured',
    );
  });
});
