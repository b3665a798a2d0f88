import type { SummaryPoint, SwitchBenchmarkSpec, Trial } from '../api/v1alpha1/types.js';
import { bounds, type RatioBounds } from '../plan/ndr-pdr.js';
import { points } from '../plan/trials.js';
import { l2BitsPerSecond, wireBitsPerSecond } from './figures.js';
import { median } from './stats.js';

type Search = NonNullable<SwitchBenchmarkSpec['method']['ndrPdr']>;

/**
 * The run's figures per (packet size, burst size). The receive rate at a planned rate is the median
 * over its repetitions (robust to the fast/slow flips of shared machines), with min and max beside it;
 * the point's maximum is the best such median over the rates. A generator-limited trial measured the
 * path at the rate it attempted and counts at what it received; failed trials are counted only.
 */
export function summarize(spec: SwitchBenchmarkSpec, trials: readonly Trial[]): SummaryPoint[] {
  return points(spec).flatMap(({ packetSize, burstSize }) => {
    const own = trials.filter((t) => t.packetSize === packetSize && t.burstSize === burstSize);
    if (own.length === 0) return [];
    const measured = own.filter((t) => t.outcome !== 'Failed' && t.rxPpsMean !== undefined);
    const byRate = new Map<number, number[]>();
    // Repetitions of one planned rate form one figure, whatever each sender managed.
    for (const t of measured) byRate.set(t.offeredPps, [...(byRate.get(t.offeredPps) ?? []), t.rxPpsMean as number]);
    let best: number[] | undefined;
    for (const rates of byRate.values()) if (!best || median(rates) > median(best)) best = rates;
    const point: SummaryPoint = {
      packetSize,
      burstSize,
      trials: own.length,
      unstableTrials: own.filter((t) => t.unstable).length,
      generatorLimitedTrials: own.filter((t) => t.outcome === 'GeneratorLimited').length,
    };
    if (spec.method.ndrPdr) Object.assign(point, searchFigures(spec.method.ndrPdr, own, packetSize));
    if (best) {
      point.maxRxPps = median(best);
      point.maxRxPpsMin = Math.min(...best);
      point.maxRxPpsMax = Math.max(...best);
      point.maxRxBitsPerSecond = l2BitsPerSecond(point.maxRxPps, packetSize);
      point.maxRxWireBitsPerSecond = wireBitsPerSecond(point.maxRxPps, packetSize);
    }
    return [point];
  });
}

/** The verified rate per loss ratio: 0 is the NDR, the others PDRs; the interval width says how sure. */
function searchFigures(search: Search, trials: readonly Trial[], packetSize: number): Partial<SummaryPoint> {
  const figures: Partial<SummaryPoint> = {};
  const all = bounds(search, trials);
  const figure = (b: RatioBounds) => ({
    lossRatio: b.lossRatio,
    pps: b.lower as number,
    bitsPerSecond: l2BitsPerSecond(b.lower as number, packetSize),
    wireBitsPerSecond: wireBitsPerSecond(b.lower as number, packetSize),
  });
  const found = all.filter((b) => b.verified);
  const ndr = found.find((b) => b.lossRatio === 0);
  if (ndr) figures.ndr = figure(ndr);
  const pdr = found.filter((b) => b.lossRatio > 0).map(figure);
  if (pdr.length) figures.pdr = pdr;
  const widths = all.map((b) => b.width).filter((w): w is number => w !== undefined);
  if (widths.length) figures.intervalWidth = Math.max(...widths);
  return figures;
}

/** The figure a run leads with: the smallest frame's NDR when the run searched, else its maximum receive rate. */
export interface HeadlineFigure {
  packetSize: number;
  figure: 'NDR' | 'MaxRx';
  pps: number;
}

export function headlineFigure(summary: readonly SummaryPoint[]): HeadlineFigure | undefined {
  const first = [...summary]
    .filter((p) => p.maxRxPps !== undefined || p.ndr !== undefined)
    .sort((a, b) => a.packetSize - b.packetSize || a.burstSize - b.burstSize)[0];
  if (!first) return undefined;
  const ndr = first.ndr?.pps;
  return ndr !== undefined
    ? { packetSize: first.packetSize, figure: 'NDR', pps: ndr }
    : { packetSize: first.packetSize, figure: 'MaxRx', pps: first.maxRxPps as number };
}

/** "64B 5.21Mpps" or "64B NDR 4.10Mpps": a headline figure as kubectl get shows it. */
export const formatHeadline = (lead: HeadlineFigure) =>
  `${lead.packetSize}B ${lead.figure === 'NDR' ? 'NDR ' : ''}${formatPps(lead.pps)}`;

export function headline(summary: readonly SummaryPoint[]): string | undefined {
  const lead = headlineFigure(summary);
  return lead ? formatHeadline(lead) : undefined;
}

export function formatPps(pps: number): string {
  if (pps >= 1e6) return `${(pps / 1e6).toFixed(2)}Mpps`;
  if (pps >= 1e3) return `${(pps / 1e3).toFixed(1)}kpps`;
  return `${Math.round(pps)}pps`;
}
