// Starts and stops the local cluster for the test tiers. Plain JavaScript because jest loads a
// global setup through Node itself, outside ts-jest's module mapping; kube.ts re-exports it
// for tests, with types from cluster.d.mts.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const scripts = path.dirname(fileURLToPath(import.meta.url));
export const clusterDir = process.env.SWITCHBENCH_CLUSTER_DIR ?? '/var/lib/switchbench';

// Set by setUpCluster for the whole run (jest's workers inherit it): the mode the cluster had
// before the run, or empty when the run started it and so must stop it.
const REUSED_ENV = 'SWITCHBENCH_CLUSTER_REUSED';

function pidAlive(component) {
  try {
    process.kill(Number(readFileSync(path.join(clusterDir, 'run', `${component}.pid`), 'utf8')), 0);
    return true;
  } catch {
    return false;
  }
}

export function runningMode() {
  const modeFile = path.join(clusterDir, 'run', 'mode');
  if (!existsSync(modeFile)) return undefined;
  const mode = readFileSync(modeFile, 'utf8').trim();
  const components = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];
  if (mode === 'full') components.push('containerd', 'kubelet', 'kube-proxy');
  return components.every(pidAlive) ? mode : undefined;
}

export function runScript(script, ...args) {
  const result = spawnSync('bash', [path.join(scripts, script), ...args], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0) {
    throw new Error(`test/cluster/${script} ${args.join(' ')} failed (exit ${result.status ?? result.signal}): see its output above`);
  }
}

export function setUpCluster(mode) {
  const before = runningMode();
  process.env[REUSED_ENV] = before ?? '';
  if (before === 'full' || before === mode) return;
  runScript('up.sh', mode);
}

export function tearDownCluster() {
  if (!process.env[REUSED_ENV]) runScript('down.sh');
}

export function reusedMode() {
  return process.env[REUSED_ENV] || undefined;
}
