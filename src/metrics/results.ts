// What the result metrics say at a scrape, computed from the caches then and there (pure): only the
// last finished run of each benchmark that still exists, so a deleted benchmark leaves no series and
// no label carries a run's name or UID (bounded cardinality). The placement label (the run's
// cpuPolicy: exclusive, isolated-dut or shared) has one value per benchmark at a time.
import type { SwitchBenchmark, SwitchBenchmarkRun, SwitchBenchmarkSpec, Trial } from '../api/v1alpha1/types.js';
import { controllerUid, isFinished } from '../api/v1alpha1/predicates.js';
import { LOSS_PLACES } from '../results/figures.js';

export type Labels = Record<string, string>;
export interface Sample {
  labels: Labels;
  value: number;
}

export interface ResultSamples {
  trialOfferedPps: Sample[];
  trialAttemptedPps: Sample[];
  trialTxPps: Sample[];
  trialGeneratorLimited: Sample[];
  trialRxPps: Sample[];
  trialLossRatio: Sample[];
  trialLostFrames: Sample[];
  trialLatencySeconds: Sample[];
  runThroughputPps: Sample[];
  runThroughputBytesPerSecond: Sample[];
  runLastCompletionSeconds: Sample[];
  runs: Sample[];
  poolNodePps: Sample[];
  poolNodeRatio: Sample[];
  poolNodeOutlier: Sample[];
}

// A "quantile" label is reserved for summaries: a gauge of percentiles names them otherwise.
const LATENCY_PERCENTILES: [string, keyof NonNullable<Trial['latency']>][] = [
  ['50', 'p50Ns'],
  ['90', 'p90Ns'],
  ['99', 'p99Ns'],
  ['99.9', 'p999Ns'],
  ['100', 'maxNs'],
];

const time = (value: string | Date | undefined) => (value ? new Date(value).getTime() : 0);
const finite = (value: number | undefined): value is number => typeof value === 'number' && Number.isFinite(value);

/** The benchmark's newest finished run: by completion time, then creation. */
export function lastFinishedRun(
  benchmark: SwitchBenchmark,
  runs: readonly SwitchBenchmarkRun[],
): SwitchBenchmarkRun | undefined {
  return runs
    .filter((run) => controllerUid(run) === benchmark.metadata.uid && isFinished(run))
    .sort(
      (a, b) =>
        time(a.status?.completionTime) - time(b.status?.completionTime) ||
        time(a.metadata.creationTimestamp) - time(b.metadata.creationTimestamp),
    )
    .at(-1);
}

/**
 * The cpuPolicy the run's figures were made under: what its trials recorded, else its spec's (failed
 * trials and older operators record none), else the CRD's default. One value for all the run's series.
 */
export function runPlacement(run: SwitchBenchmarkRun): NonNullable<Trial['placement']> {
  return (
    run.status?.trials?.find((t) => t.placement !== undefined)?.placement ??
    (run.spec.benchmark.resources as SwitchBenchmarkSpec['resources'] | undefined)?.cpuPolicy ??
    'exclusive'
  );
}

