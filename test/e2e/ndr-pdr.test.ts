// The RFC 2544 search on the local cluster with real packets through testpmd: the run reports NDR
// and PDR per packet size in its status, each verified by a final trial at the rate found. CPUs are
// shared and trials short (this machine has two cores), so the figures are small; what is checked is
// that the search behaves: bounded trials, a narrowed interval, NDR no higher than PDR, verification.
import { GROUP, VERSION, type SwitchBenchmark } from '../../src/api/v1alpha1/types.js';
import { e2eSession, SHARED_RESOURCES } from './support.js';

const session = e2eSession('e2e-ndr');

test('an ndr-pdr testpmd benchmark reports NDR and PDR per packet size, each verified', async () => {
  const lossRatios = [0, 0.05];
  const precision = 0.1;
  const benchmark: SwitchBenchmark = {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'SwitchBenchmark',
    metadata: { name: 'e2e-ndr-pdr' },
    spec: {
      datapath: 'testpmd',
      traffic: { packetSizes: [64], burstSizes: [16] },
      method: {
        type: 'ndr-pdr',
        ndrPdr: { lossRatios, precision, minRatePps: 2000, maxRatePps: 400_000, searchTrialDuration: '3s' },
      },
      trial: {
        duration: '4s',
        warmup: '1s',
        window: '2s',
        sampleInterval: '1s',
        repetitions: 1,
        generatorTolerance: 0.05,
      },
      resources: SHARED_RESOURCES,
    } as unknown as SwitchBenchmark['spec'],
  };
  const run = await session.runToEnd(benchmark);

  const trials = run.status?.trials ?? [];
  console.log(
    [
      'offered pps  achieved tx  rx pps  window loss ratio  purpose  outcome',
      ...trials.map((t) =>
        [t.offeredPps, t.achievedTxPps, t.rxPpsMean, t.windowLossRatio, t.purpose, t.outcome].join('  '),
      ),
    ].join('\n'),
  );
  expect(run.status?.phase).toBe('Succeeded');
  const [point] = run.status?.summary ?? [];
  expect(point).toMatchObject({ packetSize: 64, burstSize: 16 });
  const ndr = point?.ndr?.pps as number;
  const pdr = point?.pdr?.[0];
  expect(point?.ndr).toMatchObject({ lossRatio: 0, pps: expect.any(Number), bitsPerSecond: ndr * 64 * 8 });
  expect(ndr).toBeGreaterThanOrEqual(2000);
  expect(pdr).toMatchObject({ lossRatio: 0.05, pps: expect.any(Number) });
  expect(pdr?.pps).toBeGreaterThanOrEqual(ndr);
  expect(point?.intervalWidth).toBeLessThanOrEqual(precision);
  // One search serves both ratios; each found rate gets its verification trial at full duration.
  expect(trials.length).toBeLessThanOrEqual(run.status?.trialsPlanned as number);
  const verified = trials.filter((t) => t.purpose === 'verify').map((t) => t.offeredPps);
  expect(verified).toEqual(expect.arrayContaining([Math.round(ndr)]));
  expect(run.status?.headline).toMatch(/^64B /);
});
