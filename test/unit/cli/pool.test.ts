import type { SwitchBenchmark, SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import { benchmarkPool, emptyPool, poolFigureData, poolFigureSpec, poolReport } from '../../../src/cli/pool.js';
import { renderSvg } from '../../../src/cli/render.js';
import { benchmark, fivePool, nodeRun, poolBenchmark } from './fixtures.js';

const NOW = new Date('2026-01-02T00:00:00Z');

describe('pool: each node against the pool median', () => {
  test.each<[string, SwitchBenchmark, string]>([
    [
      'outliers below the bound, a failed node, a node without runs',
      poolBenchmark(fivePool),
      `NODE    RUN          PHASE      FIGURE        RATIO TO MEDIAN  OUTLIER
node-a  nb-3-node-a  Succeeded  64B 5.21Mpps  1.02
node-b  nb-3-node-b  Succeeded  64B 5.11Mpps  1.00
node-c  nb-3-node-c  Succeeded  64B 4.10Mpps  0.80             yes
node-d  nb-3-node-d  Failed     -             -                yes
node-e  -            -          -             -

Pool median 64B 5.11Mpps over 3 of 5 nodes, spread 1.27 (highest over lowest); 2 outliers (below 0.9 × median = 4.60Mpps, or failed).`,
    ],
    [
      'NDR compared: the figure says so; one outlier',
      poolBenchmark({
        packetSize: 64,
        figure: 'NDR',
        medianPps: 2_000_000,
        spread: 1.5,
        outliers: ['n2'],
        nodes: [
          { node: 'n1', run: 'nb-1-n1', phase: 'Succeeded', pps: 2_000_000, ratio: 1, outlier: false },
          { node: 'n2', run: 'nb-1-n2', phase: 'Succeeded', pps: 1_333_333, ratio: 0.6667, outlier: true },
        ],
      }),
      `NODE  RUN      PHASE      FIGURE            RATIO TO MEDIAN  OUTLIER
n1    nb-1-n1  Succeeded  64B NDR 2.00Mpps  1.00
n2    nb-1-n2  Succeeded  64B NDR 1.33Mpps  0.67             yes

Pool median 64B NDR 2.00Mpps over 2 of 2 nodes, spread 1.50 (highest over lowest); 1 outlier (below 0.9 × median = 1.80Mpps, or failed).`,
    ],
    [
      'no finished run yet: said under the nodes, not an empty table',
      poolBenchmark({ outliers: [], nodes: [{ node: 'n1' }, { node: 'n2' }] }),
      `NODE  RUN  PHASE  FIGURE  RATIO TO MEDIAN  OUTLIER
n1    -    -      -       -
n2    -    -      -       -

No node has a finished run yet (2 nodes in the pool).`,
    ],
    [
      'every finished run failed: no median to compare with',
      poolBenchmark({ outliers: ['n1'], nodes: [{ node: 'n1', run: 'nb-1-n1', phase: 'Failed', outlier: true }] }),
      `NODE  RUN      PHASE   FIGURE  RATIO TO MEDIAN  OUTLIER
n1    nb-1-n1  Failed  -       -                yes

No node has a figure to compare yet: 1 of 1 node finished a run, none with a figure; 1 outlier.`,
    ],
    [
      'a compromise placement says so under the verdict',
      poolBenchmark(
        { ...fivePool, nodes: fivePool.nodes?.slice(0, 1), outliers: [] },
        { resources: { ...defaultSpec({ datapath: 'testpmd' }).resources, cpuPolicy: 'shared' } },
      ),
      `NODE    RUN          PHASE      FIGURE        RATIO TO MEDIAN  OUTLIER
node-a  nb-3-node-a  Succeeded  64B 5.21Mpps  1.02

Pool median 64B 5.11Mpps over 1 of 1 node, spread 1.27 (highest over lowest); 0 outliers (below 0.9 × median = 4.60Mpps, or failed).
Placement: shared (every role on shared CPUs): a compromise placement, figures not comparable with exclusive ones`,
    ],
  ])('%s', (_name, b, expected) => {
    expect(poolReport(b, NOW)).toBe(expected);
  });

  test('-o wide: when each node ran and its own headline, from its run (a pruned run: -)', () => {
    const runs = [
      nodeRun('nb-3', 'node-a', {
        phase: 'Succeeded',
        completionTime: '2026-01-01T23:55:00Z',
        headline: '64B 5.21Mpps',
      }),
      nodeRun('nb-3', 'node-c', {
        phase: 'Succeeded',
        completionTime: '2026-01-01T21:00:00Z',
        headline: '64B 4.10Mpps',
      }),
    ];
    const lines = poolReport(poolBenchmark(fivePool), NOW, { wide: true, runs }).split('\n');
    expect(lines[0]).toBe('NODE    RUN          PHASE      FIGURE        RATIO TO MEDIAN  OUTLIER  FINISHED  HEADLINE');
    expect(lines.slice(1, 6).map((l) => l.split(/\s{2,}/).slice(-2))).toEqual([
      ['5m ago', '64B 5.21Mpps'],
      ['-', '-'],
      ['3h ago', '64B 4.10Mpps'],
      ['-', '-'],
      ['-', '-'],
    ]);
  });

  test.each<[string, SwitchBenchmark, string]>([
    [
      'a benchmark without fan-out',
      benchmark('tp', 'testpmd', { phase: 'Succeeded' }),
      'SwitchBenchmark lab/tp does not fan out: only a benchmark with spec.placement.fanOut has a pool',
    ],
    [
      'a pool the operator has not judged yet',
      poolBenchmark(undefined, {}, { phase: 'Pending' }),
      'SwitchBenchmark lab/nb has no status.pool yet: the operator has not compared its nodes (phase Pending)',
    ],
  ])('%s is an error saying why', (_name, b, message) => {
    expect(() => benchmarkPool(b)).toThrow(message);
    expect(() => poolReport(b, NOW)).toThrow(message);
    expect(() => poolFigureSpec(b)).toThrow(message);
  });

  test.each<[string, SwitchBenchmark['status'], string]>([
    [
      'with the operator’s PoolEmpty message',
      {
        pool: { outliers: [], nodes: [] },
        conditions: [
          {
            type: 'Progressing',
            status: 'False',
            reason: 'PoolEmpty',
            message: 'No node has the labels pool=a, so no run started',
            lastTransitionTime: '2026-01-01T00:00:00Z',
          },
        ],
      },
      'The pool of SwitchBenchmark lab/nb has no node: No node has the labels pool=a, so no run started',
    ],
    [
      'before any trigger',
      { pool: { outliers: [], nodes: [] } },
      "The pool of SwitchBenchmark lab/nb has no node: no node has the labels of spec.placement.nodeSelector (and the operator's node label)",
    ],
  ])('an empty pool is explained: %s', (_name, status, message) => {
    expect(emptyPool(poolBenchmark(undefined, {}, status))).toBe(message);
  });
});

describe('plot --figure pool', () => {
  type Layer = {
    mark: { type: string; strokeDash?: number[] };
    encoding: {
      x?: { field: string };
      y: { field?: string; datum?: number };
      color?: { field: string; scale: { domain: string[]; range: string[] } };
    };
  };
  type Spec = { title: { text: string; subtitle: string[] }; layer: Layer[] };

  test('a bar per node with a figure, in Mpps, outliers apart', () => {
    expect(poolFigureData(fivePool).map((b) => [b.node, b.mpps, b.verdict])).toEqual([
      ['node-a', 5.21, 'within bound'],
      ['node-b', 5.11, 'within bound'],
      ['node-c', 4.1, 'outlier'],
    ]);
  });

  test('bars coloured by verdict, outliers red; the median a solid rule, the bound a dashed one', () => {
    const spec = poolFigureSpec(poolBenchmark(fivePool)) as unknown as Spec;
    const [bars, median, bound] = spec.layer as [Layer, Layer, Layer];
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['bar', 'rule', 'rule']);
    expect([bars.encoding.x?.field, bars.encoding.y.field]).toEqual(['node', 'mpps']);
    const color = bars.encoding.color;
    expect(color?.field).toBe('verdict');
    expect(color?.scale.range[color.scale.domain.indexOf('outlier')]).toBe('#e45756');
    expect([median.encoding.y.datum, median.mark.strokeDash]).toEqual([5.11, undefined]);
    expect(bound.encoding.y.datum).toBeCloseTo(5.11 * 0.9);
    expect(bound.mark.strokeDash).toEqual([6, 4]);
    expect(spec.title).toEqual({
      text: 'Pool of nb: 64B max receive rate per node',
      subtitle: [
        "bars: each node's latest run; red: outliers (below 0.9 × median, or failed)",
        'solid rule: pool median 5.11Mpps; dashed: 0.9 × median = 4.60Mpps',
        '2 of 5 nodes without a bar (no finished run, a failed one, or another frame size): kubectl switchbench pool nb lists them',
      ],
    });
  });

  test('a compromise placement is in the caption', () => {
    const shared = { resources: { ...defaultSpec({ datapath: 'testpmd' }).resources, cpuPolicy: 'shared' as const } };
    expect((poolFigureSpec(poolBenchmark(fivePool, shared)) as unknown as Spec).title.subtitle.at(-1)).toBe(
      'placement shared: a compromise placement, figures not comparable with exclusive ones',
    );
  });

  test('a pool without a median has no rules', () => {
    const spec = poolFigureSpec(poolBenchmark({ outliers: [], nodes: [{ node: 'n1' }] })) as unknown as Spec;
    expect(spec.layer.map((l) => l.mark.type)).toEqual(['bar']);
  });

  test('as SVG: a bar per node carrying its figure, the outlier in red, and both rules', async () => {
    const svg = await renderSvg(poolFigureSpec(poolBenchmark(fivePool)));
    const bars = [...svg.matchAll(/<path aria-label="node: ([^;]+); [^"]*pps: ([0-9.]+);[^"]*" [^>]*fill="([^"]+)"/g)];
    expect(bars.map((m) => [m[1], m[2], m[3]])).toEqual([
      ['node-a', '5210000.0', '#4c78a8'],
      ['node-b', '5110000.0', '#4c78a8'],
      ['node-c', '4100000.0', '#e45756'],
    ]);
    // One line each, across the plot: the median's solid, the bound's dashed.
    const rules = [...svg.matchAll(/class="mark-rule role-mark layer_\d_marks"[^>]*>(.*?)<\/g>/g)].map((m) =>
      [...(m[1] as string).matchAll(/<line [^>]*?(stroke-dasharray="[^"]+")?\/>/g)].map((l) => l[1] ?? 'solid'),
    );
    expect(rules).toEqual([['solid'], ['stroke-dasharray="6,4"']]);
  });
});

// The fixtures' benchmark is what pool reads: fan-out defaulted by the apiserver.
test('the fixture pool benchmark fans out with the default outlierFraction', () => {
  expect((poolBenchmark(fivePool).spec.placement as SwitchBenchmarkSpec['placement']).fanOut).toEqual({
    outlierFraction: 0.9,
  });
});
