// Recurring benchmarks against a real apiserver, with the operator's clock in the test's hand: runs
// start at their scheduled times (not before), history is pruned, runs never overlap, suspend and
// run-now are honoured, and a time missed beyond the starting deadline is skipped. No test sleeps
// for minutes: the clock jumps. Runs finish at once by failing admission (the namespace is not
// enabled for benchmarks), or stay active by waiting for a node that no selector matches.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CoreV1Api, CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import {
  BENCHMARK_PLURAL,
  GROUP,
  RUN_PLURAL,
  VERSION,
  type SwitchBenchmark,
  type SwitchBenchmarkRun,
} from '../../src/api/v1alpha1/types.js';
import type { Operator } from '../../src/manager.js';
import { createNamespace, installCrds, kubeConfig, waitFor } from '../cluster/kube.js';
import { createBenchmark, dropRunFinalizers, FakeClock, startOperator } from './support.js';

const kc = kubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const custom = kc.makeApiClient(CustomObjectsApi);
const namespaces: string[] = [];
let operator: Operator | undefined;
let logs: string[] = [];

const TEN_MINUTES = 10 * 60_000;
/** The first 10-minute boundary (UTC) after `time`: what "*\/10 * * * *" means, computed without cron. */
const boundaryAfter = (time: Date) => new Date(Math.floor(time.getTime() / TEN_MINUTES) * TEN_MINUTES + TEN_MINUTES);
const plus = (time: Date, ms: number) => new Date(time.getTime() + ms);
const runNameFor = (benchmark: string, time: Date) => `${benchmark}-${time.getTime() / 60_000}`;
/** Longer than a resync period (2 s): the operator has looked at every benchmark at least once. */
const RESYNCED_MS = 4500;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const spec = (namespace: string, extra: Record<string, unknown>) => ({
  datapath: 'kernel',
  placement: { nodeSelector: { 'switchbench.io/test-node': `none-${namespace}` } },
  traffic: { packetSizes: [64], burstSizes: [16] },
  trial: { duration: '2s', warmup: '0s', window: '1s' },
  resources: { cpuPolicy: 'shared' },
  ...extra,
});

const readBenchmark = async (namespace: string, name: string) =>
  (await custom.getNamespacedCustomObject({
    group: GROUP,
    version: VERSION,
    namespace,
    plural: BENCHMARK_PLURAL,
    name,
  })) as SwitchBenchmark;
const listRuns = async (namespace: string) =>
  (
    (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural: RUN_PLURAL })) as {
      items: SwitchBenchmarkRun[];
    }
  ).items;
const runNames = async (namespace: string) => (await listRuns(namespace)).map((r) => r.metadata.name as string).sort();
const waitForRun = (namespace: string, name: string, until: (run: SwitchBenchmarkRun) => boolean = () => true) =>
  waitFor(async () => (await listRuns(namespace)).find((r) => r.metadata.name === name && until(r)), 200);
const finished = (run: SwitchBenchmarkRun) => run.status?.phase === 'Succeeded' || run.status?.phase === 'Failed';
const waitForStatus = (namespace: string, name: string, until: (b: SwitchBenchmark) => boolean) =>
  waitFor(async () => {
    const b = await readBenchmark(namespace, name);
    return until(b) ? b : undefined;
  }, 200);
