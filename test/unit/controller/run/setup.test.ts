import { Reason } from '../../../../src/api/v1alpha1/conditions.js';
import type { SwitchBenchmarkRun, SwitchBenchmarkSpec } from '../../../../src/api/v1alpha1/types.js';
import { invalidRunSpec } from '../../../../src/controller/run/setup.js';

const run = (benchmark: Partial<SwitchBenchmarkSpec>): SwitchBenchmarkRun => ({
  apiVersion: 'switchbench.io/v1alpha1',
  kind: 'SwitchBenchmarkRun',
  metadata: { name: 'bench-1', namespace: 'perf' },
  spec: {
    benchmarkName: 'bench',
    benchmarkGeneration: 1,
    trigger: 'initial',
    benchmark: benchmark as SwitchBenchmarkSpec,
  },
});

describe('invalidRunSpec', () => {
  test('a spec a benchmark may have passes', () => {
    expect(invalidRunSpec(run({ datapath: 'testpmd' }))).toBeUndefined();
  });

  test.each([
    [
      'a warm-up that is no whole number of samples',
      { trial: { warmup: '20s', sampleInterval: '3s' } },
      'spec.benchmark.trial.warmup: ',
    ],
    [
      'jumbo frames memif cannot carry',
      { datapath: 'memif', traffic: { packetSizes: [9000] } },
      'spec.benchmark.traffic.packetSizes',
    ],
  ] as const)('%s is refused, naming the field under spec.benchmark', (_, overrides, field) => {
    const problem = invalidRunSpec(run({ datapath: 'testpmd', ...overrides } as Partial<SwitchBenchmarkSpec>));
    expect(problem?.reason).toBe(Reason.InvalidRunSpec);
    expect(problem?.message).toMatch(/^Nothing was created: /);
    expect(problem?.message).toContain(field);
  });
});
