// docs/paper-reproduction.md from what `make paper` exported with the plugin: the paper's values
// beside the measured ones, the ratios its conclusions rest on, and whether each conclusion holds
// here. Pure: report.mjs reads the exports and writes the file.
//
// A conclusion that orders two figures (a > b) is judged on repetitions, not on one number each:
//   holds                 every repetition of a is above every repetition of b (min a > max b);
//   holds in the medians  the medians are ordered, but the repetitions overlap: noise could undo it;
//   does not hold         the medians are not ordered.
import type {
  SwitchBenchmarkRunStatusSummaryItem as SummaryPoint,
  SwitchBenchmarkRunStatusTrialsItem as Trial,
  SwitchBenchmarkSpec,
} from '../../src/api/v1alpha1/types.js';
import { offeredToPath } from '../../src/cli/figures.js';

/** A run as `kubectl switchbench export -o json` writes it (src/cli/export.ts), the parts read here. */
export interface RunExport {
  benchmark: string;
  run: string;
  datapath: string;
  phase?: string;
  placement: string;
  spec: SwitchBenchmarkSpec;
  summary: SummaryPoint[];
  trials: Trial[];
}

/** A row of `kubectl switchbench compare -o json` (src/cli/compare.ts), the parts read here. */
export interface ComparisonRow {
  series: string;
  datapath: string;
  packetSize: number;
  burst: number;
  maxRxPps: number;
  minRxPps: number;
  maxOfRepetitionsPps: number;
  l2BitsPerSecond: number;
  ratioToMemif?: number;
  placement: string;
  run: string;
}

export interface Machine {
  cpuModel: string;
  cpus: number;
  kernel: string;
  commit: string;
  date: string;
  /** Whether the node's bridges ran frames through its iptables (net.bridge.bridge-nf-call-iptables). */
  bridgeNetfilter: boolean;
}

export interface PaperInputs {
  machine: Machine;
  /** Figure 2's sweeps: testpmd and OVS-DPDK. */
  figure2: RunExport[];
  /** Figure 3: max per data path, the latest run of each paper-fig3 benchmark. */
  figure3: ComparisonRow[];
  /** Table 1: one max run per kernel socket variant. */
  table1: RunExport[];
  /** testpmd at 64 B with bursts of 16, 32 and 64. */
  bursts: RunExport;
  /** Data paths Figure 3 left out, and why (no image, no hardware). */
  notMeasured: Record<string, string>;
  /** Where the figures were written, relative to the document. */
  figureFiles: { figure2: Record<string, string>; figure3: string };
}

export interface Range {
  median: number;
  min: number;
  max: number;
}

export type Verdict = 'holds' | 'holds in the medians' | 'does not hold' | 'not tested here';

export interface Conclusion {
  claim: string;
  paper: string;
  measured: string;
  verdict: Verdict;
  /** Why it could not be tested, or what limits the comparison. */
  note?: string;
}

/** The paper's Table 1: 64 B packets, bursts of 64, kpps. */
export const PAPER_TABLE1: { socket: 'udp' | 'raw'; batching: 'single' | 'mmsg'; label: string; kpps: number }[] = [
  { socket: 'udp', batching: 'single', label: 'UDP sockets, send/recv', kpps: 227 },
  { socket: 'udp', batching: 'mmsg', label: 'UDP sockets, sendmmsg/recvmmsg', kpps: 276 },
  { socket: 'raw', batching: 'single', label: 'raw sockets, send/recv', kpps: 471 },
  { socket: 'raw', batching: 'mmsg', label: 'raw sockets, sendmmsg/recvmmsg', kpps: 594 },
];

type Variant = [name: string, socket: 'udp' | 'raw', batching: 'single' | 'mmsg'];

/** Table 1's conclusions: the faster variant first. */
const SOCKET_ORDERINGS: [claim: string, faster: Variant, slower: Variant][] = [
  ['Raw sockets beat UDP sockets (send/recv)', ['raw', 'raw', 'single'], ['UDP', 'udp', 'single']],
  ['Raw sockets beat UDP sockets (sendmmsg/recvmmsg)', ['raw', 'raw', 'mmsg'], ['UDP', 'udp', 'mmsg']],
  [
    'Batching (sendmmsg/recvmmsg) beats one call per packet, UDP',
    ['mmsg', 'udp', 'mmsg'],
    ['send/recv', 'udp', 'single'],
  ],
  [
    'Batching (sendmmsg/recvmmsg) beats one call per packet, raw',
    ['mmsg', 'raw', 'mmsg'],
    ['send/recv', 'raw', 'single'],
  ],
];

