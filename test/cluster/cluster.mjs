// Starts and stops the local cluster for the test tiers, through session.sh so that concurrent
// runs on one machine share it. Plain JavaScript because jest loads a global setup through Node
// itself, outside ts-jest's module mapping; kube.ts re-exports it for tests, with types from
// cluster.d.mts.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The cluster's scripts live with the project's tooling in .ci/cluster.
const scripts = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.ci/cluster');
export const clusterDir = process.env.SWITCHBENCH_CLUSTER_DIR ?? '/var/lib/switchbench';

// This run's name among the cluster's users: the PID of jest's main process, which runs the
// global setup and teardown. Set there, inherited by jest's workers.
const USER_ENV = 'SWITCHBENCH_CLUSTER_USER';

export function runScript(script, ...args) {
  const result = spawnSync('bash', [path.join(scripts, script), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    throw new Error(
      `test/cluster/${script} ${args.join(' ')} failed (exit ${result.status ?? result.signal}): see its output above`,
    );
  }
}

function user() {
  const pid = process.env[USER_ENV];
  if (!pid) throw new Error("no cluster session: the tier's jest config must use setUpCluster in its globalSetup");
  return pid;
}

// What jest itself holds open (its output pipes or terminal) when the tier starts: at its end,
// anything beyond that was left open by the tests.
let baseline = [];

export function setUpCluster(mode) {
  baseline = process.getActiveResourcesInfo();
  process.env[USER_ENV] = String(process.pid);
  runScript('session.sh', 'acquire', mode, user());
}

export function tearDownCluster() {
  reportOpenHandles();
  runScript('session.sh', 'release', user());
}

/**
 * Names what the tests left open (timers, sockets, child processes): it would keep jest alive after
 * the run, were it not for forceExit (test/jest.base.mjs). Test files run in jest's main process
 * (maxWorkers: 1), so their handles are this process'.
 */
function reportOpenHandles() {
  const count = (list) => list.reduce((counts, type) => counts.set(type, (counts.get(type) ?? 0) + 1), new Map());
  const before = count(baseline);
  const left = [...count(process.getActiveResourcesInfo())]
    .map(([type, n]) => [type, n - (before.get(type) ?? 0)])
    .filter(([, n]) => n > 0);
  if (left.length)
    console.warn(
      `open after the tests (jest exits anyway, forceExit): ${left.map(([type, n]) => `${n} ${type}`).join(', ')}`,
    );
}

export function otherClusterUsers() {
  const result = spawnSync('bash', [path.join(scripts, 'session.sh'), 'others', user()], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`session.sh others failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

export function startedBySession() {
  return existsSync(path.join(clusterDir, 'run', 'started-by-session'));
}
