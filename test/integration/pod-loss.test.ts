// Pods lost in the middle of a trial, against a real apiserver (the test plays the kubelet): the
// attempt is redone with fresh pods, a bounded number of times, and the run ends with the reason.
import { CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import type { Operator } from '../../src/manager.js';
import { createNamespace, installCrds, kubeConfig, waitFor } from '../cluster/kube.js';
import {
  createBenchmark,
  dropRunFinalizers,
  FakeKubelet,
  FakeNode,
  receiverSummary,
  senderSummary,
  startOperator,
} from './support.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
let namespace: string;
let kubelet: FakeKubelet;
let operator: Operator | undefined;
let node: FakeNode;

const sweep = (name: string) =>
  createBenchmark(kc, namespace, name, {
    datapath: 'testpmd',
    placement: { nodeSelector: { 'switchbench.io/test-node': node.name } },
    traffic: { packetSizes: [64], burstSizes: [16] },
    method: { type: 'sweep', sweep: { ratesPps: [1000] } },
    trial: { duration: '2s', warmup: '0s', window: '1s' },
    resources: { cpuPolicy: 'shared', hugepages: { pageSize: '2Mi', perPodMi: 64 } },
  });
const deletePod = (name: string) => core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 });
const retried = async (): Promise<string[]> =>
  (await core.listNamespacedEvent({ namespace })).items
    .filter((e: CoreV1Event) => e.reason === 'TrialRetried')
    .map((e) => e.message ?? '');

/** Up to the moment the sender exists: switch ready, receiver running. */
async function startTrial(run: string): Promise<void> {
  await kubelet.running(`${run}-switch`, true);
  await kubelet.running(`${run}-t0-a0-rx`);
  await kubelet.waitForPod(`${run}-t0-a0-tx`);
}

async function finishes(run: string): Promise<void> {
  await kubelet.playTrial(run, 0, 1000, 1000, 1);
  const done = await kubelet.waitForRun(run, (r) => r.status?.phase === 'Succeeded');
  expect(done.status?.trials).toEqual([expect.objectContaining({ index: 0, outcome: 'Measured', rxPpsMean: 1000 })]);
  // The lost attempt's pods are gone, not left to run beside the new ones.
  await kubelet.waitForPodGone(`${run}-t0-a0-tx`);
  await kubelet.waitForPodGone(`${run}-t0-a0-rx`);
}

beforeAll(async () => {
  await installCrds(kc);
  namespace = await createNamespace(core, 'pod-loss');
  kubelet = new FakeKubelet(kc, namespace);
});

beforeEach(async () => {
  node = await new FakeNode(kc, `${namespace}-${expect.getState().currentTestName?.split(' ')[1]}`, {}).register();
  await core.patchNode({
    name: node.name,
    body: [{ op: 'add', path: '/metadata/labels/switchbench.io~1test-node', value: node.name }],
  });
  ({ operator } = await startOperator(kc, namespace));
});

afterEach(async () => {
  await operator?.stop();
  operator = undefined;
  await node.delete();
});

afterAll(async () => {
  await dropRunFinalizers(kc, namespace);
  await core.deleteNamespace({ name: namespace }).catch(() => undefined);
});

test('a receiver deleted mid-trial: the attempt is redone with a new pair', async () => {
  await sweep('rx');
  await startTrial('rx-1');
  await deletePod('rx-1-t0-a0-rx');
  await kubelet.waitForPod('rx-1-t0-a1-rx');
  expect(await retried()).toEqual([
    expect.stringContaining('Trial 0 attempt 1: receiver pod of trial 0 was deleted during the trial'),
  ]);
  await finishes('rx-1');
});