/** Every DPDK path of the paper exceeded this at 64 B. */
export const PAPER_DPDK_FLOOR_PPS = 5e6;

/** The paper's ranking below 512 B, best first (SR-IOV needs hardware, so it is judged apart). */
export const PAPER_RANKING = ['testpmd', 'snabb', 'vpp', 'ovs-dpdk'] as const;

/** A receive rate no higher than this fraction of the offered one counts as loss in Figure 2's shape. */
export const CARRIED_FRACTION = 0.99;

/**
 * Past its maximum a path's receive rate stays above this fraction of it (a plateau, no collapse),
 * and the highest rate carried is at least this fraction of it (the loss begins at the maximum).
 */
export const PLATEAU_FRACTION = 0.8;

/** The max of a summary point, over its repetitions. */
export function rangeOf(point: SummaryPoint | undefined): Range | undefined {
  if (point?.maxRxPps === undefined) return undefined;
  return { median: point.maxRxPps, min: point.maxRxPpsMin ?? point.maxRxPps, max: point.maxRxPpsMax ?? point.maxRxPps };
}

const rowRange = (row: ComparisonRow | undefined): Range | undefined =>
  row && { median: row.maxRxPps, min: row.minRxPps, max: row.maxOfRepetitionsPps };

export function judge(a: Range, b: Range): Verdict {
  if (a.min > b.max) return 'holds';
  if (a.median > b.median) return 'holds in the medians';
  return 'does not hold';
}

/** True when no two ranges are apart: the differences are within the repetitions' spread. */
export function overlapping(ranges: readonly Range[]): boolean {
  return ranges.every((a) => ranges.every((b) => a.min <= b.max && b.min <= a.max));
}

export function formatRate(pps: number): string {
  if (pps >= 1e6) return `${(pps / 1e6).toFixed(2)} Mpps`;
  return `${(pps / 1e3).toFixed(0)} kpps`;
}

const formatRange = (r: Range) => `${formatRate(r.median)} (${formatRate(r.min)}–${formatRate(r.max)})`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function kernelRun(table1: readonly RunExport[], socket: string, batching: string): RunExport | undefined {
  return table1.find((r) => r.spec.kernel?.socket === socket && r.spec.kernel?.batching === batching);
}

function kernelRange(table1: readonly RunExport[], socket: string, batching: string): Range | undefined {
  return rangeOf(kernelRun(table1, socket, batching)?.summary.find((p) => p.packetSize === 64));
}

export interface Table1Row {
  label: string;
  paperKpps: number;
  measured?: Range;
}

export function table1Rows(table1: readonly RunExport[]): Table1Row[] {
  return PAPER_TABLE1.map(({ socket, batching, label, kpps }) => ({
    label,
    paperKpps: kpps,
    measured: kernelRange(table1, socket, batching),
  }));
}

export interface Figure2Shape {
  datapath: string;
  packetSize: number;
  /**
   * The highest rate offered to the path (offeredToPath: what the sender attempted where it fell
   * behind the requested rate) up to which every trial received at least CARRIED_FRACTION of it.
   */
  carriedUpToPps?: number;
  /** Trials whose sender fell behind its schedule, and how many there were with figures. */
  generatorLimited: number;
  trials: number;
  maxRxPps: number;
  /** The receive rate at the highest offered rate. */
  rxAtHighestPps: number;
  highestOfferedPps: number;
  holds: boolean;
}

/**
 * The paper: "each networking solution is able to achieve the desired throughput up to a certain
 * maximum value, after which any additional packet sent is dropped". Per frame size: every rate up
 * to the highest one carried was carried, that rate is close to the maximum (a path that starts
 * losing far below what it can receive has no such maximum), and past it the receive rate stays on
 * a plateau.
 */
