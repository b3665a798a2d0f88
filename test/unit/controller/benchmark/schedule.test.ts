import type { SwitchBenchmarkRun } from '../../../../src/api/v1alpha1/types.js';
import {
  decideSchedule,
  latestScheduleTime,
  manualRunName,
  MAX_REQUEUE_MS,
  nextScheduleTime,
  requeueDelayMs,
  runsToPrune,
  scheduledRunName,
  type Schedule,
  type ScheduleDecision,
} from '../../../../src/controller/benchmark/schedule.js';
import { pendingRunNow } from '../../../../src/api/v1alpha1/predicates.js';

const t = (iso: string) => new Date(iso);
const iso = (d: Date | undefined) => d?.toISOString();

describe('nextScheduleTime', () => {
  test.each([
    [
      'every 15 minutes',
      '*/15 * * * *',
      undefined,
      '2026-01-01T03:07:00Z',
      ['2026-01-01T03:15:00.000Z', '2026-01-01T03:30:00.000Z'],
    ],
    [
      '@hourly at a due time: the next one',
      '@hourly',
      undefined,
      '2026-01-01T03:00:00Z',
      ['2026-01-01T04:00:00.000Z', '2026-01-01T05:00:00.000Z'],
    ],
    [
      '@daily in Rome is midnight there',
      '@daily',
      'Europe/Rome',
      '2026-01-01T12:00:00Z',
      ['2026-01-01T23:00:00.000Z', '2026-01-02T23:00:00.000Z'],
    ],
    [
      '@weekly is Sunday midnight',
      '@weekly',
      undefined,
      '2026-01-01T12:00:00Z',
      ['2026-01-04T00:00:00.000Z', '2026-01-11T00:00:00.000Z'],
    ],
    [
      '@monthly is the first',
      '@monthly',
      undefined,
      '2026-01-15T12:00:00Z',
      ['2026-02-01T00:00:00.000Z', '2026-03-01T00:00:00.000Z'],
    ],
    // 02:30 does not exist on the spring-forward day: it runs at 03:30 CEST, then at 02:30 CEST again.
    [
      'DST spring forward in Rome',
      '30 2 * * *',
      'Europe/Rome',
      '2026-03-28T12:00:00Z',
      ['2026-03-29T01:30:00.000Z', '2026-03-30T00:30:00.000Z'],
    ],
    // 02:30 happens twice on the fall-back day: one run, at the first.
    [
      'DST fall back in Rome',
      '30 2 * * *',
      'Europe/Rome',
      '2026-10-24T12:00:00Z',
      ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
    ],
    [
      '9:00 in New York keeps local time across DST',
      '0 9 * * *',
      'America/New_York',
      '2026-03-07T12:00:00Z',
      ['2026-03-07T14:00:00.000Z', '2026-03-08T13:00:00.000Z'],
    ],
  ])('%s', (_name, cron, timeZone, after, expected) => {
    const schedule: Schedule = { cron, timeZone };
    const first = nextScheduleTime(schedule, t(after));
    expect([iso(first), iso(nextScheduleTime(schedule, first))]).toEqual(expected);
  });

  test('the latest time counts a due time exactly at now, and never looks further back than one step', () => {
    expect(iso(latestScheduleTime({ cron: '0 * * * *' }, t('2026-01-01T03:00:00Z')))).toBe('2026-01-01T03:00:00.000Z');
    expect(iso(latestScheduleTime({ cron: '0 * * * *' }, t('2026-01-01T02:59:59Z')))).toBe('2026-01-01T02:00:00.000Z');
    expect(iso(latestScheduleTime({ cron: '* * * * *' }, t('2027-01-01T00:00:30Z')))).toBe('2027-01-01T00:00:00.000Z');
  });
});

