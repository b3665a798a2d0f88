import { figure2Data, figure2Spec, figure3Data, figure3Spec } from '../../../src/cli/figures.js';
import { renderSvg, svgToPng } from '../../../src/cli/render.js';
import { placed, run, search, sweep, trial } from './fixtures.js';

describe('Figure 2: receive rate vs offered rate', () => {
  test('a point per trial with figures, failed trials left out', () => {
    expect(figure2Data(sweep).map((p) => [p.trial, p.packetSize, p.offeredPps, p.rxPps, p.outcome])).toEqual([
      [0, 64, 10_000, 9_990.5, 'Measured'],
      [1, 64, 20_000, 19_980, 'Measured'],
      [2, 64, 40_000, 31_000.25, 'Measured'],
      [3, 512, 10_000, 10_000, 'Measured'],
      [4, 512, 20_000, 18_000, 'GeneratorLimited'],
      [6, 64, 40_000, 30_500, 'Measured'],
    ]);
  });

  test('a GeneratorLimited trial is placed at the rate its sender attempted, the requested one kept beside it', () => {
    const paced = run(
      'p-1',
      'p',
      { datapath: 'testpmd' },
      {
        trials: [
          trial(0, 64, 100_000, 99_900, { attemptedTxPps: 99_950 }),
          trial(1, 64, 500_000, 350_000, { outcome: 'GeneratorLimited', attemptedTxPps: 354_000 }),
        ],
      },
    );
    expect(figure2Data(paced).map((p) => [p.offeredPps, p.requestedPps, p.rxPps])).toEqual([
      [100_000, 100_000, 99_900],
      [354_000, 500_000, 350_000],
    ]);
    const { subtitle } = (figure2Spec(paced) as unknown as { title: { subtitle: string[] } }).title;
    expect(subtitle).toContain('GeneratorLimited: placed at the rate the sender attempted, short of the one requested');
  });

  test('method max offers "as fast as possible": the achieved rate stands for the offered one', () => {
    const max = run(
      'm-1',
      'm',
      { datapath: 'memif' },
      { trials: [trial(0, 64, 0, 900_000, { achievedTxPps: 1_000_000 })] },
    );
    expect(figure2Data(max).map((p) => [p.offeredPps, p.rxPps])).toEqual([[1_000_000, 900_000]]);
  });

  test('one panel per frame size, the trials as points over the median line and the received = offered diagonal', () => {
    const spec = figure2Spec(sweep) as unknown as {
      facet: { column: { field: string } };
      spec: { layer: { mark: { type: string } }[] };
    };
    expect(spec.facet.column.field).toBe('packetSize');
    expect(spec.spec.layer.map((l) => l.mark.type)).toEqual(['line', 'line', 'point']);
  });
});

describe('Figure 3: max throughput per data path and frame size', () => {
  test('a bar per data path and frame size, median with min..max', () => {
    expect(
      figure3Data([
        { benchmark: 'tp', run: sweep },
        { benchmark: 'mf', run: search },
      ]).map((b) => [b.series, b.packetSize, b.maxRxPps, b.minRxPps, b.maxOfRepetitionsPps]),
    ).toEqual([
      ['testpmd', 64, 30_750.125, 30_500, 31_000.25],
      ['testpmd', 512, 18_000, 18_000, 18_000],
      ['memif', 64, 1_500_000, 1_500_000, 1_500_000],
    ]);
  });

  test('two benchmarks of one data path are told apart by name, bursts by burst', () => {
    const twoBursts = run(
      'tq-1',
      'tq',
      { datapath: 'testpmd' },
      {
        summary: [
          { packetSize: 64, burstSize: 16, maxRxPps: 1 },
          { packetSize: 64, burstSize: 32, maxRxPps: 2 },
          { packetSize: 128, burstSize: 32 },
        ],
      },
    );
    expect(
      figure3Data([
        { benchmark: 'tp', run: sweep },
        { benchmark: 'tq', run: twoBursts },
      ]).map((b) => b.series),
    ).toEqual(['testpmd (tp)', 'testpmd (tp)', 'testpmd (tq), burst 16', 'testpmd (tq), burst 32']);
  });
});

