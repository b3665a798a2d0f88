// A real Prometheus (Debian's, on loopback) scrapes the real operator (the bundle, as its image runs
// it) during a real testpmd run, configured from the chart's own ServiceMonitor and PrometheusRule as
// the Prometheus Operator would configure it. Afterwards every result metric it stored matches the
// run's status, series by series, every query of the Grafana dashboard (panels and template
// variables, the variables set to this run) returns this run's series, and the chart's alert rules
// are loaded and evaluate against the operator's series. The benchmark fans out over a pool of one
// node (the local cluster's), so that the pool series and panels are checked against a real run too.
//
// What is emulated, precisely: the Prometheus Operator would discover the target through the
// metrics Service's Endpoints; here the operator runs as a process on loopback, so the scrape
// config names that address and gives the target the labels endpoints discovery would (namespace,
// service, endpoint, and job from the Service's name). The scrape interval is 1 s instead of the
// ServiceMonitor's, so that the test takes seconds. Everything else (job name, path, honor_labels,
// the rules file) comes from the rendered chart.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { GROUP, RUN_PLURAL, VERSION, type SwitchBenchmarkRun, type Trial } from '../../src/api/v1alpha1/types.js';
import { headlineFigure } from '../../src/results/summary.js';
import { createNamespace, kubeconfigPath, waitFor } from '../cluster/kube.js';
import { freePort } from '../integration/loopback.js';
import { buildBundle, OperatorProcess } from '../integration/operator-process.js';
import { createBenchmark, dropRunFinalizers } from '../integration/support.js';
import { e2eSession, SHORT_TRIAL, sweepSpec } from './support.js';
import { chartTemplates } from './tools.js';

const RELEASE = 'switchbench';
const RELEASE_NAMESPACE = 'switchbench-system';

interface ServiceMonitor {
  metadata: { name: string; namespace: string };
  spec: { endpoints: { port: string; path?: string; honorLabels?: boolean }[] };
}

/**
 * The chart's ServiceMonitor as the Prometheus Operator turns it into a scrape job (its naming and
 * labels), with the endpoint discovery replaced by the operator process's address; and the chart's
 * alert rules as a rules file.
 */
function prometheusConfigFromChart(metricsPort: number, rulesFile: string): { config: string; job: string } {
  const docs = parseAllDocuments(
    chartTemplates(
      RELEASE,
      RELEASE_NAMESPACE,
      { 'metrics.serviceMonitor.enabled': 'true', 'metrics.prometheusRule.enabled': 'true' },
      ['service.yaml', 'prometheusrule.yaml'],
    ),
  ).map((d) => d.toJS() as { kind: string; metadata: { name: string }; spec: Record<string, unknown> });
  const service = docs.find((d) => d.kind === 'Service') as { metadata: { name: string } };
  const monitor = docs.find((d) => d.kind === 'ServiceMonitor') as unknown as ServiceMonitor;
  const rule = docs.find((d) => d.kind === 'PrometheusRule') as unknown as { spec: { groups: unknown[] } };
  const [endpoint] = monitor.spec.endpoints;
  if (!endpoint) throw new Error("the chart's ServiceMonitor has no endpoint");
  writeFileSync(rulesFile, stringify({ groups: rule.spec.groups }));
  const job = service.metadata.name;
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: [rulesFile],
    scrape_configs: [
      {
        job_name: `serviceMonitor/${monitor.metadata.namespace}/${monitor.metadata.name}/0`,
        honor_labels: endpoint.honorLabels ?? false,
        metrics_path: endpoint.path ?? '/metrics',
        static_configs: [
          {
            targets: [`127.0.0.1:${metricsPort}`],
            labels: { namespace: RELEASE_NAMESPACE, service: job, endpoint: endpoint.port },
          },
        ],
        relabel_configs: [{ target_label: 'job', replacement: job }],
      },
    ],
  };
  return { config: stringify(config), job };
}

// The session's in-process operator watches a namespace of its own; this test's runs go to a
// second namespace that only the operator process watches.
const session = e2eSession('e2e-prometheus-idle');
let bundleDir: string;
let workDir: string;
let prometheus: ChildProcess | undefined;
let operator: OperatorProcess | undefined;
let namespace: string;

interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

async function api<T>(port: number, route: string): Promise<T> {
  const body = (await (await fetch(`http://127.0.0.1:${port}${route}`)).json()) as {
    status: string;
    data: T;
    error?: string;
  };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${decodeURIComponent(route)}: ${body.error}`);
  return body.data;
}
const query = async (port: number, promql: string) =>
  (await api<{ result: Series[] }>(port, `/api/v1/query?query=${encodeURIComponent(promql)}`)).result;

/** Grafana's `label_values(SELECTOR, LABEL)` as the Prometheus data source sends it: the label values API. */
function labelValuesRoute(definition: string): string {
  const match = /^label_values\((.+),\s*(\w+)\)$/.exec(definition);
  if (!match) throw new Error(`not a label_values(selector, label) query: ${definition}`);
  return `/api/v1/label/${match[2]}/values?match[]=${encodeURIComponent(match[1] as string)}`;
}

/** Dashboard variables replaced as Grafana does for one selected value; an unknown one fails the test. */
const substitute = (expr: string, values: Record<string, string>) =>
  expr.replaceAll(/\$(\w+)/g, (_, name: string) => {
    if (values[name] === undefined)
      throw new Error(`dashboard query uses $${name}, which this test does not set: ${expr}`);
    return values[name];
  });
const VARIABLES = ['namespace', 'benchmark', 'datapath'] as const;

/** A series' identity within the run: its labels without the ones the selector or the scrape fixes; empty values are absent in Prometheus. */
const keyOf = (labels: Record<string, string>) =>
  Object.entries(labels)
    .filter(
      ([name, value]) =>
        value !== '' &&
        !['__name__', 'job', 'instance', 'service', 'endpoint', 'namespace', 'benchmark'].includes(name),
    )
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, value]) => `${name}=${value}`)
    .join(',');
const byKey = (entries: [Record<string, string>, number | undefined][]) =>
  Object.fromEntries(
    entries
      .filter((e): e is [Record<string, string>, number] => e[1] !== undefined)
      .map(([labels, value]) => [keyOf(labels), value]),
  );
// Bits are the status's own figure (pps × size × 8) against the metric's bytes × 8: equal up to rounding.
const rounded = (values: Record<string, number>) =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Number(value.toPrecision(12))]));

const PERCENTILES: [string, keyof NonNullable<Trial['latency']>][] = [
  ['50', 'p50Ns'],
  ['90', 'p90Ns'],
  ['99', 'p99Ns'],
  ['99.9', 'p999Ns'],
  ['100', 'maxNs'],
];

/** What docs/metrics.md says each result metric holds for this run, from its status alone. */
function expectedResults(run: SwitchBenchmarkRun): Record<string, Record<string, number>> {
  const node = run.spec.nodeName as string;
  const lead = headlineFigure(run.status?.summary ?? []);
  const datapath = run.spec.benchmark.datapath;
  const status = run.status ?? {};
  // Figures carry the placement they were made under, so compromise figures never mix with others.
  const placement = run.spec.benchmark.resources.cpuPolicy;
  // With repetitions the latest trial of a label set speaks: fromEntries keeps the last.
  const trial = (t: Trial) => ({
    datapath,
    placement,
    frame_size_bytes: String(t.packetSize),
    burst: String(t.burstSize),
    offered_pps: String(Math.round(t.offeredPps)),
  });
  const perTrial = (pick: (t: Trial) => number | undefined) =>
    byKey((status.trials ?? []).map((t) => [trial(t), pick(t)]));
  const measures = (status.summary ?? []).flatMap((p) => {
    const labels = { datapath, placement, frame_size_bytes: String(p.packetSize), burst: String(p.burstSize) };
    return [
      { labels: { ...labels, measure: 'max', loss_ratio: '' }, pps: p.maxRxPps, bits: p.maxRxBitsPerSecond },
      ...(p.ndr
        ? [{ labels: { ...labels, measure: 'ndr', loss_ratio: '0' }, pps: p.ndr.pps, bits: p.ndr.bitsPerSecond }]
        : []),
      ...(p.pdr ?? []).map((pdr) => ({
        labels: { ...labels, measure: 'pdr', loss_ratio: String(pdr.lossRatio) },
        pps: pdr.pps,
        bits: pdr.bitsPerSecond,
      })),
    ];
  });
  return {
    switchbench_trial_offered_packets_per_second: perTrial((t) => t.offeredPps),
    switchbench_trial_attempted_packets_per_second: perTrial((t) => t.attemptedTxPps),
    switchbench_trial_tx_packets_per_second: perTrial((t) => t.achievedTxPps),
    switchbench_trial_generator_limited: perTrial((t) =>
      t.outcome === 'Failed' ? undefined : t.outcome === 'GeneratorLimited' ? 1 : 0,
    ),
    switchbench_trial_rx_packets_per_second: perTrial((t) => t.rxPpsMean),
    switchbench_trial_loss_ratio: byKey(
      (status.trials ?? []).flatMap((t) =>
        (
          [
            ['window', t.windowLossRatio],
            ['trial', t.trialLossRatio],
          ] as const
        ).map(([scope, ratio]): [Record<string, string>, number | undefined] => [{ ...trial(t), scope }, ratio]),
      ),
    ),
    switchbench_trial_latency_seconds: byKey(
      (status.trials ?? []).flatMap((t) =>
        PERCENTILES.map(([percentile, field]): [Record<string, string>, number | undefined] => [
          { ...trial(t), percentile },
          t.latency?.[field] === undefined ? undefined : (t.latency[field] as number) / 1e9,
        ]),
      ),
    ),
    switchbench_run_throughput_packets_per_second: byKey(measures.map((m) => [m.labels, m.pps])),
    '8 * switchbench_run_throughput_bytes_per_second': rounded(byKey(measures.map((m) => [m.labels, m.bits]))),
    switchbench_run_last_completion_timestamp_seconds: byKey([
      [{ datapath, placement, phase: status.phase as string }, Date.parse(status.completionTime as string) / 1000],
    ]),
    switchbench_runs: byKey([[{ phase: status.phase as string }, 1]]),
    switchbench_runs_finished_total: byKey([[{ datapath, phase: status.phase as string }, 1]]),
    // A pool of one: its node is the median, and no outlier.
    switchbench_pool_node_throughput_packets_per_second: byKey([
      [
        { node, frame_size_bytes: String(lead?.packetSize), measure: lead?.figure === 'NDR' ? 'ndr' : 'max' },
        lead?.pps,
      ],
    ]),
    switchbench_pool_node_ratio: byKey([[{ node }, 1]]),
    switchbench_pool_node_outlier: byKey([[{ node }, 0]]),
  };
}

beforeAll(async () => {
  bundleDir = buildBundle();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'switchbench-prometheus-'));
  namespace = await createNamespace(session.core, 'e2e-prometheus');
});

afterAll(async () => {
  if (operator?.running) operator.signal('SIGKILL');
  prometheus?.kill('SIGKILL');
  if (namespace) {
    await dropRunFinalizers(session.kc, namespace);
    await session.core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
  for (const dir of [bundleDir, workDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a real Prometheus scrapes the operator during a real run; the stored results match the status; every dashboard query returns this run', async () => {
  const [metricsPort, prometheusPort] = [await freePort(), await freePort()];
  operator = new OperatorProcess(bundleDir, 'operator-scraped', [
    ...['--kubeconfig', kubeconfigPath, '--namespace', namespace, '--lock-namespace', namespace],
    ...['--metrics-bind-address', `127.0.0.1:${metricsPort}`, '--log-level', 'info'],
  ]);
  await operator.waitForLog('Started operator');
  const config = path.join(workDir, 'prometheus.yml');
  const { config: text, job } = prometheusConfigFromChart(metricsPort, path.join(workDir, 'rules.yml'));
  writeFileSync(config, text);
  prometheus = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(workDir, 'data')}`,
      `--web.listen-address=127.0.0.1:${prometheusPort}`,
    ],
    { stdio: 'ignore' },
  );
  prometheus.on('error', (err) => {
    throw new Error(`prometheus did not start (${err.message}): run .ci/install-prometheus.sh`);
  });
  await waitFor(
    () =>
      fetch(`http://127.0.0.1:${prometheusPort}/-/ready`).then(
        (r) => (r.ok ? true : undefined),
        () => undefined,
      ),
    200,
  );
  await waitFor(
    async () => ((await query(prometheusPort, `up{job="${job}"} == 1`)).length === 1 ? true : undefined),
    500,
  );

  // Low rates and the e2e tiers' 5 % tolerance: a generator-limited trial has no maximum to show.
  await createBenchmark(
    session.kc,
    namespace,
    'scraped',
    sweepSpec('testpmd', [2000, 5000], {
      trial: { ...SHORT_TRIAL, generatorTolerance: 0.05 },
      placement: { fanOut: {} },
    }),
  );
  const run = await waitFor(async () => {
    const list = (await session.custom.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace,
      plural: RUN_PLURAL,
    })) as { items: SwitchBenchmarkRun[] };
    const current = list.items.find((r) => r.spec.benchmarkName === 'scraped');
    return current?.status?.phase === 'Succeeded' || current?.status?.phase === 'Failed' ? current : undefined;
  }, 1000);
  expect(run.status?.phase).toBe('Succeeded');
  expect(run.metadata.name).toBe(`scraped-1-${run.spec.nodeName}`);
  expect(run.spec.nodeName).toBe(run.status?.node);
  const ours = { namespace, benchmark: 'scraped', datapath: 'testpmd' };

  // The result series appear together, at the first scrape after the run finished.
  const labels = `namespace="${namespace}",benchmark="scraped"`;
  const measured = (run.status?.trials ?? []).filter((t) => t.rxPpsMean !== undefined);
  expect(measured.length).toBe(2);
  await waitFor(
    async () =>
      (await query(prometheusPort, `switchbench_trial_rx_packets_per_second{${labels}}`)).length === measured.length
        ? true
        : undefined,
    500,
  );
  // The pool's series follow once the benchmark's status has compared the nodes.
  await waitFor(
    async () =>
      (await query(prometheusPort, `switchbench_pool_node_ratio{${labels}}`)).length === 1 ? true : undefined,
    500,
  );
  const expected = expectedResults(run);
  const unmeasured = Object.keys(expected).filter((metric) => Object.keys(expected[metric] ?? {}).length === 0);
  if (unmeasured.length > 0)
    throw new Error(
      `the run's status gives no ${unmeasured.join(', ')}: ${JSON.stringify({ trials: run.status?.trials, summary: run.status?.summary })}`,
    );
  // A sweep reports latency and the maximum; NDR and PDR only come from method ndr-pdr.
  expect(Object.keys(expected.switchbench_trial_latency_seconds ?? {})).toHaveLength(
    PERCENTILES.length * measured.length,
  );
  let matchedSeries = 0;
  for (const [metric, values] of Object.entries(expected)) {
    const promql = metric.startsWith('8 * ') ? `8 * ${metric.slice(4)}{${labels}}` : `${metric}{${labels}}`;
    const stored = byKey((await query(prometheusPort, promql)).map((s) => [s.metric, Number(s.value[1])]));
    expect({ metric, stored: metric.startsWith('8 * ') ? rounded(stored) : stored }).toEqual({
      metric,
      stored: values,
    });
    matchedSeries += Object.keys(values).length;
  }

  // Prometheus holds this operator's series only: the health panels (no variables) show this run's operator.
  const targets = await api<{ activeTargets: { scrapeUrl: string; health: string }[] }>(
    prometheusPort,
    '/api/v1/targets',
  );
  expect(targets.activeTargets.map((t) => [t.scrapeUrl, t.health])).toEqual([
    [`http://127.0.0.1:${metricsPort}/metrics`, 'up'],
  ]);
  expect(
    (await query(prometheusPort, 'count by (instance) ({__name__=~"switchbench_.+"})')).map((s) => s.metric.instance),
  ).toEqual([`127.0.0.1:${metricsPort}`]);
  expect(
    await query(prometheusPort, 'switchbench_reconcile_total{controller="switchbenchmarkrun",result="success"} > 0'),
  ).toHaveLength(1);
  expect(await query(prometheusPort, `switchbench_leader{job="${job}"} == 1`)).toHaveLength(1);
  // The chart's alerts are loaded and evaluate: the operator-down rule watches the job the
  // ServiceMonitor gives, so it stays quiet while the operator is scraped.
  const rules = await api<{ groups: { rules: { name: string; health: string; state?: string }[] }[] }>(
    prometheusPort,
    '/api/v1/rules',
  );
  const loaded = rules.groups.flatMap((g) => g.rules);
  expect(loaded.map((r) => [r.name, r.health])).toEqual(
    expect.arrayContaining([
      ['SwitchbenchRunFailed', 'ok'],
      ['SwitchbenchThroughputRegressed', 'ok'],
      ['SwitchbenchPoolNodeOutlier', 'ok'],
      ['SwitchbenchOperatorDown', 'ok'],
    ]),
  );
  expect(loaded.find((r) => r.name === 'SwitchbenchOperatorDown')?.state).toBe('inactive');
  // honor_labels: the result series keep the benchmark's namespace, not the operator's.
  expect(await query(prometheusPort, '{__name__=~"switchbench_.+", exported_namespace!=""}')).toEqual([]);

  const dashboard = JSON.parse(
    readFileSync(path.resolve(import.meta.dirname, '../../charts/switchbench/dashboards/switchbench.json'), 'utf8'),
  ) as {
    templating: { list: { name: string; type: string; definition?: string }[] };
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const failures: string[] = [];

  // Template variables, as Grafana fills their drop-downs: this run's value is offered; with the
  // variables they depend on set to another value, nothing is.
  const variables = dashboard.templating.list.filter((v) => v.type === 'query');
  expect(variables.map((v) => v.name)).toEqual([...VARIABLES]);
  for (const variable of variables) {
    const definition = variable.definition as string;
    const values = await api<string[]>(prometheusPort, labelValuesRoute(substitute(definition, ours)));
    if (!values.includes(ours[variable.name as (typeof VARIABLES)[number]]))
      failures.push(`variable ${variable.name}: ${definition} offered ${JSON.stringify(values)}`);
    for (const other of VARIABLES.filter((v) => definition.includes(`$${v}`))) {
      const elsewhere = await api<string[]>(
        prometheusPort,
        labelValuesRoute(substitute(definition, { ...ours, [other]: 'not-this-run' })),
      );
      if (elsewhere.length > 0)
        failures.push(`variable ${variable.name} ignores $${other}: ${JSON.stringify(elsewhere)}`);
    }
  }

  // Panel queries with the variables set to this run: series come back, and every namespace,
  // benchmark and datapath label on them is this run's (the operator's own series: the release's
  // namespace); set to another value, none come back.
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr })));
  expect(exprs.length).toBeGreaterThan(10);
  for (const { title, expr } of exprs) {
    const series = await query(prometheusPort, substitute(expr, { ...ours, __rate_interval: '1m' }));
    if (series.length === 0) failures.push(`${title}: no series for ${substitute(expr, ours)}`);
    for (const s of series) {
      // The operator's own series (no benchmark) carry the namespace of the scrape target, the
      // release's, as the Prometheus Operator labels a ServiceMonitor's targets.
      const wanted = { ...ours, ...(s.metric.benchmark === undefined ? { namespace: RELEASE_NAMESPACE } : {}) };
      for (const name of VARIABLES)
        if (s.metric[name] !== undefined && s.metric[name] !== wanted[name])
          failures.push(`${title}: series of another ${name}: ${JSON.stringify(s.metric)}`);
    }
    for (const other of VARIABLES.filter((v) => expr.includes(`$${v}`))) {
      const elsewhere = await query(
        prometheusPort,
        substitute(expr, { ...ours, [other]: 'not-this-run', __rate_interval: '1m' }),
      );
      if (elsewhere.length > 0) failures.push(`${title} ignores $${other}: ${JSON.stringify(elsewhere[0]?.metric)}`);
    }
  }
  expect(failures).toEqual([]);
  const queries = variables.length + exprs.length;
  console.log(
    `prometheus e2e: ${queries}/${queries} dashboard queries (${exprs.length} panel targets, ${variables.length} variables) returned this run's series; ` +
      `${Object.keys(expected).length} result metrics (${matchedSeries} series) matched the status of ${namespace}/${run.metadata.name}`,
  );
});
