// Wiring: informers feed keys to two work queues; workers reconcile benchmarks and runs. Event
// handlers only enqueue keys (sample-controller): all decisions are taken in reconcile from the caches.
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesObject,
  type V1Lease,
  type V1Namespace,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import type { Logger } from 'winston';
import {
  BENCHMARK_PLURAL,
  GROUP,
  RUN_PLURAL,
  VERSION,
  type SwitchBenchmark,
  type SwitchBenchmarkRun,
} from './api/v1alpha1/types.js';
import { BenchmarkReconciler } from './controller/benchmark/reconciler.js';
import { KubeClusterWriter, type ClusterWriter } from './controller/cluster-writer.js';
import { KubeClusterPieces } from './controller/run/cluster-pieces.js';
import type { OperatorConfig } from './controller/config.js';
import { MANAGED_SELECTOR, NODE_LOCK_LABEL, RUN_LABEL } from './api/v1alpha1/labels.js';
import { RunReconciler } from './controller/run/reconciler.js';
import { ResilientInformer, stripManagedFields, type InformerObserver } from './runtime/informer.js';
import { onViewChange } from './runtime/view-changes.js';
import { makeApiClient, observeRequests, type RequestObserver } from './runtime/kube-client.js';
import { runWorkers, type ReconcileObserver } from './runtime/reconcile.js';
import { WorkQueue, type QueueObserver } from './runtime/workqueue.js';

export interface OperatorOptions {
  kubeConfig: KubeConfig;
  /** Watch one namespace; undefined watches all. */
  namespace?: string;
  config: OperatorConfig;
  log: Logger;
  workers?: number;
  /** Every key is reconciled at least this often, whatever the watches say. */
  resyncMs?: number;
  writer?: ClusterWriter;
  observers?: {
    queue?: (name: string) => QueueObserver;
    reconcile?: (name: string) => ReconcileObserver;
    informer?: InformerObserver;
    request?: RequestObserver;
  };
  now?: () => Date;
}

/** What of a node admission and pools read: labels, cordon, allocatable resources, readiness. */
const schedulingView = (node: V1Node) => {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  return JSON.stringify([
    node.metadata?.labels,
    node.spec?.unschedulable,
    node.status?.allocatable,
    ready?.status,
    ready?.reason,
  ]);
};

const keyOf = (object: KubernetesObject) => `${object.metadata?.namespace}/${object.metadata?.name}`;

/**
 * Concurrent reconciles per kind. A reconcile mostly waits on the API server, so more workers than
 * CPUs pay: at 2, a fan-out over 500 nodes queued senders past their receivers' patience.
 */
export const DEFAULT_WORKERS = 8;

/** How long run changes are gathered before their benchmark is reconciled once for all of them. */
const RUN_CHANGES_COALESCED_MS = 1000;

export class Operator {
  readonly benchmarks: ResilientInformer<SwitchBenchmark>;
  readonly runs: ResilientInformer<SwitchBenchmarkRun>;
  readonly pods: ResilientInformer<V1Pod>;
  readonly nodes: ResilientInformer<V1Node>;
  readonly leases: ResilientInformer<V1Lease>;
  /** Only when benchmarks are restricted to labelled namespaces. */
  readonly namespaces: ResilientInformer<V1Namespace> | undefined;
  private readonly benchmarkQueue: WorkQueue;
  private readonly runQueue: WorkQueue;
  private readonly informers: ResilientInformer<KubernetesObject>[];
  private resyncTimer: NodeJS.Timeout | undefined;
  private workers: Promise<void> | undefined;

