#!/usr/bin/env node
// Generates the Grafana dashboard charts/switchbench/dashboards/switchbench.json from the panels
// below, so that the committed JSON stays reviewable as code. `--check` fails when the file differs.
// Every `expr` here runs against a real Prometheus in test/e2e/prometheus.test.ts.
import { fileURLToPath } from 'node:url';
import { writeOrCheck } from './output.mjs';

const out = fileURLToPath(new URL('../../charts/switchbench/dashboards/switchbench.json', import.meta.url));
const scope = 'namespace=~"$namespace", benchmark=~"$benchmark", datapath=~"$datapath"';
// The result series carry the run's cpuPolicy as placement: isolated-dut and shared figures are a
// compromise placement, not comparable with exclusive ones, so every legend of figures says it.
const placed = '({{placement}})';
const COMPROMISE =
  "placement is the cpuPolicy the run ran under: exclusive (every role on dedicated cores, the paper's protocol), isolated-dut (only the device under test on dedicated cores) or shared (everything on shared CPUs); isolated-dut and shared figures are a compromise placement, not comparable with exclusive ones.";

let nextId = 1;
const grid = { x: 0, y: 0, h: 0 };
/** A panel placed left to right, two per row (9 high unless said otherwise). */
function panel(title, type, targets, options = {}) {
  const width = options.width ?? 12;
  const height = options.height ?? 9;
  if (grid.x + width > 24) Object.assign(grid, { x: 0, y: grid.y + grid.h, h: 0 });
  const gridPos = { h: height, w: width, x: grid.x, y: grid.y };
  grid.x += width;
  grid.h = Math.max(grid.h, height);
  return {
    id: nextId++,
    title,
    type,
    description: options.description ?? '',
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos,
    targets: targets.map(([expr, legendFormat, extra = {}], i) => ({
      refId: String.fromCharCode(65 + i),
      expr,
      legendFormat,
      ...extra,
    })),
    fieldConfig: {
      defaults: { unit: options.unit ?? 'short', ...(options.custom ? { custom: options.custom } : {}) },
      overrides: options.overrides ?? [],
    },
    options: options.panelOptions ?? {},
    ...(options.transformations ? { transformations: options.transformations } : {}),
  };
}

const variable = (name, label, query) => ({
  name,
  label,
  type: 'query',
  datasource: { type: 'prometheus', uid: '${datasource}' },
  query: { query, refId: name },
  definition: query,
  includeAll: true,
  multi: true,
  allValue: '.*',
  current: { text: 'All', value: '$__all' },
  refresh: 2,
});

/** A table cell's text and colour per placement: a compromise one says it is. */
const placementMappings = [
  {
    type: 'value',
    options: {
      exclusive: { index: 0, text: 'exclusive', color: 'green' },
      'isolated-dut': { index: 1, text: 'isolated-dut: compromise, not comparable with exclusive', color: 'orange' },
      shared: { index: 2, text: 'shared: compromise, not comparable with exclusive', color: 'red' },
    },
  },
];

