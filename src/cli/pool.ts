// `pool` and `plot --figure pool`: a fan-out benchmark's pool as the operator judged it (status.pool:
// each node's latest figure against the pool median, and the outliers), as a table and as bars. Pure.
import type { TopLevelSpec } from 'vega-lite';
import { Reason } from '../api/v1alpha1/conditions.js';
import type { SwitchBenchmark, SwitchBenchmarkRun, SwitchBenchmarkStatusPool } from '../api/v1alpha1/types.js';
import { formatHeadline, formatPps } from '../results/summary.js';
import { CONFIG } from './figures.js';
import { isCompromise, NOT_COMPARABLE, placementLine, type Placement } from './placement.js';
import { benchmarkRef } from './select.js';
import { render, when } from './table.js';

type Pool = SwitchBenchmarkStatusPool;

export interface BenchmarkPool {
  pool: Pool;
  /** spec.placement.fanOut.outlierFraction: a node below median × this is an outlier. */
  outlierFraction: number;
}

/** The benchmark's pool verdict, or an Error saying why it has none. */
export function benchmarkPool(benchmark: SwitchBenchmark): BenchmarkPool {
  const fanOut = benchmark.spec.placement.fanOut;
  if (!fanOut)
    throw new Error(
      `${benchmarkRef(benchmark)} does not fan out: only a benchmark with spec.placement.fanOut has a pool`,
    );
  const pool = benchmark.status?.pool;
  if (!pool)
    throw new Error(
      `${benchmarkRef(benchmark)} has no status.pool yet: the operator has not compared its nodes (phase ${benchmark.status?.phase ?? 'Pending'})`,
    );
  return { pool, outlierFraction: fanOut.outlierFraction };
}

/** Why the pool has no node: the operator's message when a trigger found none, else the usual cause. */
export function emptyPool(benchmark: SwitchBenchmark): string {
  const found = benchmark.status?.conditions?.find((c) => c.reason === Reason.PoolEmpty);
  return `The pool of ${benchmarkRef(benchmark)} has no node: ${found?.message ?? "no node has the labels of spec.placement.nodeSelector (and the operator's node label)"}`;
}

/** "64B NDR 5.21Mpps": a node's figure as its run's headline reads it. */
const figureText = (pool: Pool, pps: number) =>
  formatHeadline({ packetSize: pool.packetSize as number, figure: pool.figure ?? 'MaxRx', pps });

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The line under the table: the median the ratios are to, how uneven the pool is, how many outliers. */
function verdictLine({ pool, outlierFraction }: BenchmarkPool): string {
  const nodes = pool.nodes ?? [];
  const outliers = plural(pool.outliers?.length ?? 0, 'outlier');
  if (pool.medianPps === undefined) {
    const finished = nodes.filter((n) => n.run !== undefined).length;
    return finished === 0
      ? `No node has a finished run yet (${plural(nodes.length, 'node')} in the pool).`
      : `No node has a figure to compare yet: ${finished} of ${plural(nodes.length, 'node')} finished a run, none with a figure; ${outliers}.`;
  }
  const compared = nodes.filter((n) => n.pps !== undefined).length;
  return (
    `Pool median ${figureText(pool, pool.medianPps)} over ${compared} of ${plural(nodes.length, 'node')}, ` +
    `spread ${pool.spread === undefined ? '-' : pool.spread.toFixed(2)} (highest over lowest); ` +
    `${outliers} (below ${outlierFraction} × median = ${formatPps(pool.medianPps * outlierFraction)}, or failed).`
  );
}

/** The placement the pool's runs are made under, from the spec as `list` falls back to it. */
const specPlacement = (benchmark: SwitchBenchmark): Placement | undefined =>
  (benchmark.spec.resources as SwitchBenchmark['spec']['resources'] | undefined)?.cpuPolicy;

export interface PoolOptions {
  /**
   * `-o wide`: when each node's run finished (a node that missed rounds shows an old figure) and its
   * own headline (which says why a node has no ratio: its figure is of another frame size or kind).
   */
  wide?: boolean;
  /** The benchmark's runs, where -o wide finds the nodes' runs. */
  runs?: readonly SwitchBenchmarkRun[];
}

