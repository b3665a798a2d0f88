// Properties of the pure planning, result and placement modules over generated inputs (fast-check):
// what must hold for every spec, loss curve and program output, not only for the table cases.
import type { V1Lease, V1Node, V1Pod } from '@kubernetes/client-node';
import fc from 'fast-check';
import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import type { SwitchBenchmarkSpec, Trial } from '../../../src/api/v1alpha1/types.js';
import { searchBudget, validateSpec } from '../../../src/api/v1alpha1/validate.js';
import { preflight, totalRequests } from '../../../src/controller/run/preflight.js';
import { decideLock } from '../../../src/controller/run/node-lock.js';
import { parseQuantity } from '../../../src/controller/run/quantity.js';
import { ndrPdr } from '../../../src/plan/ndr-pdr.js';
import { summarize } from '../../../src/results/summary.js';
import { trialFromSummaries } from '../../../src/results/trial.js';

// Cases each property ran, as fast-check counts them, for the file's one summary line.
const ran: { name: string; runs: number; skipped: number; failed: boolean }[] = [];

/** fc.assert that keeps fast-check's count of the cases it ran (and skipped by fc.pre). */
function assertProperty<Ts>(name: string, property: fc.IProperty<Ts>, params: fc.Parameters<Ts>): void {
  const details = fc.check(property, params);
  ran.push({ name, runs: details.numRuns, skipped: details.numSkips, failed: details.failed });
  // As fc.assert reports it: the counterexample, with the failed expectation as the cause.
  if (details.failed) throw new Error(fc.defaultReportMessage(details), { cause: details.errorInstance });
}

afterAll(() => {
  const total = ran.reduce((sum, p) => sum + p.runs, 0);
  const each = ran
    .map(
      (p) =>
        `${p.name} ${p.runs}${p.skipped ? ` (+${p.skipped} skipped by a precondition)` : ''}${p.failed ? ' FAILED' : ''}`,
    )
    .join(', ');
  console.log(
    `properties (plan, results, validation, placement): ${total} generated cases in ${ran.length} properties, ${ran.filter((p) => p.failed).length} failing: ${each}`,
  );
});

const searchSpec = fc
  .record({
    minRatePps: fc.integer({ min: 1000, max: 1_000_000 }),
    span: fc.integer({ min: 2, max: 1000 }),
    precision: fc.constantFrom(0.001, 0.005, 0.01, 0.05, 0.1),
    lossRatios: fc.uniqueArray(fc.constantFrom(0, 0.001, 0.005, 0.01, 0.1), { minLength: 1, maxLength: 3 }),
    trial: fc.constantFrom(
      { duration: '60s', warmup: '20s', window: '20s', sampleInterval: '1s' },
      { duration: '4s', warmup: '1s', window: '2s', sampleInterval: '1s' },
      { duration: '10s', warmup: '3s', window: '5s', sampleInterval: '500ms' },
    ),
    searchTrialDuration: fc.constantFrom('1s', '3s', '10s'),
  })
  .map(({ minRatePps, span, precision, lossRatios, trial, searchTrialDuration }) =>
    defaultSpec({
      datapath: 'testpmd',
      traffic: { packetSizes: [64], burstSizes: [32] },
      method: {
        type: 'ndr-pdr',
        ndrPdr: { lossRatios, precision, minRatePps, maxRatePps: minRatePps * span, searchTrialDuration },
      },
      trial,
    } as never),
  );

/** A data path: no loss up to the knee, then loss growing with the rate; some noise; a sender cap. */
const device = fc.record({
  knee: fc.double({ min: 0.5, max: 1.2, noNaN: true }),
  slope: fc.double({ min: 0.05, max: 5, noNaN: true }),
  noise: fc.double({ min: 0, max: 0.002, noNaN: true }),
  cap: fc.option(fc.double({ min: 0.3, max: 1.5, noNaN: true })),
});