test('a switch restarted mid-trial: once the new switch is ready, the attempt is redone', async () => {
  await sweep('sw');
  await startTrial('sw-1');
  const before = await kubelet.pod('sw-1-switch');
  await deletePod('sw-1-switch');
  const replaced = await waitFor(async () => {
    const pod = await kubelet.pod('sw-1-switch');
    return pod && pod.metadata?.uid !== before?.metadata?.uid ? pod : undefined;
  }, 200);
  expect(replaced.metadata?.name).toBe('sw-1-switch');
  await kubelet.running('sw-1-switch', true);
  await kubelet.waitForPod('sw-1-t0-a1-rx');
  expect(await retried()).toEqual(
    expect.arrayContaining([expect.stringContaining('switch pod sw-1-switch was restarted during the trial')]),
  );
  await finishes('sw-1');
});

test('a sender lost while the operator was away: the late pair would miss packets, so the attempt is redone', async () => {
  await sweep('tx');
  await startTrial('tx-1');
  await operator?.stop();
  await deletePod('tx-1-t0-a0-tx');
  await kubelet.waitForPodGone('tx-1-t0-a0-tx');
  // Longer than the warm-up (0 s) plus the sender's slack (5 s).
  await new Promise((resolve) => setTimeout(resolve, 6000));
  ({ operator } = await startOperator(kc, namespace));
  await kubelet.waitForPod('tx-1-t0-a1-rx');
  expect(await retried()).toEqual(
    expect.arrayContaining([expect.stringContaining('sender pod of trial 0 was not there')]),
  );
  await finishes('tx-1');
});

test('both programs exit 0 without a measurement: the attempt is redone on a port of its own, not recorded as failed', async () => {
  await sweep('empty');
  await startTrial('empty-1');
  // What a receiver leaves when a stopping sender's end marker was the first frame it saw: a
  // completed trial with no sample in its window.
  const empty = JSON.parse(receiverSummary(0, 0)) as { rx: Record<string, unknown> };
  empty.rx = { pps_mean: null, pps_stddev: null, packets: 0, samples: 0 };
  await kubelet.succeeded('empty-1-t0-a0-tx', senderSummary(1000, 2000));
  await kubelet.succeeded('empty-1-t0-a0-rx', JSON.stringify(empty));
  await kubelet.waitForPod('empty-1-t0-a1-rx');
  expect(await retried()).toEqual(
    expect.arrayContaining(["Trial 0 attempt 1: the receiver's summary lacks the number rx.pps_mean"]),
  );
  const port = async (name: string) => {
    const args = (await kubelet.pod(name))?.spec?.containers[0]?.args ?? [];
    return args[args.indexOf('--dst-port') + 1];
  };
  expect(await port('empty-1-t0-a1-rx')).toBe('5001');
  await kubelet.running('empty-1-t0-a1-rx');
  await kubelet.waitForPod('empty-1-t0-a1-tx');
  expect(await port('empty-1-t0-a1-tx')).toBe('5001');
  await kubelet.succeeded('empty-1-t0-a1-tx', senderSummary(1000, 2000));
  await kubelet.succeeded('empty-1-t0-a1-rx', receiverSummary(1000, 2000));
  const done = await kubelet.waitForRun('empty-1', (r) => r.status?.phase === 'Succeeded');
  expect(done.status?.trials).toEqual([expect.objectContaining({ index: 0, outcome: 'Measured', rxPpsMean: 1000 })]);
});

test('losing every attempt records the trial as failed with the reason, and the run ends', async () => {
  await sweep('gone');
  await startTrial('gone-1');
  await deletePod('gone-1-t0-a0-rx');
  await kubelet.running('gone-1-t0-a1-rx');
  await kubelet.waitForPod('gone-1-t0-a1-tx');
  await deletePod('gone-1-t0-a1-rx');
  const failed = await kubelet.waitForRun('gone-1', (r) => r.status?.phase === 'Failed');
  expect(failed.status?.trials).toEqual([
    expect.objectContaining({
      index: 0,
      outcome: 'Failed',
      message: 'receiver pod of trial 0 was deleted during the trial (after 2 attempts)',
    }),
  ]);
  expect(failed.status?.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ reason: 'AllTrialsFailed' });
});
