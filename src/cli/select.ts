// Which run a command means: `--run N` is the benchmark's run `<benchmark>-N`; without it, the
// latest finished run (for tables, plots and exports) or the active run (for --watch). A fan-out
// benchmark has a run per node for each trigger, all in the round `<benchmark>-N`: `--run N` is that
// round, `--node NODE` the node's run in it. Pure.
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../api/v1alpha1/types.js';
import { ROUND_LABEL, RUN_NOW_ANNOTATION } from '../api/v1alpha1/labels.js';
import { isFinished, pendingRunNow } from '../api/v1alpha1/predicates.js';

export { isFinished };

/** What the run would have been named without fan-out: its round label, else its own name. */
const roundOf = (run: SwitchBenchmarkRun): string => run.metadata.labels?.[ROUND_LABEL] ?? run.metadata.name ?? '';

/**
 * The N of `<benchmark>-N`, of the run's round under fan-out (a node's run is named after the round
 * and the node, which may itself end in digits), else undefined (a run not named by the operator's scheme).
 */
export function runNumber(benchmark: string, run: SwitchBenchmarkRun): number | undefined {
  const name = roundOf(run);
  const suffix = name.startsWith(`${benchmark}-`) ? name.slice(benchmark.length + 1) : '';
  return /^[0-9]+$/.test(suffix) ? Number(suffix) : undefined;
}

/**
 * Newest first, by creation time: the number is no order (manual runs count up from the initial
 * `-1`, scheduled runs are numbered by their minute since the epoch); it breaks ties within a second.
 * The runs of a fan-out round are created together: among them the node's name decides, so that
 * the run picked without --node is always the same.
 */
export function newestFirst(benchmark: string, runs: readonly SwitchBenchmarkRun[]): SwitchBenchmarkRun[] {
  const key = (r: SwitchBenchmarkRun) => runNumber(benchmark, r) ?? -1;
  const created = (r: SwitchBenchmarkRun) => new Date(r.metadata.creationTimestamp ?? 0).getTime() || 0;
  const node = (r: SwitchBenchmarkRun) => r.spec.nodeName ?? '';
  return [...runs].sort((a, b) => created(b) - created(a) || key(b) - key(a) || node(a).localeCompare(node(b)));
}

/**
 * Why `show --watch` should wait for a run that does not exist yet, or undefined: a run-now request
 * the operator has not answered, or a benchmark that never ran but will.
 */
export function awaitedRun(benchmark: SwitchBenchmark): string | undefined {
  const status = benchmark.status;
  if (status?.activeRun) return undefined;
  const token = pendingRunNow(benchmark.metadata.annotations, status?.lastRunNowToken);
  if (token !== undefined) return `waiting for the run asked for at ${token} to start`;
  if (status?.lastRun || status?.phase === 'Invalid' || status?.phase === 'Suspended') return undefined;
  return `waiting for the first run${status?.nextRunTime ? ` (scheduled ${status.nextRunTime})` : ''}`;
}

export type Wanted = 'finished' | 'latest' | 'active';

/** "SwitchBenchmark lab/tp", as errors name a benchmark. */
export const benchmarkRef = (benchmark: SwitchBenchmark) =>
  `SwitchBenchmark ${benchmark.metadata.namespace}/${benchmark.metadata.name}`;

/** The runs of `node`, or an Error naming the nodes that have runs. */
function runsOnNode(
  benchmark: SwitchBenchmark,
  runs: readonly SwitchBenchmarkRun[],
  node: string,
): SwitchBenchmarkRun[] {
  const found = runs.filter((r) => r.spec.nodeName === node);
  if (found.length > 0) return found;
  const nodes = [...new Set(runs.flatMap((r) => (r.spec.nodeName === undefined ? [] : [r.spec.nodeName])))].sort();
  if (nodes.length === 0 && !benchmark.spec.placement.fanOut)
    throw new Error(
      `${benchmarkRef(benchmark)} does not fan out (no spec.placement.fanOut): --node picks a node's run of one that does`,
    );
  throw new Error(
    `${benchmarkRef(benchmark)} has no run on node ${node}; nodes with runs: ${nodes.length ? nodes.join(', ') : 'none'}`,
  );
}