describe('ndr-pdr search', () => {
  test('ends within its budget, offers only rates in range, with timings the receiver accepts', () => {
    assertProperty(
      'ndr-pdr search budget and timings',
      fc.property(
        searchSpec,
        device,
        fc.infiniteStream(fc.double({ min: 0, max: 1, noNaN: true })),
        (spec, d, random) => {
          const search = spec.method.ndrPdr as NonNullable<SwitchBenchmarkSpec['method']['ndrPdr']>;
          const knee = search.minRatePps + d.knee * (search.maxRatePps - search.minRatePps);
          const cap = d.cap === null ? Infinity : search.minRatePps + d.cap * (search.maxRatePps - search.minRatePps);
          const budget = searchBudget(search, spec.trial.repetitions);
          const trials: Trial[] = [];
          const draws = random[Symbol.iterator]();
          for (let next = ndrPdr.next(spec, trials); next; next = ndrPdr.next(spec, trials)) {
            expect(trials.length).toBeLessThan(budget.probes + budget.verifications);
            expect(next.offeredPps).toBeGreaterThanOrEqual(search.minRatePps);
            expect(next.offeredPps).toBeLessThanOrEqual(search.maxRatePps);
            const ms = (s: number) => Math.round(s * 1000);
            expect(ms(next.warmupSeconds) % ms(next.sampleIntervalSeconds)).toBe(0);
            expect(ms(next.windowSeconds) % ms(next.sampleIntervalSeconds)).toBe(0);
            expect(next.windowSeconds).toBeGreaterThanOrEqual(next.sampleIntervalSeconds);
            expect(next.warmupSeconds + next.windowSeconds).toBeLessThanOrEqual(next.durationSeconds + 1e-9);
            const achieved = Math.min(next.offeredPps, cap);
            const loss = Math.min(
              1,
              Math.max(
                0,
                (achieved > knee ? (d.slope * (achieved - knee)) / achieved : 0) +
                  d.noise * (draws.next().value as number),
              ),
            );
            trials.push({
              index: next.index,
              packetSize: 64,
              burstSize: 32,
              offeredPps: next.offeredPps,
              purpose: next.purpose,
              outcome:
                achieved < next.offeredPps * (1 - spec.trial.generatorTolerance) ? 'GeneratorLimited' : 'Measured',
              attemptedTxPps: achieved,
              achievedTxPps: achieved,
              rxPpsMean: achieved * (1 - loss),
              windowLossRatio: loss,
            });
          }
          // Every figure the summary reports is finite.
          for (const point of summarize(spec, trials)) {
            for (const value of [point.ndr?.pps, point.intervalWidth, ...(point.pdr ?? []).map((p) => p.pps)])
              if (value !== undefined) expect(Number.isFinite(value)).toBe(true);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  test('without noise, a verified NDR never exceeds the knee of a step curve', () => {
    assertProperty(
      'ndr-pdr NDR below a step knee',
      fc.property(searchSpec, fc.double({ min: 0.1, max: 0.9, noNaN: true }), (spec, at) => {
        const search = spec.method.ndrPdr as NonNullable<SwitchBenchmarkSpec['method']['ndrPdr']>;
        const knee = search.minRatePps + at * (search.maxRatePps - search.minRatePps);
        const trials: Trial[] = [];
        for (let next = ndrPdr.next(spec, trials); next; next = ndrPdr.next(spec, trials)) {
          const loss = next.offeredPps > knee ? 0.5 : 0;
          trials.push({
            index: next.index,
            packetSize: 64,
            burstSize: 32,
            offeredPps: next.offeredPps,
            purpose: next.purpose,
            outcome: 'Measured',
            achievedTxPps: next.offeredPps,
            rxPpsMean: next.offeredPps * (1 - loss),
            windowLossRatio: loss,
          });
        }
        const ndr = summarize(spec, trials)[0]?.ndr?.pps;
        if (ndr !== undefined) expect(ndr).toBeLessThanOrEqual(knee);
      }),
      { numRuns: 150 },
    );
  });
});

describe("trial results from the programs' output", () => {
  const spec = defaultSpec({ datapath: 'memif' } as never);
  const request = {
    index: 0,
    packetSize: 64,
    burstSize: 32,
    repetition: 0,
    offeredPps: 1000,
    purpose: 'sweep' as const,
    durationSeconds: 60,
    warmupSeconds: 20,
    windowSeconds: 20,
    sampleIntervalSeconds: 1,
  };
  const good = JSON.stringify({
    schema: 'switchbench.io/trial/v1',
    role: 'receiver',
    rx: { pps_mean: 1000, pps_stddev: 1, packets: 2000, samples: 20 },
    loss: { ratio: 0, lost: 0, reordered: 0, duplicates: 0, window: { expected: 1000, lost: 0, ratio: 0 } },
    cpus: '1',
  });
  const output = fc.oneof(
    fc.string(),
    fc.json(),
    fc.nat(good.length).map((n) => good.slice(0, n)),
    fc.jsonValue().map((v) => JSON.stringify({ schema: 'switchbench.io/trial/v1', role: 'receiver', rx: v, loss: v })),
  );

  test('never throw; garbage becomes a failed trial with a message; no figure is NaN or infinite', () => {
    assertProperty(
      'trial results from program output',
      fc.property(fc.option(output), fc.option(output), (sender, receiver) => {
        const trial = trialFromSummaries(request, spec, sender ?? undefined, receiver ?? undefined, new Date(0));
        if (trial.outcome === 'Failed') expect(trial.message).toEqual(expect.any(String));
        for (const [field, value] of Object.entries(trial))
          if (typeof value === 'number')
            expect({ field, finite: Number.isFinite(value) }).toEqual({ field, finite: true });
      }),
      { numRuns: 500 },
    );
  });
});

describe('validation', () => {
  test('never throws on any schedule or time zone text, and names the spec field it refuses', () => {
    assertProperty(
      'schedule and time zone validation',
      fc.property(fc.string({ maxLength: 40 }), fc.option(fc.string({ maxLength: 30 })), (schedule, timeZone) => {
        const spec = defaultSpec({ datapath: 'memif', schedule, ...(timeZone === null ? {} : { timeZone }) } as never);
        for (const error of validateSpec(spec, { imageAllowlist: { traffic: [], switch: [] } }))
          expect(error.field).toMatch(/^spec\./);
      }),
      { numRuns: 300 },
    );
  });
});

describe('preflight and node locks', () => {
  const quantity = fc.constantFrom('0', '1', '2', '8', '500m', '64Mi', '1Gi', '16Gi', 'lots');
  const node = fc.record({
    name: fc.constantFrom('a', 'b', 'c'),
    labelled: fc.boolean(),
    ready: fc.boolean(),
    cpu: quantity,
    memory: quantity,
    huge: quantity,
  });
  const pod = fc.record({ cpu: quantity, memory: quantity, huge: quantity });

  test('admits only a node that matches, is ready, and holds what the pods request', () => {
    assertProperty(
      'preflight node admission',
      fc.property(
        fc.uniqueArray(node, { selector: (n) => n.name, maxLength: 3 }),
        fc.array(pod, { maxLength: 3 }),
        (nodes, pods) => {
          const v1Nodes: V1Node[] = nodes.map((n) => ({
            metadata: { name: n.name, labels: n.labelled ? { bench: 'yes' } : ({} as Record<string, string>) },
            status: {
              allocatable: { cpu: n.cpu, memory: n.memory, 'hugepages-2Mi': n.huge },
              conditions: [{ type: 'Ready', status: n.ready ? 'True' : 'False' }],
            },
          }));
          const v1Pods: V1Pod[] = pods.map((p) => ({
            spec: {
              containers: [
                { name: 'c', resources: { requests: { cpu: p.cpu, memory: p.memory, 'hugepages-2Mi': p.huge } } },
              ],
            },
          }));
          const decision = preflight({
            nodeSelector: { bench: 'yes' },
            nodes: v1Nodes,
            pods: v1Pods,
            cpuPolicy: 'shared',
            cpuManagerPolicy: 'static',
            images: { traffic: 'img' },
            allowedImages: { traffic: ['img'], switch: [] },
            nodeLabel: { bench: 'yes' },
          });
          if (decision.kind !== 'admit') return;
          const chosen = nodes.find((n) => n.name === decision.node);
          expect(chosen?.labelled && chosen.ready).toBe(true);
          for (const [resource, needed] of totalRequests(v1Pods)) {
            const allocatable = v1Nodes.find((n) => n.metadata?.name === decision.node)?.status?.allocatable?.[
              resource
            ];
            expect(parseQuantity(allocatable)).toBeGreaterThanOrEqual(needed);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  test('a lock whose holder is active is never taken, whatever its age', () => {
    assertProperty(
      'node lock held by an active holder',
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        fc.integer({ min: -1e6, max: 1e9 }),
        (holder, me, ageMs) => {
          fc.pre(holder !== me);
          const now = new Date(2_000_000_000_000);
          const lease: V1Lease = {
            spec: { holderIdentity: holder, leaseDurationSeconds: 120, renewTime: new Date(now.getTime() - ageMs) },
          };
          expect(decideLock(lease, me, now, () => 'active')).toEqual({ kind: 'busy', holder });
        },
      ),
      { numRuns: 300 },
    );
  });
});