describe('decideSchedule (hourly, last run at 02:00)', () => {
  const describeDecision = (d: ScheduleDecision) => {
    switch (d.kind) {
      case 'idle':
        return `idle next ${iso(d.nextRunTime)}`;
      case 'start':
        return `start ${iso(d.scheduledTime)} next ${iso(d.nextRunTime)}`;
      case 'wait':
        return `wait ${iso(d.scheduledTime)}${d.giveUpAt ? ` until ${iso(d.giveUpAt)}` : ''}`;
      case 'skip':
        return `skip ${iso(d.scheduledTime)}${d.report ? ' reported' : ''} next ${iso(d.nextRunTime)}`;
    }
  };
  test.each([
    ['nothing due yet', '02:30', undefined, false, undefined, 'idle next 2026-01-01T03:00:00.000Z'],
    [
      'due exactly now',
      '03:00',
      undefined,
      false,
      undefined,
      'start 2026-01-01T03:00:00.000Z next 2026-01-01T04:00:00.000Z',
    ],
    [
      'a few seconds late',
      '03:00:05',
      undefined,
      false,
      undefined,
      'start 2026-01-01T03:00:00.000Z next 2026-01-01T04:00:00.000Z',
    ],
    [
      'after downtime, no deadline: only the most recent',
      '07:30',
      undefined,
      false,
      undefined,
      'start 2026-01-01T07:00:00.000Z next 2026-01-01T08:00:00.000Z',
    ],
    [
      'after downtime, within the deadline',
      '07:05',
      600,
      false,
      undefined,
      'start 2026-01-01T07:00:00.000Z next 2026-01-01T08:00:00.000Z',
    ],
    [
      'after downtime, beyond the deadline: skipped',
      '07:30',
      600,
      false,
      '03:00',
      'skip 2026-01-01T07:00:00.000Z reported next 2026-01-01T08:00:00.000Z',
    ],
    [
      'a skip already announced is not reported again',
      '07:40',
      600,
      false,
      '08:00',
      'skip 2026-01-01T07:00:00.000Z next 2026-01-01T08:00:00.000Z',
    ],
    ['a run is active: wait, no deadline', '03:01', undefined, true, undefined, 'wait 2026-01-01T03:00:00.000Z'],
    [
      'a run is active: wait until the deadline',
      '03:01',
      300,
      true,
      '03:00',
      'wait 2026-01-01T03:00:00.000Z until 2026-01-01T03:05:00.000Z',
    ],
    [
      'the active run outlived the deadline: skipped',
      '03:06',
      300,
      true,
      '03:00',
      'skip 2026-01-01T03:00:00.000Z reported next 2026-01-01T04:00:00.000Z',
    ],
    [
      'the active run finished within the deadline',
      '03:04',
      300,
      false,
      '03:00',
      'start 2026-01-01T03:00:00.000Z next 2026-01-01T04:00:00.000Z',
    ],
    [
      'an active run does not matter when nothing is due',
      '02:45',
      300,
      true,
      '03:00',
      'idle next 2026-01-01T03:00:00.000Z',
    ],
  ])('%s', (_name, now, deadline, active, announced, expected) => {
    const at = (hhmm: string) => t(`2026-01-01T${hhmm.length === 5 ? `${hhmm}:00` : hhmm}Z`);
    const decision = decideSchedule(
      { cron: '0 * * * *', startingDeadlineSeconds: deadline },
      { since: at('02:00'), announced: announced ? at(announced) : undefined, active, now: at(now) },
    );
    expect(describeDecision(decision)).toBe(expected);
  });

  test('a clock set back behind the last scheduled time waits for the next time after it', () => {
    const d = decideSchedule(
      { cron: '0 * * * *' },
      { since: t('2026-01-01T05:00:00Z'), active: false, now: t('2026-01-01T03:30:00Z') },
    );
    expect(d).toEqual({ kind: 'idle', nextRunTime: t('2026-01-01T06:00:00Z') });
  });

  test('in a time zone: 03:00 in Rome is 02:00 UTC in winter', () => {
    const d = decideSchedule(
      { cron: '0 3 * * *', timeZone: 'Europe/Rome' },
      { since: t('2026-01-01T00:00:00Z'), active: false, now: t('2026-01-02T02:00:30Z') },
    );
    expect(d).toEqual({
      kind: 'start',
      scheduledTime: t('2026-01-02T02:00:00Z'),
      nextRunTime: t('2026-01-03T02:00:00Z'),
    });
  });
});

