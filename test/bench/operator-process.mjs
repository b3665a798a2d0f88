// What make bench-operator's cases share: the bundled operator started as its image starts it, its
// resident set, and the apiserver's own request counters.
import { spawn } from 'node:child_process';
import https from 'node:https';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

// The node flags (ENTRYPOINT) and environment (ENV lines) the operator image runs with, so the
// figures are the image's.
const dockerfile = readFileSync(`${root}/images/operator/Dockerfile`, 'utf8');
export const nodeFlags = JSON.parse(/^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)[1]).slice(1, -1);
export const imageEnv = Object.fromEntries(
  [...dockerfile.matchAll(/^ENV (\w+)=(\S+)$/gm)].map(([, name, value]) => [name, value]),
);
/** How the operator ran, for the figures' footnotes. */
export const imageSettings = `node ${nodeFlags.join(' ')}, ${Object.entries(imageEnv)
  .map(([k, v]) => `${k}=${v}`)
  .join(' ')}`;

/** A free loopback port: other operators (a test tier) may hold the default metrics port. */
export const freePort = () =>
  new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });

/** The bundled operator watching `namespace` (its locks there too), with its metrics on `metricsPort`. */
export function startOperator(kubeconfigPath, namespace, metricsPort, extraArgs = []) {
  return spawn(
    process.execPath,
    [
      ...nodeFlags,
      `${root}/dist/bundle/operator.mjs`,
      ...['--kubeconfig', kubeconfigPath, '--namespace', namespace, '--lock-namespace', namespace],
      ...['--log-level', 'warn', '--metrics-bind-address', `127.0.0.1:${metricsPort}`],
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, ...imageEnv } },
  );
}

/** Resident set of a process, in MB; 0 once it has exited (a failed case stops it under the sampler). */
export function rss(pid) {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function getText(kc, path) {
  const url = new URL(path, kc.getCurrentCluster().server);
  const options = { hostname: url.hostname, port: url.port, path: url.pathname, method: 'GET' };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    https
      .get(options, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** The apiserver's request counters (all clients), one entry per label set: verb, group, resource, subresource. */
export async function apiRequests(kc) {
  const text = await getText(kc, '/metrics');
  const entries = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    entries.push({ ...labels, count: Number(line.split(' ').at(-1)) });
  }
  return entries;
}

/** Runs keep the operator's cleanup finalizer; with no kubelet to run their cleanup, drop it. */
export async function dropRunFinalizers(custom, namespace) {
  const group = 'switchbench.io';
  const version = 'v1alpha1';
  const runs = await custom
    .listNamespacedCustomObject({ group, version, namespace, plural: 'switchbenchmarkruns' })
    .catch(() => ({ items: [] }));
  for (const run of runs.items)
    await custom
      .patchNamespacedCustomObject({
        group,
        version,
        namespace,
        plural: 'switchbenchmarkruns',
        name: run.metadata.name,
        body: [{ op: 'remove', path: '/metadata/finalizers' }],
      })
      .catch(() => undefined);
}

/** Polls `probe` every `intervalMs` until it returns a value; throws naming `what` after `timeoutMs`. */
export async function until(probe, what, timeoutMs = 120_000, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}
