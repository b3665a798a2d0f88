// The paper's two figures as Vega-Lite specs, from run statuses. Pure: render.ts draws them.
//   Figure 2: receive rate vs offered rate, one panel per frame size (the paper's (a) 64 B, (b) 512 B).
//   Figure 3: maximum throughput per data path and frame size, across benchmarks.
// Figures made under a compromise placement (cpuPolicy isolated-dut or shared) say so in their titles.
import type { TopLevelSpec } from 'vega-lite';
import type { SwitchBenchmarkRun, Trial } from '../api/v1alpha1/types.js';
import { isCompromise, NOT_COMPARABLE, runPlacement, type Placement } from './placement.js';

export interface Figure2Point {
  frame: string;
  packetSize: number;
  burst: string;
  trial: number;
  /** The rate the data path was offered (offeredToPath); the trial's requested rate is requestedPps. */
  offeredPps: number;
  requestedPps: number;
  rxPps: number;
  outcome: string;
}

export interface Figure3Bar {
  series: string;
  benchmark: string;
  datapath: string;
  run: string;
  packetSize: number;
  burst: number;
  maxRxPps: number;
  minRxPps: number;
  maxOfRepetitionsPps: number;
  /** The run's cpuPolicy; in the series name too when the figure mixes placements. */
  placement: Placement;
}

/** The benchmark a run belongs to, as Figure 3 labels it. */
export interface RunOfBenchmark {
  benchmark: string;
  run: SwitchBenchmarkRun;
}

/** The font the PNG rasteriser is told to use too (render.ts), so SVG and PNG look alike. */
export const FONT = 'DejaVu Sans';
/** Shared by every figure, the pool's (pool.ts) too, so that they look alike. */
export const CONFIG = { font: `${FONT}, sans-serif` };

/**
 * The rate a trial offered the data path, which Figure 2's x axis and the diagonal it is judged
 * against need: the requested rate when the sender kept to it; the rate it attempted when it fell
 * behind its schedule (GeneratorLimited: on a CPU shared with the receiver a sleeping sender wakes
 * late, and plotting the requested rate would show its shortfall as the path's loss); for method max
 * (requested 0, "as fast as possible") the rate the path accepted.
 */
export function offeredToPath(t: Trial): number | undefined {
  if (t.offeredPps === 0) return t.achievedTxPps;
  return t.outcome === 'GeneratorLimited' ? (t.attemptedTxPps ?? t.offeredPps) : t.offeredPps;
}

/** One point per trial with figures; failed trials have none. */
export function figure2Data(run: SwitchBenchmarkRun): Figure2Point[] {
  return (run.status?.trials ?? []).flatMap((t) => {
    const offered = offeredToPath(t);
    if (t.outcome === 'Failed' || t.rxPpsMean === undefined || offered === undefined) return [];
    return [
      {
        frame: `${t.packetSize} B`,
        packetSize: t.packetSize,
        burst: `${t.burstSize}`,
        trial: t.index,
        offeredPps: offered,
        requestedPps: t.offeredPps,
        rxPps: t.rxPpsMean,
        outcome: t.outcome,
      },
    ];
  });
}

