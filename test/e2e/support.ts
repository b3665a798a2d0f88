// What every end-to-end test file needs: the CRDs, a namespace of its own, an operator watching it
// (in-process, so the test reads its logs), and runs driven to their end.
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import {
  BENCHMARK_PLURAL,
  GROUP,
  RUN_PLURAL,
  VERSION,
  type SwitchBenchmark,
  type SwitchBenchmarkRun,
} from '../../src/api/v1alpha1/types.js';
import type { OperatorConfig } from '../../src/controller/config.js';
import type { Operator } from '../../src/manager.js';
import { createNamespace, installCrds, kubeConfig, waitFor } from '../cluster/kube.js';
import { dropRunFinalizers, startOperator } from '../integration/support.js';

export interface E2eSession {
  readonly kc: ReturnType<typeof kubeConfig>;
  readonly core: CoreV1Api;
  readonly custom: CustomObjectsApi;
  /** The test file's namespace, set once beforeAll has run. */
  namespace(): string;
  /** The in-process operator's JSON log lines so far. */
  logs(): readonly string[];
  readRun(name: string): Promise<SwitchBenchmarkRun | undefined>;
  /** Creates the benchmark (in the session's namespace) and waits for its first run to finish. */
  runToEnd(benchmark: SwitchBenchmark): Promise<SwitchBenchmarkRun>;
}

/** Registers the file's hooks; a failing test prints the operator's last log lines. */
export function e2eSession(prefix: string, config: Partial<OperatorConfig> = {}): E2eSession {
  const kc = kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  let namespace = '';
  let operator: Operator | undefined;
  let logs: string[] = [];

  beforeAll(async () => {
    await installCrds(kc);
    namespace = await createNamespace(core, prefix);
    ({ operator, lines: logs } = await startOperator(kc, namespace, [], config));
  });
  afterEach(() => {
    if (expect.getState().assertionCalls !== expect.getState().numPassingAsserts)
      console.log(logs.slice(-40).join('\n'));
  });
  afterAll(async () => {
    await operator?.stop();
    await dropRunFinalizers(kc, namespace);
    await core.deleteNamespace({ name: namespace });
  });

  const readRun = async (name: string) =>
    (await custom
      .getNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: RUN_PLURAL, name })
      .catch(() => undefined)) as SwitchBenchmarkRun | undefined;
  return {
    kc,
    core,
    custom,
    namespace: () => namespace,
    logs: () => logs,
    readRun,
    async runToEnd(benchmark) {
      await custom.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace,
        plural: BENCHMARK_PLURAL,
        body: { ...benchmark, metadata: { ...benchmark.metadata, namespace } },
      });
      return waitFor(async () => {
        const run = await readRun(`${benchmark.metadata.name}-1`);
        return run?.status?.phase === 'Succeeded' || run?.status?.phase === 'Failed' ? run : undefined;
      }, 1000);
    },
  };
}

/** What trial pods get on this two-core machine: shared CPUs and small hugepage pools. */
export const SHARED_RESOURCES = {
  cpuPolicy: 'shared',
  cpus: { sender: 1, receiver: 1, switch: 1 },
  memoryMi: 256,
  hugepages: { pageSize: '2Mi', perPodMi: 512 },
};
/** Short trials: what correctness needs, not what a measurement would. */
export const SHORT_TRIAL = { duration: '6s', warmup: '2s', window: '3s', sampleInterval: '1s', repetitions: 1 };

/** A small sweep at 64-byte frames; `overrides` replace whole top-level fields of the spec. */
export function sweepSpec(
  datapath: string,
  ratesPps: number[],
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    datapath,
    traffic: { packetSizes: [64], burstSizes: [16] },
    method: { type: 'sweep', sweep: { ratesPps } },
    trial: SHORT_TRIAL,
    resources: SHARED_RESOURCES,
    ...overrides,
  };
}
