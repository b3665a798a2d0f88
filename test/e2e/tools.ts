// The command-line tools e2e tests drive as a user would (helm, kubectl), and the local cluster's
// settings from .ci/cluster/lib.sh, so tests and scripts never disagree on a path.
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { kubeconfigPath } from '../cluster/kube.js';

export const root = path.resolve(import.meta.dirname, '../..');

/** A variable of .ci/cluster/lib.sh (a path of the local cluster or of a cached binary). */
export function clusterValue(variable: string): string {
  return execFileSync('bash', ['-c', `. .ci/cluster/lib.sh && echo "$${variable}"`], {
    cwd: root,
    encoding: 'utf8',
  }).trim();
}

export const helm = path.join(clusterValue('HELM_BIN'), 'helm');
export const kubectl = path.join(clusterValue('K8S_BIN'), 'kubectl');

export function sh(command: string, args: string[], input?: string): { status: number | null; out: string } {
  const result = spawnSync(command, args, {
    cwd: root,
    encoding: 'utf8',
    input,
    env: { ...process.env, KUBECONFIG: kubeconfigPath },
  });
  if (result.error) throw new Error(`${command} cannot run: ${result.error.message}`);
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

export function ok(command: string, args: string[], input?: string): string {
  const { status, out } = sh(command, args, input);
  if (status !== 0) throw new Error(`${path.basename(command)} ${args.join(' ')} failed (exit ${status}):\n${out}`);
  return out;
}

/** Whether the local cluster's containerd holds IMAGE (imported by images/build.sh). */
export function imageInCluster(image: string): boolean {
  const address = clusterValue('CONTAINERD_SOCK');
  return ok('ctr', ['--address', address, '--namespace', 'k8s.io', 'images', 'ls', '-q']).split('\n').includes(image);
}

/** The chart's manifests for some templates only, rendered as `helm template` does for a release. */
export function chartTemplates(
  release: string,
  namespace: string,
  values: Record<string, string>,
  templates: string[],
): string {
  const sets = Object.entries(values).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
  const only = templates.flatMap((t) => ['--show-only', `templates/${t}`]);
  return ok(helm, ['template', release, 'charts/switchbench', '-n', namespace, ...sets, ...only]).replace(
    /^walk\.go:.*\n/gm,
    '',
  );
}
