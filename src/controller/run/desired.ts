// Pure builders of the objects a run needs: same inputs, same objects, so reconcile can compare
// what exists with what should and a restarted operator rebuilds exactly what it had.
import type {
  V1ConfigMap,
  V1Container,
  V1ObjectMeta,
  V1Pod,
  V1ResourceRequirements,
  V1Volume,
  V1VolumeMount,
} from '@kubernetes/client-node';
import type { SwitchBenchmarkRun, SwitchBenchmarkSpec } from '../../api/v1alpha1/types.js';
import { NAD_GROUP, NAD_VERSION, networkName, type NetworkPlan } from '../../datapaths/network.js';
import {
  RUN_DIR_IN_POD,
  RUN_DIR_ON_HOST_ROOT,
  SWITCH_STATE_DIR,
  type RunIdentity,
  type SwitchPlan,
  type TrafficEndpointPlan,
  type TrafficRole,
} from '../../datapaths/types.js';
import {
  ATTEMPT_LABEL,
  BENCHMARK_LABEL,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  ROLE_LABEL,
  RUN_LABEL,
  TRIAL_LABEL,
  type PodRole,
} from '../../api/v1alpha1/labels.js';
import { controllerReference } from '../ownership.js';
import { cpuRequest } from './placement.js';

/** The traffic programs' names in the traffic image. */
export const TRAFFIC_COMMAND: Record<TrafficRole, string> = { sender: 'sb-sender', receiver: 'sb-receiver' };
/** Where DPDK keeps its runtime files; an emptyDir, so the root filesystem can stay read-only. */
const DPDK_RUNTIME_DIR = '/var/run/dpdk';
const HUGEPAGES_DIR = '/dev/hugepages';

export function runLabels(run: SwitchBenchmarkRun, role: PodRole): Record<string, string> {
  return {
    [MANAGED_BY_LABEL]: MANAGED_BY,
    [BENCHMARK_LABEL]: run.spec.benchmarkName,
    [RUN_LABEL]: run.metadata.name as string,
    [ROLE_LABEL]: role,
  };
}

/** What the data path drivers know of a run. */
export function runIdentity(run: SwitchBenchmarkRun): RunIdentity {
  return {
    namespace: run.metadata.namespace as string,
    name: run.metadata.name as string,
    uid: run.metadata.uid as string,
  };
}

/** The run's host directory: keyed by the run's UID, so no user-chosen string reaches a host path. */
export function hostRunDir(run: SwitchBenchmarkRun): string {
  const uid = run.metadata.uid as string;
  if (!/^[0-9a-f-]{36}$/.test(uid)) throw new Error(`run UID ${JSON.stringify(uid)} is not a UUID`);
  return `${RUN_DIR_ON_HOST_ROOT}/${uid}`;
}

function resources(
  spec: SwitchBenchmarkSpec,
  cpus: number,
  cpuRequested: string,
  hugepages: boolean,
  extended: Record<string, string>,
): V1ResourceRequirements {
  const { memoryMi, hugepages: pages } = spec.resources;
  const memory = { memory: `${memoryMi}Mi` };
  const huge: Record<string, string> = hugepages ? { [`hugepages-${pages.pageSize}`]: `${pages.perPodMi}Mi` } : {};
  // Guaranteed QoS (requests == limits, integer CPUs) is what makes the static CPU manager hand out
  // exclusive cores; hugepages and extended resources must have requests == limits in any case.
  const limits = { cpu: `${cpus}`, ...memory, ...huge, ...extended };
  const requests = { ...limits, cpu: cpuRequested };
  return { requests, limits };
}

interface PodVolumes {
  volumes: V1Volume[];
  mounts: V1VolumeMount[];
}

function podVolumes(
  run: SwitchBenchmarkRun,
  spec: SwitchBenchmarkSpec,
  options: { hugepages: boolean; runDir: boolean },
): PodVolumes {
  const volumes: V1Volume[] = [{ name: 'dpdk-runtime', emptyDir: { medium: 'Memory', sizeLimit: '16Mi' } }];
  const mounts: V1VolumeMount[] = [{ name: 'dpdk-runtime', mountPath: DPDK_RUNTIME_DIR }];
  if (options.hugepages) {
    volumes.push({ name: 'hugepages', emptyDir: { medium: `HugePages-${spec.resources.hugepages.pageSize}` } });
    mounts.push({ name: 'hugepages', mountPath: HUGEPAGES_DIR });
  }
  if (options.runDir) {
    volumes.push({ name: 'run-dir', hostPath: { path: hostRunDir(run), type: 'DirectoryOrCreate' } });
    mounts.push({ name: 'run-dir', mountPath: RUN_DIR_IN_POD });
  }
  return { volumes, mounts };
}