describe('names and requests', () => {
  test('a scheduled run is named by its unix minute, the same on every retry', () => {
    expect(scheduledRunName('nightly', t('2026-01-01T03:00:00Z'))).toBe('nightly-29453940');
    expect(scheduledRunName('nightly', t('2026-01-01T03:00:00.999Z'))).toBe('nightly-29453940');
  });

  test.each([
    ['no annotation', undefined, undefined, undefined],
    ['a new value', { 'switchbench.io/run-now': 'a' }, undefined, 'a'],
    ['the value acted on', { 'switchbench.io/run-now': 'a' }, 'a', undefined],
    ['a changed value', { 'switchbench.io/run-now': 'b' }, 'a', 'b'],
    ['an empty value', { 'switchbench.io/run-now': '' }, undefined, undefined],
  ])('run-now: %s', (_name, annotations, last, expected) => {
    expect(pendingRunNow(annotations, last)).toBe(expected);
  });

  test('a manual run takes the next free number', () => {
    expect(manualRunName('b', 1, () => false)).toBe('b-2');
    expect(manualRunName('b', 1, (n) => n === 'b-2' || n === 'b-3')).toBe('b-4');
  });

  test.each([
    ['in the future', '2026-01-01T03:00:00Z', 60_000],
    ['past', '2026-01-01T02:59:00Z', 0],
    ['far away: capped', '2026-01-02T03:00:00Z', MAX_REQUEUE_MS],
  ])('requeue delay for a time %s', (_name, at, expected) => {
    expect(requeueDelayMs(t(at), t('2026-01-01T02:59:00Z'))).toBe(expected);
  });
});

describe('runsToPrune', () => {
  const run = (name: string, minute: number, phase?: string, deleting = false, nodeName?: string) =>
    ({
      metadata: {
        name,
        creationTimestamp: t(`2026-01-01T00:${String(minute).padStart(2, '0')}:00Z`),
        ...(deleting ? { deletionTimestamp: t('2026-01-01T01:00:00Z') } : {}),
      },
      spec: nodeName ? { nodeName } : {},
      status: phase ? { phase } : undefined,
    }) as unknown as SwitchBenchmarkRun;
  const onNode = (name: string, minute: number, node: string, phase = 'Succeeded') =>
    run(name, minute, phase, false, node);
  const names = (runs: SwitchBenchmarkRun[]) => runs.map((r) => r.metadata.name);

  test.each([
    ['within the limit', [run('a', 1, 'Succeeded'), run('b', 2, 'Failed')], 2, []],
    [
      'oldest finished first',
      [run('c', 3, 'Succeeded'), run('a', 1, 'Succeeded'), run('b', 2, 'Failed')],
      1,
      ['a', 'b'],
    ],
    [
      'an active run is neither pruned nor counted',
      [run('a', 1, 'Succeeded'), run('b', 2, 'Running'), run('c', 3, 'Succeeded'), run('d', 4)],
      1,
      ['a'],
    ],
    [
      'a run already being deleted is not deleted again',
      [run('a', 1, 'Succeeded', true), run('b', 2, 'Succeeded'), run('c', 3, 'Succeeded')],
      1,
      ['b'],
    ],
    ['same creation second: by name', [run('x-2', 1, 'Succeeded'), run('x-1', 1, 'Succeeded')], 1, ['x-1']],
    [
      'fan-out keeps the limit per node: a node measured less often keeps its older runs',
      [
        onNode('r1-a', 1, 'a'),
        onNode('r1-b', 1, 'b'),
        onNode('r2-a', 2, 'a'),
        onNode('r3-a', 3, 'a', 'Failed'),
        onNode('r3-b', 3, 'b', 'Running'),
      ],
      1,
      ['r1-a', 'r2-a'],
    ],
    [
      'fan-out: every node pruned alike, oldest first across nodes',
      [onNode('r1-b', 1, 'b'), onNode('r1-a', 1, 'a'), onNode('r2-a', 2, 'a'), onNode('r2-b', 2, 'b')],
      1,
      ['r1-a', 'r1-b'],
    ],
  ])('%s', (_name, runs, limit, expected) => {
    expect(names(runsToPrune(runs, limit))).toEqual(expected);
  });
});
