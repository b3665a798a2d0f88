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
  deletePod(namespace: string, name: string): Promise<void>;
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

  async deletePod(namespace: string, name: string): Promise<void> {
    await this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 5 }).catch(ignoring(404));
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
    return this.patchFinalizers(run, [...(run.metadata.finalizers ?? []), finalizer]);
  }

  removeRunFinalizer(run: SwitchBenchmarkRun, finalizer: string): Promise<void> {
    return this.patchFinalizers(
      run,
      (run.metadata.finalizers ?? []).filter((f) => f !== finalizer),
    );
  }

  /** A JSON patch guarded by a test of the resourceVersion, as prometheus-operator does: never clobbers others' finalizers. */
  private async patchFinalizers(run: SwitchBenchmarkRun, finalizers: string[]): Promise<void> {
    await this.custom
      .patchNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: run.metadata.namespace as string,
        plural: RUN_PLURAL,
        name: run.metadata.name as string,
        fieldManager: FIELD_MANAGER,
        body: [
          { op: 'test', path: '/metadata/resourceVersion', value: run.metadata.resourceVersion },
          { op: 'add', path: '/metadata/finalizers', value: finalizers },
        ],
      })
      .catch((err: unknown) => {
        // A failed "test" is the apiserver's 422: for the reconciler it is the usual stale read, a conflict.
        if (!isApiError(err, 422)) throw err;
        const body = {
          kind: 'Status',
          code: 409,
          message: `the run changed since it was read (resourceVersion ${run.metadata.resourceVersion})`,
        };
        throw new ApiException(409, 'Conflict', body, {});
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
