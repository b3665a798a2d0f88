// Every figure of a trial record, defined once: the sentence a user reads (written into the run
// CRD's field descriptions by `make generate`, and from there into the README) and the computation
// from the traffic programs' summaries sit in the same row, so the two cannot drift. Pure.
import type { Trial } from '../api/v1alpha1/types.js';

/** What the sender and receiver reported (docs/traffic-programs.md), read once, named by meaning. */
export interface ProgramFigures {
  packetSize: number;
  /** Frames the path accepted from the sender, whole trial and window (by the sender's clock). */
  txAccepted: number;
  txWindowAccepted: number;
  /** Frames the path refused at the sender's transmit ring (ring full), whole trial and window. */
  txRefused: number;
  txWindowRefused: number;
  /** Frames of pacing slots the sender's own core missed over the whole trial. */
  txMissed: number;
  /** Seconds of the sender's window. */
  txWindowSeconds: number;
  rxPackets: number;
  /** Sequence numbers the sender assigned in the receiver's window, and how many of them never came. */
  rxWindowExpected: number;
  rxWindowLost: number;
  /** Accepted frames that never arrived over the whole trial. */
  rxLost: number;
  rxPpsMean: number;
  rxPpsStddev: number;
  samples: number;
  reordered: number;
  duplicates: number;
  /** Probes and end-marker copies: control frames that cross the path like data, counted apart. */
  txProbes: number;
  txEndMarkers: number;
  rxProbes: number;
  rxEndMarkers: number;
  /** Frames of other trials the receiver got: stragglers a switch still held. */
  rxForeign: number;
  /** Frames the receiver's own port or socket dropped (DPDK imissed and no-mbuf, socket buffer full). */
  rxLocalDrops: number;
  /** The switch's counters of the sender's and the receiver's port over each program's trial. */
  switchCounters?: SwitchCounters;
}

/** docs/switches.md, "Port counters": what the switch took from the sender and did with it. */
export interface SwitchCounters {
  inRx: number;
  inDropped: number;
  outTx: number;
  outDropped: number;
}

type TrialFigure = keyof Trial;

type LossLocation = ReturnType<typeof lossLocation>;
interface FigureContext {
  maxCoefficientOfVariation: number;
  location: LossLocation;
}

interface Figure {
  /** The trial record's field. */
  field: TrialFigure;
  /** What it means, for the CRD, the README, the plugin's help and the docs. */
  definition: string;
  compute: (p: ProgramFigures, context: FigureContext) => number | boolean | string | undefined;
}

const windowAttempted = (p: ProgramFigures) => p.rxWindowExpected + p.txWindowRefused;
const windowLost = (p: ProgramFigures) => p.rxWindowLost + p.txWindowRefused;
const trialAttempted = (p: ProgramFigures) => p.txAccepted + p.txRefused;
const trialLost = (p: ProgramFigures) => p.rxLost + p.txRefused;
const cv = (p: ProgramFigures) => (p.rxPpsMean > 0 ? p.rxPpsStddev / p.rxPpsMean : 0);
/** Nothing attempted means nothing measured: only a path given frames can lose them. */
const ratio = (lost: number, attempted: number) => (attempted > 0 ? lost / attempted : 0);
/**
 * Where trialLost's frames went, placed by the evidence of each counter in the order the frames
 * travel back from the receiver: refused at the receiver's ring, then lost at the receiver, then
 * dropped inside the switch. Each place takes at most what is still unplaced, so the places add up
 * to trialLost exactly, and what no counter explains stays unlocated.
 */
export function lossLocation(p: ProgramFigures) {
  let rest = p.rxLost;
  const place = (evidence: number) => {
    const placed = Math.min(rest, Math.max(0, evidence));
    rest -= placed;
    return placed;
  };
  // Drop counts on the receiver's side span the sender's probes and end markers too, and a full
  // ring or socket refused those alike: what of them never arrived is no data loss.
  const controlLost = Math.max(0, p.txProbes + p.txEndMarkers - p.rxProbes - p.rxEndMarkers);
  const s = p.switchCounters;
  if (!s) {
    const atReceiverRing = place(p.rxLocalDrops - controlLost);
    return { by: 'programs', atSenderRing: p.txRefused, atReceiverRing, unlocated: rest } as const;
  }
  // The sender's switch counters start after its probes, so those are added back on its side.
  const atReceiverRing = place(s.outDropped - controlLost);
  const atReceiver = place(s.outTx - (p.rxPackets + p.rxProbes + p.rxEndMarkers + p.rxForeign));
  const inSwitch = place(s.inDropped + s.inRx + p.txProbes + p.rxForeign - s.outTx - s.outDropped);
  return {
    by: 'switch-counters',
    atSenderRing: p.txRefused,
    atReceiverRing,
    atReceiver,
    inSwitch,
    unlocated: rest,
  } as const;
}

