import { figure2Data, figure2Spec, figure3Data, figure3Spec } from '../../../src/cli/figures.js';
import { renderSvg, svgToPng } from '../../../src/cli/render.js';
import { run, search, sweep, trial } from './fixtures.js';

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

  test('as PNG: a PNG twice the SVG size on white', async () => {
    const svg = await renderSvg(figure2Spec(sweep));
    const png = await svgToPng(svg);
    const [, width, height] = /width="(\d+)" height="(\d+)"/.exec(svg) ?? [];
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([2 * Number(width), 2 * Number(height)]);
  });
});
