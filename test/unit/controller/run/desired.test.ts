import { defaultSpec } from '../../../../src/api/v1alpha1/defaults.js';
import type { SwitchBenchmarkRun } from '../../../../src/api/v1alpha1/types.js';
import {
  cleanupPod,
  hostRunDir,
  networkAttachment,
  switchConfigMap,
  switchPod,
  trafficPod,
} from '../../../../src/controller/run/desired.js';
import { dataPort, receiverStartTimeout, trafficArgs } from '../../../../src/controller/run/traffic-args.js';
import type { SwitchPlan, TrafficEndpointPlan } from '../../../../src/datapaths/types.js';
import type { TrialRequest } from '../../../../src/plan/index.js';

const uid = '0b6c3f0e-5d7a-4c1e-9a3b-2f8e7d6c5b4a';
const run = (spec = defaultSpec({ datapath: 'testpmd' })): SwitchBenchmarkRun => ({
  apiVersion: 'switchbench.io/v1alpha1',
  kind: 'SwitchBenchmarkRun',
  metadata: { name: 'bench-1', namespace: 'perf', uid },
  spec: { benchmarkName: 'bench', benchmarkGeneration: 1, trigger: 'initial', benchmark: spec },
});
const endpoint: TrafficEndpointPlan = {
  backendArgs: ['--backend', 'dpdk', '--', '--vdev', 'net_virtio_user0,path=/run/switchbench/s0.sock'],
  capabilities: ['IPC_LOCK'],
  hugepages: true,
  runDir: true,
  behindSwitch: true,
  annotations: {},
  extendedResources: {},
};
const request: TrialRequest = {
  index: 2,
  packetSize: 512,
  burstSize: 32,
  repetition: 0,
  offeredPps: 250000,
  purpose: 'sweep',
  durationSeconds: 60,
  warmupSeconds: 20,
  windowSeconds: 20,
  sampleIntervalSeconds: 1,
};
const plan: SwitchPlan = {
  image: 'localhost/switchbench-vpp:dev',
  command: ['sb-switch-vpp'],
  configFiles: [{ key: 'startup.conf', content: 'unix { nodaemon }' }],
  configDir: '/etc/switchbench',
  startupProbe: { exec: { command: ['vppctl', 'show', 'interface'] } },
  capabilities: ['IPC_LOCK'],
  sockets: ['/run/switchbench/s0.sock'],
};

function traffic(spec = defaultSpec({ datapath: 'testpmd' }), role: 'sender' | 'receiver' = 'sender') {
  return trafficPod({
    run: run(spec),
    spec,
    node: 'node-a',
    nodeLabel: { 'switchbench.io/node': 'true' },
    role,
    trial: 2,
    attempt: 1,
    image: 'img',
    endpoint,
    args: trafficArgs(role, request, spec, endpoint, 1, 60),
    deadlineSeconds: 120.5,
  });
}