const events = async (namespace: string, name: string, reason: string) =>
  (
    await core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name},reason=${reason}` })
  ).items.map((e) => e.message ?? '');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const patchBenchmark = (namespace: string, name: string, body: object) =>
  custom.patchNamespacedCustomObject(
    { group: GROUP, version: VERSION, namespace, plural: BENCHMARK_PLURAL, name, body },
    mergePatch,
  );
const runNow = (namespace: string, name: string, token: string) =>
  patchBenchmark(namespace, name, { metadata: { annotations: { 'switchbench.io/run-now': token } } });
/** Enabling or disabling the namespace: a run not yet started there then proceeds, or fails at once. */
const setEnabled = (namespace: string, enabled: boolean) =>
  core.patchNamespace(
    { name: namespace, body: { metadata: { labels: { 'switchbench.io/enabled': enabled ? 'true' : null } } } },
    mergePatch,
  );

/** A namespace of the test's own, and an operator on a fake clock set to the real time. */
async function setUp(enabled: boolean): Promise<{ namespace: string; clock: FakeClock }> {
  const namespace = await createNamespace(core, 'schedule', enabled);
  namespaces.push(namespace);
  const clock = new FakeClock(new Date());
  ({ operator, lines: logs } = await startOperator(kc, namespace, [], {}, clock));
  return { namespace, clock };
}

beforeAll(async () => {
  await installCrds(kc);
});

afterEach(async () => {
  await operator?.stop();
  operator = undefined;
  writeFileSync(
    path.join(os.tmpdir(), `switchbench-integration-${expect.getState().currentTestName?.replace(/\W+/g, '-')}.log`),
    logs.join('\n'),
  );
});

afterAll(async () => {
  for (const namespace of namespaces) {
    await dropRunFinalizers(kc, namespace);
    await core.deleteNamespace({ name: namespace }).catch(() => undefined);
  }
});

test('a schedule starts runs at their times (never early), only the latest after downtime, and prunes history to historyLimit', async () => {
  const { namespace, clock } = await setUp(false);
  await createBenchmark(kc, namespace, 'every10', spec(namespace, { schedule: '*/10 * * * *', historyLimit: 2 }));
  const d1 = boundaryAfter(clock.now());
  await waitForStatus(namespace, 'every10', (b) => b.status?.nextRunTime === d1.toISOString());

  clock.set(plus(d1, -1000));
  await sleep(RESYNCED_MS);
  expect(await runNames(namespace)).toEqual([]);

  clock.set(plus(d1, 5000));
  const first = await waitForRun(namespace, runNameFor('every10', d1), finished);
  expect(first.spec).toMatchObject({ trigger: 'schedule', scheduledTime: d1.toISOString(), benchmarkName: 'every10' });
  expect(first.metadata.labels?.['switchbench.io/trigger']).toBe('schedule');
  await waitForStatus(
    namespace,
    'every10',
    (b) =>
      b.status?.lastScheduleTime === d1.toISOString() && b.status.nextRunTime === plus(d1, TEN_MINUTES).toISOString(),
  );

  // 35 minutes of downtime: 3 times missed, one run, for the latest of them.
  const latest = plus(d1, 3 * TEN_MINUTES);
  clock.set(plus(d1, 35 * 60_000));
  await waitForRun(namespace, runNameFor('every10', latest), finished);
  await sleep(RESYNCED_MS);
  expect(await runNames(namespace)).toEqual([runNameFor('every10', d1), runNameFor('every10', latest)].sort());

  const d5 = plus(d1, 4 * TEN_MINUTES);
  clock.set(plus(d5, 1000));
  await waitForRun(namespace, runNameFor('every10', d5), finished);
  // Three finished runs, a limit of two: the oldest goes.
  await waitFor(async () => ((await runNames(namespace)).includes(runNameFor('every10', d1)) ? undefined : true), 200);
  expect(await runNames(namespace)).toEqual([runNameFor('every10', latest), runNameFor('every10', d5)].sort());
  const status = (
    await waitForStatus(namespace, 'every10', (b) => b.status?.lastRun?.name === runNameFor('every10', d5))
  ).status;
  expect(status).toMatchObject({
    runsStarted: 3,
    lastScheduleTime: d5.toISOString(),
    nextRunTime: plus(d5, TEN_MINUTES).toISOString(),
    phase: 'Failed',
  });
});

test('a time missed beyond startingDeadlineSeconds is skipped with an event; the next one runs', async () => {
  const { namespace, clock } = await setUp(false);
  await createBenchmark(
    kc,
    namespace,
    'deadline',
    spec(namespace, { schedule: '*/10 * * * *', startingDeadlineSeconds: 60 }),
  );
  const d1 = boundaryAfter(clock.now());
  await waitForStatus(namespace, 'deadline', (b) => b.status?.nextRunTime === d1.toISOString());

  const missed = plus(d1, 3 * TEN_MINUTES);
  clock.set(plus(missed, 5 * 60_000));
  const skipped = await waitFor(async () => (await events(namespace, 'deadline', 'MissedSchedule')).at(0), 200);
  expect(skipped).toContain(`Missed scheduled time ${missed.toISOString()}`);
  await waitForStatus(namespace, 'deadline', (b) => b.status?.nextRunTime === plus(missed, TEN_MINUTES).toISOString());
  await sleep(RESYNCED_MS);
  expect(await runNames(namespace)).toEqual([]);
  expect(await events(namespace, 'deadline', 'MissedSchedule')).toHaveLength(1);

  const next = plus(missed, TEN_MINUTES);
  clock.set(plus(next, 30_000));
  const run = await waitForRun(namespace, runNameFor('deadline', next));
  expect(run.spec.scheduledTime).toBe(next.toISOString());
  expect(await runNames(namespace)).toEqual([runNameFor('deadline', next)]);
});

test('runs never overlap: a due time and a run-now request wait for the active run; past the deadline the due time is skipped', async () => {
  const { namespace, clock } = await setUp(true);
  await createBenchmark(
    kc,
    namespace,
    'overlap',
    spec(namespace, { schedule: '*/10 * * * *', startingDeadlineSeconds: 120 }),
  );
  const d1 = boundaryAfter(clock.now());
  await waitForStatus(namespace, 'overlap', (b) => b.status?.nextRunTime === d1.toISOString());

  clock.set(plus(d1, 5000));
  // Its node selector matches no node: the run waits for one, active, with no pod.
  const active = runNameFor('overlap', d1);
  await waitForRun(namespace, active, (r) => r.status?.phase !== undefined && !finished(r));
  await runNow(namespace, 'overlap', 'while-active');

  const d2 = plus(d1, TEN_MINUTES);
  clock.set(plus(d2, 5000));
  const waiting = await waitForStatus(namespace, 'overlap', (b) => b.status?.nextRunTime === d2.toISOString());
  expect(waiting.status).toMatchObject({ activeRun: active, phase: 'Running' });
  await sleep(RESYNCED_MS);
  expect(await runNames(namespace)).toEqual([active]);

  clock.set(plus(d2, 150_000));
  const skipped = await waitFor(async () => (await events(namespace, 'overlap', 'MissedSchedule')).at(0), 200);
  expect(skipped).toContain(`Missed scheduled time ${d2.toISOString()}`);
  expect(skipped).toContain('while an earlier run was active');
  await waitForStatus(namespace, 'overlap', (b) => b.status?.nextRunTime === plus(d2, TEN_MINUTES).toISOString());

  // The active run ends (its namespace is no longer enabled); only then does the manual run start.
  await setEnabled(namespace, false);
  await waitForRun(namespace, active, finished);
  const manual = await waitForRun(namespace, 'overlap-2', finished);
  expect(manual.spec.trigger).toBe('manual');
  expect(manual.metadata.annotations?.['switchbench.io/run-now']).toBe('while-active');
  await waitForStatus(namespace, 'overlap', (b) => b.status?.lastRunNowToken === 'while-active');
  expect(await runNames(namespace)).toEqual([active, 'overlap-2'].sort());
});

test('suspend stops scheduled runs; resumed within the deadline, the missed time runs', async () => {
  const { namespace, clock } = await setUp(false);
  await createBenchmark(
    kc,
    namespace,
    'paused',
    spec(namespace, { schedule: '*/10 * * * *', startingDeadlineSeconds: 300, suspend: true }),
  );
  const d1 = boundaryAfter(clock.now());
  const suspended = await waitForStatus(namespace, 'paused', (b) => b.status?.phase === 'Suspended');
  expect(suspended.status?.nextRunTime).toBeUndefined();

  clock.set(plus(d1, 5000));
  await sleep(RESYNCED_MS);
  expect(await runNames(namespace)).toEqual([]);
  expect((await readBenchmark(namespace, 'paused')).status).toMatchObject({ phase: 'Suspended', runsStarted: 0 });

  await patchBenchmark(namespace, 'paused', { spec: { suspend: false } });
  const run = await waitForRun(namespace, runNameFor('paused', d1));
  expect(run.spec).toMatchObject({ trigger: 'schedule', scheduledTime: d1.toISOString() });
});

test('run-now starts a second run of a one-shot benchmark, and a manual run of a scheduled one; the same value twice starts one', async () => {
  const { namespace, clock } = await setUp(false);
  await createBenchmark(kc, namespace, 'oneshot', spec(namespace, {}));
  await waitForRun(namespace, 'oneshot-1', finished);
  await runNow(namespace, 'oneshot', '2026-01-01T00:00:00Z');
  const second = await waitForRun(namespace, 'oneshot-2', finished);
  expect(second.spec.trigger).toBe('manual');
  // The token is written when the run is created, lastRun once the benchmark has seen it finish.
  const status = (
    await waitForStatus(
      namespace,
      'oneshot',
      (b) => b.status?.lastRunNowToken === '2026-01-01T00:00:00Z' && b.status.lastRun?.name === 'oneshot-2',
    )
  ).status;
  expect(status).toMatchObject({ runsStarted: 2, lastRun: { name: 'oneshot-2' } });
  expect(status?.nextRunTime).toBeUndefined();
  await runNow(namespace, 'oneshot', '2026-01-01T00:00:00Z');
  await sleep(RESYNCED_MS);
  expect(await runNames(namespace)).toEqual(['oneshot-1', 'oneshot-2']);

  await createBenchmark(kc, namespace, 'nightly', spec(namespace, { schedule: '0 3 * * *', timeZone: 'Europe/Rome' }));
  await waitForStatus(namespace, 'nightly', (b) => b.status?.nextRunTime !== undefined);
  await runNow(namespace, 'nightly', 'now');
  const manual = await waitForRun(namespace, 'nightly-1', finished);
  expect(manual.spec).toMatchObject({ trigger: 'manual' });
  expect(manual.spec.scheduledTime).toBeUndefined();
  const nightly = (await waitForStatus(namespace, 'nightly', (b) => b.status?.lastRunNowToken === 'now')).status;
  // Manual runs leave the schedule alone: 03:00 in Rome is still next.
  expect(new Date(nightly?.nextRunTime as string).getTime()).toBeGreaterThan(clock.now().getTime());
  expect(nightly?.lastScheduleTime).toBeUndefined();
});
