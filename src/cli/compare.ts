// `compare`: Figure 3 as a table, each path's maximum throughput per frame size beside memif's, the
// software upper bound the paper divides by. Pure.
import { l2BitsPerSecond } from '../results/figures.js';
import { formatPps } from '../results/summary.js';
import { figure3Data, type Figure3Bar, type RunOfBenchmark } from './figures.js';
import { render } from './table.js';

export interface Comparison extends Figure3Bar {
  /** maxRxPps × packetSize × 8. */
  l2BitsPerSecond: number;
  /** maxRxPps over memif's at the same frame size and burst; absent without such a memif run. */
  ratioToMemif?: number;
}

export function comparison(runs: readonly RunOfBenchmark[]): Comparison[] {
  const bars = figure3Data(runs);
  const key = (b: Figure3Bar) => `${b.packetSize}/${b.burst}`;
  const memif = new Map(bars.filter((b) => b.datapath === 'memif').map((b) => [key(b), b.maxRxPps]));
  return bars.map((bar) => {
    const base = memif.get(key(bar));
    return {
      ...bar,
      l2BitsPerSecond: l2BitsPerSecond(bar.maxRxPps, bar.packetSize),
      ...(base ? { ratioToMemif: bar.maxRxPps / base } : {}),
    };
  });
}

export function comparisonTable(rows: readonly Comparison[]): string {
  return render(
    ['PATH', 'SIZE', 'BURST', 'MAX RX', 'MIN..MAX', 'GBIT/S', 'RATIO TO MEMIF', 'PLACEMENT', 'RUN'],
    rows.map((r) => [
      r.series,
      `${r.packetSize}B`,
      String(r.burst),
      formatPps(r.maxRxPps),
      `${formatPps(r.minRxPps)}..${formatPps(r.maxOfRepetitionsPps)}`,
      (r.l2BitsPerSecond / 1e9).toFixed(3),
      r.ratioToMemif === undefined ? '-' : r.ratioToMemif.toFixed(2),
      r.placement,
      r.run,
    ]),
  );
}