describe('trafficPod', () => {
  test('exclusive: Guaranteed QoS with integer CPUs, hugepages, pinned to the node, owned by the run', () => {
    const pod = traffic();
    expect(pod.metadata).toMatchObject({
      name: 'bench-1-t2-a1-tx',
      namespace: 'perf',
      labels: {
        'switchbench.io/run': 'bench-1',
        'switchbench.io/role': 'sender',
        'switchbench.io/trial': '2',
        'switchbench.io/attempt': '1',
        'app.kubernetes.io/managed-by': 'switchbench-operator',
      },
      ownerReferences: [
        { kind: 'SwitchBenchmarkRun', name: 'bench-1', uid, controller: true, blockOwnerDeletion: true },
      ],
    });
    const container = pod.spec?.containers[0];
    const limits = { cpu: '1', memory: '512Mi', 'hugepages-2Mi': '512Mi' };
    expect(container?.resources).toEqual({ requests: limits, limits });
    expect(pod.spec).toMatchObject({
      // The admin's node label as well: a pod created after the node was withdrawn stays unscheduled.
      nodeSelector: { 'kubernetes.io/hostname': 'node-a', 'switchbench.io/node': 'true' },
      restartPolicy: 'Never',
      activeDeadlineSeconds: 121,
      automountServiceAccountToken: false,
    });
    expect(container?.command).toEqual(['sb-sender']);
  });

  test('shared: a small CPU request under the same limits', () => {
    const pod = traffic(defaultSpec({ datapath: 'testpmd', resources: { cpuPolicy: 'shared' } } as never));
    expect(pod.spec?.containers[0]?.resources?.requests).toMatchObject({ cpu: '100m', 'hugepages-2Mi': '512Mi' });
    expect(pod.spec?.containers[0]?.args).toContain('shared');
  });

  test('runs hardened: no privilege escalation, read-only root, only the capabilities the path needs', () => {
    expect(traffic().spec?.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], add: ['IPC_LOCK'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('mounts the run directory from a host path keyed by the run UID, never by a name', () => {
    const pod = traffic();
    expect(pod.spec?.volumes).toContainEqual({
      name: 'run-dir',
      hostPath: { path: `/var/run/switchbench/runs/${uid}`, type: 'DirectoryOrCreate' },
    });
    expect(pod.spec?.containers[0]?.volumeMounts).toContainEqual({ name: 'run-dir', mountPath: '/run/switchbench' });
    expect(pod.spec?.volumes).toContainEqual({ name: 'hugepages', emptyDir: { medium: 'HugePages-2Mi' } });
  });

  test('a UID that is not a UUID never reaches a host path', () => {
    const bad = run();
    bad.metadata.uid = '../../etc';
    expect(() => hostRunDir(bad)).toThrow(/not a UUID/);
  });
});

describe('trafficArgs', () => {
  test.each([
    ['sender', ['--size', '512', '--rate', '250000', '--burst', '32']],
    ['receiver', ['--start-timeout', '50', '--burst', '32']],
  ] as const)('the %s gets the trial as flags, and the backend last', (role, head) => {
    const args = trafficArgs(role, request, defaultSpec({ datapath: 'testpmd' }), endpoint, 0, 60);
    expect(args.slice(0, head.length)).toEqual(head);
    expect(args).toEqual(
      expect.arrayContaining([
        '--duration',
        '60',
        '--warmup',
        '20',
        '--window',
        '20',
        '--sample-interval',
        '1',
        '--dst-port',
        '5032',
        '--cpu-mode',
        'dedicated',
        '--summary-file',
        '/dev/termination-log',
      ]),
    );
    expect(args.slice(-endpoint.backendArgs.length)).toEqual(endpoint.backendArgs);
  });

  // A receiver that gets nothing must end on its own, with its summary, before its pod's deadline
  // (the trial's duration plus the grace) kills it with none.
  test.each([
    [60, 50],
    [30, 20],
    [200, 60],
    [1, 5],
  ])('with %i s of grace the receiver waits %i s for its first frame', (grace, timeout) => {
    expect(receiverStartTimeout(grace)).toBe(timeout);
  });

  test.each([0, 1, 2])(
    'trial 2, attempt %i: sender and receiver share the port of that trial and attempt',
    (attempt) => {
      const port = (role: 'sender' | 'receiver') => {
        const args = trafficArgs(role, request, defaultSpec({ datapath: 'testpmd' }), endpoint, attempt, 60);
        return args[args.indexOf('--dst-port') + 1];
      };
      expect(port('sender')).toBe(String(5000 + 2 * 16 + attempt));
      expect(port('receiver')).toBe(port('sender'));
    },
  );

  test('every trial and attempt has its own port: the next attempt, and the next trial, never reuse one', () => {
    // A switch forwarded an earlier trial's frames into the next trial's first attempt: they must be
    // foreign there, so the ports of any two attempts in a row differ, across trials too.
    const seen = new Set<number>();
    for (let trial = 0; trial < 3750; trial++) {
      for (let attempt = 0; attempt < 16; attempt++) {
        const port = dataPort(trial, attempt);
        expect(port >= 5000 && port < 65000).toBe(true);
        expect(seen.has(port)).toBe(false);
        seen.add(port);
      }
    }
    for (const [trial, attempts] of [
      [0, 3],
      [41, 20],
      [3749, 3],
    ] as const) {
      for (let attempt = 0; attempt + 1 < attempts; attempt++)
        expect(dataPort(trial, attempt + 1)).not.toBe(dataPort(trial, attempt));
      expect(dataPort(trial + 1, 0)).not.toBe(dataPort(trial, attempts - 1));
    }
  });
});

describe('switch objects', () => {
  test('the switch pod mounts its config, the run directory and hugepages, with the plan probe', () => {
    const spec = defaultSpec({ datapath: 'testpmd', resources: { cpus: { switch: 2 } } } as never);
    const pod = switchPod(run(spec), spec, 'node-a', { 'switchbench.io/node': 'true' }, plan);
    const container = pod.spec?.containers[0];
    expect(pod.metadata?.name).toBe('bench-1-switch');
    expect(pod.spec?.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'node-a', 'switchbench.io/node': 'true' });
    expect(container?.startupProbe).toEqual(plan.startupProbe);
    expect(container?.resources?.limits).toMatchObject({ cpu: '2' });
    expect(container?.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'config', mountPath: '/etc/switchbench', readOnly: true },
        { name: 'run-dir', mountPath: '/run/switchbench' },
        { name: 'hugepages', mountPath: '/dev/hugepages' },
      ]),
    );
    expect(switchConfigMap(run(spec), plan)?.data).toEqual({ 'startup.conf': 'unix { nodaemon }' });
  });

  test('no ConfigMap for a switch without files', () => {
    expect(switchConfigMap(run(), { ...plan, configFiles: [] })).toBeUndefined();
  });
});

