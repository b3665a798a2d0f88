// A receiver, sender or switch pod deleted in the middle of a real trial (real kubelet, testpmd over
// vhost-user, real traffic programs): the attempt is redone with fresh pods within the operator's
// bound, the run ends with the trial recorded once (or failed with the reason once the attempts
// are spent), and nothing of the run is left. Prints a table: pod deleted, attempts, outcome, and
// the seconds from the deletion to the next attempt's receiver running.
import type { V1Pod } from '@kubernetes/client-node';
import type { SwitchBenchmarkRun } from '../../src/api/v1alpha1/types.js';
import { DEFAULT_CONFIG } from '../../src/controller/config.js';
import { hostRunDir } from '../../src/controller/run/desired.js';
import { ATTEMPT_LABEL, ROLE_LABEL, RUN_LABEL } from '../../src/api/v1alpha1/labels.js';
import { e2eSession, SHORT_TRIAL, sweepSpec } from '../e2e/support.js';
import { createBenchmark } from '../integration/support.js';
import { cleanedUp, FAULT_RESOURCES, leftoversAfter, NOTHING_LEFT, seconds } from './support.js';

const ATTEMPTS = DEFAULT_CONFIG.maxTrialAttempts;
const session = e2eSession('fault-pod-loss', { maxTrialAttempts: ATTEMPTS });
// Long enough that a pod can be deleted while both programs run.
const TRIAL = { ...SHORT_TRIAL, duration: '15s', warmup: '2s', window: '3s' };
const rows: string[] = [];

afterAll(() => {
  console.log(
    [
      'fault suite: a pod deleted mid-trial (testpmd, vhost-user)',
      '  pod deleted  attempts  outcome     recovered after  run ended after',
      ...rows,
    ].join('\n'),
  );
});

const running = (pod: V1Pod | undefined) => pod?.status?.containerStatuses?.[0]?.state?.running;
const attemptOf = (message: string) => Number(/attempt (\d+)/.exec(message)?.[1]);