/** nobody: the user of a container that needs neither a capability nor a host directory. */
export const NON_ROOT_USER = 65534;

/**
 * Root only where the program needs it: Kubernetes gives a container's added capabilities to root
 * alone (a non-root process starts with none effective, and pods cannot ask for ambient ones), and the
 * run's host directory and the hugepage files belong to root. Everything else runs as nobody.
 */
function hardenedContainer(container: V1Container, capabilities: string[], asRoot: boolean): V1Container {
  return {
    ...container,
    imagePullPolicy: 'IfNotPresent',
    // A program that fails before writing its summary still says why: the tail of its log.
    terminationMessagePolicy: 'FallbackToLogsOnError',
    securityContext: {
      ...(asRoot ? {} : { runAsNonRoot: true, runAsUser: NON_ROOT_USER, runAsGroup: NON_ROOT_USER }),
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'], ...(capabilities.length ? { add: capabilities } : {}) },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
}

/**
 * Where a run's switch and traffic pods may go: the node preflight chose, and only while it carries
 * the admin's node label, so that a pod created after the admin withdrew the node stays unscheduled.
 */
export const benchmarkNodeSelector = (node: string, nodeLabel: Record<string, string>) => ({
  'kubernetes.io/hostname': node,
  ...nodeLabel,
});

function basePod(
  run: SwitchBenchmarkRun,
  name: string,
  nodeSelector: Record<string, string>,
  labels: Record<string, string>,
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: run.metadata.namespace as string,
      labels,
      ownerReferences: [controllerReference(run)],
    },
    spec: {
      nodeSelector,
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 10,
      containers: [],
    },
  };
}

export function trialPodName(run: SwitchBenchmarkRun, trial: number, attempt: number, role: TrafficRole): string {
  return `${run.metadata.name}-t${trial}-a${attempt}-${role === 'sender' ? 'tx' : 'rx'}`;
}

export interface TrafficPodInput {
  run: SwitchBenchmarkRun;
  spec: SwitchBenchmarkSpec;
  node: string;
  /** The admin's node label, required of the node as well. */
  nodeLabel: Record<string, string>;
  role: TrafficRole;
  trial: number;
  attempt: number;
  image: string;
  endpoint: TrafficEndpointPlan;
  /** The traffic program's arguments (backend, trial parameters, output paths). */
  args: string[];
  /** The kubelet kills the pod after this long: a hung program cannot hold the node forever. */
  deadlineSeconds: number;
}

export function trafficPod(input: TrafficPodInput): V1Pod {
  const { run, spec, role, endpoint } = input;
  const { volumes, mounts } = podVolumes(run, spec, endpoint);
  const name = trialPodName(run, input.trial, input.attempt, role);
  const pod = basePod(run, name, benchmarkNodeSelector(input.node, input.nodeLabel), {
    ...runLabels(run, role),
    [TRIAL_LABEL]: String(input.trial),
    [ATTEMPT_LABEL]: String(input.attempt),
  });
  if (Object.keys(endpoint.annotations).length)
    pod.metadata = { ...pod.metadata, annotations: { ...endpoint.annotations } };
  pod.spec = {
    ...pod.spec,
    activeDeadlineSeconds: Math.ceil(input.deadlineSeconds),
    volumes,
    containers: [
      hardenedContainer(
        {
          name: role,
          image: input.image,
          command: [TRAFFIC_COMMAND[role]],
          args: input.args,
          resources: resources(
            spec,
            spec.resources.cpus[role],
            cpuRequest(spec.resources.cpuPolicy, role, endpoint.behindSwitch, spec.resources.cpus[role]),
            endpoint.hugepages,
            endpoint.extendedResources,
          ),
          volumeMounts: mounts,
        },
        endpoint.capabilities,
        endpoint.capabilities.length > 0 || endpoint.runDir || endpoint.hugepages,
      ),
    ],
  };
  return pod;
}

export const switchPodName = (run: SwitchBenchmarkRun) => `${run.metadata.name}-switch`;
export const switchConfigMapName = (run: SwitchBenchmarkRun) => `${run.metadata.name}-switch`;

export function switchConfigMap(run: SwitchBenchmarkRun, plan: SwitchPlan): V1ConfigMap | undefined {
  if (plan.configFiles.length === 0) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: switchConfigMapName(run),
      namespace: run.metadata.namespace as string,
      labels: runLabels(run, 'switch'),
      ownerReferences: [controllerReference(run)],
    },
    data: Object.fromEntries(plan.configFiles.map((f) => [f.key, f.content])),
  };
}

