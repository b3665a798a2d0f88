// stepTrials against a cache that lags the operator's own writes, with a recording writer: the case
// a real apiserver shows only by chance (a second reconcile before the informer sees a new pod).
import type { V1Pod } from '@kubernetes/client-node';
import winston from 'winston';
import type { SwitchBenchmarkRun } from '../../../../src/api/v1alpha1/types.js';
import type { ClusterWriter, EventInput } from '../../../../src/controller/cluster-writer.js';
import { DEFAULT_CONFIG } from '../../../../src/controller/config.js';
import { isSetupProblem, setupRun } from '../../../../src/controller/run/setup.js';
import type { RunReconcilerDeps, RunStep } from '../../../../src/controller/run/step.js';
import { stepTrials, trafficPods } from '../../../../src/controller/run/trials.js';

const run: SwitchBenchmarkRun = {
  apiVersion: 'switchbench.io/v1alpha1',
  kind: 'SwitchBenchmarkRun',
  metadata: { name: 'b-1', namespace: 'ns', uid: '0b5a4c1e-8f3d-4a7b-9c2e-1d2f3a4b5c6d' },
  spec: {
    benchmarkName: 'b',
    benchmarkGeneration: 1,
    trigger: 'initial',
    benchmark: {
      datapath: 'memif',
      method: { type: 'sweep', sweep: { ratesPps: [1000] } },
    } as unknown as SwitchBenchmarkRun['spec']['benchmark'],
  },
  status: { phase: 'Running', node: 'n1', startTime: '2026-01-01T00:00:00Z', trials: [] },
};

class RecordingWriter {
  /** Names of the pods the apiserver holds: a second create of one is refused as a 409 would be. */
  readonly pods = new Set<string>();
  readonly events: EventInput[] = [];
  createPod(pod: V1Pod): Promise<boolean> {
    const name = pod.metadata?.name as string;
    const created = !this.pods.has(name);
    this.pods.add(name);
    return Promise.resolve(created);
  }
  deletePod(): Promise<void> {
    return Promise.resolve();
  }
  event(_object: unknown, event: EventInput): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
}

test('a lost attempt is retried once and reported once, though a lagging cache shows it twice', async () => {
  const setup = setupRun(run, DEFAULT_CONFIG);
  if (isSetupProblem(setup)) throw new Error(setup.message);
  const writer = new RecordingWriter();
  const deps = {
    writer: writer as unknown as ClusterWriter,
    config: { ...DEFAULT_CONFIG, maxTrialAttempts: 3 },
    now: () => new Date('2026-01-01T00:01:00Z'),
  } as unknown as RunReconcilerDeps;
  const step: RunStep = { deps, run, log: winston.createLogger({ silent: true }) };
  const request = setup.method.next(setup.spec, []);
  if (!request) throw new Error('the sweep plans no trial');
  // Attempt 0's receiver crashed; the cache shows nothing newer, at both reconciles.
  const receiver = trafficPods(step, setup, { sender: 'n1', receiver: 'n1' }, request, 0).receiver;
  const crashed: V1Pod = {
    ...receiver,
    metadata: { ...receiver.metadata, uid: 'rx-0', creationTimestamp: new Date('2026-01-01T00:00:30Z') },
    status: {
      phase: 'Failed',
      containerStatuses: [
        {
          name: 'receiver',
          image: '',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 1, reason: 'Error', message: 'EAL: cannot init' } },
        },
      ],
    },
  };

  await stepTrials(step, setup, [crashed]);
  await stepTrials(step, setup, [crashed]);

  expect([...writer.pods]).toEqual(['b-1-t0-a1-rx']);
  expect(writer.events.map((e) => [e.reason, e.message])).toEqual([
    ['TrialRetried', expect.stringMatching(/^Trial 0 attempt 1: receiver pod b-1-t0-a0-rx failed/)],
  ]);
});