/**
 * The places of trialLost's frames, in the order frames travel, as the trial record, the metrics'
 * `place` label and the plugin's tables name them.
 */
export const LOSS_PLACES = [
  { field: 'lostAtSenderRing', label: 'sender_ring', name: 'tx ring', header: 'LOST@TX RING' },
  { field: 'lostInSwitch', label: 'switch', name: 'switch', header: 'LOST IN SWITCH' },
  { field: 'lostAtReceiverRing', label: 'receiver_ring', name: 'rx ring', header: 'LOST@RX RING' },
  { field: 'lostAtReceiver', label: 'receiver', name: 'receiver', header: 'LOST@RX' },
  { field: 'lostUnlocated', label: 'unlocated', name: 'unplaced', header: 'UNPLACED' },
] as const satisfies readonly { field: keyof Trial; label: string; name: string; header: string }[];

/** A place only a switch's counters can tell; none without them. */
function placedBySwitch(location: LossLocation, place: 'inSwitch' | 'atReceiver'): number | undefined {
  return location.by === 'switch-counters' ? location[place] : undefined;
}

/** Preamble (7), start-of-frame delimiter (1) and the minimum inter-frame gap (12): what a frame costs on the wire. */
export const WIRE_OVERHEAD_BYTES = 20;
export const l2BitsPerSecond = (pps: number, packetSize: number) => pps * packetSize * 8;
export const wireBitsPerSecond = (pps: number, packetSize: number) => pps * (packetSize + WIRE_OVERHEAD_BYTES) * 8;

