// Plain-text tables for the kubectl plugin and `make demo`: benchmarks, a run's Table 1 and trials,
// a progress bar. Pure: the clock comes in as an argument.
import type { SwitchBenchmark, SwitchBenchmarkRun, Trial } from '../api/v1alpha1/types.js';
import { LOSS_PLACES } from '../results/figures.js';
import { formatPps } from '../results/summary.js';
import {
  isCompromise,
  labelledHeadline,
  placementLine,
  runPlacement,
  trialPlacement,
  type Placement,
} from './placement.js';

export function render(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

const pps = (value: number | undefined) => (value === undefined ? '-' : formatPps(value));
const percent = (ratio: number | undefined) =>
  ratio === undefined ? '-' : `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.0001 ? 5 : 3)}%`;
const micros = (ns: number | undefined) => (ns === undefined ? '-' : `${(ns / 1000).toFixed(1)}us`);
const count = (n: number | undefined) => (n === undefined ? '-' : String(n));

/** How the trial tables print. */
export interface TableOptions {
  /** `-o wide`: every place of a trial's lost frames in a column of its own. */
  wide?: boolean;
}

/**
 * The place that lost most of the trial's frames and its share, rounded down so that 100% means all
 * of them: "rx ring 99%". "none" when nothing was lost, "-" when the trial has no loss location
 * (failed, or recorded by an operator that did not place loss).
 */
export function whereLost(t: Trial): string {
  if (t.lossLocatedBy === undefined) return '-';
  const placed = LOSS_PLACES.map(({ name, field }) => [name, t[field] ?? 0] as const);
  const lost = placed.reduce((sum, [, n]) => sum + n, 0);
  if (lost <= 0) return 'none';
  const [name, most] = placed.reduce((top, place) => (place[1] > top[1] ? place : top));
  return `${name} ${Math.floor((most * 100) / lost)}%`;
}

/** "TX/RX" CPUs, "TX/RX/SW" when the switch said its own; "?" for a role that did not say, "-" when none did. */
function cpusCell(t: Trial, withSwitch: boolean): string {
  if (!t.cpus) return '-';
  const roles = [t.cpus.sender, t.cpus.receiver, ...(withSwitch ? [t.cpus.switch] : [])];
  return roles.map((cpus) => cpus ?? '?').join('/');
}

/** Whether a column of CPUs has the switch's: when any trial's switch said them. */
const switchCpus = (trials: readonly Trial[]) => trials.some((t) => t.cpus?.switch !== undefined);

interface RowContext extends TableOptions {
  run: SwitchBenchmarkRun;
  withSwitch: boolean;
}

function trialRow(t: Trial, { wide = false, run, withSwitch }: RowContext): string[] {
  const flags = [t.unstable ? 'unstable' : '', t.outcome === 'Measured' ? '' : t.outcome].filter(Boolean).join(',');
  // A compromise placement leads the note, so that no row of its figures goes unlabelled.
  const placement = trialPlacement(t, run);
  const note = [isCompromise(placement) ? placement : '', flags || (t.message ?? '')].filter(Boolean).join(',');
  return [
    String(t.index),
    `${t.packetSize}`,
    `${t.burstSize}`,
    t.offeredPps === 0 ? 'max' : pps(t.offeredPps),
    pps(t.attemptedTxPps),
    pps(t.achievedTxPps),
    pps(t.rxPpsMean),
    t.rxPpsStddev === undefined ? '-' : pps(t.rxPpsStddev),
    percent(t.windowLossRatio),
    percent(t.trialLossRatio),
    whereLost(t),
    ...(wide ? [count(t.trialLost), ...LOSS_PLACES.map(({ field }) => count(t[field])), t.lossLocatedBy ?? '-'] : []),
    micros(t.latency?.p50Ns),
    micros(t.latency?.p99Ns),
    cpusCell(t, withSwitch),
    note,
  ];
}

export function trialsTable(run: SwitchBenchmarkRun, options: TableOptions = {}): string {
  const trials = run.status?.trials ?? [];
  const withSwitch = switchCpus(trials);
  return render(
    // ATTEMPTED below OFFERED: the sender fell behind; ACCEPTED below ATTEMPTED: the path refused.
    // WHERE LOST: the switch (or the path) or the consumer; -o wide gives every place its column.
    [
      '#',
      'SIZE',
      'BURST',
      'OFFERED',
      'ATTEMPTED',
      'ACCEPTED',
      'RX MEAN',
      'RX SD',
      'LOSS WINDOW',
      'LOSS TRIAL',
      'WHERE LOST',
      ...(options.wide ? ['LOST', ...LOSS_PLACES.map(({ header }) => header), 'LOCATED BY'] : []),
      'P50',
      'P99',
      withSwitch ? 'CPUS TX/RX/SW' : 'CPUS TX/RX',
      'NOTE',
    ],
    trials.map((t) => trialRow(t, { ...options, run, withSwitch })),
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

const gbits = (bps: number | undefined) => (bps === undefined ? '-' : (bps / 1e9).toFixed(3));
const lossPercent = (ratio: number) => `${Number((ratio * 100).toPrecision(6))}%`;

/**
 * The paper's Table 1 for one run: per frame size and burst, the highest receive rate (median over
 * repetitions, with its min..max), and for ndr-pdr runs the NDR and each PDR with its loss ratio.
 */
export function throughputTable(run: SwitchBenchmarkRun): string {
  return render(
    ['FRAME', 'BURST', 'MAX THROUGHPUT', 'MIN..MAX', 'GBIT/S', 'WIRE GBIT/S', 'NDR', 'NDR GBIT/S', 'PDR'],
    (run.status?.summary ?? []).map((p) => [
      `${p.packetSize}B`,
      `${p.burstSize}`,
      pps(p.maxRxPps),
      p.maxRxPpsMin === undefined ? '-' : `${pps(p.maxRxPpsMin)}..${pps(p.maxRxPpsMax)}`,
      gbits(p.maxRxBitsPerSecond),
      gbits(p.maxRxWireBitsPerSecond),
      pps(p.ndr?.pps),
      gbits(p.ndr?.bitsPerSecond),
      p.pdr?.length ? p.pdr.map((d) => `${pps(d.pps)} @${lossPercent(d.lossRatio ?? 0)}`).join(', ') : '-',
    ]),
  );
}

/** "[######--------------] 3/10 30%" from the run's counters; a run not started yet shows 0/?. */
export function progressBar(run: SwitchBenchmarkRun, width = 30): string {
  const done = run.status?.trialsCompleted ?? 0;
  const planned = run.status?.trialsPlanned;
  if (!planned) return `[${'-'.repeat(width)}] ${done}/?`;
  const fraction = Math.min(1, done / planned);
  const filled = Math.round(fraction * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${planned} ${Math.round(fraction * 100)}%`;
}

/** "45s", "12m", "3h", "2d": kubectl's age style. */
export function age(from: string | undefined, now: Date): string {
  if (!from) return '-';
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(from)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 172800) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** "in 5m" for a future time, else its age. */
export const when = (time: string | undefined, now: Date) =>
  !time
    ? '-'
    : Date.parse(time) > now.getTime()
      ? `in ${age(now.toISOString(), new Date(Date.parse(time)))}`
      : `${age(time, now)} ago`;

/** The key of a benchmark's last run in listTable's placements: "namespace/run". */
export const lastRunKey = (b: SwitchBenchmark): string | undefined =>
  b.status?.lastRun?.name ? `${b.metadata.namespace}/${b.status.lastRun.name}` : undefined;

/**
 * A row per benchmark. A headline made under a compromise placement says which: the placement of
 * the last run from `placements` (by lastRunKey), else, for a run no longer there, the benchmark's
 * cpuPolicy now.
 */
export interface ListOptions {
  withNamespace?: boolean;
  /** `-o wide`: the schedule and the CPU policy as well. */
  wide?: boolean;
  /** The placement of each benchmark's last run, by lastRunKey. */
  placements?: ReadonlyMap<string, Placement>;
}

export function listTable(
  benchmarks: readonly SwitchBenchmark[],
  now: Date,
  { withNamespace = false, wide = false, placements = new Map() }: ListOptions = {},
): string {
  const rows = benchmarks.map((b) => {
    const last = b.status?.lastRun;
    const key = lastRunKey(b);
    const placement =
      (key === undefined ? undefined : placements.get(key)) ??
      (b.spec.resources as SwitchBenchmark['spec']['resources'] | undefined)?.cpuPolicy;
    return [
      ...(withNamespace ? [b.metadata.namespace ?? ''] : []),
      b.metadata.name ?? '',
      b.spec.datapath,
      b.spec.method?.type ?? '-',
      b.status?.phase ?? 'Pending',
      last?.name ? `${last.name} ${last.phase ?? ''} ${when(last.completionTime, now)}`.replace(/ +/g, ' ') : '-',
      last?.headline ? labelledHeadline(last.headline, placement) : '-',
      b.status?.activeRun ? `running: ${b.status.activeRun}` : when(b.status?.nextRunTime, now),
      ...(wide
        ? [b.spec.schedule ?? '-', (b.spec.resources as { cpuPolicy?: string } | undefined)?.cpuPolicy ?? '-']
        : []),
    ];
  });
  return render(
    [
      ...(withNamespace ? ['NAMESPACE'] : []),
      'NAME',
      'DATAPATH',
      'METHOD',
      'PHASE',
      'LAST RUN',
      'HEADLINE',
      'NEXT RUN',
      ...(wide ? ['SCHEDULE', 'CPU POLICY'] : []),
    ],
    rows,
  );
}

/** The run's headline figure, labelled with its placement when that is a compromise. */
export function runHeadline(run: SwitchBenchmarkRun): string | undefined {
  return run.status?.headline ? labelledHeadline(run.status.headline, runPlacement(run)) : undefined;
}

/** What ran where and how it ended, then the placement its figures were made under. */
export function runHeader(run: SwitchBenchmarkRun): string[] {
  const ready = run.status?.conditions?.find((c) => c.type === 'Ready');
  return [
    `Run ${run.metadata.namespace}/${run.metadata.name} of ${run.spec.benchmarkName}: ${run.spec.benchmark.datapath}, ${run.status?.phase ?? 'Pending'} ${run.status?.progress ?? ''} on ${run.status?.node ?? '(no node yet)'}`,
    ...(ready ? [`${ready.reason}: ${ready.message}`] : []),
    placementLine(runPlacement(run)),
  ];
}

export function runReport(run: SwitchBenchmarkRun, options: TableOptions = {}): string {
  return [...runHeader(run), '', trialsTable(run, options), '', summaryTable(run)].join('\n');
}

/** What `show` prints: the run, its Table 1, then every trial. */
export function showReport(run: SwitchBenchmarkRun, options: TableOptions = {}): string {
  return [
    ...runHeader(run),
    '',
    'Maximum throughput per frame size (Table 1):',
    throughputTable(run),
    '',
    'Trials:',
    trialsTable(run, options),
  ].join('\n');
}
