// switchbench operator entry point: flags, kube config (in cluster or from a kubeconfig), signals.
import { KubeConfig } from '@kubernetes/client-node';
import { parseArgs } from 'node:util';
import type { Logger } from 'winston';
import type { Datapath } from './api/v1alpha1/types.js';
import { CPU_MANAGER_POLICIES, type CpuManagerPolicy } from './controller/run/preflight.js';
import { DEFAULT_CONFIG, type OperatorConfig } from './controller/config.js';
import { parseNamespacedName } from './controller/run/cluster-pieces.js';
import { createLogger } from './log.js';
import { DEFAULT_WORKERS, Operator } from './manager.js';
import { OperatorMetrics } from './metrics/registry.js';
import { parseBindAddress, startMetricsServer } from './metrics/server.js';
import { defaultIdentity, KubeLeaseStore, LeaderElector } from './runtime/leader-election.js';
import { VERSION } from './version.js';

const USAGE = `usage: switchbench-operator [options]
  --kubeconfig PATH        kubeconfig to use (default: in-cluster service account, else $KUBECONFIG / ~/.kube/config)
  --namespace NS           watch only this namespace (default: all namespaces)
  --traffic-image IMAGE    default image of the traffic programs (default ${DEFAULT_CONFIG.trafficImage})
  --switch-image DP=IMAGE  default switch image of data path DP (repeatable)
  --allow-traffic-image IMAGE  an image specs may choose for the traffic programs (repeatable)
  --allow-switch-image IMAGE   an image specs may choose for the switch (repeatable)
  --workers N              concurrent reconciles per kind (default 8)
  --leader-elect           reconcile only while holding the leader Lease (for several replicas)
  --leader-election-namespace NS  namespace of the leader Lease (default $POD_NAMESPACE, else switchbench-system)
  --leader-election-id NAME       name of the leader Lease (default switchbench-operator)
  --lock-namespace NS      namespace of the per-node run locks; every operator in the cluster must use the
                           same one, whatever namespace it runs in (default ${DEFAULT_CONFIG.lockNamespace})
  --enabled-namespace-label KEY=VALUE  namespaces may run benchmarks only with this label
                           (default switchbench.io/enabled=true; "" lets every namespace)
  --node-label KEY=VALUE   nodes may run benchmarks only with this label, added to every spec's node
                           selectors (default ${DEFAULT_CONFIG.nodeLabel})
  --cpu-manager-policy P   static|none|unknown: the kubelets' CPU manager policy where a node has no
                           switchbench.io/cpu-manager-policy label (default unknown)
  --multus-daemonset NS/NAME  the Multus DaemonSet kernel and sriov runs wait to be ready (default: not checked)
  --metrics-bind-address A [HOST]:PORT of /metrics, /healthz and /readyz (default :8080; 0 turns them off)
  --log-level LEVEL        error|warn|info|debug (default info)`;

