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

export function setUpCluster(mode) {
  process.env[USER_ENV] = String(process.pid);
  runScript('session.sh', 'acquire', mode, user());
}

export function tearDownCluster() {
  runScript('session.sh', 'release', user());
}

export function otherClusterUsers() {
  const result = spawnSync('bash', [path.join(scripts, 'session.sh'), 'others', user()], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`session.sh others failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

export function startedBySession() {
  return existsSync(path.join(clusterDir, 'run', 'started-by-session'));
}