export function figure2Shapes(run: RunExport): Figure2Shape[] {
  const sizes = [...new Set(run.trials.map((t) => t.packetSize))].sort((a, b) => a - b);
  return sizes.flatMap((packetSize) => {
    const trials = run.trials
      .filter((t) => t.packetSize === packetSize && t.outcome !== 'Failed' && t.rxPpsMean !== undefined)
      .flatMap((t) => {
        const offered = offeredToPath(t);
        return offered === undefined ? [] : [{ offered, rx: t.rxPpsMean as number, outcome: t.outcome }];
      })
      .sort((a, b) => a.offered - b.offered);
    const highest = trials.at(-1);
    if (highest === undefined) return [];
    const carried = (t: { offered: number; rx: number }) => t.rx >= CARRIED_FRACTION * t.offered;
    const firstShort = trials.findIndex((t) => !carried(t));
    const carriedTrials = firstShort === -1 ? trials : trials.slice(0, firstShort);
    const maxRxPps = Math.max(...trials.map((t) => t.rx));
    const carriedAfterShort = firstShort !== -1 && trials.slice(firstShort).some(carried);
    const rxAtHighestPps = highest.rx;
    const carriedUpToPps = carriedTrials.at(-1)?.offered;
    return [
      {
        datapath: run.datapath,
        packetSize,
        carriedUpToPps,
        generatorLimited: trials.filter((t) => t.outcome === 'GeneratorLimited').length,
        trials: trials.length,
        maxRxPps,
        rxAtHighestPps,
        highestOfferedPps: highest.offered,
        holds:
          carriedUpToPps !== undefined &&
          carriedUpToPps >= PLATEAU_FRACTION * maxRxPps &&
          !carriedAfterShort &&
          rxAtHighestPps >= PLATEAU_FRACTION * maxRxPps,
      },
    ];
  });
}

function orderedConclusion(
  claim: string,
  paper: string,
  a: [string, Range | undefined],
  b: [string, Range | undefined],
  why?: string,
): Conclusion {
  const [aName, aRange] = a;
  const [bName, bRange] = b;
  if (!aRange || !bRange)
    return {
      claim,
      paper,
      measured: '-',
      verdict: 'not tested here',
      note: why ?? `no figure for ${aRange ? bName : aName}`,
    };
  return {
    claim,
    paper,
    measured: `${aName} ${formatRange(aRange)} vs ${bName} ${formatRange(bRange)}: ${ratio(aRange.median, bRange.median)}`,
    verdict: judge(aRange, bRange),
  };
}

const fig3 = (rows: readonly ComparisonRow[], datapath: string, packetSize: number) =>
  rowRange(rows.find((r) => r.datapath === datapath && r.packetSize === packetSize));