describe('cleanupPod', () => {
  test('removes exactly the run directory, as argv', () => {
    const pod = cleanupPod(run(), 'node-a', 'img');
    // Only the node's name: a node withdrawn from benchmarks still gets its host directory removed.
    expect(pod.spec?.nodeSelector).toEqual({ 'kubernetes.io/hostname': 'node-a' });
    expect(pod.spec?.containers[0]?.command).toEqual(['rm', '-rf', '--one-file-system', '--', `/runs/${uid}`]);
    expect(pod.spec?.volumes).toEqual([
      { name: 'runs', hostPath: { path: '/var/run/switchbench/runs', type: 'DirectoryOrCreate' } },
    ]);
    expect(pod.spec?.hostNetwork).toBeUndefined();
    expect(pod.spec?.containers[0]?.securityContext?.capabilities).toEqual({ drop: ['ALL'] });
  });

  test('a run with host interfaces: removed too, by name as arguments, from the host network namespace with NET_ADMIN only', () => {
    const pod = cleanupPod(run(), 'node-a', 'img', ['sb0b6c3f0e5d7a4']);
    const command = pod.spec?.containers[0]?.command ?? [];
    expect(command.slice(0, 2)).toEqual(['sh', '-ec']);
    expect(command.slice(3)).toEqual(['cleanup', `/runs/${uid}`, 'sb0b6c3f0e5d7a4']);
    // The script refers to its arguments only: no name is ever part of the script text.
    expect(command[2]).not.toContain('sb0b6c3f0e5d7a4');
    expect(command[2]).toContain('ip link delete dev "$link"');
    expect(pod.spec?.hostNetwork).toBe(true);
    expect(pod.spec?.containers[0]?.securityContext).toMatchObject({
      capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] },
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
    });
  });

  test.each(['eth0; reboot', 'a'.repeat(16), 'Sb1', ''])(
    'refuses a host interface name %j that no run would have',
    (name) => {
      expect(() => cleanupPod(run(), 'node-a', 'img', [name])).toThrow("is not a run's interface name");
    },
  );
});

describe('networkAttachment', () => {
  test("one per run, owned by it, with the plan's CNI configuration as JSON and its annotations", () => {
    const nad = networkAttachment(
      run(defaultSpec({ datapath: 'sriov', sriov: { resourceName: 'intel.com/vf', vlan: 0 } })),
      {
        cniConfig: { cniVersion: '0.4.0', name: 'n', type: 'sriov' },
        annotations: { 'k8s.v1.cni.cncf.io/resourceName': 'intel.com/vf' },
        hostInterfaces: [],
      },
    );
    expect(nad).toEqual({
      apiVersion: 'k8s.cni.cncf.io/v1',
      kind: 'NetworkAttachmentDefinition',
      metadata: {
        name: 'bench-1-net',
        namespace: 'perf',
        labels: {
          'app.kubernetes.io/managed-by': 'switchbench-operator',
          'switchbench.io/benchmark': 'bench',
          'switchbench.io/run': 'bench-1',
          'switchbench.io/role': 'network',
        },
        annotations: { 'k8s.v1.cni.cncf.io/resourceName': 'intel.com/vf' },
        ownerReferences: [
          expect.objectContaining({ kind: 'SwitchBenchmarkRun', name: 'bench-1', uid, controller: true }),
        ],
      },
      spec: { config: '{"cniVersion":"0.4.0","name":"n","type":"sriov"}' },
    });
  });
});
