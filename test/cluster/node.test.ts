// The node switchbench deploys onto: real pods through containerd, the bridge CNI, Services,
// the static CPU manager, hugepages with enforced limits, and the garbage collector.
import { ApiException, CoreV1Api, type V1Container, type V1Pod } from '@kubernetes/client-node';
import {
  baseImage,
  createNamespace,
  kubeConfig,
  nodeName,
  onTheNode,
  podFinished,
  podRunning,
  waitFor,
} from './kube.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
let namespace: string;

beforeAll(async () => {
  namespace = await createNamespace(core, 'node');
});

afterAll(async () => {
  await core.deleteNamespace({ name: namespace });
});

function pod(name: string, container: Partial<V1Container>, spec: Partial<V1Pod['spec']> = {}): V1Pod {
  return {
    metadata: { name, namespace },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      nodeSelector: onTheNode,
      containers: [{ name: 'main', image: baseImage, imagePullPolicy: 'Never', ...container }],
      ...spec,
    },
  };
}

async function run(body: V1Pod): Promise<{ pod: V1Pod; logs: string }> {
  const name = body.metadata?.name ?? '';
  await core.createNamespacedPod({ namespace, body });
  const finished = await podFinished(core, namespace, name);
  return { pod: finished, logs: await core.readNamespacedPodLog({ namespace, name }) };
}

const exitCode = (p: V1Pod) => p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode;

/** "0-2,5" -> [0, 1, 2, 5] */
function cpuList(text: string): number[] {
  return text
    .trim()
    .split(',')
    .flatMap((range) => {
      const [from, to = from] = range.split('-').map(Number);
      if (from === undefined || to === undefined || Number.isNaN(from) || Number.isNaN(to))
        throw new Error(`not a CPU list: ${text}`);
      return Array.from({ length: to - from + 1 }, (_, i) => from + i);
    });
}

const cpusLine = (logs: string) => {
  const match = /^Cpus_allowed_list:\s*(\S+)$/m.exec(logs);
  if (!match?.[1]) throw new Error(`no Cpus_allowed_list in: ${logs}`);
  return cpuList(match[1]);
};

test('a pod runs to completion on the node, with a pod IP, and its logs are readable', async () => {
  const { pod: done, logs } = await run(pod('hello', { command: ['sh', '-c', 'echo "hello from $(hostname)"'] }));
  expect(done.status?.phase).toBe('Succeeded');
  expect(done.spec?.nodeName).toBe(nodeName);
  expect(done.status?.podIP).toMatch(/^10\.217\.0\.\d+$/);
  expect(logs).toBe('hello from hello\n');
});

test('a pod reaches the apiserver through the kubernetes Service', async () => {
  // bash's /dev/tcp: the base image has no HTTP client.
  const script =
    'exec 3<>"/dev/tcp/$KUBERNETES_SERVICE_HOST/$KUBERNETES_SERVICE_PORT" && echo "connected to $KUBERNETES_SERVICE_HOST"';
  const { pod: done, logs } = await run(pod('service', { command: ['bash', '-c', script] }));
  expect(logs).toBe('connected to 10.217.64.1\n');
  expect(done.status?.phase).toBe('Succeeded');
});

describe('static CPU manager', () => {
  test('the node offers all CPUs but CPU 0, which is reserved', async () => {
    const node = await core.readNode({ name: nodeName });
    expect(Number(node.status?.allocatable?.cpu)).toBe(Number(node.status?.capacity?.cpu) - 1);
  });

  test('a Guaranteed pod with 1 integer CPU gets an exclusive CPU; a Burstable pod does not', async () => {
    const show = 'grep Cpus_allowed_list /proc/self/status';
    await core.createNamespacedPod({
      namespace,
      body: pod('guaranteed', {
        command: ['sh', '-c', `${show}; exec sleep infinity`],
        resources: { limits: { cpu: '1', memory: '64Mi' } },
      }),
    });
    await podRunning(core, namespace, 'guaranteed');
    const guaranteedLogs = await waitFor(async () => {
      const logs = await core.readNamespacedPodLog({ namespace, name: 'guaranteed' });
      return logs.includes('Cpus_allowed_list') ? logs : undefined;
    });
    const exclusive = cpusLine(guaranteedLogs);
    expect(exclusive).toHaveLength(1);
    expect(exclusive).not.toContain(0);

    // While the Guaranteed pod holds its CPU, everything else shares what is left.
    const burstable = await run(
      pod('burstable', { command: ['sh', '-c', show], resources: { requests: { memory: '32Mi' } } }),
    );
    expect(burstable.pod.status?.qosClass).toBe('Burstable');
    const shared = cpusLine(burstable.logs);
    expect(shared).toContain(0);
    expect(shared).not.toContain(exclusive[0]);

    await core.deleteNamespacedPod({ namespace, name: 'guaranteed', gracePeriodSeconds: 0 });
  });
});

