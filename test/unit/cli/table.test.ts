import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import type { SwitchBenchmarkRun } from '../../../src/api/v1alpha1/types.js';
import { runReport, summaryTable, trialsTable } from '../../../src/cli/table.js';

const run: SwitchBenchmarkRun = {
  apiVersion: 'switchbench.io/v1alpha1',
  kind: 'SwitchBenchmarkRun',
  metadata: { name: 'demo-1', namespace: 'default' },
  spec: { benchmarkName: 'demo', benchmarkGeneration: 1, trigger: 'initial', benchmark: defaultSpec({ datapath: 'testpmd' }) },
  status: {
    phase: 'Succeeded',
    progress: '2/2',
    node: 'node-a',
    conditions: [{ type: 'Ready', status: 'True', reason: 'Completed', message: '2/2 trials measured', lastTransitionTime: '2026-01-01T00:00:00Z' }],
    trials: [
      { index: 0, packetSize: 64, burstSize: 16, offeredPps: 10000, outcome: 'Measured', achievedTxPps: 10000, rxPpsMean: 9998.4, rxPpsStddev: 12, lossRatio: 0, latency: { p50Ns: 12000, p90Ns: 1, p99Ns: 45500, p999Ns: 1, maxNs: 1 }, cpus: { sender: '1', receiver: '1' } },
      { index: 1, packetSize: 64, burstSize: 16, offeredPps: 20000, outcome: 'GeneratorLimited', achievedTxPps: 15000, rxPpsMean: 15000, lossRatio: 0.00002, unstable: true },
      { index: 2, packetSize: 64, burstSize: 16, offeredPps: 30000, outcome: 'Failed', message: 'receiver pod failed' },
    ],
    summary: [{ packetSize: 64, burstSize: 16, maxRxPps: 9998.4, maxRxPpsMin: 9998.4, maxRxPpsMax: 9998.4, maxRxBitsPerSecond: 9998.4 * 512, trials: 3, unstableTrials: 1 }],
  },
};

describe('tables', () => {
  test('a row per trial with rates, loss, latency, CPUs and what went wrong', () => {
    expect(trialsTable(run).split('\n')).toEqual([
      '#  SIZE  BURST  OFFERED   TX        RX MEAN   RX SD  LOSS      P50     P99     CPUS TX/RX  NOTE',
      '0  64    16     10.0kpps  10.0kpps  10.0kpps  12pps  0.000%    12.0us  45.5us  1/1',
      '1  64    16     20.0kpps  15.0kpps  15.0kpps  -      0.00200%  -       -       -           unstable,GeneratorLimited',
      '2  64    16     30.0kpps  -         -         -      -         -       -       -           Failed',
    ]);
  });

  test('a row per point of the summary', () => {
    expect(summaryTable(run).split('\n')).toEqual([
      'SIZE  BURST  MAX RX    MIN..MAX            GBIT/S  TRIALS  UNSTABLE',
      '64    16     10.0kpps  10.0kpps..10.0kpps  0.005   3       1',
    ]);
  });

  test('the report starts with what ran where and how it ended', () => {
    expect(runReport(run).split('\n').slice(0, 2)).toEqual([
      'Run default/demo-1 of demo: testpmd, Succeeded 2/2 on node-a',
      'Completed: 2/2 trials measured',
    ]);
  });
});