export function conclusions(inputs: PaperInputs): Conclusion[] {
  const { table1, figure3, bursts, notMeasured } = inputs;
  const k = (socket: string, batching: string) => kernelRange(table1, socket, batching);
  const result: Conclusion[] = [];

  // Kernel bypass: the slowest DPDK path against the fastest socket variant, at 64 B.
  const dpdk64 = figure3.filter((r) => r.packetSize === 64);
  const slowest = dpdk64.reduce<ComparisonRow | undefined>(
    (s, r) => (!s || r.maxRxPps < s.maxRxPps ? r : s),
    undefined,
  );
  const kernelBest = PAPER_TABLE1.map((v) => [v.label, k(v.socket, v.batching)] as const)
    .filter((entry): entry is readonly [string, Range] => entry[1] !== undefined)
    .reduce<readonly [string, Range] | undefined>((b, e) => (!b || e[1].median > b[1].median ? e : b), undefined);
  result.push(
    orderedConclusion(
      'Kernel bypass: every DPDK path at 64 B is faster than the fastest kernel socket variant',
      `above 5 Mpps vs 594 kpps: over ${ratio(PAPER_DPDK_FLOOR_PPS, 594e3)}`,
      [`the slowest DPDK path (${slowest?.datapath ?? '-'})`, rowRange(slowest)],
      [kernelBest?.[0] ?? 'the kernel', kernelBest?.[1]],
    ),
  );
  for (const [claim, [aName, aSocket, aBatching], [bName, bSocket, bBatching]] of SOCKET_ORDERINGS) {
    const paperKpps = (socket: string, batching: string) =>
      PAPER_TABLE1.find((v) => v.socket === socket && v.batching === batching)?.kpps as number;
    const [aPaper, bPaper] = [paperKpps(aSocket, aBatching), paperKpps(bSocket, bBatching)];
    result.push(
      orderedConclusion(
        claim,
        `${aPaper} vs ${bPaper} kpps: ${ratio(aPaper, bPaper)}`,
        [aName, k(aSocket, aBatching)],
        [bName, k(bSocket, bBatching)],
      ),
    );
  }

  // The ranking below 512 B, pair by pair down the paper's order, for the paths measured here.
  const ranked = PAPER_RANKING.filter((d) => fig3(figure3, d, 64));
  for (const [i, better] of PAPER_RANKING.entries())
    for (const worse of PAPER_RANKING.slice(i + 1)) {
      const claim = `${better} is faster than ${worse} at 64 B`;
      const paper = `${PAPER_RANKING.join(' > ')} below 512 B`;
      const missing = [better, worse].filter((d) => !ranked.includes(d));
      if (missing.length)
        result.push({
          claim,
          paper,
          measured: '-',
          verdict: 'not tested here',
          note: missing.map((d) => `${d}: ${notMeasured[d] ?? 'not measured'}`).join('; '),
        });
      else
        result.push(
          orderedConclusion(claim, paper, [better, fig3(figure3, better, 64)], [worse, fig3(figure3, worse, 64)]),
        );
    }
  result.push({
    claim: 'SR-IOV (the NIC switch) is the fastest path',
    paper: 'SR-IOV first, ahead of testpmd',
    measured: '-',
    verdict: 'not tested here',
    note: notMeasured.sriov ?? 'not measured',
  });

  // Figure 2's shape.
  for (const run of inputs.figure2)
    for (const shape of figure2Shapes(run))
      result.push({
        claim: `${shape.datapath} at ${shape.packetSize} B carries the offered rate up to a maximum, then drops the excess`,
        paper: 'Figure 2: every path follows the offered rate up to its maximum, then stays flat',
        measured:
          (shape.carriedUpToPps === undefined
            ? `not even the lowest rate carried; max ${formatRate(shape.maxRxPps)}`
            : `carried up to ${formatRate(shape.carriedUpToPps)} offered; max ${formatRate(shape.maxRxPps)}; ${formatRate(shape.rxAtHighestPps)} at ${formatRate(shape.highestOfferedPps)} offered`) +
          (shape.generatorLimited > 0
            ? `; ${shape.generatorLimited} of ${shape.trials} trials GeneratorLimited, judged at the rate their sender attempted`
            : ''),
        verdict: shape.holds ? 'holds' : 'does not hold',
      });

  // Burst sizes: "no measurable difference" means no burst's repetitions lie apart from another's.
  const burstRanges = bursts.summary
    .filter((p) => p.packetSize === 64)
    .map((p) => [p.burstSize, rangeOf(p)] as const)
    .filter((entry): entry is readonly [number, Range] => entry[1] !== undefined);
  result.push(
    burstRanges.length < 2
      ? {
          claim: 'Bursts of 16, 32 and 64 give the same throughput',
          paper: 'no measurable difference',
          measured: '-',
          verdict: 'not tested here',
          note: 'fewer than two burst sizes measured',
        }
      : {
          claim: 'Bursts of 16, 32 and 64 give the same throughput (testpmd, 64 B)',
          paper: 'no measurable difference',
          measured: burstRanges.map(([burst, r]) => `${burst}: ${formatRange(r)}`).join('; '),
          verdict: overlapping(burstRanges.map(([, r]) => r)) ? 'holds' : 'does not hold',
          note: 'holds when the repetitions of every burst size overlap',
        },
  );

  // The absolute figure, which depends on the machine more than on the software.
  for (const row of dpdk64)
    result.push({
      claim: `${row.datapath} exceeds 5 Mpps at 64 B`,
      paper: 'every DPDK path above 5 Mpps',
      measured: formatRange(rowRange(row) as Range),
      verdict:
        row.minRxPps > PAPER_DPDK_FLOOR_PPS
          ? 'holds'
          : row.maxRxPps > PAPER_DPDK_FLOOR_PPS
            ? 'holds in the medians'
            : 'does not hold',
      note: 'an absolute rate: the paper gave each process its own 2.4 GHz Xeon core; see the machine above',
    });
  return result;
}

