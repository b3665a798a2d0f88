// `make cluster-down` leaves nothing behind: no process, mount, network namespace, cgroup,
// iptables rule, bridge, address or changed sysctl. Runs last (sequencer.mjs) with a pod still
// running, so there is something to clean up. A cluster that `make cluster-up` started is brought
// back afterwards; another engineer's test run on the same cluster is waited for.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import {
  baseImage,
  clusterDir,
  createNamespace,
  kubeConfig,
  onTheNode,
  otherClusterUsers,
  podRunning,
  runScript,
  startedBySession,
  waitFor,
} from './kube.js';

const run = (cmd: string, ...args: string[]) => spawnSync(cmd, args, { encoding: 'utf8' });
const readOr = (file: string, fallback: string) => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
};
const pids = () => readdirSync('/proc').filter((p) => /^\d+$/.test(p));

/** Processes that belong to the cluster: their command line names the cluster directory or a
 * binary the scripts built, or they live in the kubelet's cgroups. */
function clusterProcesses(): string[] {
  const cache = process.env.SWITCHBENCH_CACHE ?? path.join(process.env.HOME ?? '/root', '.cache/switchbench');
  return pids().filter((pid) => {
    const cmdline = readOr(`/proc/${pid}/cmdline`, '').replaceAll('\0', ' ');
    return (
      cmdline.includes(clusterDir) || cmdline.includes(cache) || readOr(`/proc/${pid}/cgroup`, '').includes('/kubepods')
    );
  });
}

/** The /run/netns entries that are the network namespace of a process in the kubelet's cgroups. */
function podNetns(): string[] {
  const inodes = new Set(
    pids()
      .filter((pid) => readOr(`/proc/${pid}/cgroup`, '').includes('/kubepods'))
      .flatMap((pid) => {
        try {
          return [statSync(`/proc/${pid}/ns/net`).ino];
        } catch {
          return [];
        }
      }),
  );
  const dir = '/run/netns';
  return existsSync(dir)
    ? readdirSync(dir)
        .map((n) => path.join(dir, n))
        .filter((p) => inodes.has(statSync(p).ino))
    : [];
}

const mountsUnder = (dir: string) =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(`${dir}/`));

const kubepodsCgroups = () => readdirSync('/sys/fs/cgroup').filter((h) => existsSync(`/sys/fs/cgroup/${h}/kubepods`));

const kubeChains = () =>
  ['filter', 'nat', 'mangle']
    .flatMap((table) => run('iptables', '-t', table, '-S').stdout.split('\n'))
    .filter((rule) => rule.includes('KUBE-'));

test('make cluster-down stops everything and leaves the host as it found it', async () => {
  await waitFor(async () => (otherClusterUsers() === 0 ? true : undefined), 2000);
  const restore = startedBySession() ? undefined : readFileSync(path.join(clusterDir, 'run', 'mode'), 'utf8').trim();
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const namespace = await createNamespace(core, 'down');
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: 'left-running' },
      spec: {
        nodeSelector: onTheNode,
        containers: [
          {
            name: 'main',
            image: baseImage,
            imagePullPolicy: 'Never',
            command: ['sleep', 'infinity'],
            volumeMounts: [{ name: 'hugepages', mountPath: '/hugepages' }],
            resources: { limits: { 'hugepages-2Mi': '2Mi', memory: '32Mi', cpu: '100m' } },
          },
        ],
        volumes: [{ name: 'hugepages', emptyDir: { medium: 'HugePages' } }],
      },
    },
  });
  await podRunning(core, namespace, 'left-running');

  // up.sh on a running cluster keeps every component as it is.
  const runDir = path.join(clusterDir, 'run');
  const componentPids = () =>
    readdirSync(runDir)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => `${f} ${readFileSync(path.join(runDir, f), 'utf8').trim()}`);
  const before = componentPids();
  expect(before.map((entry) => entry.split('.pid')[0]).sort()).toEqual([
    'containerd',
    'etcd',
    'kube-apiserver',
    'kube-controller-manager',
    'kube-proxy',
    'kube-scheduler',
    'kubelet',
    'registry',
  ]);
  runScript('up.sh', 'full');
  expect(componentPids()).toEqual(before);

  // What there is to clean up, so that the checks below cannot pass vacuously.
  const saved = Object.fromEntries(
    readdirSync(runDir)
      .filter((f) => f.startsWith('saved.'))
      .map((f) => [f.slice('saved.'.length), readFileSync(path.join(runDir, f), 'utf8').trim()]),
  );
  const netns = podNetns();
  expect(clusterProcesses().length).toBeGreaterThanOrEqual(8);
  expect(mountsUnder(clusterDir).length).toBeGreaterThan(0);
  expect(netns.length).toBeGreaterThan(0);
  expect(kubepodsCgroups().length).toBeGreaterThan(0);
  expect(kubeChains().length).toBeGreaterThan(0);
  expect(run('ip', 'link', 'show', 'sbbr0').status).toBe(0);

  runScript('down.sh');

  expect(clusterProcesses()).toEqual([]);
  expect(mountsUnder(clusterDir)).toEqual([]);
  if (saved['hugetlb-mounted']) expect(mountsUnder('/sys/fs/cgroup/hugetlb')).toEqual([]);
  expect(netns.filter((p) => existsSync(p))).toEqual([]);
  expect(kubepodsCgroups()).toEqual([]);
  expect(kubeChains()).toEqual([]);
  expect(run('ip', 'link', 'show', 'sbbr0').status).not.toBe(0);
  expect(run('ip', '-4', 'addr', 'show', 'dev', 'lo').stdout).not.toContain('10.217.255.1');
  for (const [key, value] of Object.entries(saved)) {
    if (key.startsWith('sysctl.'))
      expect(`${key} = ${run('sysctl', '-n', key.slice('sysctl.'.length)).stdout.trim()}`).toBe(`${key} = ${value}`);
  }

  // A second down finds nothing to do.
  runScript('down.sh');

  if (restore) runScript('up.sh', restore);
});