const panels = [
  panel(
    'Placement of the last run',
    'table',
    [
      [
        `max by (namespace, benchmark, datapath, placement) (switchbench_run_last_completion_timestamp_seconds{${scope}}) * 1000`,
        '{{benchmark}} {{placement}}',
        { format: 'table', instant: true },
      ],
    ],
    {
      width: 24,
      height: 5,
      unit: 'dateTimeFromNow',
      description: `The CPU placement the last finished run of each benchmark ran under, and when it ended. ${COMPROMISE}`,
      transformations: [
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true },
            indexByName: { namespace: 0, benchmark: 1, datapath: 2, placement: 3, Value: 4 },
            renameByName: { Value: 'ended' },
          },
        },
      ],
      overrides: [
        {
          matcher: { id: 'byName', options: 'placement' },
          properties: [
            { id: 'mappings', value: placementMappings },
            { id: 'custom.cellOptions', value: { type: 'color-text' } },
          ],
        },
      ],
      panelOptions: { showHeader: true, cellHeight: 'sm' },
    },
  ),
  panel(
    'Figure 2: receive rate vs offered rate (last run)',
    'xychart',
    [
      [
        `switchbench_trial_rx_packets_per_second{${scope}}`,
        `{{benchmark}} {{frame_size_bytes}}B offered {{offered_pps}} ${placed}`,
        { format: 'table', instant: true },
      ],
    ],
    {
      unit: 'pps',
      description: `One point per trial of the last finished run: x is the offered_pps label, y the mean receive rate (the paper's Figure 2). ${COMPROMISE}`,
    },
  ),
  panel(
    'Figure 3: max throughput per data path and frame size (last run)',
    'barchart',
    [
      [
        `max by (datapath, frame_size_bytes, placement) (switchbench_run_throughput_packets_per_second{${scope}, measure="max"})`,
        `{{datapath}} {{frame_size_bytes}}B ${placed}`,
        { format: 'table', instant: true },
      ],
    ],
    {
      unit: 'pps',
      description: `The paper's Figure 3: the highest receive rate each data path reached, per frame size and placement (never maxed across placements). ${COMPROMISE}`,
    },
  ),
  panel(
    'Throughput over time (regressions show as drops)',
    'timeseries',
    [
      [
        `switchbench_run_throughput_packets_per_second{${scope}}`,
        `{{benchmark}} {{frame_size_bytes}}B {{measure}} {{loss_ratio}} ${placed}`,
      ],
    ],
    {
      unit: 'pps',
      width: 24,
      description: `Max throughput, NDR and PDR of each benchmark's last finished run; a change of placement starts a new series. ${COMPROMISE}`,
    },
  ),
  panel(
    'Throughput in bits per second',
    'timeseries',
    [
      [
        `8 * switchbench_run_throughput_bytes_per_second{${scope}}`,
        `{{benchmark}} {{frame_size_bytes}}B {{measure}} ${placed}`,
      ],
    ],
    { unit: 'bps', description: COMPROMISE },
  ),
  panel(
    'Loss ratio per trial in the measurement window (last run)',
    'timeseries',
    [
      [
        `switchbench_trial_loss_ratio{${scope}, scope="window"}`,
        `{{benchmark}} {{frame_size_bytes}}B {{offered_pps}}pps ${placed}`,
      ],
    ],
    { unit: 'percentunit', description: COMPROMISE },
  ),
  panel(
    'Where frames were lost (last run)',
    'timeseries',
    [[`sum by (place) (switchbench_trial_lost_frames{${scope}})`, '{{place}}']],
    {
      width: 24,
      description:
        "Frames the last finished run of each selected benchmark lost, summed over its trials (the latest repetition of each rate), stacked by where they were lost: sender_ring (refused at the sender's transmit ring: the switch, or on memif the receiver, did not empty it), switch (dropped inside the switch), receiver_ring (refused at the receiver's ring: the consumer was too slow), receiver (in its ring but never counted by the receiver), unlocated (no counter saw them; without a switch, the path between the rings). switch and receiver appear only when the switch's port counters placed the loss. Per trial: kubectl switchbench show BENCHMARK -o wide.",
      custom: {
        drawStyle: 'line',
        lineInterpolation: 'stepAfter',
        fillOpacity: 70,
        stacking: { mode: 'normal', group: 'A' },
      },
      panelOptions: {
        legend: { showLegend: true, displayMode: 'table', placement: 'right', calcs: ['lastNotNull'] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },
  ),
  panel(
    'One-way latency percentiles (last run)',
    'timeseries',
    [
      [
        `max by (benchmark, frame_size_bytes, percentile, placement) (switchbench_trial_latency_seconds{${scope}})`,
        `{{benchmark}} {{frame_size_bytes}}B p{{percentile}} ${placed}`,
      ],
    ],
    { unit: 's', description: COMPROMISE },
  ),
  panel(
    'Generator and path at the sender (attempted / offered; accepted / attempted)',
    'timeseries',
    [
      [
        `switchbench_trial_attempted_packets_per_second{${scope}} / switchbench_trial_offered_packets_per_second{${scope}}`,
        `generator {{benchmark}} {{offered_pps}}pps ${placed}`,
      ],
      [
        `switchbench_trial_tx_packets_per_second{${scope}} / switchbench_trial_attempted_packets_per_second{${scope}}`,
        `path accepted {{benchmark}} {{offered_pps}}pps ${placed}`,
      ],
    ],
    { unit: 'percentunit', description: COMPROMISE },
  ),
  panel(
    'Pool: each node against the pool median (fan-out benchmarks)',
    'bargauge',
    [['switchbench_pool_node_ratio{namespace=~"$namespace", benchmark=~"$benchmark"}', '{{benchmark}} {{node}}']],
    {
      unit: 'percentunit',
      description:
        "A fan-out benchmark's figure on each node of its pool (the latest run of the node) over the pool median. A node below the benchmark's spec.placement.fanOut.outlierFraction, or whose latest run failed, is an outlier: see the panel beside, and the SwitchbenchPoolNodeOutlier alert.",
      panelOptions: { orientation: 'horizontal', displayMode: 'basic', reduceOptions: { calcs: ['lastNotNull'] } },
    },
  ),
  panel(
    'Pool outliers (fan-out benchmarks)',
    'table',
    [
      [
        'switchbench_pool_node_outlier{namespace=~"$namespace", benchmark=~"$benchmark"}',
        '{{benchmark}} {{node}}',
        { format: 'table', instant: true },
      ],
    ],
    {
      description:
        'Every node of every pool: outlier 1 when the node fell below the fraction of the pool median or its latest run failed (kubectl switchbench pool BENCHMARK shows why).',
      transformations: [
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true, instance: true, job: true },
            indexByName: { namespace: 0, benchmark: 1, node: 2, Value: 3 },
            renameByName: { Value: 'outlier' },
          },
        },
      ],
      panelOptions: { showHeader: true, cellHeight: 'sm' },
    },
  ),
  panel('Runs by outcome', 'stat', [
    [`sum by (phase) (switchbench_runs{namespace=~"$namespace", benchmark=~"$benchmark"})`, '{{phase}}'],
  ]),
  panel(
    'Last completion',
    'stat',
    [[`max by (benchmark) (switchbench_run_last_completion_timestamp_seconds{${scope}}) * 1000`, '{{benchmark}}']],
    { unit: 'dateTimeFromNow' },
  ),
  panel(
    'Reconciles per second by outcome',
    'timeseries',
    [
      [
        'sum by (controller, result) (rate(switchbench_reconcile_total[$__rate_interval]))',
        '{{controller}} {{result}}',
      ],
    ],
    { unit: 'reqps' },
  ),
  panel(
    'Reconcile duration p99',
    'timeseries',
    [
      [
        'histogram_quantile(0.99, sum by (controller, le) (rate(switchbench_reconcile_duration_seconds_bucket[$__rate_interval])))',
        '{{controller}}',
      ],
    ],
    { unit: 's' },
  ),
  panel('Work queue depth', 'timeseries', [['sum by (name) (switchbench_workqueue_depth)', '{{name}}']]),
  panel('Leader and watch restarts', 'timeseries', [
    ['switchbench_leader', 'leader {{pod}}{{instance}}'],
    [
      'sum by (resource) (increase(switchbench_informer_watch_restarts_total[$__rate_interval])) or vector(0)',
      'restarts {{resource}}',
    ],
  ]),
];

const dashboard = {
  title: 'switchbench',
  uid: 'switchbench',
  description:
    'Packet rates between co-located containers per NFV data path (switchbench operator); metrics in docs/metrics.md.',
  tags: ['switchbench', 'nfv'],
  timezone: 'utc',
  schemaVersion: 39,
  version: 1,
  editable: true,
  time: { from: 'now-7d', to: 'now' },
  refresh: '1m',
  templating: {
    list: [
      { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {} },
      variable('namespace', 'namespace', 'label_values(switchbench_runs, namespace)'),
      variable('benchmark', 'benchmark', 'label_values(switchbench_runs{namespace=~"$namespace"}, benchmark)'),
      variable(
        'datapath',
        'data path',
        'label_values(switchbench_run_last_completion_timestamp_seconds{namespace=~"$namespace"}, datapath)',
      ),
    ],
  },
  panels,
};

const text = `${JSON.stringify(dashboard, null, 2)}\n`;
writeOrCheck(out, text, { matches: 'the dashboard matches its generator', stale: 'the dashboard is out of date' });