export function figure2Spec(run: SwitchBenchmarkRun): TopLevelSpec {
  const x = {
    field: 'offeredPps',
    type: 'quantitative',
    title: 'offered rate (packets/s)',
    axis: { format: '~s' },
  } as const;
  const color = { field: 'burst', type: 'nominal', title: 'burst', sort: 'ascending' } as const;
  const placement = runPlacement(run);
  const data = figure2Data(run);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Receive rate vs offered rate: ${run.spec.benchmarkName} (${run.spec.benchmark.datapath}), run ${run.metadata.name}${isCompromise(placement) ? `, placement ${placement}` : ''}`,
      subtitle: [
        'dashed: received = offered; points: trials, line: median per rate',
        ...(data.some((p) => p.outcome === 'GeneratorLimited')
          ? ['GeneratorLimited: placed at the rate the sender attempted, short of the one requested']
          : []),
        ...(isCompromise(placement) ? [`placement ${placement}: ${NOT_COMPARABLE}`] : []),
      ],
    },
    config: CONFIG,
    data: { values: data as unknown as Record<string, unknown>[] },
    facet: { column: { field: 'packetSize', type: 'ordinal', title: 'frame size (bytes)', sort: 'ascending' } },
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 320,
      height: 260,
      layer: [
        {
          mark: { type: 'line', strokeDash: [4, 4], color: '#999999' },
          encoding: {
            x,
            y: { field: 'offeredPps', type: 'quantitative', title: 'receive rate (packets/s)', axis: { format: '~s' } },
          },
        },
        {
          mark: { type: 'line' },
          encoding: { x, y: { field: 'rxPps', aggregate: 'median', type: 'quantitative' }, color },
        },
        {
          mark: { type: 'point', filled: true, size: 50 },
          encoding: {
            x,
            y: { field: 'rxPps', type: 'quantitative' },
            color,
            shape: { field: 'outcome', type: 'nominal', title: 'outcome' },
            tooltip: [
              { field: 'trial', type: 'ordinal' },
              { field: 'offeredPps', type: 'quantitative', title: 'offered pps', format: 'd' },
              { field: 'requestedPps', type: 'quantitative', title: 'requested pps', format: 'd' },
              { field: 'rxPps', type: 'quantitative', title: 'rx pps', format: '.1f' },
              { field: 'outcome', type: 'nominal' },
            ],
          },
        },
      ],
    },
  } as TopLevelSpec;
}

/** The summary points a run draws as bars: those with a maximum. */
const barsOf = (run: SwitchBenchmarkRun) => (run.status?.summary ?? []).filter((p) => p.maxRxPps !== undefined);

/** The placements of the runs that draw bars. */
const barPlacements = (runs: readonly RunOfBenchmark[]) =>
  new Set(runs.filter(({ run }) => barsOf(run).length > 0).map(({ run }) => runPlacement(run)));

/**
 * One bar per data path, frame size and burst: the run's summary point (median over repetitions,
 * min..max as an error bar). A data path measured by two benchmarks is told apart by the name, and
 * when the bars mix placements a compromise one is marked: "testpmd [isolated-dut]".
 */
export function figure3Data(runs: readonly RunOfBenchmark[]): Figure3Bar[] {
  const perDatapath = new Map<string, number>();
  for (const { run } of runs)
    perDatapath.set(run.spec.benchmark.datapath, (perDatapath.get(run.spec.benchmark.datapath) ?? 0) + 1);
  // Bars of several placements side by side: a compromise one is marked as such in its name.
  const mixed = barPlacements(runs).size > 1;
  return runs.flatMap(({ benchmark, run }) => {
    const datapath = run.spec.benchmark.datapath;
    const placement = runPlacement(run);
    const summary = barsOf(run);
    const bursts = new Set(summary.map((p) => p.burstSize));
    return summary.map((p) => {
      const name = (perDatapath.get(datapath) ?? 0) > 1 ? `${datapath} (${benchmark})` : datapath;
      const placed = mixed && isCompromise(placement) ? `${name} [${placement}]` : name;
      const max = p.maxRxPps as number;
      return {
        series: bursts.size > 1 ? `${placed}, burst ${p.burstSize}` : placed,
        benchmark,
        datapath,
        run: run.metadata.name ?? '',
        packetSize: p.packetSize,
        burst: p.burstSize,
        maxRxPps: max,
        minRxPps: p.maxRxPpsMin ?? max,
        maxOfRepetitionsPps: p.maxRxPpsMax ?? max,
        placement,
      };
    });
  });
}

/** Figure 3's line on placements: none when every bar is exclusive. */
function figure3Placement(runs: readonly RunOfBenchmark[]): string[] {
  const placements = [...barPlacements(runs)];
  const compromise = placements.filter(isCompromise);
  if (compromise.length === 0) return [];
  if (placements.length === 1) return [`every run under placement ${compromise[0]}: ${NOT_COMPARABLE}`];
  return [`bars marked ${compromise.map((placement) => `[${placement}]`).join(' or ')}: ${NOT_COMPARABLE}`];
}

export function figure3Spec(runs: readonly RunOfBenchmark[]): TopLevelSpec {
  const x = {
    field: 'packetSize',
    type: 'ordinal',
    title: 'frame size (bytes)',
    sort: 'ascending',
    axis: { labelAngle: 0 },
  } as const;
  const xOffset = { field: 'series', type: 'nominal' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Maximum throughput per data path and frame size',
      subtitle: ['bars: median of repetitions; whiskers: min..max', ...figure3Placement(runs)],
    },
    data: { values: figure3Data(runs) as unknown as Record<string, unknown>[] },
    config: CONFIG,
    width: { step: 36 },
    height: 300,
    encoding: { x, xOffset },
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          y: { field: 'maxRxPps', type: 'quantitative', title: 'max receive rate (packets/s)', axis: { format: '~s' } },
          color: { field: 'series', type: 'nominal', title: 'data path' },
          tooltip: [
            { field: 'series', title: 'data path' },
            { field: 'benchmark' },
            { field: 'run' },
            { field: 'placement' },
            { field: 'packetSize', title: 'frame size' },
            { field: 'burst' },
            { field: 'maxRxPps', type: 'quantitative', title: 'max rx pps', format: '.1f' },
          ],
        },
      },
      {
        mark: { type: 'rule', color: '#333333' },
        encoding: { y: { field: 'minRxPps', type: 'quantitative' }, y2: { field: 'maxOfRepetitionsPps' } },
      },
    ],
  } as TopLevelSpec;
}