const escapeCell = (text: string) => text.replace(/\|/g, '\\|');
const tableOf = (headers: string[], rows: string[][]) =>
  [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(escapeCell).join(' | ')} |`),
  ].join('\n');

/** A Figure 3 point whose repetitions spread more than this (highest / lowest) is a limit named. */
export const SPREAD_LIMIT = 1.5;

/** What on this machine bounds the comparison with the paper, from the measurements themselves. */
export function machineLimits(inputs: PaperInputs): string[] {
  const limits: string[] = [];
  const spread = inputs.figure3.filter((r) => r.minRxPps > 0 && r.maxOfRepetitionsPps / r.minRxPps > SPREAD_LIMIT);
  if (spread.length > 0)
    limits.push(
      `Repetitions of one \`max\` trial spread widely: ${spread
        .map(
          (r) =>
            `${r.series} ${r.packetSize} B ${formatRate(r.minRxPps)}–${formatRate(r.maxOfRepetitionsPps)} (${ratio(r.maxOfRepetitionsPps, r.minRxPps)})`,
        )
        .join(
          ', ',
        )}. The hypervisor moves the two vCPUs between cores that share an L3 cache and cores that do not, and a path whose programs span both vCPUs runs at one of two rates depending on which (docs/switches.md, "What flips the DPDK figures").`,
    );
  const paced = inputs.figure2.flatMap((r) => r.trials.filter((t) => t.outcome !== 'Failed'));
  const limited = paced.filter((t) => t.outcome === 'GeneratorLimited').length;
  if (limited > 0)
    limits.push(
      `${limited} of Figure 2's ${paced.length} trials were GeneratorLimited: the sender, sleeping between bursts on the CPU it shares with the receiver, wakes late and fell short of the requested rate (docs/switches.md, "Paced trials on the shared CPU"). They are placed and judged at the rate it attempted.`,
    );
  if (inputs.machine.bridgeNetfilter)
    limits.push(
      "The node's `net.bridge.bridge-nf-call-iptables` is 1 (as wherever kube-proxy loaded `br_netfilter`): every frame Table 1's bridge carries between the two pods passes the node's iptables and conntrack, which costs the kernel rows about a fifth of their rate (docs/troubleshooting.md, \"Figures lower or less steady than expected\").",
    );
  return limits;
}

const trialText = (spec: SwitchBenchmarkSpec) =>
  `${spec.trial?.duration ?? '?'} trials, ${spec.trial?.warmup ?? '?'} of warm-up discarded, ${spec.trial?.window ?? '?'} averaged in ${spec.trial?.sampleInterval ?? '1s'} samples`;

const limitsSection = (limits: readonly string[]) =>
  limits.length === 0 ? [] : ['## Limits of this machine', '', ...limits.map((l) => `- ${l}`), ''];

