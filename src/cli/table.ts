// Plain-text tables of a run's trials and summary, for the kubectl plugin and `make demo`. Pure.
import type { SwitchBenchmarkRun, Trial } from '../api/v1alpha1/types.js';
import { formatPps } from '../results/summary.js';

function render(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const pps = (value: number | undefined) => (value === undefined ? '-' : formatPps(value));
const percent = (ratio: number | undefined) => (ratio === undefined ? '-' : `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.0001 ? 5 : 3)}%`);
const micros = (ns: number | undefined) => (ns === undefined ? '-' : `${(ns / 1000).toFixed(1)}us`);

function trialRow(t: Trial): string[] {
  const flags = [t.unstable ? 'unstable' : '', t.outcome === 'Measured' ? '' : t.outcome].filter(Boolean).join(',');
  return [
    String(t.index),
    `${t.packetSize}`,
    `${t.burstSize}`,
    t.offeredPps === 0 ? 'max' : pps(t.offeredPps),
    pps(t.achievedTxPps),
    pps(t.rxPpsMean),
    t.rxPpsStddev === undefined ? '-' : pps(t.rxPpsStddev),
    percent(t.lossRatio),
    micros(t.latency?.p50Ns),
    micros(t.latency?.p99Ns),
    t.cpus ? `${t.cpus.sender ?? '?'}/${t.cpus.receiver ?? '?'}` : '-',
    flags || (t.message ?? ''),
  ];
}

export function trialsTable(run: SwitchBenchmarkRun): string {
  return render(
    ['#', 'SIZE', 'BURST', 'OFFERED', 'TX', 'RX MEAN', 'RX SD', 'LOSS', 'P50', 'P99', 'CPUS TX/RX', 'NOTE'],
    (run.status?.trials ?? []).map(trialRow),
  );
}

export function summaryTable(run: SwitchBenchmarkRun): string {
  return render(
    ['SIZE', 'BURST', 'MAX RX', 'MIN..MAX', 'GBIT/S', 'TRIALS', 'UNSTABLE'],
    (run.status?.summary ?? []).map((p) => [
      `${p.packetSize}`,
      `${p.burstSize}`,
      pps(p.maxRxPps),
      p.maxRxPpsMin === undefined ? '-' : `${pps(p.maxRxPpsMin)}..${pps(p.maxRxPpsMax)}`,
      p.maxRxBitsPerSecond === undefined ? '-' : (p.maxRxBitsPerSecond / 1e9).toFixed(3),
      `${p.trials ?? 0}`,
      `${p.unstableTrials ?? 0}`,
    ]),
  );
}

export function runReport(run: SwitchBenchmarkRun): string {
  const ready = run.status?.conditions?.find((c) => c.type === 'Ready');
  return [
    `Run ${run.metadata.namespace}/${run.metadata.name} of ${run.spec.benchmarkName}: ${run.spec.benchmark.datapath}, ${run.status?.phase ?? 'Pending'} ${run.status?.progress ?? ''} on ${run.status?.node ?? '(no node yet)'}`,
    ready ? `${ready.reason}: ${ready.message}` : '',
    '',
    trialsTable(run),
    '',
    summaryTable(run),
  ].join('\n');
}