/** The figures of a measured trial, in the order status shows them. */
export const TRIAL_FIGURES: readonly Figure[] = [
  {
    field: 'attemptedTxPps',
    definition:
      'Frames per second the sender handed to the data path over the measurement window, accepted or refused. It falls below offeredPps only when the sender missed its own pacing schedule (see txMissed).',
    compute: (p) => (p.txWindowSeconds > 0 ? (p.txWindowAccepted + p.txWindowRefused) / p.txWindowSeconds : 0),
  },
  {
    field: 'achievedTxPps',
    definition:
      "Frames per second the data path accepted from the sender over the measurement window (its transmit ring took them). The gap to attemptedTxPps is the path's refusal, counted as loss.",
    compute: (p) => (p.txWindowSeconds > 0 ? p.txWindowAccepted / p.txWindowSeconds : 0),
  },
  {
    field: 'txPackets',
    definition: 'Frames the data path accepted from the sender over the whole trial.',
    compute: (p) => p.txAccepted,
  },
  {
    field: 'txRefused',
    definition:
      "Frames the data path refused at the sender's transmit ring (ring full) over the whole trial: the path's loss (testpmd calls it TX-dropped), counted in both loss ratios.",
    compute: (p) => p.txRefused,
  },
  {
    field: 'txMissed',
    definition:
      "Frames of the pacing schedule the sender's own core did not get to over the whole trial: a generator shortfall, never counted as loss. Above trial.generatorTolerance in the window it makes the trial GeneratorLimited.",
    compute: (p) => p.txMissed,
  },
  {
    field: 'rxPackets',
    definition: 'Data frames the receiver got over the whole trial, duplicates included.',
    compute: (p) => p.rxPackets,
  },
  {
    field: 'rxPpsMean',
    definition: 'Mean of the per-sample receive rate over the measurement window, frames per second.',
    compute: (p) => p.rxPpsMean,
  },
  {
    field: 'rxPpsStddev',
    definition: 'Standard deviation of the per-sample receive rates over the measurement window.',
    compute: (p) => p.rxPpsStddev,
  },
  {
    field: 'rxL2BitsPerSecond',
    definition: 'rxPpsMean × packetSize × 8: layer-2 frame bits, FCS included.',
    compute: (p) => l2BitsPerSecond(p.rxPpsMean, p.packetSize),
  },
  {
    field: 'rxWireBitsPerSecond',
    definition:
      'rxPpsMean × (packetSize + 20) × 8: bits on the wire, with the preamble, start delimiter and inter-frame gap a hardware tester counts (RFC 2544).',
    compute: (p) => wireBitsPerSecond(p.rxPpsMean, p.packetSize),
  },
  {
    field: 'samples',
    definition: 'Receive-rate samples in the measurement window.',
    compute: (p) => p.samples,
  },
  {
    field: 'coefficientOfVariation',
    definition: 'rxPpsStddev / rxPpsMean (0 when nothing arrived).',
    compute: cv,
  },
  {
    field: 'unstable',
    definition: 'coefficientOfVariation is above trial.maxCoefficientOfVariation.',
    compute: (p, { maxCoefficientOfVariation }) => cv(p) > maxCoefficientOfVariation,
  },
  {
    field: 'windowAttempted',
    definition:
      'Frames the sender handed to the data path during the measurement window: accepted (by their sequence numbers) plus refused at its transmit ring.',
    compute: windowAttempted,
  },
  {
    field: 'windowLost',
    definition:
      "Of windowAttempted, the frames refused at the sender's transmit ring plus the accepted frames that never arrived.",
    compute: windowLost,
  },
  {
    field: 'windowLossRatio',
    definition:
      'windowLost / windowAttempted; 1 when nothing arrived. The loss NDR and PDR decide on: the steady state after the warm-up, as the paper averages its window and as RFC 2544 measures after its learning phase.',
    compute: (p) => ratio(windowLost(p), windowAttempted(p)),
  },
  {
    field: 'trialLost',
    definition:
      "Frames refused at the sender's transmit ring plus accepted frames that never arrived, over the whole trial, warm-up included.",
    compute: trialLost,
  },
  {
    field: 'trialLossRatio',
    definition:
      'trialLost / (txPackets + txRefused), over the whole trial, warm-up included (RFC 2544 §26.1 counts so).',
    compute: (p) => ratio(trialLost(p), trialAttempted(p)),
  },
  {
    field: 'lossLocatedBy',
    definition:
      "What placed trialLost: switch-counters when the switch's own port counters, read by each traffic program around its trial, place it; programs when there is no switch (memif, kernel, SR-IOV) or the switch could not say (the trial's message says why), and only the programs' counters place it.",
    compute: (_, { location }) => location.by,
  },
  {
    field: 'lostAtSenderRing',
    definition:
      "Of trialLost, the frames the data path refused at the sender's transmit ring (txRefused): the switch, or on memif the receiver, did not empty it fast enough. The five lost… figures add up to trialLost.",
    compute: (_, { location }) => location.atSenderRing,
  },
  {
    field: 'lostInSwitch',
    definition:
      "Of trialLost, the frames the switch took from the sender's port but neither handed to the receiver's ring nor saw refused there: dropped inside the switch. Only when lossLocatedBy is switch-counters.",
    compute: (_, { location }) => placedBySwitch(location, 'inSwitch'),
  },
  {
    field: 'lostAtReceiverRing',
    definition:
      "Of trialLost, the frames refused at the receiver's ring because the receiver did not empty it fast enough: behind a switch, the switch's count of frames it could not put there (less the probes and end markers refused alike); otherwise the receiver's own count of frames its port or socket dropped.",
    compute: (_, { location }) => location.atReceiverRing,
  },
  {
    field: 'lostAtReceiver',
    definition:
      "Of trialLost, the frames the switch put into the receiver's ring that the receiver never counted. Only when lossLocatedBy is switch-counters.",
    compute: (_, { location }) => placedBySwitch(location, 'atReceiver'),
  },
  {
    field: 'lostUnlocated',
    definition:
      'Of trialLost, the frames no counter places. Without a switch (lossLocatedBy programs) the path between the two rings (veth, bridge, VF) keeps no count, and its loss is here.',
    compute: (_, { location }) => location.unlocated,
  },
  {
    field: 'reordered',
    definition: 'Frames that arrived after a frame the sender sent later, over the whole trial.',
    compute: (p) => p.reordered,
  },
  {
    field: 'rxForeign',
    definition:
      'Frames that reached the receiver but belong to no part of this trial (another trial or attempt, another source): never counted as received. Frames a switch still held from the trial before arrive so.',
    compute: (p) => p.rxForeign,
  },
  {
    field: 'duplicates',
    definition: 'Frames that arrived more than once, over the whole trial.',
    compute: (p) => p.duplicates,
  },
];

/** The trial record's figures from what the programs reported. */
export function computeFigures(p: ProgramFigures, limits: { maxCoefficientOfVariation: number }): Partial<Trial> {
  const context = { maxCoefficientOfVariation: limits.maxCoefficientOfVariation, location: lossLocation(p) };
  const figures = TRIAL_FIGURES.map((f) => [f.field, f.compute(p, context)] as const);
  return Object.fromEntries(figures.filter(([, value]) => value !== undefined)) as Partial<Trial>;
}
