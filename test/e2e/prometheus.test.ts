// A real Prometheus (Debian's, on loopback, with a configuration of this test) scrapes the real
// operator (the bundle, as its image runs it) during a real testpmd run; afterwards the result
// metrics it stored match the run's status, trial by trial.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { GROUP, VERSION } from '../../src/api/v1alpha1/types.js';
import { createNamespace, kubeconfigPath, waitFor } from '../cluster/kube.js';
import { buildBundle, OperatorProcess } from '../integration/operator-process.js';
import { createBenchmark, dropRunFinalizers } from '../integration/support.js';
import { e2eSession, sweepSpec } from './support.js';

// The session's in-process operator watches a namespace of its own; this test's runs go to a
// second namespace that only the operator process watches.
const session = e2eSession('e2e-prometheus-idle');
let bundleDir: string;
let workDir: string;
let prometheus: ChildProcess | undefined;
let operator: OperatorProcess | undefined;
let namespace: string;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });

async function query(port: number, promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await response.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus refused ${promql}: ${body.error}`);
  return body.data.result;
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

test('a real Prometheus scrapes the operator during a real run; the stored results match the status', async () => {
  const [metricsPort, prometheusPort] = [await freePort(), await freePort()];
  operator = new OperatorProcess(bundleDir, 'operator-scraped', [
    ...['--kubeconfig', kubeconfigPath, '--namespace', namespace, '--lock-namespace', namespace],
    ...['--metrics-bind-address', `127.0.0.1:${metricsPort}`, '--log-level', 'info'],
  ]);
  await operator.waitForLog('Started operator');
  const config = path.join(workDir, 'prometheus.yml');
  writeFileSync(config, `global: { scrape_interval: 1s, evaluation_interval: 1s }\nscrape_configs:\n  - job_name: switchbench\n    static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }]\n`);
  prometheus = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${path.join(workDir, 'data')}`, `--web.listen-address=127.0.0.1:${prometheusPort}`], { stdio: 'ignore' });
  prometheus.on('error', (err) => {
    throw new Error(`prometheus did not start (${err.message}): run test/tools/install-prometheus.sh`);
  });
  await waitFor(() => fetch(`http://127.0.0.1:${prometheusPort}/-/ready`).then((r) => (r.ok ? true : undefined), () => undefined), 200);
  await waitFor(async () => ((await query(prometheusPort, 'up{job="switchbench"} == 1')).length === 1 ? true : undefined), 500);

  await createBenchmark(session.kc, namespace, 'scraped', sweepSpec('testpmd', [5000, 10000]));
  const run = await waitFor(async () => {
    const current = (await session.custom
      .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: 'switchbenchmarkruns', name: 'scraped-1' })
      .catch(() => undefined)) as { status?: { phase?: string; trials?: { offeredPps: number; rxPpsMean?: number }[]; summary?: { maxRxPps?: number }[] } } | undefined;
    return current?.status?.phase === 'Succeeded' || current?.status?.phase === 'Failed' ? current : undefined;
  }, 1000);
  expect(run.status?.phase).toBe('Succeeded');

  // Two scrapes after the finish, so Prometheus holds the final values.
  const labels = `namespace="${namespace}",benchmark="scraped"`;
  const rx = await waitFor(async () => {
    const result = await query(prometheusPort, `switchbench_trial_rx_packets_per_second{${labels}}`);
    return result.length === run.status?.trials?.length ? result : undefined;
  }, 500);
  const stored = Object.fromEntries(rx.map((r) => [r.metric.offered_pps, Number(r.value[1])]));
  expect(stored).toEqual(Object.fromEntries((run.status?.trials ?? []).map((t) => [String(t.offeredPps), t.rxPpsMean])));
  const max = await query(prometheusPort, `switchbench_run_throughput_packets_per_second{${labels},measure="max"}`);
  expect(max.map((r) => Number(r.value[1]))).toEqual([run.status?.summary?.[0]?.maxRxPps]);
  const finished = await query(prometheusPort, `switchbench_runs_finished_total{${labels},phase="Succeeded"}`);
  expect(finished.map((r) => r.value[1])).toEqual(['1']);
  expect(await query(prometheusPort, 'sum(switchbench_reconcile_total{job="switchbench"}) > 0')).toHaveLength(1);
  expect(await query(prometheusPort, 'switchbench_leader{job="switchbench"} == 1')).toHaveLength(1);
  // Every query of the Grafana dashboard runs against what Prometheus stored of this run.
  const dashboard = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../charts/switchbench/dashboards/switchbench.json'), 'utf8')) as {
    panels: { title: string; targets: { expr: string }[] }[];
  };
  const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr })));
  expect(exprs.length).toBeGreaterThan(10);
  const empty: string[] = [];
  for (const { title, expr } of exprs) {
    const promql = expr.replaceAll('$namespace', namespace).replaceAll('$benchmark', 'scraped').replaceAll('$datapath', 'testpmd').replaceAll('$__rate_interval', '1m');
    if ((await query(prometheusPort, promql)).length === 0) empty.push(`${title}: ${promql}`);
  }
  expect(empty).toEqual([]);
  console.log(`prometheus e2e: all ${exprs.length} dashboard queries return series; ${rx.length} trial series and the max throughput stored as in the status (${JSON.stringify(stored)})`);
});
