// Helpers of the integration tier: install the CRDs, run the operator in-process, play the kubelet.
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  V1MicroTime,
  type V1ContainerStatus,
  type V1Pod,
} from '@kubernetes/client-node';
import { Writable } from 'node:stream';
import winston from 'winston';
import { BENCHMARK_PLURAL, GROUP, RUN_PLURAL, VERSION, type SwitchBenchmarkRun } from '../../src/api/v1alpha1/types.js';
import { DEFAULT_CONFIG, labelSelector, type OperatorConfig } from '../../src/controller/config.js';
import { Operator } from '../../src/manager.js';
import { createNamespace, installCrds, waitFor } from '../cluster/kube.js';
import { receiverSummary, senderSummary } from '../fixtures/trial-summaries.mjs';

/** Logs kept in memory: the test output stays readable, and a failing test can print them. */
export function memoryLogger(lines: string[] = []): { log: winston.Logger; lines: string[] } {
  const log = winston.createLogger({
    level: 'debug',
    format: winston.format.json(),
    transports: [
      new winston.transports.Stream({
        stream: new Writable({
          write(chunk, _encoding, done) {
            lines.push(String(chunk).trim());
            done();
          },
        }),
      }),
    ],
  });
  return { log, lines };
}

// Pods here stay unscheduled until a test writes their status: no start timeout within a test's time.
export const TEST_CONFIG: OperatorConfig = {
  ...DEFAULT_CONFIG,
  trialGraceSeconds: 30,
  maxTrialAttempts: 2,
  podStartTimeoutSeconds: 3600,
};

/** The operator's clock under a test's control: schedules are tested by moving it, never by sleeping. */
export class FakeClock {
  constructor(private time: Date) {}

  now(): Date {
    return new Date(this.time);
  }

  set(time: Date | string): void {
    this.time = new Date(time);
  }
}

/** An operator watching `namespace`, keeping its node locks there too unless `config` says otherwise. */
export async function startOperator(
  kc: KubeConfig,
  namespace: string,
  lines: string[] = [],
  config: Partial<OperatorConfig> = {},
  clock?: FakeClock,
): Promise<{ operator: Operator; lines: string[] }> {
  const { log } = memoryLogger(lines);
  const operator = new Operator({
    kubeConfig: kc,
    namespace,
    config: { ...TEST_CONFIG, lockNamespace: namespace, ...config },
    log,
    resyncMs: 2000,
    ...(clock ? { now: () => clock.now() } : {}),
  });
  await operator.start();
  return { operator, lines };
}

export { receiverSummary, senderSummary };

/** The address the fake kubelet gives every pod it starts (nothing is sent to it). */
const FAKE_POD_IP = '10.244.0.10';

/** Plays the kubelet: writes the status a pod would have at one point of its life. */
export class FakeKubelet {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  pod(name: string): Promise<V1Pod | undefined> {
    return this.core.readNamespacedPod({ namespace: this.namespace, name }).catch(() => undefined);
  }

  waitForPod(name: string): Promise<V1Pod> {
    return waitFor(() => this.pod(name), 200);
  }

  async waitForPodGone(name: string): Promise<void> {
    await waitFor(async () => ((await this.pod(name)) ? undefined : true), 200);
  }

