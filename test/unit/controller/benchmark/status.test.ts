import { defaultSpec } from '../../../../src/api/v1alpha1/defaults.js';
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../../../../src/api/v1alpha1/types.js';
import { newRun } from '../../../../src/controller/benchmark/runs.js';
import { benchmarkStatus } from '../../../../src/controller/benchmark/status.js';

const now = new Date('2026-01-01T00:00:00Z');
const benchmark = (partial: Record<string, unknown> = {}): SwitchBenchmark => ({
  apiVersion: 'switchbench.io/v1alpha1',
  kind: 'SwitchBenchmark',
  metadata: { name: 'b', namespace: 'ns', uid: 'u-1', generation: 4 },
  spec: defaultSpec({ datapath: 'memif', ...partial } as never),
});
const run = (name: string, created: string, phase?: string, headline?: string): SwitchBenchmarkRun => ({
  ...newRun(benchmark(), name, 'initial'),
  metadata: { name, creationTimestamp: new Date(created) },
  status: { ...(phase ? { phase: phase as never } : {}), ...(headline ? { headline } : {}), progress: '1/2' },
});
const byType = (status: ReturnType<typeof benchmarkStatus>) =>
  Object.fromEntries((status.conditions ?? []).map((c) => [c.type, `${c.status} ${c.reason}`]));

describe('benchmarkStatus', () => {
  test.each([
    [
      'no run yet',
      [],
      '',
      'Pending',
      { Ready: 'True SpecAccepted', Progressing: 'False Idle', Degraded: 'False AsExpected' },
    ],
    [
      'a run in progress',
      [run('b-1', '2026-01-01', 'Running')],
      '',
      'Running',
      { Ready: 'True SpecAccepted', Progressing: 'True RunInProgress', Degraded: 'False AsExpected' },
    ],
    [
      'the last run failed',
      [run('b-1', '2026-01-01', 'Succeeded'), run('b-2', '2026-01-02', 'Failed')],
      '',
      'Failed',
      { Ready: 'True SpecAccepted', Progressing: 'False Idle', Degraded: 'True LastRunFailed' },
    ],
    [
      'an invalid spec',
      [],
      'spec.schedule: bad',
      'Invalid',
      { Ready: 'False InvalidSpec', Progressing: 'False Idle', Degraded: 'False AsExpected' },
    ],
  ])('%s', (_name, runs, errors, phase, conditions) => {
    const status = benchmarkStatus(benchmark(), runs, errors, { runsStarted: runs.length }, now);
    expect(status.phase).toBe(phase);
    expect(byType(status)).toEqual(conditions);
    expect(status.conditions?.every((c) => c.observedGeneration === 4)).toBe(true);
    expect(status.observedGeneration).toBe(4);
  });

  test('reports the latest finished run with its headline, and the active one', () => {
    const status = benchmarkStatus(
      benchmark(),
      [
        run('b-2', '2026-01-02', 'Succeeded', '64B 1.00Mpps'),
        run('b-1', '2026-01-01', 'Succeeded', 'old'),
        run('b-3', '2026-01-03', 'Running'),
      ],
      '',
      { runsStarted: 3 },
      now,
    );
    expect(status).toMatchObject({
      phase: 'Running',
      activeRun: 'b-3',
      lastRun: { name: 'b-2', phase: 'Succeeded', headline: '64B 1.00Mpps' },
      runsStarted: 3,
    });
  });

  test('a suspended benchmark without a run in progress is Suspended', () => {
    expect(benchmarkStatus(benchmark({ suspend: true }), [], '', { runsStarted: 0 }, now).phase).toBe('Suspended');
  });

  test('writing the same status twice changes nothing (no status churn)', () => {
    const b = benchmark();
    const first = benchmarkStatus(b, [], '', { runsStarted: 0 }, now);
    const second = benchmarkStatus(
      { ...b, status: first },
      [],
      '',
      { runsStarted: 0 },
      new Date('2026-02-01T00:00:00Z'),
    );
    expect(second).toEqual(first);
  });

  test('writes the schedule bookkeeping, and drops a next run time that no longer applies', () => {
    const book = {
      runsStarted: 2,
      nextRunTime: '2026-01-01T03:00:00.000Z',
      lastScheduleTime: '2026-01-01T02:00:00.000Z',
      lastRunNowToken: 't1',
    };
    const scheduled = benchmarkStatus(benchmark({ schedule: '@hourly' }), [], '', book, now);
    expect(scheduled).toMatchObject(book);
    const suspended = benchmarkStatus(
      { ...benchmark({ schedule: '@hourly', suspend: true }), status: scheduled },
      [],
      '',
      { ...book, nextRunTime: undefined },
      now,
    );
    expect(suspended.nextRunTime).toBeUndefined();
    expect(suspended).toMatchObject({
      phase: 'Suspended',
      lastScheduleTime: book.lastScheduleTime,
      lastRunNowToken: 't1',
    });
    expect(byType(suspended).Progressing).toBe('False Suspended');
  });
});

describe('newRun', () => {
  test('snapshots the spec and is owned by the benchmark', () => {
    const b = benchmark();
    const r = newRun(b, 'b-1', 'initial');
    expect(r.spec).toEqual({ benchmarkName: 'b', benchmarkGeneration: 4, trigger: 'initial', benchmark: b.spec });
    expect(r.spec.benchmark).not.toBe(b.spec);
    expect(r.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'switchbench.io/v1alpha1',
        kind: 'SwitchBenchmark',
        name: 'b',
        uid: 'u-1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  test('a scheduled run records its time, a manual run the run-now token it answers', () => {
    const scheduled = newRun(benchmark(), 'b-29450000', 'schedule', {
      scheduledTime: new Date('2026-01-01T03:00:00Z'),
    });
    expect(scheduled.spec).toMatchObject({ trigger: 'schedule', scheduledTime: '2026-01-01T03:00:00.000Z' });
    expect(scheduled.metadata.labels?.['switchbench.io/trigger']).toBe('schedule');
    const manual = newRun(benchmark(), 'b-2', 'manual', { runNowToken: '2026-01-01T04:00:00Z' });
    expect(manual.metadata.annotations).toEqual({ 'switchbench.io/run-now': '2026-01-01T04:00:00Z' });
    expect(manual.spec.scheduledTime).toBeUndefined();
  });
});