test.each([
  ['receiver', 'receiver pod of trial 0 was deleted during the trial'],
  ['sender', 'sender pod of trial 0 was deleted during the trial'],
  ['switch', 'switch pod lose-switch-1-switch was restarted during the trial'],
] as const)(
  'the %s pod deleted mid-trial: the trial is retried within the bound, recorded once, nothing left',
  async (role, why) => {
    const namespace = session.namespace();
    const name = `lose-${role}`;
    const runName = `${name}-1`;
    await createBenchmark(
      session.kc,
      namespace,
      name,
      sweepSpec('testpmd', [5000], { trial: TRIAL, resources: FAULT_RESOURCES }),
    );
    const pods = async () =>
      (await session.core.listNamespacedPod({ namespace, labelSelector: `${RUN_LABEL}=${runName}` })).items;
    const pod = (list: V1Pod[], podName: string) =>
      list.find((p) => p.metadata?.name === podName && !p.metadata?.deletionTimestamp);

    // Mid-trial: the switch forwards and both programs of the current attempt run (the operator has
    // seen the sender, so a missing one was deleted, not late). The current attempt, not the first:
    // other test runs on the node may hold its hugepages long enough to cost an attempt.
    let hit = 0;
    await session.waitFor(async () => {
      const now = await pods();
      const attempt = Math.max(
        0,
        ...now
          .filter((p) => p.metadata?.labels?.[ROLE_LABEL] === 'receiver')
          .map((p) => Number(p.metadata?.labels?.[ATTEMPT_LABEL])),
      );
      const rx = pod(now, `${runName}-t0-a${attempt}-rx`);
      const tx = pod(now, `${runName}-t0-a${attempt}-tx`);
      if (running(rx) && running(tx)) {
        hit = attempt;
        return true;
      }
      const early = await session.readRun(runName);
      if (early?.status?.phase === 'Failed' || early?.status?.phase === 'Succeeded')
        throw new Error(`run ${runName} ended before an attempt ran: ${JSON.stringify(early.status.conditions)}`);
      return undefined;
    }, 250);
    const run = (await session.readRun(runName)) as SwitchBenchmarkRun;
    const directory = hostRunDir(run);
    const victim =
      role === 'switch' ? `${runName}-switch` : `${runName}-t0-a${hit}-${role === 'receiver' ? 'rx' : 'tx'}`;
    const deletedAt = Date.now();
    await session.core.deleteNamespacedPod({ namespace, name: victim, gracePeriodSeconds: 0 });

    // Recovered: a receiver of a later attempt runs.
    let attempts = hit + 1;
    let recoveredAt: number | undefined;
    const ended = await session.waitFor(async () => {
      for (const p of await pods()) {
        if (p.metadata?.labels?.[ROLE_LABEL] !== 'receiver') continue;
        const attempt = Number(p.metadata?.labels?.[ATTEMPT_LABEL]);
        attempts = Math.max(attempts, attempt + 1);
        if (attempt > hit && running(p) && recoveredAt === undefined) recoveredAt = Date.now();
      }
      const latest = await session.readRun(runName);
      return latest?.status?.phase === 'Succeeded' || latest?.status?.phase === 'Failed' ? latest : undefined;
    }, 250);
    const endedAt = Date.now();
    const events = (await session.core.listNamespacedEvent({ namespace })).items
      .filter((e) => e.involvedObject.name === runName && e.reason === 'TrialRetried')
      .map((e) => e.message ?? '');
    // The API lists events in no particular order, and a reconcile on a cache that does not show the
    // next attempt's pod yet may report the same retry twice; each names its attempt.
    const retries = [...new Set(events)].sort((a, b) => attemptOf(a) - attemptOf(b));
    await session.waitFor(async () => (cleanedUp(await session.readRun(runName)) ? true : undefined), 500);
    const left = await leftoversAfter(session.kc, namespace, runName, [directory], 60_000);

    const trials = ended.status?.trials ?? [];
    const ready = ended.status?.conditions?.find((c) => c.type === 'Ready');
    const outcome = `${ended.status?.phase}${ended.status?.phase === 'Failed' ? ` (${ready?.reason})` : ''}`;
    rows.push(
      `  ${role.padEnd(11)}  ${`${attempts}/${ATTEMPTS}`.padEnd(8)}  ${outcome.padEnd(10)}  ${(recoveredAt ? seconds(recoveredAt - deletedAt) : '-').padEnd(15)}  ${seconds(endedAt - deletedAt)}`,
    );
    console.log(
      `fault suite: ${role} pod ${victim} deleted mid-trial (attempt ${hit + 1}); retries: ${retries.join(' | ')}; trials: ${JSON.stringify(trials.map((t) => [t.index, t.outcome, t.rxPpsMean, t.message]))}`,
    );

    // The deletion is named: in the retry it caused, or in the trial's record when it hit the last attempt.
    if (hit + 1 < ATTEMPTS) expect(retries[hit]).toContain(`Trial 0 attempt ${hit + 1}: ${why}`);
    else expect(trials[0]?.message).toContain(why);
    expect(attempts).toBeGreaterThanOrEqual(Math.min(hit + 2, ATTEMPTS));
    expect(attempts).toBeLessThanOrEqual(ATTEMPTS);
    expect(retries).toHaveLength(attempts - 1);
    // Exactly one record of the trial: measured after the retry, or failed with the reason once every attempt was lost.
    expect(trials).toHaveLength(1);
    if (ended.status?.phase === 'Succeeded') {
      expect(trials[0]).toMatchObject({
        index: 0,
        offeredPps: 5000,
        outcome: expect.stringMatching(/^(Measured|GeneratorLimited)$/),
      });
      expect(recoveredAt).toBeDefined();
    } else {
      expect(attempts).toBe(ATTEMPTS);
      expect(trials[0]).toMatchObject({
        index: 0,
        outcome: 'Failed',
        message: expect.stringContaining(`(after ${ATTEMPTS} attempts)`),
      });
      expect(ready).toMatchObject({ reason: 'AllTrialsFailed' });
    }
    // The replaced switch serves the next attempts: the old switch's stop (a pod deleted with grace
    // period 0 still stops after it is gone from the API) must not take the new one's sockets.
    expect([...retries, trials[0]?.message ?? ''].filter((m) => /socket .* does not exist/.test(m))).toEqual([]);
    expect(left).toEqual(NOTHING_LEFT);
  },
);