  async run(name: string): Promise<SwitchBenchmarkRun | undefined> {
    return (await this.custom
      .getNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.namespace,
        plural: RUN_PLURAL,
        name,
      })
      .catch(() => undefined)) as SwitchBenchmarkRun | undefined;
  }

  waitForRun(name: string, until: (run: SwitchBenchmarkRun) => boolean): Promise<SwitchBenchmarkRun> {
    return waitFor(async () => {
      const run = await this.run(name);
      return run && until(run) ? run : undefined;
    }, 200);
  }

  private async setStatus(
    name: string,
    phase: string,
    container: Partial<V1ContainerStatus>,
    ready = false,
  ): Promise<void> {
    // The scheduler writes the pod's conditions too: on a conflict, read again and retry.
    await waitFor(async () => {
      const pod = await this.waitForPod(name);
      const now = new Date();
      const containerName = pod.spec?.containers[0]?.name ?? 'main';
      return this.core
        .replaceNamespacedPodStatus({
          namespace: this.namespace,
          name,
          body: {
            ...pod,
            status: {
              phase,
              startTime: now,
              // A started pod has its sandbox, and with it an address (kernel senders are sent to it).
              podIP: FAKE_POD_IP,
              podIPs: [{ ip: FAKE_POD_IP }],
              conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now }],
              containerStatuses: [
                {
                  name: containerName,
                  image: pod.spec?.containers[0]?.image ?? '',
                  imageID: '',
                  ready,
                  restartCount: 0,
                  ...container,
                },
              ],
            },
          },
        })
        .then(
          () => true,
          (err: unknown) => {
            if (err instanceof ApiException && err.code === 409) return undefined;
            throw err;
          },
        );
    }, 50);
  }

  running(name: string, ready = false): Promise<void> {
    return this.setStatus(name, 'Running', { state: { running: { startedAt: new Date() } }, started: true }, ready);
  }

  succeeded(name: string, message: string): Promise<void> {
    return this.setStatus(name, 'Succeeded', {
      state: { terminated: { exitCode: 0, reason: 'Completed', message, finishedAt: new Date() } },
    });
  }

  failed(name: string, exitCode: number, message: string): Promise<void> {
    return this.setStatus(name, 'Failed', {
      state: { terminated: { exitCode, reason: 'Error', message, finishedAt: new Date() } },
    });
  }

  /** Runs one trial's pods through their life; the sender must not exist before the receiver runs. */
  async playTrial(run: string, index: number, offeredPps: number, rxPps: number, attempt = 0): Promise<void> {
    const rx = `${run}-t${index}-a${attempt}-rx`;
    const tx = `${run}-t${index}-a${attempt}-tx`;
    await this.waitForPod(rx);
    if (await this.pod(tx)) throw new Error(`sender ${tx} exists before its receiver runs`);
    await this.running(rx);
    await this.waitForPod(tx);
    await this.succeeded(tx, senderSummary(offeredPps, offeredPps * 2));
    await this.succeeded(rx, receiverSummary(rxPps, rxPps * 2));
  }
}

/** Creates a SwitchBenchmark from a spec (partial: the apiserver defaults the rest). */
export function createBenchmark(
  kc: KubeConfig,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
): Promise<unknown> {
  return kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BENCHMARK_PLURAL,
    body: { apiVersion: `${GROUP}/${VERSION}`, kind: 'SwitchBenchmark', metadata: { name, namespace }, spec },
  });
}

/**
 * Runs left mid-flight keep the operator's cleanup finalizer; once the operator is gone nothing would
 * remove it, so a test drops it before deleting its namespace. `runs` defaults to the namespace's;
 * a namespace or CRD that is gone has none. Safe beside an operator still finishing a run: one whose
 * finalizer is already gone, or the run itself, is no error.
 */
export async function dropRunFinalizers(kc: KubeConfig, namespace: string, runs?: SwitchBenchmarkRun[]): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const gone = (err: unknown) => err instanceof ApiException && err.code === 404;
  const items =
    runs ??
    (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: RUN_PLURAL }).then(
      (list) => (list as { items: SwitchBenchmarkRun[] }).items,
      (err: unknown) => {
        if (gone(err)) return [];
        throw err;
      },
    ));
  for (const run of items.filter((r) => r.metadata.finalizers?.length)) {
    await custom
      .patchNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: RUN_PLURAL,
        name: run.metadata.name as string,
        body: [{ op: 'remove', path: '/metadata/finalizers' }],
      })
      .catch((err: unknown) => {
        // 422: the JSON patch found no finalizers to remove.
        if (!(gone(err) || (err instanceof ApiException && err.code === 422))) throw err;
      });
  }
}