describe('hugepages', () => {
  // Maps a file on the pod's hugetlbfs volume and touches each 2 MiB page: perl is in the base
  // image, and its syscall() reaches mmap (9) directly. Prints the pod's hugetlb cgroup limit.
  const touch = (mebibytes: number) =>
    pod(
      `hugepages-${mebibytes}mi`,
      {
        command: [
          'perl',
          '-e',
          `open(my $l, "<", "/sys/fs/cgroup/hugetlb/hugetlb.2MB.limit_in_bytes") or die "limit: $!\n";
         my $limit = <$l>;
         print "limit $limit";
         system("grep -w /hugepages /proc/mounts");
         open(my $f, "+>", "/hugepages/pages") or die "open: $!";
         my $len = $ARGV[0] << 20;
         my $addr = syscall(9, 0, $len, 3, 1, fileno($f), 0);
         die "mmap: $!\\n" if $addr == -1;
         for (my $o = 0; $o < $len; $o += 2 << 20) { unpack("P1", pack("J", $addr + $o)); }
         print "touched $ARGV[0] MiB\\n";`,
          String(mebibytes),
        ],
        volumeMounts: [{ name: 'hugepages', mountPath: '/hugepages' }],
        resources: { limits: { 'hugepages-2Mi': '4Mi', memory: '64Mi', cpu: '100m' } },
      },
      { volumes: [{ name: 'hugepages', emptyDir: { medium: 'HugePages' } }] },
    );

  test('the node reports allocatable 2 MiB hugepages', async () => {
    const node = await core.readNode({ name: nodeName });
    const allocatable = node.status?.allocatable?.['hugepages-2Mi'] ?? '0';
    const [, amount = '0', unit = ''] = /^(\d+)(Ki|Mi|Gi)?$/.exec(allocatable) ?? [];
    const mebibytes = Number(amount) * ({ Ki: 1 / 1024, Mi: 1, Gi: 1024 }[unit] ?? 1 / (1 << 20));
    expect(mebibytes).toBeGreaterThanOrEqual(4);
  });

  test('a pod within its limit mounts hugetlbfs and uses its pages', async () => {
    const { pod: done, logs } = await run(touch(4));
    expect(logs).toContain(`limit ${4 << 20}`);
    expect(logs).toMatch(/ \/hugepages hugetlbfs .*pagesize=2M/);
    expect(logs).toContain('touched 4 MiB');
    expect(done.status?.phase).toBe('Succeeded');
  });

  test('a pod that reaches past its limit is stopped', async () => {
    const { pod: done, logs } = await run(touch(8));
    expect(logs).toContain(`limit ${4 << 20}`);
    expect(logs).not.toContain('touched');
    expect(done.status?.phase).toBe('Failed');
    expect(exitCode(done)).not.toBe(0);
  });
});

test('deleting an owner deletes the pods it owns (garbage collector)', async () => {
  const owner = await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'owner' } } });
  const ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata?.uid ?? '' }];
  const owned = pod('owned', { command: ['sleep', 'infinity'] });
  owned.metadata = { ...owned.metadata, ownerReferences };
  await core.createNamespacedPod({ namespace, body: owned });
  await podRunning(core, namespace, 'owned');

  await core.deleteNamespacedConfigMap({ namespace, name: 'owner' });
  const status = await waitFor(() =>
    core.readNamespacedPod({ namespace, name: 'owned' }).then(
      () => undefined,
      (err: unknown) => (err instanceof ApiException ? err.code : Promise.reject(err)),
    ),
  );
  expect(status).toBe(404);
});