/** A row per node of the pool, then the verdict; a compromise placement says so under it. */
export function poolReport(
  benchmark: SwitchBenchmark,
  now: Date,
  { wide = false, runs = [] }: PoolOptions = {},
): string {
  const verdict = benchmarkPool(benchmark);
  const { pool } = verdict;
  const byName = new Map(runs.map((r) => [r.metadata.name, r]));
  const rows = (pool.nodes ?? []).map((n) => {
    const status = n.run === undefined ? undefined : byName.get(n.run)?.status;
    return [
      n.node,
      n.run ?? '-',
      n.phase ?? '-',
      n.pps === undefined ? '-' : figureText(pool, n.pps),
      n.ratio === undefined ? '-' : n.ratio.toFixed(2),
      n.outlier ? 'yes' : '',
      ...(wide ? [when(status?.completionTime, now), status?.headline ?? '-'] : []),
    ];
  });
  const placement = specPlacement(benchmark);
  return [
    render(
      ['NODE', 'RUN', 'PHASE', 'FIGURE', 'RATIO TO MEDIAN', 'OUTLIER', ...(wide ? ['FINISHED', 'HEADLINE'] : [])],
      rows,
    ),
    '',
    verdictLine(verdict),
    ...(placement !== undefined && isCompromise(placement) ? [placementLine(placement)] : []),
  ].join('\n');
}

const OUTLIER = 'outlier';
const WITHIN_BOUND = 'within bound';

export interface PoolBar {
  node: string;
  run: string;
  pps: number;
  /** The bar's height: the axis is in Mpps. */
  mpps: number;
  ratio?: number;
  verdict: typeof OUTLIER | typeof WITHIN_BOUND;
}

/** A bar per node with a figure; a node without one (no finished run, failed, another frame size) has none. */
export function poolFigureData(pool: Pool): PoolBar[] {
  return (pool.nodes ?? []).flatMap((n) =>
    n.pps === undefined
      ? []
      : [
          {
            node: n.node,
            run: n.run ?? '',
            pps: n.pps,
            mpps: n.pps / 1e6,
            ...(n.ratio !== undefined ? { ratio: n.ratio } : {}),
            verdict: n.outlier ? OUTLIER : WITHIN_BOUND,
          },
        ],
  );
}

/** A horizontal rule across the bars at `pps`: of one datum of its own, not one per bar. */
const rule = (pps: number, dashed: boolean) => ({
  data: { values: [{}] },
  mark: { type: 'rule', color: '#333333', strokeWidth: 1.5, ...(dashed ? { strokeDash: [6, 4] } : {}) },
  encoding: { y: { datum: pps / 1e6, type: 'quantitative' } },
});

/**
 * The pool as bars, a node each, outliers in red; the pool median as a solid rule and the outlier
 * bound (median × outlierFraction) as a dashed one, so a bar below the dashed rule is why it is red.
 */
export function poolFigureSpec(benchmark: SwitchBenchmark): TopLevelSpec {
  const { pool, outlierFraction } = benchmarkPool(benchmark);
  const bars = poolFigureData(pool);
  const nodes = pool.nodes?.length ?? 0;
  const median = pool.medianPps;
  const figure = `${pool.packetSize}B ${pool.figure === 'NDR' ? 'NDR' : 'max receive rate'}`;
  const placement = specPlacement(benchmark);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `Pool of ${benchmark.metadata.name}: ${figure} per node`,
      subtitle: [
        `bars: each node's latest run; red: outliers (below ${outlierFraction} × median, or failed)`,
        ...(median === undefined
          ? []
          : [
              `solid rule: pool median ${formatPps(median)}; dashed: ${outlierFraction} × median = ${formatPps(median * outlierFraction)}`,
            ]),
        ...(bars.length < nodes
          ? [
              `${nodes - bars.length} of ${nodes} nodes without a bar (no finished run, a failed one, or another frame size): kubectl switchbench pool ${benchmark.metadata.name} lists them`,
            ]
          : []),
        ...(placement !== undefined && isCompromise(placement) ? [`placement ${placement}: ${NOT_COMPARABLE}`] : []),
      ],
    },
    config: CONFIG,
    data: { values: bars as unknown as Record<string, unknown>[] },
    width: { step: 40 },
    height: 300,
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'node', type: 'nominal', title: 'node', axis: { labelAngle: -40 } },
          y: { field: 'mpps', type: 'quantitative', title: `${figure} (Mpps)` },
          color: {
            field: 'verdict',
            type: 'nominal',
            title: null,
            // Fixed, so that red means outlier even in a pool without one.
            scale: { domain: [WITHIN_BOUND, OUTLIER], range: ['#4c78a8', '#e45756'] },
          },
          tooltip: [
            { field: 'node' },
            { field: 'run' },
            { field: 'pps', type: 'quantitative', format: '.1f' },
            { field: 'ratio', type: 'quantitative', title: 'ratio to median', format: '.2f' },
            { field: 'verdict' },
          ],
        },
      },
      ...(median === undefined ? [] : [rule(median, false), rule(median * outlierFraction, true)]),
    ],
  } as TopLevelSpec;
}
