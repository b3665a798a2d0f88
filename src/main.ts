// switchbench operator entry point: flags, kube config (in cluster or from a kubeconfig), signals.
import { KubeConfig } from '@kubernetes/client-node';
import { parseArgs } from 'node:util';
import type { Datapath } from './api/v1alpha1/types.js';
import { DEFAULT_CONFIG, type OperatorConfig } from './controller/config.js';
import { createLogger } from './log.js';
import { Operator } from './operator.js';

const USAGE = `usage: switchbench-operator [options]
  --kubeconfig PATH        kubeconfig to use (default: in-cluster service account, else $KUBECONFIG / ~/.kube/config)
  --namespace NS           watch only this namespace (default: all namespaces)
  --traffic-image IMAGE    default image of the traffic programs (default ${DEFAULT_CONFIG.trafficImage})
  --switch-image DP=IMAGE  default switch image of data path DP (repeatable)
  --allow-image IMAGE      an image specs may choose as an override (repeatable)
  --workers N              concurrent reconciles per kind (default 2)
  --log-level LEVEL        error|warn|info|debug (default info)`;

function parse(argv: string[]): { options: ReturnType<typeof parseArgs>['values']; config: OperatorConfig } {
  const { values } = parseArgs({
    args: argv,
    options: {
      kubeconfig: { type: 'string' },
      namespace: { type: 'string' },
      'traffic-image': { type: 'string' },
      'switch-image': { type: 'string', multiple: true },
      'allow-image': { type: 'string', multiple: true },
      workers: { type: 'string' },
      'log-level': { type: 'string' },
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
  const config: OperatorConfig = {
    ...DEFAULT_CONFIG,
    trafficImage: (values['traffic-image'] as string | undefined) ?? DEFAULT_CONFIG.trafficImage,
    switchImages,
    imageAllowlist: (values['allow-image'] as string[] | undefined) ?? [],
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
  const workers = options.workers ? Number(options.workers) : 2;
  if (!Number.isInteger(workers) || workers < 1) {
    console.error(`switchbench-operator: --workers must be a positive integer\n${USAGE}`);
    process.exit(2);
  }

  const operator = new Operator({ kubeConfig, config, log, workers, ...(options.namespace ? { namespace: options.namespace as string } : {}) });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('Received signal, shutting down', { signal });
    operator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('Shutdown failed', { error: String(err) });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  await operator.start();
}

main().catch((err: unknown) => {
  console.error(`switchbench-operator: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