/**
 * A Node with no kubelet behind it, kept Ready as a kubelet would: its status says Ready and its
 * lease in kube-node-lease is renewed, else the node lifecycle controller marks it NotReady after
 * its grace period. Tainted, so that when this tier shares a full cluster the scheduler puts no
 * real pod on it; the tests write the status of the operator's pods themselves.
 */
export class FakeNode {
  private readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;
  private timer: NodeJS.Timeout | undefined;
  /** What the fake kubelet reports; a test flips it to see what the operator does with a NotReady node. */
  ready = true;

  constructor(
    kc: KubeConfig,
    readonly name: string,
    private readonly labels: Record<string, string>,
    private readonly allocatable: Record<string, string> = {
      cpu: '8',
      memory: '16Gi',
      'hugepages-2Mi': '1Gi',
      pods: '110',
    },
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
  }

  async register(): Promise<this> {
    await this.core.createNode({
      body: {
        // A fake node stands for one the admin let run benchmarks: it carries the admin's node label.
        metadata: {
          name: this.name,
          labels: { ...labelSelector(TEST_CONFIG.nodeLabel), ...this.labels, 'kubernetes.io/hostname': this.name },
        },
        spec: { taints: [{ key: 'switchbench.io/no-kubelet', value: 'true', effect: 'NoSchedule' }] },
      },
    });
    await this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat().catch(() => undefined), 10_000);
    this.timer.unref();
    return this;
  }

  async heartbeat(): Promise<void> {
    const now = new Date();
    const ready = {
      type: 'Ready',
      status: this.ready ? 'True' : 'False',
      reason: this.ready ? 'KubeletReady' : 'KubeletNotReady',
      message: 'fake node',
      lastHeartbeatTime: now,
      lastTransitionTime: now,
    };
    // The node lifecycle controller writes the node too: retry on conflict with a fresh copy.
    await waitFor(async () => {
      const node = await this.core.readNode({ name: this.name });
      const status = { capacity: this.allocatable, allocatable: this.allocatable, conditions: [ready] };
      return this.core.replaceNodeStatus({ name: this.name, body: { ...node, status } }).then(
        () => true,
        () => undefined,
      );
    }, 100);
    const lease = {
      metadata: { name: this.name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: this.name, leaseDurationSeconds: 40, renewTime: new V1MicroTime(now) },
    };
    const existing = await this.coordination
      .readNamespacedLease({ name: this.name, namespace: 'kube-node-lease' })
      .catch(() => undefined);
    if (existing)
      await this.coordination.replaceNamespacedLease({
        name: this.name,
        namespace: 'kube-node-lease',
        body: { ...existing, spec: lease.spec },
      });
    else await this.coordination.createNamespacedLease({ namespace: 'kube-node-lease', body: lease });
  }

  async delete(): Promise<void> {
    clearInterval(this.timer);
    await this.core.deleteNode({ name: this.name }).catch(() => undefined);
    await this.coordination
      .deleteNamespacedLease({ name: this.name, namespace: 'kube-node-lease' })
      .catch(() => undefined);
  }
}

/** A test file's namespace, its one fake node (label switchbench.io/test-node=<namespace>-node) and an operator watching it. */
export interface FakeNodeFile {
  namespace: string;
  node: FakeNode;
  operator: Operator;
}

export async function startFakeNodeFile(kc: KubeConfig, prefix: string): Promise<FakeNodeFile> {
  await installCrds(kc);
  const namespace = await createNamespace(kc.makeApiClient(CoreV1Api), prefix);
  const node = await new FakeNode(kc, `${namespace}-node`, {
    'switchbench.io/test-node': `${namespace}-node`,
  }).register();
  const { operator } = await startOperator(kc, namespace);
  return { namespace, node, operator };
}

/** Stops what startFakeNodeFile started, whatever of it did start. */
export async function stopFakeNodeFile(kc: KubeConfig, file: Partial<FakeNodeFile>): Promise<void> {
  await file.operator?.stop();
  if (file.namespace) await dropRunFinalizers(kc, file.namespace);
  await file.node?.delete();
  if (file.namespace)
    await kc
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: file.namespace })
      .catch(() => undefined);
}