export function reproductionMarkdown(inputs: PaperInputs): string {
  const { machine, figure2, figure3, table1, bursts, figureFiles } = inputs;
  const verdicts = conclusions(inputs);
  const count = (v: Verdict) => verdicts.filter((c) => c.verdict === v).length;
  const placements = [
    ...new Set([...figure2, ...table1, bursts].map((r) => r.placement).concat(figure3.map((r) => r.placement))),
  ];
  const sample = figure2[0] ?? table1[0] ?? bursts;
  const lines = [
    '# The paper, reproduced on the local cluster',
    '',
    '<!-- Generated by `make paper` (test/paper/): do not edit by hand. -->',
    '',
    'The paper is "On the use of kernel bypass mechanisms for high-performance inter-container',
    'communications" (Ara, Abeni, Cucinotta, Vitucci). `make paper` measures its Figure 2, Figure 3 and',
    'Table 1 through the operator: it applies SwitchBenchmarks and takes every figure and number here',
    'from `kubectl switchbench` (`plot`, `compare`, `export`). It does not read the cluster any other way.',
    '',
    '## Where and how',
    '',
    tableOf(
      ['', 'the paper', 'here'],
      [
        [
          'machine',
          'Xeon E5-2640 v4 at 2.4 GHz, no turbo',
          `${machine.cpuModel}, ${machine.cpus} vCPUs in all, Linux ${machine.kernel}`,
        ],
        [
          'placement',
          'one dedicated core per process',
          `${placements.join(', ')}: the device under test (the switch, or the receiver where there is none) has the one exclusive core; sender and receiver share the other with the control plane`,
        ],
        ['trials', '60 s; 20 s of warm-up discarded; 20 one-second samples averaged', trialText(sample.spec)],
        ['commit, date', '-', `${machine.commit}, ${machine.date}`],
      ],
    ),
    '',
    `Of ${verdicts.length} conclusions: ${count('holds')} hold, ${count('holds in the medians')} hold in the medians only, ${count('does not hold')} do not hold, ${count('not tested here')} cannot be tested here.`,
    'An ordering holds when every repetition of the faster path beats every repetition of the slower one;',
    'it holds in the medians when the medians are ordered but the repetitions overlap.',
    '',
    ...limitsSection(machineLimits(inputs)),
    '## Conclusions',
    '',
    tableOf(
      ['conclusion', 'paper', 'measured here', 'verdict'],
      verdicts.map((c) => [c.claim, c.paper, c.measured, c.note ? `${c.verdict} (${c.note})` : c.verdict]),
    ),
    '',
    '## Table 1: kernel sockets over veth and a Linux bridge (64 B, bursts of 64)',
    '',
    tableOf(
      ['technique', 'paper', 'here: median (min–max)', 'here / paper'],
      table1Rows(table1).map((row) => [
        row.label,
        `${row.paperKpps} kpps`,
        row.measured ? formatRange(row.measured) : 'not measured',
        row.measured ? ratio(row.measured.median, row.paperKpps * 1e3) : '-',
      ]),
    ),
    '',
    '## Figure 2: receive rate vs offered rate (bursts of 16)',
    '',
    ...figure2.flatMap((run) => [
      `![Figure 2, ${run.datapath}](${figureFiles.figure2[run.datapath] ?? ''})`,
      '',
      tableOf(
        [
          'frame size',
          'carried up to (offered)',
          'max receive rate',
          'at the highest offered rate',
          'GeneratorLimited',
        ],
        figure2Shapes(run).map((s) => [
          `${s.packetSize} B`,
          s.carriedUpToPps === undefined ? 'none' : formatRate(s.carriedUpToPps),
          formatRate(s.maxRxPps),
          `${formatRate(s.rxAtHighestPps)} of ${formatRate(s.highestOfferedPps)}`,
          `${s.generatorLimited} of ${s.trials} trials`,
        ]),
      ),
      '',
    ]),
    '## Figure 3: maximum throughput per data path',
    '',
    `![Figure 3](${figureFiles.figure3})`,
    '',
    tableOf(
      ['path', 'frame size', 'max receive rate: median (min–max)', 'Gbit/s (layer 2)', 'ratio to memif'],
      [...figure3]
        .sort((a, b) => a.packetSize - b.packetSize || b.maxRxPps - a.maxRxPps)
        .map((r) => [
          r.series,
          `${r.packetSize} B`,
          formatRange(rowRange(r) as Range),
          (r.l2BitsPerSecond / 1e9).toFixed(2),
          r.ratioToMemif === undefined ? '-' : r.ratioToMemif.toFixed(2),
        ]),
    ),
    '',
    ...(Object.keys(inputs.notMeasured).length
      ? ['Not measured here:', '', ...Object.entries(inputs.notMeasured).map(([d, why]) => `- ${d}: ${why}`), '']
      : []),
    '## Bursts of 16, 32 and 64 (testpmd, 64 B)',
    '',
    tableOf(
      ['burst', 'max receive rate: median (min–max)'],
      bursts.summary
        .filter((p) => p.packetSize === 64)
        .sort((a, b) => a.burstSize - b.burstSize)
        .map((p) => [String(p.burstSize), rangeOf(p) ? formatRange(rangeOf(p) as Range) : 'not measured']),
    ),
    '',
    `Runs: ${[...new Set([...figure2, ...table1, bursts].map((r) => r.run).concat(figure3.map((r) => r.run)))].join(', ')}.`,
    '',
  ];
  return lines.join('\n');
}
