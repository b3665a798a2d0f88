// stepTrials against a cache that lags the operator's own writes, with a recording writer: the cases
// a real apiserver shows only by chance (a second reconcile before the informer sees a new pod, a
// sender deleted between two reconciles, an operator whose queue is minutes long).
import type { V1Pod } from '@kubernetes/client-node';
import winston from 'winston';
import type { SwitchBenchmarkRun } from '../../../../src/api/v1alpha1/types.js';
import type { ClusterWriter, EventInput } from '../../../../src/controller/cluster-writer.js';
import { DEFAULT_CONFIG } from '../../../../src/controller/config.js';
import { SenderLedger } from '../../../../src/controller/run/sender-ledger.js';
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
  readonly deleted: string[] = [];
  deletePod(pod: V1Pod): Promise<void> {
    this.deleted.push(pod.metadata?.name as string);
    return Promise.resolve();
  }
  event(_object: unknown, event: EventInput): Promise<void> {
    this.events.push(event);
    return Promise.resolve();
  }
}

/** A step of `run` at 00:01:00 with a recording writer, the setup, and the first trial's request. */
function fixture() {
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
  const pods = (attempt: number) => trafficPods(step, setup, { sender: 'n1', receiver: 'n1' }, request, attempt);
  return { setup, writer, step, pods };
}

/** An operator that has watched since 00:00:00. */
const watching = () => new SenderLedger(new Date('2026-01-01T00:00:00Z'));

/** The receiver of `pod`, its program running since `since`. */
const runningReceiver = (pod: V1Pod, since: string): V1Pod => ({
  ...pod,
  metadata: { ...pod.metadata, uid: 'rx-0', creationTimestamp: new Date(since) },
  status: {
    phase: 'Running',
    containerStatuses: [
      {
        name: 'receiver',
        image: '',
        imageID: '',
        ready: true,
        restartCount: 0,
        state: { running: { startedAt: new Date(since) } },
      },
    ],
  },
});

test('a lost attempt is retried once and reported once, though a lagging cache shows it twice', async () => {
  const { setup, writer, step, pods } = fixture();
  // Attempt 0's receiver crashed; the cache shows nothing newer, at both reconciles.
  const { receiver } = pods(0);
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
  const senders = watching();

  await stepTrials(step, setup, [crashed], senders);
  await stepTrials(step, setup, [crashed], senders);

  expect([...writer.pods]).toEqual(['b-1-t0-a1-rx']);
  expect(writer.events.map((e) => [e.reason, e.message])).toEqual([
    ['TrialRetried', expect.stringMatching(/^Trial 0 attempt 1: receiver pod b-1-t0-a0-rx failed/)],
  ]);
});

test("a superseded attempt's pods are deleted once: a pod the cache shows terminating is left to go", async () => {
  const { setup, writer, step, pods } = fixture();
  const old = pods(0);
  const deleted = { ...old.sender.metadata, deletionTimestamp: new Date('2026-01-01T00:00:58Z') };

  await stepTrials(step, setup, [{ ...old.sender, metadata: deleted }, old.receiver, pods(1).receiver], watching());

  expect(writer.deleted).toEqual([old.receiver.metadata?.name]);
});

describe('a receiver running for 30 s without its sender', () => {
  // Past the strict bound (the default warm-up, 20 s, plus 5 s), within the receiver's wait for its
  // first frame (50 s with the default grace) less the sender's margin (15 s).
  const since = '2026-01-01T00:00:30Z';

  test('from an operator watching since before it started: late in the queue, the sender is created now', async () => {
    const { setup, writer, step, pods } = fixture();
    await stepTrials(step, setup, [runningReceiver(pods(0).receiver, since)], watching());
    expect([...writer.pods]).toEqual(['b-1-t0-a0-tx']);
    expect(writer.events).toEqual([]);
  });

  test('from an operator that started after it (it was away): the attempt is redone', async () => {
    const { setup, writer, step, pods } = fixture();
    const restarted = new SenderLedger(new Date('2026-01-01T00:00:50Z'));
    await stepTrials(step, setup, [runningReceiver(pods(0).receiver, since)], restarted);
    expect([...writer.pods]).toEqual(['b-1-t0-a1-rx']);
    expect(writer.events.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Trial 0 attempt 1: sender pod of trial 0 was not there 30s after the receiver started/),
    ]);
  });

  test('whose sender the operator saw and the cache no longer shows: deleted mid-trial, redone at once', async () => {
    const { setup, writer, step, pods } = fixture();
    const senders = watching();
    const receiver = runningReceiver(pods(0).receiver, '2026-01-01T00:00:58Z');
    await stepTrials(step, setup, [receiver, pods(0).sender], senders);
    await stepTrials(step, setup, [receiver], senders);
    expect(writer.events.map((e) => e.message)).toEqual([
      'Trial 0 attempt 1: sender pod of trial 0 was deleted during the trial',
    ]);
  });
});
