import { comparison, comparisonTable } from '../../../src/cli/compare.js';
import { run } from './fixtures.js';

const maxRun = (name: string, datapath: 'memif' | 'testpmd' | 'kernel', rates: [number, number][]) =>
  run(
    `${name}-1`,
    name,
    { datapath },
    {
      summary: rates.map(([packetSize, maxRxPps]) => ({ packetSize, burstSize: 32, maxRxPps })),
    },
  );

describe('compare: Figure 3 as a table, with the ratio to memif', () => {
  const runs = [
    {
      benchmark: 'mf',
      run: maxRun('mf', 'memif', [
        [64, 8_000_000],
        [512, 4_000_000],
      ]),
    },
    {
      benchmark: 'tp',
      run: maxRun('tp', 'testpmd', [
        [64, 2_000_000],
        [512, 3_000_000],
      ]),
    },
    { benchmark: 'k', run: maxRun('k', 'kernel', [[1024, 500_000]]) },
  ];

  test('each path beside memif at the same frame size and burst; none where memif was not measured', () => {
    expect(comparison(runs).map((r) => [r.datapath, r.packetSize, r.ratioToMemif, r.l2BitsPerSecond])).toEqual([
      ['memif', 64, 1, 8_000_000 * 64 * 8],
      ['memif', 512, 1, 4_000_000 * 512 * 8],
      ['testpmd', 64, 0.25, 2_000_000 * 64 * 8],
      ['testpmd', 512, 0.75, 3_000_000 * 512 * 8],
      ['kernel', 1024, undefined, 500_000 * 1024 * 8],
    ]);
  });

  test('the table: rate, Gbit/s, ratio ("-" without memif), placement and run', () => {
    const lines = comparisonTable(comparison(runs)).split('\n');
    expect(lines[0]).toMatch(/^PATH +SIZE +BURST +MAX RX +MIN\.\.MAX +GBIT\/S +RATIO TO MEMIF +PLACEMENT +RUN$/);
    expect(lines[3]?.split(/ {2,}/)).toEqual([
      'testpmd',
      '64B',
      '32',
      '2.00Mpps',
      '2.00Mpps..2.00Mpps',
      '1.024',
      '0.25',
      'exclusive',
      'tp-1',
    ]);
    expect(lines[5]?.split(/ {2,}/)[6]).toBe('-');
  });
});
