// The benchmark reconciler's decisions against in-memory caches and a recording writer: the cases a
// real apiserver rarely shows on demand (a cache behind the operator's own writes, lost status writes).
import type { ObjectCache, V1Node } from '@kubernetes/client-node';
import winston from 'winston';
import { defaultSpec } from '../../../../src/api/v1alpha1/defaults.js';
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../../../../src/api/v1alpha1/types.js';
import { BenchmarkReconciler } from '../../../../src/controller/benchmark/reconciler.js';
import { newRun } from '../../../../src/controller/benchmark/runs.js';
import type { ClusterWriter, EventInput } from '../../../../src/controller/cluster-writer.js';
import { DEFAULT_CONFIG } from '../../../../src/controller/config.js';

const t = (iso: string) => new Date(iso);

function cache<T extends { metadata: { name?: string; namespace?: string } }>(items: T[]): ObjectCache<T> {
  return {
    get: (name: string, namespace?: string) =>
      items.find((i) => i.metadata.name === name && i.metadata.namespace === namespace),
    list: (namespace?: string) => items.filter((i) => namespace === undefined || i.metadata.namespace === namespace),
  };
}

class RecordingWriter {
  created: string[] = [];
  deleted: string[] = [];
  events: EventInput[] = [];
  statuses: SwitchBenchmark['status'][] = [];
  createRun(run: SwitchBenchmarkRun) {
    this.created.push(run.metadata.name as string);
    return Promise.resolve();
  }
  deleteRun(_namespace: string, name: string) {
    this.deleted.push(name);
    return Promise.resolve();
  }
  event(_object: unknown, event: EventInput) {
    this.events.push(event);
    return Promise.resolve();
  }
  replaceBenchmarkStatus(benchmark: SwitchBenchmark) {
    this.statuses.push(benchmark.status);
    return Promise.resolve(benchmark);
  }
}

const benchmark = (
  spec: Record<string, unknown>,
  extra: { status?: SwitchBenchmark['status']; annotations?: Record<string, string> } = {},
): SwitchBenchmark => ({
  apiVersion: 'switchbench.io/v1alpha1',
  kind: 'SwitchBenchmark',
  metadata: {
    name: 'b',
    namespace: 'ns',
    uid: 'u-1',
    generation: 1,
    creationTimestamp: t('2026-01-01T02:00:00Z'),
    ...(extra.annotations ? { annotations: extra.annotations } : {}),
  },
  spec: defaultSpec({ datapath: 'memif', ...spec } as never),
  ...(extra.status ? { status: extra.status } : {}),
});

const runOf = (
  b: SwitchBenchmark,
  name: string,
  phase: string | undefined,
  created: string,
  origin: Parameters<typeof newRun>[3] = {},
): SwitchBenchmarkRun => {
  const run = newRun(b, name, origin.scheduledTime ? 'schedule' : 'manual', origin);
  return {
    ...run,
    metadata: { ...run.metadata, creationTimestamp: t(created) },
    ...(phase ? { status: { phase: phase as never } } : {}),
  };
};

const context = { reconcileID: 'unit', log: winston.createLogger({ silent: true }) };

/** Nodes of a pool: each carries the admin's node label and pool=a. */
const poolOf = (...names: string[]): V1Node[] =>
  names.map((name) => ({ metadata: { name, labels: { 'switchbench.io/node': 'true', pool: 'a' } } }));

function reconciler(b: SwitchBenchmark, runs: SwitchBenchmarkRun[], clock: { now: Date }, nodes: V1Node[] = []) {
  const writer = new RecordingWriter();
  const r = new BenchmarkReconciler({
    benchmarks: cache([b]),
    runs: cache(runs),
    nodes: cache(nodes as (V1Node & { metadata: { name: string } })[]),
    writer: writer as unknown as ClusterWriter,
    config: DEFAULT_CONFIG,
    now: () => clock.now,
  });
  return { r, writer };
}

