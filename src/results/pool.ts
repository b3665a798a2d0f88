// The pool verdict of a fan-out benchmark: each node's latest finished run, the pool median of their
// headline figures, and the nodes that fall below a fraction of it or failed. Pure.
import type { SwitchBenchmarkRun, SwitchBenchmarkStatusPool } from '../api/v1alpha1/types.js';
import { isFinished } from '../api/v1alpha1/predicates.js';
import { median } from './stats.js';
import { headlineFigure, type HeadlineFigure } from './summary.js';

type PoolNode = NonNullable<SwitchBenchmarkStatusPool['nodes']>[number];

const finishedAt = (run: SwitchBenchmarkRun) =>
  new Date(run.status?.completionTime ?? run.metadata.creationTimestamp ?? 0).getTime();

/**
 * The verdict over the nodes in the pool now (nodes that left keep their history, not a say). The
 * figure compared is the one of the most recently finished run: a node whose latest figure is of
 * another frame size or kind (the spec changed since) is listed without a ratio.
 */
export function poolVerdict(
  pool: readonly string[],
  runs: readonly SwitchBenchmarkRun[],
  outlierFraction: number,
): SwitchBenchmarkStatusPool {
  const latest = new Map<string, SwitchBenchmarkRun>();
  for (const run of runs) {
    const node = run.spec.nodeName;
    if (node === undefined || !isFinished(run)) continue;
    const seen = latest.get(node);
    if (!seen || finishedAt(run) > finishedAt(seen)) latest.set(node, run);
  }
  const figures = new Map<string, HeadlineFigure>();
  for (const [node, run] of latest) {
    const figure = run.status?.phase === 'Succeeded' ? headlineFigure(run.status.summary ?? []) : undefined;
    if (figure) figures.set(node, figure);
  }
  const newest = [...latest.entries()]
    .filter(([node]) => pool.includes(node) && figures.has(node))
    .sort(([, a], [, b]) => finishedAt(b) - finishedAt(a))[0];
  const lead = newest ? figures.get(newest[0]) : undefined;
  const comparable = (figure: HeadlineFigure | undefined): figure is HeadlineFigure =>
    figure !== undefined && figure.packetSize === lead?.packetSize && figure.figure === lead.figure;
  const values = pool
    .map((n) => figures.get(n))
    .filter(comparable)
    .map((f) => f.pps);
  const poolMedian = median(values);

  const nodes: PoolNode[] = pool.map((node) => {
    const run = latest.get(node);
    if (!run) return { node };
    const entry: PoolNode = { node, run: run.metadata.name as string, phase: run.status?.phase as string };
    const figure = figures.get(node);
    if (comparable(figure)) {
      entry.pps = figure.pps;
      if (poolMedian > 0) entry.ratio = figure.pps / poolMedian;
    }
    entry.outlier = run.status?.phase === 'Failed' || (entry.ratio !== undefined && entry.ratio < outlierFraction);
    return entry;
  });
  return {
    ...(lead ? { packetSize: lead.packetSize, figure: lead.figure } : {}),
    ...(values.length ? { medianPps: poolMedian } : {}),
    ...(values.length && Math.min(...values) > 0 ? { spread: Math.max(...values) / Math.min(...values) } : {}),
    outliers: nodes.filter((n) => n.outlier).map((n) => n.node),
    nodes,
  };
}