function parse(argv: string[]): { options: ReturnType<typeof parseArgs>['values']; config: OperatorConfig } {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      'traffic-image': { type: 'string' },
      'switch-image': { type: 'string', multiple: true },
      'allow-traffic-image': { type: 'string', multiple: true },
      'allow-switch-image': { type: 'string', multiple: true },
      workers: { type: 'string' },
      'leader-elect': { type: 'boolean' },
      'leader-election-namespace': { type: 'string' },
      'leader-election-id': { type: 'string' },
      'lock-namespace': { type: 'string' },
      'cpu-manager-policy': { type: 'string' },
      'enabled-namespace-label': { type: 'string' },
      'node-label': { type: 'string' },
      'multus-daemonset': { type: 'string' },
      'log-level': { type: 'string' },
      'metrics-bind-address': { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  const switchImages = { ...DEFAULT_CONFIG.switchImages };
  for (const pair of (values['switch-image'] as string[] | undefined) ?? []) {
    const [datapath, image] = pair.split('=', 2);
    if (!datapath || !image) throw new Error(`--switch-image: "${pair}" must be DATAPATH=IMAGE`);
    switchImages[datapath as Datapath] = image;
  }
  const cpuManagerPolicy = (values['cpu-manager-policy'] as string | undefined) ?? DEFAULT_CONFIG.cpuManagerPolicy;
  if (!CPU_MANAGER_POLICIES.includes(cpuManagerPolicy as CpuManagerPolicy)) {
    throw new Error(`--cpu-manager-policy: "${cpuManagerPolicy}" must be one of ${CPU_MANAGER_POLICIES.join(', ')}`);
  }
  const enabledNamespaceLabel =
    (values['enabled-namespace-label'] as string | undefined) ?? DEFAULT_CONFIG.enabledNamespaceLabel;
  if (enabledNamespaceLabel && !/^[^=\s]+=[^=\s]*$/.test(enabledNamespaceLabel)) {
    throw new Error(
      `--enabled-namespace-label: "${enabledNamespaceLabel}" must be KEY=VALUE, or "" for every namespace`,
    );
  }
  const nodeLabel = (values['node-label'] as string | undefined) ?? DEFAULT_CONFIG.nodeLabel;
  if (!/^[^=\s]+=[^=\s]*$/.test(nodeLabel)) {
    throw new Error(`--node-label: "${nodeLabel}" must be KEY=VALUE: benchmarks always need a node the admin labelled`);
  }
  const multusDaemonSet = values['multus-daemonset'] as string | undefined;
  const config: OperatorConfig = {
    ...DEFAULT_CONFIG,
    ...(multusDaemonSet ? { multusDaemonSet: parseNamespacedName('--multus-daemonset', multusDaemonSet) } : {}),
    lockNamespace: (values['lock-namespace'] as string | undefined) ?? DEFAULT_CONFIG.lockNamespace,
    cpuManagerPolicy: cpuManagerPolicy as CpuManagerPolicy,
    enabledNamespaceLabel,
    nodeLabel,
    trafficImage: (values['traffic-image'] as string | undefined) ?? DEFAULT_CONFIG.trafficImage,
    switchImages,
    imageAllowlist: {
      traffic: (values['allow-traffic-image'] as string[] | undefined) ?? [],
      switch: (values['allow-switch-image'] as string[] | undefined) ?? [],
    },
  };
  return { options: values, config };
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parse(process.argv.slice(2));
  } catch (err) {
    console.error(`switchbench-operator: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const { options, config } = parsed;
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const log = createLogger(options['log-level'] as string | undefined);
  const kubeConfig = new KubeConfig();
  if (options.kubeconfig) kubeConfig.loadFromFile(options.kubeconfig as string);
  else kubeConfig.loadFromDefault();
  const workers = options.workers ? Number(options.workers) : DEFAULT_WORKERS;
  if (!Number.isInteger(workers) || workers < 1) {
    console.error(`switchbench-operator: --workers must be a positive integer\n${USAGE}`);
    process.exit(2);
  }

  let metricsAddress;
  try {
    metricsAddress = parseBindAddress((options['metrics-bind-address'] as string | undefined) ?? ':8080');
  } catch (err) {
    console.error(`switchbench-operator: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }

  let synced = false;
  const metrics: OperatorMetrics = new OperatorMetrics(
    {
      benchmarks: () => operator.benchmarks.list(),
      runs: () => operator.runs.list(),
      isLeader: () => elector?.isLeader() ?? true,
    },
    VERSION,
  );
  const operator: Operator = new Operator({
    kubeConfig,
    config,
    log,
    workers,
    observers: metrics.observers(),
    ...(options.namespace ? { namespace: options.namespace as string } : {}),
  });
  const cachesSynced = () => {
    synced = true;
    for (const run of operator.runs.list()) metrics.runChanged(run, true);
    operator.runs.onEvent((_event, run) => metrics.runChanged(run));
  };
  const elector = options['leader-elect']
    ? new LeaderElector({
        store: new KubeLeaseStore(
          kubeConfig,
          (options['leader-election-namespace'] as string | undefined) ??
            (process.env.POD_NAMESPACE || 'switchbench-system'),
          (options['leader-election-id'] as string | undefined) ?? 'switchbench-operator',
        ),
        identity: defaultIdentity(),
        log,
      })
    : undefined;
  if (metricsAddress) {
    await startMetricsServer(metrics.registry, metricsAddress, () => synced);
    log.info('Serving metrics', { address: options['metrics-bind-address'] ?? ':8080' });
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('Received signal, shutting down', { signal });
    // Workers finish their keys before the Lease is released, so two leaders never reconcile at once.
    operator
      .stop()
      .then(() => elector?.stop())
      .then(
        () => exitAfterLogs(log, 0),
        (err: unknown) => {
          log.error('Shutdown failed', { error: String(err) });
          exitAfterLogs(log, 1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (!elector) {
    await operator.start();
    cachesSynced();
    return;
  }
  elector.onChange((_leader, change) => {
    if (change === 'acquired') operator.startWorkers();
    // A deposed leader exits (controller-runtime does too): the Deployment restarts it as a standby.
    if (change === 'lost') exitAfterLogs(log, 1);
  });
  await operator.startInformers();
  cachesSynced();
  elector.start();
}

/** Exits once winston has handed every line logged so far to its transport. */
function exitAfterLogs(log: Logger, code: number): void {
  log.on('finish', () => process.exit(code));
  log.end();
}

main().catch((err: unknown) => {
  console.error(`switchbench-operator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
