import type { SwitchBenchmarkRun } from '../../../src/api/v1alpha1/types.js';
import { poolVerdict } from '../../../src/results/pool.js';

/** A finished run of `node` at minute `minute`: its 64-byte figure, or a failure. */
const run = (node: string, minute: number, pps: number | 'failed', figure: 'max' | 'ndr' = 'max', size = 64) =>
  ({
    metadata: { name: `r${minute}-${node}`, creationTimestamp: `2026-01-01T00:${String(minute).padStart(2, '0')}:00Z` },
    spec: { nodeName: node },
    status: {
      phase: pps === 'failed' ? 'Failed' : 'Succeeded',
      completionTime: `2026-01-01T00:${String(minute).padStart(2, '0')}:30Z`,
      summary:
        pps === 'failed'
          ? []
          : [
              {
                packetSize: size,
                burstSize: 32,
                trials: 1,
                maxRxPps: figure === 'max' ? pps : pps * 2,
                ...(figure === 'ndr' ? { ndr: { lossRatio: 0, pps, bitsPerSecond: 0, wireBitsPerSecond: 0 } } : {}),
              },
              { packetSize: 1518, burstSize: 32, trials: 1, maxRxPps: 1 },
            ],
    },
  }) as unknown as SwitchBenchmarkRun;

const brief = (verdict: ReturnType<typeof poolVerdict>) =>
  Object.fromEntries(
    (verdict.nodes ?? []).map((n) => [
      n.node,
      `${n.pps ?? '-'} ${n.ratio?.toFixed(2) ?? '-'} ${n.outlier ? 'OUT' : ''}`.trim(),
    ]),
  );

describe('poolVerdict', () => {
  test.each([
    [
      'a uniform pool: no outlier',
      ['a', 'b', 'c'],
      [run('a', 1, 100), run('b', 1, 102), run('c', 1, 98)],
      0.9,
      { medianPps: 100, outliers: [] },
      { a: '100 1.00', b: '102 1.02', c: '98 0.98' },
    ],
    [
      'a node below the fraction of the median',
      ['a', 'b', 'c', 'd'],
      [run('a', 1, 100), run('b', 1, 100), run('c', 1, 100), run('d', 1, 80)],
      0.9,
      { medianPps: 100, spread: 1.25, outliers: ['d'] },
      { a: '100 1.00', b: '100 1.00', c: '100 1.00', d: '80 0.80 OUT' },
    ],
    [
      'a failed latest run is an outlier, and has no say in the median',
      ['a', 'b', 'c'],
      [run('a', 1, 100), run('b', 1, 90), run('c', 1, 100), run('c', 2, 'failed')],
      0.5,
      { medianPps: 95, outliers: ['c'] },
      { a: '100 1.05', b: '90 0.95', c: '- - OUT' },
    ],
    [
      "the node's latest run counts, not its best",
      ['a', 'b'],
      [run('a', 1, 200), run('a', 2, 50), run('b', 2, 100)],
      0.9,
      { medianPps: 75, outliers: ['a'] },
      { a: '50 0.67 OUT', b: '100 1.33' },
    ],
    [
      'a node that left the pool has no say; a new one without runs is listed',
      ['a', 'b', 'new'],
      [run('a', 1, 100), run('b', 1, 100), run('gone', 1, 10)],
      0.9,
      { medianPps: 100, outliers: [] },
      { a: '100 1.00', b: '100 1.00', new: '- -' },
    ],
    [
      'NDR runs compare NDRs; a node measured under an older spec (max) is listed without a ratio',
      ['a', 'b', 'c'],
      [run('a', 1, 70), run('b', 2, 100, 'ndr'), run('c', 3, 90, 'ndr')],
      0.9,
      { medianPps: 95, figure: 'NDR', packetSize: 64, outliers: [] },
      { a: '- -', b: '100 1.05', c: '90 0.95' },
    ],
    ['no finished run yet', ['a'], [], 0.9, { outliers: [] }, { a: '- -' }],
  ])('%s', (_name, pool, runs, fraction, expected, nodes) => {
    const verdict = poolVerdict(pool, runs, fraction);
    expect(verdict).toMatchObject(expected);
    expect(brief(verdict)).toEqual(nodes);
  });
});
