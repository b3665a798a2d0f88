import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import type { SwitchBenchmarkSpec, Trial } from '../../../src/api/v1alpha1/types.js';
import { methodFor } from '../../../src/plan/index.js';
import type { TrialRequest } from '../../../src/plan/trials.js';

const spec = (partial: Record<string, unknown>): SwitchBenchmarkSpec =>
  defaultSpec({ datapath: 'testpmd', ...partial } as never);
const finish = (request: TrialRequest): Trial => ({ ...request, outcome: 'Measured' });

function runAll(s: SwitchBenchmarkSpec): TrialRequest[] {
  const method = methodFor(s.method.type);
  if (!method) throw new Error('no method');
  const done: Trial[] = [];
  const requests: TrialRequest[] = [];
  for (let next = method.next(s, done); next; next = method.next(s, done)) {
    requests.push(next);
    done.push(finish(next));
  }
  expect(requests).toHaveLength(method.plannedTrials(s));
  return requests;
}

const shape = (r: TrialRequest) => `${r.packetSize}/${r.burstSize}@${r.offeredPps}#${r.repetition}`;

describe('fixed methods', () => {
  test.each([
    ['max: one unpaced trial per point', {}, ['64/16@0#0', '512/16@0#0']],
    [
      'max with repetitions',
      { traffic: { packetSizes: [64] }, trial: { repetitions: 3 } },
      ['64/16@0#0', '64/16@0#1', '64/16@0#2'],
    ],
    [
      'sweep: sizes, then bursts, then ascending rates, then repetitions',
      {
        traffic: { packetSizes: [64, 512], burstSizes: [16, 32] },
        method: { type: 'sweep', sweep: { ratesPps: [2000, 1000] } },
      },
      [
        '64/16@1000#0',
        '64/16@2000#0',
        '64/32@1000#0',
        '64/32@2000#0',
        '512/16@1000#0',
        '512/16@2000#0',
        '512/32@1000#0',
        '512/32@2000#0',
      ],
    ],
    [
      'sweep over a range',
      {
        traffic: { packetSizes: [64] },
        method: { type: 'sweep', sweep: { range: { fromPps: 100, toPps: 300, stepPps: 100 } } },
      },
      ['64/16@100#0', '64/16@200#0', '64/16@300#0'],
    ],
  ])('%s', (_name, partial, expected) => {
    expect(runAll(spec(partial)).map(shape)).toEqual(expected);
  });

  test('requests carry index, purpose and the trial timing in seconds', () => {
    const [first] = runAll(
      spec({ trial: { duration: '1m30s', warmup: '30s', window: '45s', sampleInterval: '500ms' } }),
    );
    expect(first).toEqual({
      index: 0,
      purpose: 'max',
      packetSize: 64,
      burstSize: 16,
      repetition: 0,
      offeredPps: 0,
      durationSeconds: 90,
      warmupSeconds: 30,
      windowSeconds: 45,
      sampleIntervalSeconds: 0.5,
    });
  });

  test('a restarted controller continues after the trials in status', () => {
    const s = spec({ method: { type: 'sweep', sweep: { ratesPps: [1, 2, 3] } }, traffic: { packetSizes: [64] } });
    const all = runAll(s);
    expect(methodFor('sweep')?.next(s, all.slice(0, 2).map(finish))).toEqual(all[2]);
    expect(methodFor('sweep')?.next(s, all.map(finish))).toBeUndefined();
  });
});