describe('a compromise placement is in the figure', () => {
  const NOT_COMPARABLE = 'a compromise placement, figures not comparable with exclusive ones';
  type Title = { title: { text: string; subtitle: string[] } };
  test.each([
    ['exclusive', placed('exclusive'), 'run tp-exclusive-1', []],
    [
      'isolated-dut',
      placed('isolated-dut'),
      'run tp-isolated-dut-1, placement isolated-dut',
      [`placement isolated-dut: ${NOT_COMPARABLE}`],
    ],
    ['shared', placed('shared', 'memif'), 'run mf-shared-1, placement shared', [`placement shared: ${NOT_COMPARABLE}`]],
  ])('figure 2 of a run under %s', (_name, placedRun, title, caption) => {
    const { text, subtitle } = (figure2Spec(placedRun) as unknown as Title).title;
    expect(text.endsWith(title)).toBe(true);
    expect(subtitle).toEqual(['dashed: received = offered; points: trials, line: median per rate', ...caption]);
  });

  test.each([
    ['every run exclusive', ['exclusive', 'exclusive'], ['testpmd', 'memif'], []],
    [
      'every run under one compromise: said once, no bar marked',
      ['shared', 'shared'],
      ['testpmd', 'memif'],
      [`every run under placement shared: ${NOT_COMPARABLE}`],
    ],
    [
      'exclusive and isolated-dut side by side: the compromise bars are marked',
      ['exclusive', 'isolated-dut'],
      ['testpmd', 'memif [isolated-dut]'],
      [`bars marked [isolated-dut]: ${NOT_COMPARABLE}`],
    ],
    [
      'two compromises side by side: both marked',
      ['shared', 'isolated-dut'],
      ['testpmd [shared]', 'memif [isolated-dut]'],
      [`bars marked [shared] or [isolated-dut]: ${NOT_COMPARABLE}`],
    ],
  ] as const)('figure 3, %s', (_name, [tp, mf], series, caption) => {
    const runs = [
      { benchmark: 'tp', run: placed(tp) },
      { benchmark: 'mf', run: placed(mf, 'memif') },
    ];
    expect(figure3Data(runs).map((b) => [b.series, b.placement])).toEqual([
      [series[0], tp],
      [series[1], mf],
    ]);
    expect((figure3Spec(runs) as unknown as Title).title.subtitle).toEqual([
      'bars: median of repetitions; whiskers: min..max',
      ...caption,
    ]);
  });

  test('a run without bars does not count: its placement is nowhere in the figure', () => {
    const runs = [
      { benchmark: 'tp', run: placed('exclusive') },
      { benchmark: 'mf', run: { ...placed('shared', 'memif'), status: { phase: 'Failed' as const } } },
    ];
    expect(figure3Data(runs).map((b) => b.series)).toEqual(['testpmd']);
    expect((figure3Spec(runs) as unknown as Title).title.subtitle).toHaveLength(1);
  });
});

describe('rendered by Vega', () => {
  const rxLabels = (svg: string) =>
    [...svg.matchAll(/aria-label="[^"]*trial: (\d+); [^"]*rx pps: ([0-9.]+)"/g)].map((m) => [Number(m[1]), m[2]]);

  test('figure 2 as SVG: one mark per measured trial, carrying its receive rate', async () => {
    const svg = await renderSvg(figure2Spec(sweep));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(rxLabels(svg).sort((a, b) => (a[0] as number) - (b[0] as number))).toEqual(
      figure2Data(sweep)
        .map((p) => [p.trial, p.rxPps.toFixed(1)])
        .sort((a, b) => (a[0] as number) - (b[0] as number)),
    );
  });

  test('figure 3 as SVG: one bar per summary point, carrying its max rate', async () => {
    const svg = await renderSvg(
      figure3Spec([
        { benchmark: 'tp', run: sweep },
        { benchmark: 'mf', run: search },
      ]),
    );
    expect([...svg.matchAll(/aria-label="[^"]*max rx pps: ([0-9.]+)"/g)].map((m) => m[1]).sort()).toEqual([
      '1500000.0',
      '18000.0',
      '30750.1',
    ]);
  });

  test('the placement of a compromise run is written in the SVG, and each bar says its placement', async () => {
    // Text nodes, a multi-line subtitle's lines each in a tspan of its own.
    const text = (svg: string) => [...svg.matchAll(/>([^<>]+)</g)].map((m) => m[1]);
    expect(text(await renderSvg(figure2Spec(placed('isolated-dut'))))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/, placement isolated-dut$/),
        'placement isolated-dut: a compromise placement, figures not comparable with exclusive ones',
      ]),
    );
    expect(text(await renderSvg(figure2Spec(placed('exclusive')))).join('\n')).not.toMatch(/placement/);
    const svg = await renderSvg(
      figure3Spec([
        { benchmark: 'tp', run: placed('exclusive') },
        { benchmark: 'mf', run: placed('shared', 'memif') },
      ]),
    );
    expect(text(svg)).toContain(
      'bars marked [shared]: a compromise placement, figures not comparable with exclusive ones',
    );
    expect(
      [...svg.matchAll(/aria-label="[^"]*data path: ([^;]+); [^"]*placement: ([\w-]+);/g)]
        .map((m) => [m[1], m[2]])
        .sort(),
    ).toEqual([
      ['memif [shared]', 'shared'],
      ['testpmd', 'exclusive'],
    ]);
  });

  test('as PNG: a PNG twice the SVG size on white', async () => {
    const svg = await renderSvg(figure2Spec(sweep));
    const png = await svgToPng(svg);
    const [, width, height] = /width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * Number(width), 2 * Number(height)]);
  });
});