  constructor(private readonly options: OperatorOptions) {
    const { kubeConfig, namespace, log } = options;
    if (options.observers?.request) observeRequests(kubeConfig, options.observers.request);
    const custom = makeApiClient(kubeConfig, CustomObjectsApi);
    const core = makeApiClient(kubeConfig, CoreV1Api);
    const scope = namespace ? `/namespaces/${namespace}` : '';
    const customList = (plural: string) => () =>
      namespace
        ? custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })
        : custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural });
    const common = {
      kubeConfig,
      log,
      transform: stripManagedFields,
      ...(options.observers?.informer ? { observer: options.observers.informer } : {}),
    };

    this.benchmarks = new ResilientInformer<SwitchBenchmark>({
      ...common,
      name: BENCHMARK_PLURAL,
      path: `/apis/${GROUP}/${VERSION}${scope}/${BENCHMARK_PLURAL}`,
      list: customList(BENCHMARK_PLURAL),
    });
    this.runs = new ResilientInformer<SwitchBenchmarkRun>({
      ...common,
      name: RUN_PLURAL,
      path: `/apis/${GROUP}/${VERSION}${scope}/${RUN_PLURAL}`,
      list: customList(RUN_PLURAL),
    });
    this.pods = new ResilientInformer<V1Pod>({
      ...common,
      name: 'pods',
      path: `/api/v1${scope}/pods`,
      labelSelector: MANAGED_SELECTOR,
      list: () =>
        namespace
          ? core.listNamespacedPod({ namespace, labelSelector: MANAGED_SELECTOR })
          : core.listPodForAllNamespaces({ labelSelector: MANAGED_SELECTOR }),
    });
    this.nodes = new ResilientInformer<V1Node>({
      ...common,
      name: 'nodes',
      path: '/api/v1/nodes',
      list: () => core.listNode(),
    });
    const coordination = makeApiClient(kubeConfig, CoordinationV1Api);
    const lockNamespace = options.config.lockNamespace;
    const lockSelector = `${NODE_LOCK_LABEL}=true`;
    this.leases = new ResilientInformer<V1Lease>({
      ...common,
      name: 'leases',
      path: `/apis/coordination.k8s.io/v1/namespaces/${lockNamespace}/leases`,
      labelSelector: lockSelector,
      list: () => coordination.listNamespacedLease({ namespace: lockNamespace, labelSelector: lockSelector }),
    });
    this.namespaces = options.config.enabledNamespaceLabel
      ? new ResilientInformer<V1Namespace>({
          ...common,
          name: 'namespaces',
          path: '/api/v1/namespaces',
          list: () => core.listNamespace(),
        })
      : undefined;
    this.informers = [
      this.benchmarks,
      this.runs,
      this.pods,
      this.nodes,
      this.leases,
      ...(this.namespaces ? [this.namespaces] : []),
    ] as ResilientInformer<KubernetesObject>[];

    this.benchmarkQueue = new WorkQueue(undefined, options.observers?.queue?.('switchbenchmark'));
    this.runQueue = new WorkQueue(undefined, options.observers?.queue?.('switchbenchmarkrun'));

    this.benchmarks.onEvent((_event, benchmark) => this.benchmarkQueue.add(keyOf(benchmark)));
    this.runs.onEvent((_event, run) => {
      this.runQueue.add(keyOf(run));
      // Coalesced: a pool of hundreds of runs changes many times a second, and each benchmark
      // reconcile reads all of its runs; one a second keeps its status and next round current.
      this.benchmarkQueue.addAfter(`${run.metadata.namespace}/${run.spec.benchmarkName}`, RUN_CHANGES_COALESCED_MS);
    });
    this.pods.onEvent((_event, pod) => {
      const run = pod.metadata?.labels?.[RUN_LABEL];
      if (run) this.runQueue.add(`${pod.metadata?.namespace}/${run}`);
    });
    // A run waiting for a node (to be labelled, to grow, to be released by another run) is woken
    // by node and lock changes.
    const wakeWaitingRuns = () => {
      for (const run of this.runs.list()) if (!run.status?.startTime) this.runQueue.add(keyOf(run));
    };
    // Only what admission and pools read wakes them: not a kubelet's status heartbeats, nor a
    // lock holder's renewals.
    this.nodes.onEvent(
      onViewChange(schedulingView, () => {
        wakeWaitingRuns();
        // A fan-out benchmark's pool is made of nodes: one joining, leaving or relabelled changes it.
        for (const benchmark of this.benchmarks.list())
          if (benchmark.spec.placement?.fanOut) this.benchmarkQueue.add(keyOf(benchmark));
      }),
    );
    this.leases.onEvent(onViewChange((lease) => lease.spec?.holderIdentity ?? '', wakeWaitingRuns));
  }

  /** Fills the caches, then starts the workers; resolves once reconciling has begun. */
  async start(): Promise<void> {
    await this.startInformers();
    this.startWorkers();
  }

  /**
   * Lists and watches; resolves once every cache holds its first list. A standby replica stops
   * here: its caches stay warm (and it is ready) while the leader reconciles.
   */
  async startInformers(): Promise<void> {
    await Promise.all(this.informers.map((i) => i.start()));
    this.options.log.info('Synced informer caches', { namespace: this.options.namespace ?? '(all)' });
  }

  /** Starts reconciling from the caches (after startInformers); once only. */
  startWorkers(): void {
    if (this.workers) return;
    const { options } = this;
    const writer = options.writer ?? new KubeClusterWriter(options.kubeConfig);
    const now = options.now ?? (() => new Date());
    const benchmarkReconciler = new BenchmarkReconciler({
      benchmarks: this.benchmarks,
      runs: this.runs,
      nodes: this.nodes,
      writer,
      config: options.config,
      now,
    });
    const runReconciler = new RunReconciler({
      runs: this.runs,
      pods: this.pods,
      nodes: this.nodes,
      leases: this.leases,
      ...(this.namespaces ? { namespaces: this.namespaces } : {}),
      ...(options.namespace ? { watchNamespace: options.namespace } : {}),
      writer,
      pieces: new KubeClusterPieces(options.kubeConfig, options.config.multusDaemonSet),
      config: options.config,
      now,
    });
    const workers = options.workers ?? DEFAULT_WORKERS;
    this.resync();
    this.resyncTimer = setInterval(() => this.resync(), options.resyncMs ?? 10 * 60_000);
    this.resyncTimer.unref();
    const observer = (name: string) => options.observers?.reconcile?.(name);
    this.workers = Promise.all([
      runWorkers(
        this.benchmarkQueue,
        (key, context) => benchmarkReconciler.reconcile(key, context),
        withObserver(
          { workers, log: options.log.child({ controller: 'switchbenchmark' }) },
          observer('switchbenchmark'),
        ),
      ),
      runWorkers(
        this.runQueue,
        (key, context) => runReconciler.reconcile(key, context),
        withObserver(
          { workers, log: options.log.child({ controller: 'switchbenchmarkrun' }) },
          observer('switchbenchmarkrun'),
        ),
      ),
    ]).then(() => undefined);
    options.log.info('Started operator', { namespace: options.namespace ?? '(all)', workers });
  }

  /** Stops taking new keys, lets workers finish the keys they hold, and stops the watches. */
  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.benchmarkQueue.shutDown();
    this.runQueue.shutDown();
    await this.workers;
    await Promise.all(this.informers.map((i) => i.stop()));
    this.options.log.info('Stopped operator');
  }

  private resync(): void {
    for (const benchmark of this.benchmarks.list()) this.benchmarkQueue.add(keyOf(benchmark));
    for (const run of this.runs.list()) this.runQueue.add(keyOf(run));
  }
}

function withObserver<T extends object>(
  options: T,
  observer: ReconcileObserver | undefined,
): T & { observer?: ReconcileObserver } {
  return observer ? { ...options, observer } : options;
}
