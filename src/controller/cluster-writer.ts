// The operator's only writes to the cluster. Reads come from informer caches, never from here.
import type { Reason } from '../api/v1alpha1/conditions.js';
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type V1ConfigMap,
  type V1Lease,
  type V1Pod,
} from '@kubernetes/client-node';
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../api/v1alpha1/types.js';
import { BENCHMARK_PLURAL, GROUP, RUN_PLURAL, VERSION } from '../api/v1alpha1/types.js';
import { NAD_GROUP, NAD_PLURAL, NAD_VERSION } from '../datapaths/network.js';
import type { NetworkAttachmentDefinition } from './run/desired.js';
import { makeApiClient } from '../runtime/kube-client.js';

export const FIELD_MANAGER = 'switchbench-operator';

export interface EventInput {
  type: 'Normal' | 'Warning';
  reason: Reason;
  message: string;
}

export interface ClusterWriter {
  /** Creates a pod; false when one of that name exists already (an earlier reconcile made it). */
  createPod(pod: V1Pod): Promise<boolean>;
  /**
   * Deletes this pod (this UID: a pod made since under its name is left alone). A delete of the same
   * pod requested moments ago is not sent again: the cache shows it only once its watch event
   * arrives, and every reconcile before that would delete it again.
   */
  deletePod(pod: V1Pod): Promise<void>;
  createConfigMap(configMap: V1ConfigMap): Promise<void>;
  deleteConfigMap(namespace: string, name: string): Promise<void>;
  createRun(run: SwitchBenchmarkRun): Promise<void>;
  deleteRun(namespace: string, name: string): Promise<void>;
  /** Replaces the status, guarded by the object's resourceVersion: a stale copy gets a 409. */
  replaceRunStatus(run: SwitchBenchmarkRun): Promise<SwitchBenchmarkRun>;
  replaceBenchmarkStatus(benchmark: SwitchBenchmark): Promise<SwitchBenchmark>;
  event(object: SwitchBenchmark | SwitchBenchmarkRun, event: EventInput): Promise<void>;
  addRunFinalizer(run: SwitchBenchmarkRun, finalizer: string): Promise<void>;
  removeRunFinalizer(run: SwitchBenchmarkRun, finalizer: string): Promise<void>;
  /** Creates a Lease; false when one of that name exists already (someone else won). */
  createLease(lease: V1Lease): Promise<boolean>;
  /** Replaces a Lease guarded by its resourceVersion; false on a conflict (someone else won). */
  replaceLease(lease: V1Lease): Promise<boolean>;
  /** Deletes a Lease only if it is still the version given: a lease taken over since is left alone. */
  deleteLease(lease: V1Lease): Promise<void>;
  createNetworkAttachment(attachment: NetworkAttachmentDefinition): Promise<void>;
  deleteNetworkAttachment(namespace: string, name: string): Promise<void>;
}

/** Longer than the cache's lag behind a delete, even under a fleet's load; short enough to retry a lost one. */
const DELETE_EXPECTATION_MS = 30_000;

export function isApiError(err: unknown, code: number): boolean {
  return err instanceof ApiException && err.code === code;
}

const ignoring = (code: number) => (err: unknown) => {
  if (!isApiError(err, code)) throw err;
};

export class KubeClusterWriter implements ClusterWriter {
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;
  private readonly coordination: CoordinationV1Api;
  /** UIDs of pods whose delete this writer requested, and when: controller-runtime's expectations. */
  private readonly podDeletes = new Map<string, number>();

  constructor(kubeConfig: KubeConfig) {
    this.core = makeApiClient(kubeConfig, CoreV1Api);
    this.custom = makeApiClient(kubeConfig, CustomObjectsApi);
    this.coordination = makeApiClient(kubeConfig, CoordinationV1Api);
  }

  // Creates tolerate AlreadyExists: names are deterministic, so an existing object is the one a
  // previous reconcile (perhaps of an operator that was killed since) created.
  async createPod(pod: V1Pod): Promise<boolean> {
    return this.core
      .createNamespacedPod({ namespace: pod.metadata?.namespace as string, body: pod, fieldManager: FIELD_MANAGER })
      .then(
        () => true,
        (err: unknown) => (isApiError(err, 409) ? false : Promise.reject(err)),
      );
  }