export function resultSamples(
  benchmarks: readonly SwitchBenchmark[],
  runs: readonly SwitchBenchmarkRun[],
): ResultSamples {
  const samples: ResultSamples = {
    trialOfferedPps: [],
    trialAttemptedPps: [],
    trialTxPps: [],
    trialGeneratorLimited: [],
    trialRxPps: [],
    trialLossRatio: [],
    trialLostFrames: [],
    trialLatencySeconds: [],
    runThroughputPps: [],
    runThroughputBytesPerSecond: [],
    runLastCompletionSeconds: [],
    runs: [],
    poolNodePps: [],
    poolNodeRatio: [],
    poolNodeOutlier: [],
  };
  for (const benchmark of benchmarks) {
    const base = { namespace: benchmark.metadata.namespace as string, benchmark: benchmark.metadata.name as string };
    const own = runs.filter((run) => controllerUid(run) === benchmark.metadata.uid);
    const phases = new Map<string, number>();
    for (const run of own)
      phases.set(run.status?.phase ?? 'Pending', (phases.get(run.status?.phase ?? 'Pending') ?? 0) + 1);
    for (const [phase, count] of phases) samples.runs.push({ labels: { ...base, phase }, value: count });

    // A fan-out benchmark's nodes, as its status compares them: one series per node of the pool.
    const pool = benchmark.status?.pool;
    for (const entry of pool?.nodes ?? []) {
      const labels = { ...base, node: entry.node };
      if (entry.outlier !== undefined) samples.poolNodeOutlier.push({ labels, value: entry.outlier ? 1 : 0 });
      if (finite(entry.ratio)) samples.poolNodeRatio.push({ labels, value: entry.ratio });
      if (finite(entry.pps) && pool?.packetSize !== undefined && pool.figure !== undefined)
        samples.poolNodePps.push({
          labels: {
            ...labels,
            frame_size_bytes: String(pool.packetSize),
            measure: pool.figure === 'NDR' ? 'ndr' : 'max',
          },
          value: entry.pps,
        });
    }

    const run = lastFinishedRun(benchmark, own);
    if (!run) continue;
    const datapath = run.spec.benchmark.datapath;
    const labelled = { ...base, datapath, placement: runPlacement(run) };
    if (run.status?.completionTime) {
      samples.runLastCompletionSeconds.push({
        labels: { ...labelled, phase: run.status.phase as string },
        value: time(run.status.completionTime) / 1000,
      });
    }
    // Repetitions share a label set: the latest trial at each speaks, as the last scrape value would.
    const latest = new Map<string, Trial>();
    for (const trial of run.status?.trials ?? [])
      latest.set(`${trial.packetSize}/${trial.burstSize}/${trial.offeredPps}`, trial);
    for (const trial of latest.values()) {
      const labels = {
        ...labelled,
        frame_size_bytes: String(trial.packetSize),
        burst: String(trial.burstSize),
        offered_pps: String(Math.round(trial.offeredPps)),
      };
      samples.trialOfferedPps.push({ labels, value: trial.offeredPps });
      if (finite(trial.attemptedTxPps)) samples.trialAttemptedPps.push({ labels, value: trial.attemptedTxPps });
      if (finite(trial.achievedTxPps)) samples.trialTxPps.push({ labels, value: trial.achievedTxPps });
      if (trial.outcome !== 'Failed')
        samples.trialGeneratorLimited.push({ labels, value: trial.outcome === 'GeneratorLimited' ? 1 : 0 });
      if (finite(trial.rxPpsMean)) samples.trialRxPps.push({ labels, value: trial.rxPpsMean });
      for (const [scope, ratio] of [
        ['window', trial.windowLossRatio],
        ['trial', trial.trialLossRatio],
      ] as const)
        if (finite(ratio)) samples.trialLossRatio.push({ labels: { ...labels, scope }, value: ratio });
      for (const { field, label } of LOSS_PLACES) {
        const lost = trial[field];
        if (finite(lost)) samples.trialLostFrames.push({ labels: { ...labels, place: label }, value: lost });
      }
      for (const [percentile, field] of LATENCY_PERCENTILES) {
        const ns = trial.latency?.[field];
        if (finite(ns)) samples.trialLatencySeconds.push({ labels: { ...labels, percentile }, value: ns / 1e9 });
      }
    }
    for (const point of run.status?.summary ?? []) {
      const labels = { ...labelled, frame_size_bytes: String(point.packetSize), burst: String(point.burstSize) };
      const figures: [Labels, number | undefined][] = [
        [{ measure: 'max', loss_ratio: '' }, point.maxRxPps],
        ...(point.ndr ? [[{ measure: 'ndr', loss_ratio: '0' }, point.ndr.pps] as [Labels, number | undefined]] : []),
        ...(point.pdr ?? []).map(
          (p) => [{ measure: 'pdr', loss_ratio: String(p.lossRatio) }, p.pps] as [Labels, number | undefined],
        ),
      ];
      for (const [measure, pps] of figures) {
        if (!finite(pps)) continue;
        samples.runThroughputPps.push({ labels: { ...labels, ...measure }, value: pps });
        // Prometheus' base unit is the byte: frames (FCS included) times their size; ×8 gives the bits telcos quote.
        samples.runThroughputBytesPerSecond.push({ labels: { ...labels, ...measure }, value: pps * point.packetSize });
      }
    }
  }
  return samples;
}
