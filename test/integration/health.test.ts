// /healthz and /readyz of the operator process (the bundle, as its image runs it) on its metrics
// port. Its apiserver connections go through a gate that holds them unanswered at first: the process
// is alive but its caches are empty (healthy, not ready); once the gate opens the caches fill and it
// turns ready. Its requests are counted on /metrics by the clients that sent them.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { createNamespace, installCrds, kubeConfig, kubeconfigPath, waitFor } from '../cluster/kube.js';
import { ApiserverGate, freePort } from './loopback.js';
import { buildBundle, OperatorProcess } from './operator-process.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
let bundleDir: string;
let workDir: string;
let namespace: string;
let gate: ApiserverGate | undefined;
let operator: OperatorProcess | undefined;

beforeAll(async () => {
  bundleDir = buildBundle();
  workDir = mkdtempSync(path.join(os.tmpdir(), 'switchbench-health-'));
  await installCrds(kc);
  namespace = await createNamespace(core, 'health');
});

afterAll(async () => {
  if (operator?.running) operator.signal('SIGKILL');
  await operator?.exited;
  await gate?.close();
  if (namespace) await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  for (const dir of [bundleDir, workDir]) if (dir) rmSync(dir, { recursive: true, force: true });
});

const probe = async (port: number, route: string) => {
  const response = await fetch(`http://127.0.0.1:${port}${route}`);
  return { status: response.status, body: await response.text() };
};

test('/healthz answers 200 at once; /readyz 503 until the caches are synced, then 200', async () => {
  const server = new URL(kc.getCurrentCluster()?.server as string);
  gate = await ApiserverGate.start(server.hostname, Number(server.port));
  const gated = path.join(workDir, 'kubeconfig');
  writeFileSync(
    gated,
    readFileSync(kubeconfigPath, 'utf8').replace(
      `server: ${server.origin}`,
      `server: https://${server.hostname}:${gate.port}`,
    ),
    { mode: 0o600 },
  );
  expect(readFileSync(gated, 'utf8')).toContain(`:${gate.port}`);

  const port = await freePort();
  operator = new OperatorProcess(bundleDir, 'operator-health', [
    ...['--kubeconfig', gated, '--namespace', namespace, '--lock-namespace', namespace],
    ...['--metrics-bind-address', `127.0.0.1:${port}`, '--log-level', 'info'],
  ]);
  try {
    await operator.waitForLog('Serving metrics');
    // The informers' lists are on the wire, held by the gate: nothing is cached yet.
    await waitFor(async () => (gate && gate.waiting > 0 ? true : undefined), 100);
    expect(await probe(port, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect(await probe(port, '/readyz')).toEqual({ status: 503, body: 'caches not yet synced\n' });
    expect(operator.logged('Synced informer caches')).toBe(false);

    gate.open();
    await operator.waitForLog('Synced informer caches');
    expect(await probe(port, '/readyz')).toEqual({ status: 200, body: 'ok\n' });
    expect(await probe(port, '/healthz')).toEqual({ status: 200, body: 'ok\n' });
    expect((await probe(port, '/nothing')).status).toBe(404);
    // Each of the five informers listed through the operator's own clients, which count their requests.
    const listed = /^switchbench_rest_client_requests_total\{method="GET"\} (\d+)$/m.exec(
      (await probe(port, '/metrics')).body,
    );
    expect(Number(listed?.[1])).toBeGreaterThanOrEqual(5);
  } catch (err) {
    console.log(operator.tail(40));
    throw err;
  }
});
