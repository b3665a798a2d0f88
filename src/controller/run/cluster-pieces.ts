// Preflight of the cluster pieces a run's own network needs (kernel and sriov): the
// NetworkAttachmentDefinition API and a ready Multus. The facts are read at the edge (KubeClusterPieces);
// judging them is pure, and every problem says what to install or fix (docs/multus-sriov.md).
import { Reason } from '../../api/v1alpha1/conditions.js';
import {
  CustomObjectsApi,
  type KubeConfig,
  type V1CustomResourceDefinition,
  type V1DaemonSet,
} from '@kubernetes/client-node';
import { NAD_CRD_NAME } from '../../datapaths/network.js';
import { isApiError } from '../cluster-writer.js';
import { makeApiClient } from '../../runtime/kube-client.js';

export interface NamespacedName {
  namespace: string;
  name: string;
}

export interface PieceFacts {
  /** Whether the NetworkAttachmentDefinition CRD is established. */
  networkAttachmentApi: boolean;
  /** The Multus DaemonSet the operator was told to check, if any; null when it does not exist. */
  multus?: { daemonSet: NamespacedName; found: V1DaemonSet | null };
}

export interface Problem {
  reason: Reason;
  message: string;
}

/** Parses --multus-daemonset NAMESPACE/NAME. */
export function parseNamespacedName(flag: string, value: string): NamespacedName {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/.exec(value);
  if (!match) throw new Error(`${flag} ${JSON.stringify(value)}: must be NAMESPACE/NAME`);
  return { namespace: match[1] as string, name: match[3] as string };
}

export function piecesProblems(datapath: string, facts: PieceFacts): Problem[] {
  const problems: Problem[] = [];
  if (!facts.networkAttachmentApi) {
    problems.push({
      reason: Reason.NetworkAttachmentAPIMissing,
      message: `datapath ${datapath} attaches its network through Multus, and the cluster has no NetworkAttachmentDefinition API (CRD ${NAD_CRD_NAME}): install Multus (chart value multus.install=true) or its CRD`,
    });
  }
  const multus = facts.multus;
  if (multus) {
    const name = `${multus.daemonSet.namespace}/${multus.daemonSet.name}`;
    const status = multus.found?.status;
    if (!multus.found) {
      problems.push({
        reason: Reason.MultusMissing,
        message: `datapath ${datapath} needs Multus, and its DaemonSet ${name} does not exist: install it (chart value multus.install=true) or point --multus-daemonset at the cluster's own`,
      });
    } else if (!status || status.desiredNumberScheduled === 0 || status.numberReady < status.desiredNumberScheduled) {
      const ready = `${status?.numberReady ?? 0} of ${status?.desiredNumberScheduled ?? 0}`;
      problems.push({
        reason: Reason.MultusNotReady,
        message: `datapath ${datapath} needs Multus, and ${ready} pods of its DaemonSet ${name} are ready: the run starts when they are (kubectl -n ${multus.daemonSet.namespace} describe daemonset ${multus.daemonSet.name})`,
      });
    }
  }
  return problems;
}

const orNull = (err: unknown) => {
  if (isApiError(err, 404)) return null;
  throw err;
};

/**
 * Reads the facts piecesProblems judges, with the operator's own (narrow) permissions. Through the
 * generic object client: the typed apiextensions and apps clients would add a megabyte of code to
 * the operator's resident set for two GETs.
 */
export class KubeClusterPieces {
  private readonly objects: CustomObjectsApi;

  constructor(
    kubeConfig: KubeConfig,
    private readonly multusDaemonSet?: NamespacedName,
  ) {
    this.objects = makeApiClient(kubeConfig, CustomObjectsApi);
  }

  async facts(): Promise<PieceFacts> {
    const crd = (await this.objects
      .getClusterCustomObject({
        group: 'apiextensions.k8s.io',
        version: 'v1',
        plural: 'customresourcedefinitions',
        name: NAD_CRD_NAME,
      })
      .catch(orNull)) as V1CustomResourceDefinition | null;
    const established = crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    if (!this.multusDaemonSet) return { networkAttachmentApi: established };
    const { namespace, name } = this.multusDaemonSet;
    const found = (await this.objects
      .getNamespacedCustomObject({ group: 'apps', version: 'v1', namespace, plural: 'daemonsets', name })
      .catch(orNull)) as V1DaemonSet | null;
    return { networkAttachmentApi: established, multus: { daemonSet: this.multusDaemonSet, found } };
  }
}