/**
 * The run asked for, or an Error whose message says what exists instead. `latest` prefers the active
 * run (show follows what is happening), `finished` skips runs still going (figures need all trials).
 * `node` narrows a fan-out benchmark's runs to that node's; without it the rules above pick among
 * every node's runs (fanOutNote says which node's was picked).
 */
export function pickRun(
  benchmark: SwitchBenchmark,
  runs: readonly SwitchBenchmarkRun[],
  number: number | undefined,
  wanted: Wanted,
  node?: string,
): SwitchBenchmarkRun {
  const name = benchmark.metadata.name ?? '';
  const ref = benchmarkRef(benchmark);
  const where = node === undefined ? '' : ` on node ${node}`;
  const ordered = newestFirst(name, node === undefined ? runs : runsOnNode(benchmark, runs, node));
  if (number !== undefined) {
    const numbered = ordered.filter((r) => runNumber(name, r) === number);
    // A round has a run per node: for a figure, one that finished.
    const run = (wanted === 'finished' ? numbered.find(isFinished) : undefined) ?? numbered[0];
    if (!run) {
      const have = [...new Set(ordered.map((r) => runNumber(name, r)).filter((n) => n !== undefined))];
      const called = benchmark.spec.placement.fanOut ? 'round' : 'run';
      throw new Error(
        `${ref} has no run ${number}${where} (${called} ${name}-${number}); runs: ${have.length ? have.join(', ') : 'none'}`,
      );
    }
    if (wanted === 'finished' && !isFinished(run))
      throw new Error(
        `run ${run.metadata.name} has not finished (phase ${run.status?.phase ?? 'Pending'}, ${run.status?.progress ?? '0/?'} trials)`,
      );
    return run;
  }
  const active =
    ordered.find((r) => r.metadata.name === benchmark.status?.activeRun) ?? ordered.find((r) => !isFinished(r));
  const finished = ordered.find(isFinished);
  const run =
    wanted === 'finished' ? finished : wanted === 'active' ? (active ?? finished) : (active ?? finished ?? ordered[0]);
  if (!run) {
    const phase = benchmark.status?.phase ?? 'Pending';
    throw new Error(
      wanted === 'finished'
        ? `${ref} has no finished run${where} yet (phase ${phase}${ordered.length ? `; ${ordered[0]?.metadata.name} is ${ordered[0]?.status?.phase ?? 'Pending'}` : ''})`
        : `${ref} has no run${where} yet (phase ${phase})`,
    );
  }
  return run;
}

/**
 * What to tell whoever asked for a fan-out benchmark's run without --node: that the run is one
 * node's of several, and how to pick another's. Undefined for a run of a single node, or with --node.
 */
export function fanOutNote(
  run: SwitchBenchmarkRun,
  runs: readonly SwitchBenchmarkRun[],
  node: string | undefined,
): string | undefined {
  if (node !== undefined || run.spec.nodeName === undefined) return undefined;
  const round = roundOf(run);
  const nodes = new Set(runs.filter((r) => roundOf(r) === round).map((r) => r.spec.nodeName)).size;
  return `run ${run.metadata.name} is node ${run.spec.nodeName}'s, one of ${nodes} in round ${round}: --node NODE picks another node's run, kubectl switchbench pool ${run.spec.benchmarkName} compares them`;
}

/** The merge patch that asks the operator for a run now: any new value does, a timestamp says when. */
export function runNowPatch(now: Date): { metadata: { annotations: Record<string, string> } } {
  return { metadata: { annotations: { [RUN_NOW_ANNOTATION]: now.toISOString() } } };
}