describe('BenchmarkReconciler', () => {
  test('starts the due run, requeues at the next due time, and never starts a second one while its cache lags', async () => {
    const b = benchmark({ schedule: '*/10 * * * *' }, { annotations: { 'switchbench.io/run-now': 'x' } });
    const clock = { now: t('2026-01-01T03:00:05Z') };
    const { r, writer } = reconciler(b, [], clock);
    expect(await r.reconcile('ns/b', context)).toEqual({ requeueAfterMs: 595_000 });
    expect(writer.created).toEqual(['b-29453940']);
    expect(writer.statuses.at(-1)).toMatchObject({
      lastScheduleTime: '2026-01-01T03:00:00.000Z',
      nextRunTime: '2026-01-01T03:10:00.000Z',
      runsStarted: 1,
    });
    // Same stale caches (neither the status nor the run arrived): the run-now request must wait.
    clock.now = t('2026-01-01T03:00:06Z');
    await r.reconcile('ns/b', context);
    expect(writer.created).toEqual(['b-29453940']);
  });

  test('a run already there for the due time (its status write was lost) is recorded, not created again', async () => {
    const b = benchmark({ schedule: '*/10 * * * *' });
    const done = runOf(b, 'b-29453940', 'Succeeded', '2026-01-01T03:00:01Z', {
      scheduledTime: t('2026-01-01T03:00:00Z'),
    });
    const { r, writer } = reconciler(b, [done], { now: t('2026-01-01T03:00:30Z') });
    await r.reconcile('ns/b', context);
    expect(writer.created).toEqual([]);
    expect(writer.statuses.at(-1)).toMatchObject({
      lastScheduleTime: '2026-01-01T03:00:00.000Z',
      nextRunTime: '2026-01-01T03:10:00.000Z',
    });
  });

  test('a run-now request whose run exists is recorded, not run twice; a new one gets the next number', async () => {
    const b = benchmark({}, { status: { runsStarted: 1 }, annotations: { 'switchbench.io/run-now': 'second' } });
    const first = runOf(b, 'b-1', 'Succeeded', '2026-01-01T02:00:01Z');
    const second = runOf(b, 'b-2', 'Succeeded', '2026-01-01T02:30:00Z', { runNowToken: 'second' });
    const lagging = reconciler(b, [first, second], { now: t('2026-01-01T03:00:00Z') });
    await lagging.r.reconcile('ns/b', context);
    expect(lagging.writer.created).toEqual([]);
    expect(lagging.writer.statuses.at(-1)).toMatchObject({ lastRunNowToken: 'second', runsStarted: 2 });

    const again = benchmark(
      {},
      { status: { runsStarted: 2, lastRunNowToken: 'second' }, annotations: { 'switchbench.io/run-now': 'third' } },
    );
    const fresh = reconciler(again, [first, second], { now: t('2026-01-01T03:00:00Z') });
    expect(await fresh.r.reconcile('ns/b', context)).toEqual({});
    expect(fresh.writer.created).toEqual(['b-3']);
  });

  test('prunes the oldest finished runs beyond historyLimit, and reports a missed time once', async () => {
    const b = benchmark(
      { schedule: '0 * * * *', startingDeadlineSeconds: 60, historyLimit: 1 },
      { status: { runsStarted: 2, nextRunTime: '2026-01-01T03:00:00.000Z' } },
    );
    const runs = [
      runOf(b, 'b-old', 'Failed', '2026-01-01T01:00:00Z', { scheduledTime: t('2026-01-01T01:00:00Z') }),
      runOf(b, 'b-new', 'Succeeded', '2026-01-01T02:00:00Z', { scheduledTime: t('2026-01-01T02:00:00Z') }),
    ];
    const { r, writer } = reconciler(b, runs, { now: t('2026-01-01T03:05:00Z') });
    expect(await r.reconcile('ns/b', context)).toEqual({ requeueAfterMs: 600_000 }); // 55 minutes away, capped
    expect(writer.deleted).toEqual(['b-old']);
    expect(writer.created).toEqual([]);
    expect(writer.events.map((e) => e.reason)).toEqual(['MissedSchedule']);
    expect(writer.statuses.at(-1)).toMatchObject({
      nextRunTime: '2026-01-01T04:00:00.000Z',
      lastScheduleTime: '2026-01-01T02:00:00.000Z',
    });

    const announced = { ...b, status: writer.statuses.at(-1) } as SwitchBenchmark;
    const later = reconciler(announced, runs.slice(1), { now: t('2026-01-01T03:06:00Z') });
    await later.r.reconcile('ns/b', context);
    expect([later.writer.events, later.writer.created]).toEqual([[], []]);
  });

  test('an invalid spec starts nothing and prunes nothing', async () => {
    const b = benchmark({ schedule: '* * *', historyLimit: 1 }, { annotations: { 'switchbench.io/run-now': 'x' } });
    const runs = [runOf(b, 'b-1', 'Failed', '2026-01-01T01:00:00Z'), runOf(b, 'b-2', 'Failed', '2026-01-01T01:30:00Z')];
    const { r, writer } = reconciler(b, runs, { now: t('2026-01-01T03:00:00Z') });
    expect(await r.reconcile('ns/b', context)).toEqual({});
    expect([writer.created, writer.deleted]).toEqual([[], []]);
    expect(writer.statuses.at(-1)).toMatchObject({ phase: 'Invalid' });
  });

  describe('fan-out', () => {
    const fanOut = (extra: Record<string, unknown> = {}, status?: SwitchBenchmark['status']) =>
      benchmark(
        { placement: { nodeSelector: { pool: 'a' }, fanOut: { outlierFraction: 0.9 } }, ...extra },
        status ? { status } : {},
      );
    const poolRun = (b: SwitchBenchmark, round: string, node: string, phase: string | undefined, created: string) => {
      const run = runOf(b, `${round}-${node}`, phase, created, { pool: { node, round } });
      return { ...run, spec: { ...run.spec, trigger: 'initial' as const } };
    };

    test('a trigger starts one run per pool node, each for its node and labelled with its round', async () => {
      const b = fanOut({ schedule: '*/10 * * * *' });
      const pool = [...poolOf('w2', 'w1'), { metadata: { name: 'other', labels: { pool: 'a' } } }];
      const { r, writer } = reconciler(b, [], { now: t('2026-01-01T03:00:05Z') }, pool);
      await r.reconcile('ns/b', context);
      expect(writer.created).toEqual(['b-29453940-w1', 'b-29453940-w2']);
      expect(writer.statuses.at(-1)).toMatchObject({ runsStarted: 2, lastScheduleTime: '2026-01-01T03:00:00.000Z' });
      expect(writer.events.map((e) => [e.reason, e.message])).toEqual([
        ['RunCreated', 'Created schedule runs of round b-29453940 for 2 nodes: w1, w2'],
      ]);
    });

    test('an empty pool starts nothing, says so once, and the first node to join gets the initial run', async () => {
      const b = fanOut();
      const empty = reconciler(b, [], { now: t('2026-01-01T03:00:00Z') });
      await empty.r.reconcile('ns/b', context);
      expect(empty.writer.created).toEqual([]);
      const status = empty.writer.statuses.at(-1);
      expect(status?.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({
        status: 'False',
        reason: 'PoolEmpty',
        message: expect.stringContaining('kubectl label node NODE pool=a switchbench.io/node=true'),
      });
      expect(empty.writer.events.map((e) => e.reason)).toEqual(['PoolEmpty']);

      const told = fanOut({}, status);
      const again = reconciler(told, [], { now: t('2026-01-01T03:01:00Z') });
      await again.r.reconcile('ns/b', context);
      expect(again.writer.events).toEqual([]);

      const joined = reconciler(told, [], { now: t('2026-01-01T03:02:00Z') }, poolOf('w1'));
      await joined.r.reconcile('ns/b', context);
      expect(joined.writer.created).toEqual(['b-1-w1']);
    });

    test('a node that joins while a round runs is added to that round, with its trigger', async () => {
      const b = fanOut({}, { runsStarted: 2 });
      const runs = [
        poolRun(b, 'b-1', 'w1', 'Succeeded', '2026-01-01T03:00:00Z'),
        poolRun(b, 'b-1', 'w2', 'Running', '2026-01-01T03:00:00Z'),
      ];
      const { r, writer } = reconciler(b, runs, { now: t('2026-01-01T03:05:00Z') }, poolOf('w1', 'w2', 'w3'));
      await r.reconcile('ns/b', context);
      expect(writer.created).toEqual(['b-1-w3']);

      // Once the round is over, a joining node waits for the next trigger.
      const over = runs.map((run) => ({ ...run, status: { phase: 'Succeeded' as const } }));
      const later = reconciler(b, over, { now: t('2026-01-01T03:06:00Z') }, poolOf('w1', 'w2', 'w3', 'w4'));
      await later.r.reconcile('ns/b', context);
      expect(later.writer.created).toEqual([]);
    });

    test('outliers set Degraded and are announced once, when they change', async () => {
      const b = fanOut({}, { runsStarted: 3 });
      const figure = (run: SwitchBenchmarkRun, pps: number): SwitchBenchmarkRun => ({
        ...run,
        status: {
          phase: 'Succeeded',
          completionTime: '2026-01-01T03:01:00Z',
          summary: [{ packetSize: 64, burstSize: 32, trials: 1, maxRxPps: pps }],
        },
      });
      const runs = [
        figure(poolRun(b, 'b-1', 'w1', undefined, '2026-01-01T03:00:00Z'), 1_000_000),
        figure(poolRun(b, 'b-1', 'w2', undefined, '2026-01-01T03:00:00Z'), 1_000_000),
        figure(poolRun(b, 'b-1', 'w3', undefined, '2026-01-01T03:00:00Z'), 700_000),
      ];
      const first = reconciler(b, runs, { now: t('2026-01-01T03:05:00Z') }, poolOf('w1', 'w2', 'w3'));
      await first.r.reconcile('ns/b', context);
      const status = first.writer.statuses.at(-1);
      expect(status?.pool).toMatchObject({ medianPps: 1_000_000, outliers: ['w3'], packetSize: 64, figure: 'MaxRx' });
      expect(status?.conditions?.find((c) => c.type === 'Degraded')).toMatchObject({
        status: 'True',
        reason: 'NodeOutliers',
        message: '1 of 3 nodes are outliers against the pool median 64B 1.00Mpps: w3 (700.0kpps, 0.70 of the median)',
      });
      expect(first.writer.events.map((e) => e.reason)).toEqual(['NodeOutliers']);

      const again = reconciler(fanOut({}, status), runs, { now: t('2026-01-01T03:06:00Z') }, poolOf('w1', 'w2', 'w3'));
      await again.r.reconcile('ns/b', context);
      expect(again.writer.events).toEqual([]);
    });
  });
});