  async deletePod(pod: V1Pod): Promise<void> {
    const { namespace, name, uid } = pod.metadata as { namespace: string; name: string; uid: string };
    const now = Date.now();
    const requested = this.podDeletes.get(uid);
    if (requested !== undefined && now - requested < DELETE_EXPECTATION_MS) return;
    for (const [known, at] of this.podDeletes) if (now - at >= DELETE_EXPECTATION_MS) this.podDeletes.delete(known);
    this.podDeletes.set(uid, now);
    await this.core
      .deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 5, body: { preconditions: { uid } } })
      .catch((err: unknown) => {
        // 409: the precondition failed, the pod of that name is another one; 404: gone already.
        if (!isApiError(err, 404) && !isApiError(err, 409)) {
          this.podDeletes.delete(uid);
          throw err;
        }
      });
  }

  async createConfigMap(configMap: V1ConfigMap): Promise<void> {
    await this.core
      .createNamespacedConfigMap({
        namespace: configMap.metadata?.namespace as string,
        body: configMap,
        fieldManager: FIELD_MANAGER,
      })
      .catch(ignoring(409));
  }

  async deleteConfigMap(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedConfigMap({ namespace, name }).catch(ignoring(404));
  }

  async createRun(run: SwitchBenchmarkRun): Promise<void> {
    await this.custom
      .createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: run.metadata.namespace as string,
        plural: RUN_PLURAL,
        body: run,
        fieldManager: FIELD_MANAGER,
      })
      .catch(ignoring(409));
  }

  async deleteRun(namespace: string, name: string): Promise<void> {
    await this.custom
      .deleteNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: RUN_PLURAL,
        name,
        propagationPolicy: 'Background',
      })
      .catch(ignoring(404));
  }

  replaceRunStatus(run: SwitchBenchmarkRun): Promise<SwitchBenchmarkRun> {
    return this.replaceStatus(RUN_PLURAL, run);
  }

  replaceBenchmarkStatus(benchmark: SwitchBenchmark): Promise<SwitchBenchmark> {
    return this.replaceStatus(BENCHMARK_PLURAL, benchmark);
  }

  private async replaceStatus<T extends SwitchBenchmark | SwitchBenchmarkRun>(plural: string, object: T): Promise<T> {
    return (await this.custom.replaceNamespacedCustomObjectStatus({
      group: GROUP,
      version: VERSION,
      namespace: object.metadata.namespace as string,
      plural,
      name: object.metadata.name as string,
      body: object,
      fieldManager: FIELD_MANAGER,
    })) as T;
  }

  addRunFinalizer(run: SwitchBenchmarkRun, finalizer: string): Promise<void> {
    // Guarded by the whole object's version, as prometheus-operator does: the list is written whole,
    // and must not clobber a finalizer someone else added meanwhile.
    return this.patchRun(
      run,
      [
        { op: 'test', path: '/metadata/resourceVersion', value: run.metadata.resourceVersion },
        { op: 'add', path: '/metadata/finalizers', value: [...(run.metadata.finalizers ?? []), finalizer] },
      ],
      `the run changed since it was read (resourceVersion ${run.metadata.resourceVersion})`,
    );
  }

  removeRunFinalizer(run: SwitchBenchmarkRun, finalizer: string): Promise<void> {
    // Guarded by the one entry removed: the run's own status writes, which change its version, do not
    // make it fail (they did, once per run, at fleet size), and others' finalizers are kept.
    const index = (run.metadata.finalizers ?? []).indexOf(finalizer);
    if (index < 0) return Promise.resolve();
    const entry = `/metadata/finalizers/${index}`;
    return this.patchRun(
      run,
      [
        { op: 'test', path: entry, value: finalizer },
        { op: 'remove', path: entry },
      ],
      `the run's finalizers changed since it was read (${finalizer} is gone from entry ${index})`,
    );
  }

  /** A JSON patch of the run; its failed "test" (the apiserver's 422) becomes the conflict it is. */
  private async patchRun(run: SwitchBenchmarkRun, patch: object[], conflict: string): Promise<void> {
    await this.custom
      .patchNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: run.metadata.namespace as string,
        plural: RUN_PLURAL,
        name: run.metadata.name as string,
        fieldManager: FIELD_MANAGER,
        body: patch,
      })
      .catch((err: unknown) => {
        // For the reconciler a failed test is the usual stale read, a conflict.
        if (!isApiError(err, 422)) throw err;
        throw new ApiException(409, 'Conflict', { kind: 'Status', code: 409, message: conflict }, {});
      });
  }

  async createLease(lease: V1Lease): Promise<boolean> {
    return this.coordination
      .createNamespacedLease({
        namespace: lease.metadata?.namespace as string,
        body: lease,
        fieldManager: FIELD_MANAGER,
      })
      .then(
        () => true,
        (err: unknown) => (isApiError(err, 409) ? false : Promise.reject(err)),
      );
  }

  async replaceLease(lease: V1Lease): Promise<boolean> {
    const { namespace, name } = lease.metadata as { namespace: string; name: string };
    return this.coordination.replaceNamespacedLease({ namespace, name, body: lease, fieldManager: FIELD_MANAGER }).then(
      () => true,
      (err: unknown) => (isApiError(err, 409) || isApiError(err, 404) ? false : Promise.reject(err)),
    );
  }

  async deleteLease(lease: V1Lease): Promise<void> {
    const { namespace, name, resourceVersion } = lease.metadata as {
      namespace: string;
      name: string;
      resourceVersion?: string;
    };
    await this.coordination
      .deleteNamespacedLease({ namespace, name, body: { preconditions: { resourceVersion } } })
      .catch((err: unknown) => {
        if (!isApiError(err, 404) && !isApiError(err, 409)) throw err;
      });
  }

  async createNetworkAttachment(attachment: NetworkAttachmentDefinition): Promise<void> {
    const namespace = attachment.metadata.namespace as string;
    await this.custom
      .createNamespacedCustomObject({
        group: NAD_GROUP,
        version: NAD_VERSION,
        namespace,
        plural: NAD_PLURAL,
        body: attachment,
        fieldManager: FIELD_MANAGER,
      })
      .catch(ignoring(409));
  }

  async deleteNetworkAttachment(namespace: string, name: string): Promise<void> {
    await this.custom
      .deleteNamespacedCustomObject({ group: NAD_GROUP, version: NAD_VERSION, namespace, plural: NAD_PLURAL, name })
      .catch(ignoring(404));
  }

  async event(object: SwitchBenchmark | SwitchBenchmarkRun, event: EventInput): Promise<void> {
    const now = new Date();
    const namespace = object.metadata.namespace as string;
    await this.core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${object.metadata.name}.`, namespace },
        involvedObject: {
          apiVersion: object.apiVersion,
          kind: object.kind,
          name: object.metadata.name,
          namespace,
          uid: object.metadata.uid,
          resourceVersion: object.metadata.resourceVersion,
        },
        type: event.type,
        reason: event.reason,
        message: event.message,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        source: { component: FIELD_MANAGER },
        reportingComponent: FIELD_MANAGER,
      },
    });
  }
}
