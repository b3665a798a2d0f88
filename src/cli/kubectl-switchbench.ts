// kubectl-switchbench: the kubectl plugin. Reads benchmarks and runs with the user's kubeconfig,
// prints tables, writes the paper's figures and exports; `run` asks the operator for a run now.
// The I/O edge: parsing, tables, figures and exports are pure modules next to this file.
import { ApiException, CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import {
  API_VERSION,
  BENCHMARK_PLURAL,
  GROUP,
  RUN_PLURAL,
  VERSION,
  type SwitchBenchmark,
  type SwitchBenchmarkRun,
} from '../api/v1alpha1/types.js';
import { BENCHMARK_LABEL } from '../api/v1alpha1/labels.js';
import { EXIT, parseInvocation, USAGE, UsageError, type Command, type Invocation, type PrintFormat } from './args.js';
import { comparison, comparisonTable } from './compare.js';
import { completionAnswer, completionScript, completionTarget } from './completion.js';
import { printable, runCsv, runDocument } from './export.js';
import { figure2Data, figure2Spec, figure3Data, figure3Spec, type RunOfBenchmark } from './figures.js';
import { benchmarkPool, emptyPool, poolFigureData, poolFigureSpec, poolReport } from './pool.js';
import { renderSvg, svgToPng } from './render.js';
import { awaitedRun, benchmarkRef, fanOutNote, isFinished, pickRun, runNowPatch, type Wanted } from './select.js';
import { runPlacement, type Placement } from './placement.js';
import { lastRunKey, listTable, progressBar, runHeadline, runReport, showReport } from './table.js';
import { makeApiClient } from '../runtime/kube-client.js';
import { VERSION as PLUGIN_VERSION } from '../version.js';

const WATCH_INTERVAL_MS = 2000;

class Cluster {
  private readonly api: CustomObjectsApi;
  constructor(
    kubeConfig: KubeConfig,
    readonly namespace: string,
  ) {
    this.api = makeApiClient(kubeConfig, CustomObjectsApi);
  }

  private async get<T>(plural: string, kind: string, name: string, namespace = this.namespace): Promise<T> {
    try {
      return (await this.api.getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural,
        name,
      })) as T;
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) throw new Error(`${kind} ${namespace}/${name} not found`);
      throw err;
    }
  }

  benchmark(name: string): Promise<SwitchBenchmark> {
    return this.get(BENCHMARK_PLURAL, 'SwitchBenchmark', name);
  }

  run(name: string): Promise<SwitchBenchmarkRun> {
    return this.get(RUN_PLURAL, 'SwitchBenchmarkRun', name);
  }

  async benchmarks(allNamespaces: boolean): Promise<SwitchBenchmark[]> {
    const list = await (
      allNamespaces
        ? this.api.listClusterCustomObject({ group: GROUP, version: VERSION, plural: BENCHMARK_PLURAL })
        : this.api.listNamespacedCustomObject({
            group: GROUP,
            version: VERSION,
            namespace: this.namespace,
            plural: BENCHMARK_PLURAL,
          })
    ).catch((err: unknown) => {
      if (err instanceof ApiException && err.code === 404)
        throw new Error(
          `the cluster does not serve ${BENCHMARK_PLURAL}.${GROUP}/${VERSION}: are the switchbench CRDs installed?`,
        );
      throw err;
    });
    return ((list as { items: SwitchBenchmark[] }).items ?? []).sort(
      (a, b) =>
        (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    );
  }

  /**
   * The placement of each benchmark's last run, by lastRunKey: what `list` labels a compromise
   * headline with. A run that cannot be read is left out (listTable falls back to the benchmark's spec).
   */
  async lastRunPlacements(benchmarks: readonly SwitchBenchmark[]): Promise<Map<string, Placement>> {
    const found = await Promise.all(
      benchmarks.map(async (b) => {
        const key = lastRunKey(b);
        if (key === undefined || !b.status?.lastRun?.headline) return [];
        const run = await this.get<SwitchBenchmarkRun>(
          RUN_PLURAL,
          'SwitchBenchmarkRun',
          b.status.lastRun.name as string,
          b.metadata.namespace,
        ).catch(() => undefined);
        return run ? [[key, runPlacement(run)] as const] : [];
      }),
    );
    return new Map(found.flat());
  }

  async runs(): Promise<SwitchBenchmarkRun[]> {
    const list = await this.api.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: RUN_PLURAL,
    });
    return (list as { items: SwitchBenchmarkRun[] }).items ?? [];
  }

  async runsOf(benchmark: string): Promise<SwitchBenchmarkRun[]> {
    const list = await this.api.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: this.namespace,
      plural: RUN_PLURAL,
      labelSelector: `${BENCHMARK_LABEL}=${benchmark}`,
    });
    return ((list as { items: SwitchBenchmarkRun[] }).items ?? []).filter((r) => r.spec.benchmarkName === benchmark);
  }

  /** The run pickRun picks; of a fan-out benchmark without --node, with a note on stderr saying whose. */
  async runFor(name: string, number: number | undefined, wanted: Wanted, node?: string): Promise<SwitchBenchmarkRun> {
    const benchmark = await this.benchmark(name);
    const runs = await this.runsOf(name);
    const run = pickRun(benchmark, runs, number, wanted, node);
    const note = fanOutNote(run, runs, node);
    if (note !== undefined) console.error(`note: ${note}`);
    return run;
  }

  async triggerRun(name: string, now: Date): Promise<string> {
    const patch = runNowPatch(now);
    await this.benchmark(name);
    await this.api.patchNamespacedCustomObject(
      { group: GROUP, version: VERSION, namespace: this.namespace, plural: BENCHMARK_PLURAL, name, body: patch },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    return Object.values(patch.metadata.annotations)[0] as string;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Follows the run with a progress bar (redrawn in place on a terminal, a line per change otherwise). */
async function watch(
  cluster: Cluster,
  benchmark: string,
  number: number | undefined,
  node: string | undefined,
): Promise<SwitchBenchmarkRun> {
  let last = '';
  for (
    let waiting = number === undefined ? awaitedRun(await cluster.benchmark(benchmark)) : undefined;
    waiting !== undefined;
    waiting = awaitedRun(await cluster.benchmark(benchmark))
  ) {
    if (waiting !== last) process.stderr.write(`${waiting}\n`);
    last = waiting;
    await sleep(WATCH_INTERVAL_MS);
  }
  let run = await cluster.runFor(benchmark, number, 'active', node);
  for (;;) {
    const headline = runHeadline(run);
    const line = `${run.metadata.name} ${run.status?.phase ?? 'Pending'} ${progressBar(run)}${headline ? `  ${headline}` : ''}`;
    if (line !== last) process.stderr.write(process.stderr.isTTY ? `\r\x1b[K${line}` : `${line}\n`);
    last = line;
    if (isFinished(run)) break;
    await sleep(WATCH_INTERVAL_MS);
    run = await cluster.run(run.metadata.name as string);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  return run;
}

async function figure3Runs(cluster: Cluster, named: string[]): Promise<RunOfBenchmark[]> {
  const names = named.length > 0 ? named : (await cluster.benchmarks(false)).map((b) => b.metadata.name as string);
  if (names.length === 0) throw new Error(`no SwitchBenchmark in namespace ${cluster.namespace}`);
  const found: RunOfBenchmark[] = [];
  for (const name of names) {
    try {
      found.push({ benchmark: name, run: await cluster.runFor(name, undefined, 'finished') });
    } catch (err) {
      // Named benchmarks must all be there; of "all in the namespace" the unfinished ones are skipped.
      if (named.length > 0) throw err;
      console.error(`skipped: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (found.length === 0) throw new Error(`no benchmark in namespace ${cluster.namespace} has a finished run`);
  return found;
}

function write(outputFile: string | undefined, content: string | Buffer): void {
  if (outputFile === undefined || outputFile === '-') process.stdout.write(content);
  else writeFileSync(outputFile, content);
}

/** A run as show and results print it: a table, or the run as export writes it. */
function printRun(run: SwitchBenchmarkRun, output: PrintFormat, table: (wide: boolean) => string): void {
  if (output === 'json' || output === 'yaml') process.stdout.write(printable(output, runDocument(run)));
  else console.log(table(output === 'wide'));
}

type ClusterCommand = Exclude<Command, { kind: 'help' | 'version' | 'completion' }>;

/** The figure `plot` draws, and what it was drawn from for the line that says so. */
async function figure(
  command: Extract<Command, { kind: 'plot' }>,
  cluster: Cluster,
): Promise<{ spec: TopLevelSpec; what: string }> {
  // Every figure but 3 of several benchmarks is of exactly one (args.ts).
  const first = command.benchmarks[0] as string;
  if (command.figure === 2) {
    const run = await cluster.runFor(first, command.run, 'finished', command.node);
    const points = figure2Data(run).length;
    if (points === 0) throw new Error(`run ${run.metadata.name} has no measured trial to plot`);
    return { spec: figure2Spec(run), what: `${points} trials of run ${run.metadata.name}` };
  }
  if (command.figure === 'pool') {
    const benchmark = await cluster.benchmark(first);
    const bars = poolFigureData(benchmarkPool(benchmark).pool).length;
    if (bars === 0) throw new Error(`no node of the pool of ${benchmarkRef(benchmark)} has a figure to plot yet`);
    return { spec: poolFigureSpec(benchmark), what: `${bars} nodes of the pool of ${first}` };
  }
  const runs =
    command.run !== undefined || command.node !== undefined
      ? [{ benchmark: first, run: await cluster.runFor(first, command.run, 'finished', command.node) }]
      : await figure3Runs(cluster, command.benchmarks);
  const bars = figure3Data(runs).length;
  if (bars === 0) throw new Error('no finished run has a summary point to plot');
  return {
    spec: figure3Spec(runs),
    what: `${bars} points from runs ${runs.map((r) => r.run.metadata.name).join(', ')}`,
  };
}

async function execute(command: ClusterCommand, cluster: Cluster): Promise<void> {
  switch (command.kind) {
    case 'complete': {
      const target = completionTarget(command.words);
      if (target.kind === 'words') {
        process.stdout.write(completionAnswer(command.words, target.candidates, target.directive));
        return;
      }
      // Names the cluster knows; none (and no error) when it cannot be asked, as kubectl completes.
      const names = await (
        target.kind === 'benchmarks'
          ? cluster.benchmarks(false).then((b) => b.map((x) => x.metadata.name as string))
          : target.kind === 'nodes'
            ? cluster.benchmark(target.benchmark).then((b) => (b.status?.pool?.nodes ?? []).map((n) => n.node))
            : cluster.runs().then((r) => r.map((x) => x.metadata.name as string))
      ).catch(() => []);
      process.stdout.write(completionAnswer(command.words, names));
      return;
    }
    case 'list': {
      const benchmarks = await cluster.benchmarks(command.allNamespaces);
      if (command.output === 'json' || command.output === 'yaml') {
        process.stdout.write(printable(command.output, { apiVersion: 'v1', kind: 'List', items: benchmarks }));
        return;
      }
      if (benchmarks.length === 0)
        console.error(
          command.allNamespaces
            ? 'No SwitchBenchmarks found.'
            : `No SwitchBenchmarks found in namespace ${cluster.namespace}.`,
        );
      else
        console.log(
          listTable(benchmarks, new Date(), {
            withNamespace: command.allNamespaces,
            wide: command.output === 'wide',
            placements: await cluster.lastRunPlacements(benchmarks),
          }),
        );
      return;
    }
    case 'show': {
      const run = command.watch
        ? await watch(cluster, command.benchmark, command.run, command.node)
        : await cluster.runFor(command.benchmark, command.run, 'latest', command.node);
      printRun(run, command.output, (wide) => showReport(run, { wide }));
      return;
    }
    case 'pool': {
      const benchmark = await cluster.benchmark(command.benchmark);
      const { pool } = benchmarkPool(benchmark);
      if (command.output === 'json' || command.output === 'yaml') {
        process.stdout.write(printable(command.output, pool));
        return;
      }
      if ((pool.nodes ?? []).length === 0) {
        console.error(emptyPool(benchmark));
        return;
      }
      const wide = command.output === 'wide';
      console.log(
        poolReport(benchmark, new Date(), { wide, runs: wide ? await cluster.runsOf(command.benchmark) : [] }),
      );
      return;
    }
    case 'results': {
      const run = await cluster.run(command.run);
      printRun(run, command.output, (wide) => runReport(run, { wide }));
      return;
    }
    case 'compare': {
      const rows = comparison(await figure3Runs(cluster, command.benchmarks));
      if (rows.length === 0) throw new Error('no finished run has a summary point to compare');
      if (command.output === 'table') console.log(comparisonTable(rows));
      else process.stdout.write(printable(command.output, rows));
      return;
    }
    case 'run': {
      const token = await cluster.triggerRun(command.benchmark, new Date());
      console.log(
        `switchbenchmark.switchbench.io/${command.benchmark} run requested (switchbench.io/run-now=${token})`,
      );
      return;
    }
    case 'export': {
      const run = await cluster.runFor(command.benchmark, command.run, 'finished', command.node);
      write(command.outputFile, command.format === 'csv' ? runCsv(run) : printable(command.format, runDocument(run)));
      return;
    }
    case 'plot': {
      const { spec, what } = await figure(command, cluster);
      const svg = await renderSvg(spec);
      writeFileSync(command.outputFile, command.format === 'svg' ? svg : await svgToPng(svg));
      console.log(`wrote ${command.outputFile}: figure ${command.figure}, ${what}`);
      return;
    }
  }
}

/** The cluster as kubectl would pick it: --kubeconfig, else $KUBECONFIG or ~/.kube/config; --context, else the current one. */
function cluster({ kubeconfig, context, namespace }: Invocation): Cluster {
  const kubeConfig = new KubeConfig();
  if (kubeconfig) kubeConfig.loadFromFile(kubeconfig);
  else kubeConfig.loadFromDefault();
  if (context !== undefined) {
    if (!kubeConfig.getContextObject(context))
      throw new Error(
        `context "${context}" is not in the kubeconfig (it has ${
          kubeConfig
            .getContexts()
            .map((c) => c.name)
            .join(', ') || 'none'
        })`,
      );
    kubeConfig.setCurrentContext(context);
  }
  return new Cluster(
    kubeConfig,
    namespace ?? kubeConfig.getContextObject(kubeConfig.getCurrentContext())?.namespace ?? 'default',
  );
}

async function main(): Promise<number> {
  let invocation;
  try {
    invocation = parseInvocation(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(`error: ${err.message}\n\n${USAGE}`);
    return EXIT.usage;
  }
  const { command } = invocation;
  switch (command.kind) {
    case 'help':
      console.log(USAGE);
      return EXIT.ok;
    case 'version': {
      const version = { plugin: PLUGIN_VERSION, api: API_VERSION };
      if (command.output === 'text') console.log(`kubectl-switchbench ${version.plugin} (API ${version.api})`);
      else process.stdout.write(printable(command.output, version));
      return EXIT.ok;
    }
    case 'completion':
      process.stdout.write(completionScript(command.shell));
      return EXIT.ok;
    default:
      await execute(command, cluster(invocation));
      return EXIT.ok;
  }
}

function describe(err: unknown): string {
  if (err instanceof ApiException) {
    const body = typeof err.body === 'string' ? err.body : JSON.stringify(err.body);
    const message = (() => {
      try {
        return (JSON.parse(body) as { message?: string }).message;
      } catch {
        return undefined;
      }
    })();
    return `the API server answered ${err.code}${message ? `: ${message}` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`error: ${describe(err)}`);
    process.exit(EXIT.failed);
  },
);