export function switchPod(
  run: SwitchBenchmarkRun,
  spec: SwitchBenchmarkSpec,
  node: string,
  nodeLabel: Record<string, string>,
  plan: SwitchPlan,
): V1Pod {
  const { volumes, mounts } = podVolumes(run, spec, { hugepages: true, runDir: true });
  if (plan.configFiles.length) {
    volumes.push({ name: 'config', configMap: { name: switchConfigMapName(run) } });
    mounts.push({ name: 'config', mountPath: plan.configDir, readOnly: true });
  }
  // Switches write logs, databases and control sockets next to their binaries' defaults.
  volumes.push({ name: 'scratch', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } });
  mounts.push({ name: 'scratch', mountPath: SWITCH_STATE_DIR });
  const pod = basePod(run, switchPodName(run), benchmarkNodeSelector(node, nodeLabel), runLabels(run, 'switch'));
  pod.spec = {
    ...pod.spec,
    volumes,
    containers: [
      hardenedContainer(
        {
          name: 'switch',
          image: plan.image,
          command: plan.command,
          resources: resources(
            spec,
            spec.resources.cpus.switch,
            cpuRequest(spec.resources.cpuPolicy, 'switch', true, spec.resources.cpus.switch),
            true,
            {},
          ),
          volumeMounts: mounts,
          startupProbe: plan.startupProbe,
        },
        plan.capabilities,
        true,
      ),
    ],
  };
  return pod;
}

export interface NetworkAttachmentDefinition {
  apiVersion: string;
  kind: 'NetworkAttachmentDefinition';
  metadata: V1ObjectMeta;
  spec: { config: string };
}

/** The run's NetworkAttachmentDefinition: owned by the run, so it goes with it even if teardown never runs. */
export function networkAttachment(run: SwitchBenchmarkRun, plan: NetworkPlan): NetworkAttachmentDefinition {
  return {
    apiVersion: `${NAD_GROUP}/${NAD_VERSION}`,
    kind: 'NetworkAttachmentDefinition',
    metadata: {
      name: networkName(runIdentity(run)),
      namespace: run.metadata.namespace as string,
      labels: runLabels(run, 'network'),
      ...(Object.keys(plan.annotations).length ? { annotations: { ...plan.annotations } } : {}),
      ownerReferences: [controllerReference(run)],
    },
    spec: { config: JSON.stringify(plan.cniConfig) },
  };
}

export const cleanupPodName = (run: SwitchBenchmarkRun) => `${run.metadata.name}-cleanup`;

/**
 * Removes the run's host directory and the host interfaces its network left (the kernel path's
 * bridge); the kubelet runs it, since the operator has no host access. Only a run with interfaces to
 * remove gets the host's network namespace and NET_ADMIN, and its names come from the run's UID.
 */
export function cleanupPod(
  run: SwitchBenchmarkRun,
  node: string,
  image: string,
  hostInterfaces: readonly string[] = [],
): V1Pod {
  // Not the admin's node label: a node withdrawn from benchmarks still gets its host directory removed.
  const pod = basePod(run, cleanupPodName(run), { 'kubernetes.io/hostname': node }, runLabels(run, 'cleanup'));
  const mountPath = '/runs';
  const runDir = `${mountPath}/${hostRunDir(run).slice(RUN_DIR_ON_HOST_ROOT.length + 1)}`;
  for (const name of hostInterfaces)
    if (!/^[a-z0-9]{1,15}$/.test(name))
      throw new Error(`host interface ${JSON.stringify(name)} is not a run's interface name`);
  // Names are passed as arguments, never spliced into the script; a missing interface is already removed.
  const script =
    'dir=$1; shift; rm -rf --one-file-system -- "$dir"; for link in "$@"; do if ip link show dev "$link" >/dev/null 2>&1; then ip link delete dev "$link"; fi; done';
  const command = hostInterfaces.length
    ? ['sh', '-ec', script, 'cleanup', runDir, ...hostInterfaces]
    : ['rm', '-rf', '--one-file-system', '--', runDir];
  pod.spec = {
    ...pod.spec,
    activeDeadlineSeconds: 120,
    ...(hostInterfaces.length ? { hostNetwork: true } : {}),
    volumes: [{ name: 'runs', hostPath: { path: RUN_DIR_ON_HOST_ROOT, type: 'DirectoryOrCreate' } }],
    containers: [
      hardenedContainer(
        {
          name: 'cleanup',
          image,
          command,
          resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '100m', memory: '32Mi' } },
          volumeMounts: [{ name: 'runs', mountPath }],
        },
        hostInterfaces.length ? ['NET_ADMIN'] : [],
        true,
      ),
    ],
  };
  return pod;
}
