// A run as JSON or YAML (what to keep: the spec it ran, summary and trials) or CSV (one row per
// trial, for a spreadsheet). Pure.
import { stringify } from 'yaml';
import type { SwitchBenchmarkRun, Trial } from '../api/v1alpha1/types.js';
import { runPlacement, trialPlacement } from './placement.js';

/** What to keep of a run: the spec it ran, its placement, summary and trials. */
export function runDocument(run: SwitchBenchmarkRun) {
  const status = run.status ?? {};
  return {
    namespace: run.metadata.namespace,
    benchmark: run.spec.benchmarkName,
    run: run.metadata.name,
    datapath: run.spec.benchmark.datapath,
    trigger: run.spec.trigger,
    phase: status.phase,
    node: status.node,
    // isolated-dut and shared figures are a compromise placement, not comparable with exclusive ones.
    placement: runPlacement(run),
    startTime: status.startTime,
    completionTime: status.completionTime,
    headline: status.headline,
    spec: run.spec.benchmark,
    summary: status.summary ?? [],
    trials: status.trials ?? [],
  };
}

/** A value as -o json or -o yaml print it, in kubectl's shapes (JSON indented by 4). */
export const printable = (format: 'json' | 'yaml', value: unknown): string =>
  format === 'json' ? `${JSON.stringify(value, null, 4)}\n` : stringify(value);

type Column = [header: string, value: (t: Trial) => string | number | boolean | undefined];

const COLUMNS: Column[] = [
  ['index', (t) => t.index],
  ['frame_size_bytes', (t) => t.packetSize],
  ['burst', (t) => t.burstSize],
  ['repetition', (t) => t.repetition],
  ['purpose', (t) => t.purpose],
  ['outcome', (t) => t.outcome],
  ['offered_pps', (t) => t.offeredPps],
  ['attempted_tx_pps', (t) => t.attemptedTxPps],
  ['achieved_tx_pps', (t) => t.achievedTxPps],
  ['rx_pps_mean', (t) => t.rxPpsMean],
  ['rx_pps_stddev', (t) => t.rxPpsStddev],
  ['rx_l2_bits_per_second', (t) => t.rxL2BitsPerSecond],
  ['rx_wire_bits_per_second', (t) => t.rxWireBitsPerSecond],
  ['samples', (t) => t.samples],
  ['coefficient_of_variation', (t) => t.coefficientOfVariation],
  ['unstable', (t) => t.unstable],
  ['window_attempted', (t) => t.windowAttempted],
  ['window_lost', (t) => t.windowLost],
  ['window_loss_ratio', (t) => t.windowLossRatio],
  ['trial_lost', (t) => t.trialLost],
  ['trial_loss_ratio', (t) => t.trialLossRatio],
  ['loss_located_by', (t) => t.lossLocatedBy],
  ['lost_at_sender_ring', (t) => t.lostAtSenderRing],
  ['lost_in_switch', (t) => t.lostInSwitch],
  ['lost_at_receiver_ring', (t) => t.lostAtReceiverRing],
  ['lost_at_receiver', (t) => t.lostAtReceiver],
  ['lost_unlocated', (t) => t.lostUnlocated],
  ['tx_packets', (t) => t.txPackets],
  ['tx_refused', (t) => t.txRefused],
  ['tx_missed', (t) => t.txMissed],
  ['rx_packets', (t) => t.rxPackets],
  ['reordered', (t) => t.reordered],
  ['duplicates', (t) => t.duplicates],
  ['latency_p50_ns', (t) => t.latency?.p50Ns],
  ['latency_p90_ns', (t) => t.latency?.p90Ns],
  ['latency_p99_ns', (t) => t.latency?.p99Ns],
  ['latency_p999_ns', (t) => t.latency?.p999Ns],
  ['latency_max_ns', (t) => t.latency?.maxNs],
  ['placement', (t) => t.placement],
  ['cpus_sender', (t) => t.cpus?.sender],
  ['cpus_receiver', (t) => t.cpus?.receiver],
  ['cpus_switch', (t) => t.cpus?.switch],
  ['start_time', (t) => t.startTime],
  ['completion_time', (t) => t.completionTime],
  ['message', (t) => t.message],
];

/** RFC 4180: quote a field holding a comma, quote or line break, doubling its quotes. */
function field(value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * One row per trial; the run's identity repeats on every row so files of several runs concatenate.
 * Every row has its placement, the run's for a trial that recorded none (a failed one).
 */
export function runCsv(run: SwitchBenchmarkRun): string {
  const identity = [run.metadata.namespace, run.spec.benchmarkName, run.metadata.name, run.spec.benchmark.datapath];
  const header = ['namespace', 'benchmark', 'run', 'datapath', ...COLUMNS.map(([name]) => name)];
  const rows = (run.status?.trials ?? []).map((t) => {
    const placed = { ...t, placement: trialPlacement(t, run) };
    return [...identity, ...COLUMNS.map(([, value]) => value(placed))].map(field).join(',');
  });
  return `${[header.join(','), ...rows].join('\r\n')}\r\n`;
}
