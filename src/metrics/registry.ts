// The operator's Prometheus metrics (docs/metrics.md): results computed at scrape time from the
// informer caches, operator health fed by the runtime's observer hooks, process metrics by prom-client.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { SwitchBenchmark, SwitchBenchmarkRun } from '../api/v1alpha1/types.js';
import { isFinished } from '../api/v1alpha1/predicates.js';
import type { InformerObserver } from '../runtime/informer.js';
import type { ReconcileObserver } from '../runtime/reconcile.js';
import type { QueueObserver } from '../runtime/workqueue.js';
import type { RequestObserver } from '../runtime/kube-client.js';
import { resultSamples, type ResultSamples, type Sample } from './results.js';

export interface MetricsSource {
  benchmarks(): readonly SwitchBenchmark[];
  runs(): readonly SwitchBenchmarkRun[];
  /** Whether this replica reconciles (always, without leader election). */
  isLeader(): boolean;
}

// placement: the run's cpuPolicy (exclusive, isolated-dut, shared); figures of the latter two are a
// compromise placement, not comparable with exclusive ones.
const FIGURE_LABELS = ['namespace', 'benchmark', 'datapath', 'placement', 'frame_size_bytes', 'burst'] as const;
const TRIAL_LABELS = [...FIGURE_LABELS, 'offered_pps'] as const;
const RUN_LABELS = [...FIGURE_LABELS, 'measure', 'loss_ratio'] as const;

export class OperatorMetrics {
  readonly registry = new Registry();
  private readonly reconciles: Counter<'controller' | 'result'>;
  private readonly reconcileSeconds: Histogram<'controller'>;
  private readonly queueDepth: Gauge<'name'>;
  private readonly queueAdds: Counter<'name'>;
  private readonly queueRetries: Counter<'name'>;
  private readonly queueSeconds: Histogram<'name'>;
  private readonly watchRestarts: Counter<'resource'>;
  private readonly apiRequests: Counter<'method'>;
  private readonly runsFinished: Counter<'namespace' | 'benchmark' | 'datapath' | 'phase'>;
  private readonly countedRuns = new Set<string>();

  constructor(source: MetricsSource, version: string) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    // prom-client reports these gauges twice, once under a counter's "_total" suffix: keep the gauges.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'])
      this.registry.removeSingleMetric(name);
    new Gauge({
      name: 'switchbench_build_info',
      help: 'The operator build: 1, with its version as a label.',
      labelNames: ['version', 'node_version'],
      registers,
    }).set({ version, node_version: process.version }, 1);
    new Gauge({
      name: 'switchbench_leader',
      help: 'Whether this replica holds the leader lease and reconciles (1) or stands by (0).',
      registers,
      collect() {
        this.set(source.isLeader() ? 1 : 0);
      },
    });

    // One snapshot of the caches per scrape, shared by every result metric.
    let snapshot: { at: number; samples: ResultSamples } | undefined;
    const samples = () => {
      if (!snapshot || Date.now() - snapshot.at > 1000)
        snapshot = { at: Date.now(), samples: resultSamples(source.benchmarks(), source.runs()) };
      return snapshot.samples;
    };
    const resultGauge = (
      name: string,
      help: string,
      labelNames: readonly string[],
      pick: (s: ResultSamples) => Sample[],
    ) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const sample of pick(samples())) this.set(sample.labels, sample.value);
        },
      });
    resultGauge(
      'switchbench_trial_offered_packets_per_second',
      'Offered rate of a trial of the last finished run.',
      TRIAL_LABELS,
      (s) => s.trialOfferedPps,
    );
    resultGauge(
      'switchbench_trial_attempted_packets_per_second',
      'Rate the sender handed to the data path (accepted or refused) in the window of a trial of the last finished run.',
      TRIAL_LABELS,
      (s) => s.trialAttemptedPps,
    );
    resultGauge(
      'switchbench_trial_tx_packets_per_second',
      'Rate the data path accepted from the sender in the window of a trial of the last finished run.',
      TRIAL_LABELS,
      (s) => s.trialTxPps,
    );
    resultGauge(
      'switchbench_trial_generator_limited',
      'Whether the sender missed its pacing schedule (1) in a trial of the last finished run: its figures are at the attempted rate.',
      TRIAL_LABELS,
      (s) => s.trialGeneratorLimited,
    );
    resultGauge(
      'switchbench_trial_rx_packets_per_second',
      'Mean receive rate over the measurement window of a trial of the last finished run.',
      TRIAL_LABELS,
      (s) => s.trialRxPps,
    );
    resultGauge(
      'switchbench_trial_loss_ratio',
      "Frames lost (refused at the sender's ring or never received) over frames attempted, in the measurement window (scope window) or the whole trial (scope trial), of a trial of the last finished run.",
      [...TRIAL_LABELS, 'scope'],
      (s) => s.trialLossRatio,
    );
    resultGauge(
      'switchbench_trial_lost_frames',
      "Frames lost over the whole trial (trialLost) of a trial of the last finished run, by where: refused at the sender's transmit ring (place sender_ring), dropped inside the switch (switch), refused at the receiver's ring (receiver_ring), put in that ring but never counted by the receiver (receiver), or placed by no counter (unlocated). switch and receiver only when the switch's port counters placed the loss.",
      [...TRIAL_LABELS, 'place'],
      (s) => s.trialLostFrames,
    );
    resultGauge(
      'switchbench_trial_latency_seconds',
      'One-way latency percentile (100: the maximum) of a trial of the last finished run.',
      [...TRIAL_LABELS, 'percentile'],
      (s) => s.trialLatencySeconds,
    );
    resultGauge(
      'switchbench_run_throughput_packets_per_second',
      'Throughput of the last finished run per frame size: max receive rate, NDR or PDR. placement is the cpuPolicy the run ran under: isolated-dut and shared figures are a compromise placement, not comparable with exclusive ones.',
      RUN_LABELS,
      (s) => s.runThroughputPps,
    );
    resultGauge(
      'switchbench_run_throughput_bytes_per_second',
      'The same throughput in frame bytes per second (FCS included; ×8 for bits).',
      RUN_LABELS,
      (s) => s.runThroughputBytesPerSecond,
    );
    resultGauge(
      'switchbench_run_last_completion_timestamp_seconds',
      'When the last finished run of a benchmark ended, in Unix seconds; placement is the cpuPolicy it ran under.',
      ['namespace', 'benchmark', 'datapath', 'placement', 'phase'],
      (s) => s.runLastCompletionSeconds,
    );
    resultGauge(
      'switchbench_pool_node_throughput_packets_per_second',
      "A fan-out benchmark's figure for one node of its pool, from the node's latest finished run: the smallest frame's NDR (measure ndr) or maximum receive rate (measure max).",
      ['namespace', 'benchmark', 'node', 'frame_size_bytes', 'measure'],
      (s) => s.poolNodePps,
    );
    resultGauge(
      'switchbench_pool_node_ratio',
      "A pool node's figure over the pool median (1: the median node).",
      ['namespace', 'benchmark', 'node'],
      (s) => s.poolNodeRatio,
    );
    resultGauge(
      'switchbench_pool_node_outlier',
      'Whether a pool node is an outlier (1): below spec.placement.fanOut.outlierFraction of the pool median, or its latest run failed.',
      ['namespace', 'benchmark', 'node'],
      (s) => s.poolNodeOutlier,
    );
    resultGauge(
      'switchbench_runs',
      'SwitchBenchmarkRuns kept for a benchmark, by phase.',
      ['namespace', 'benchmark', 'phase'],
      (s) => s.runs,
    );

    this.runsFinished = new Counter({
      name: 'switchbench_runs_finished_total',
      help: 'Runs that finished while this process watched, by outcome.',
      labelNames: ['namespace', 'benchmark', 'datapath', 'phase'],
      registers,
    });
    this.reconciles = new Counter({
      name: 'switchbench_reconcile_total',
      help: 'Reconciles by controller and outcome.',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileSeconds = new Histogram({
      name: 'switchbench_reconcile_duration_seconds',
      help: 'Time one reconcile took.',
      labelNames: ['controller'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'switchbench_workqueue_depth',
      help: 'Keys waiting in a work queue.',
      labelNames: ['name'],
      registers,
    });
    this.queueAdds = new Counter({
      name: 'switchbench_workqueue_adds_total',
      help: 'Keys added to a work queue.',
      labelNames: ['name'],
      registers,
    });
    this.queueRetries = new Counter({
      name: 'switchbench_workqueue_retries_total',
      help: 'Keys put back with backoff after a failed reconcile.',
      labelNames: ['name'],
      registers,
    });
    this.queueSeconds = new Histogram({
      name: 'switchbench_workqueue_queue_duration_seconds',
      help: 'Time a key waited in a work queue before a worker took it.',
      labelNames: ['name'],
      buckets: [0.001, 0.01, 0.1, 0.5, 1, 5, 10, 60, 300],
      registers,
    });
    this.apiRequests = new Counter({
      name: 'switchbench_rest_client_requests_total',
      help: 'Requests the operator sent to the Kubernetes API (list and write calls; watches not included), by HTTP method.',
      labelNames: ['method'],
      registers,
    });
    this.watchRestarts = new Counter({
      name: 'switchbench_informer_watch_restarts_total',
      help: 'Watches started again after an error or a silent watch.',
      labelNames: ['resource'],
      registers,
    });
  }

  /** Observer hooks for Operator: work queues, reconcilers and informers. */
  observers(): {
    queue: (name: string) => QueueObserver;
    reconcile: (name: string) => ReconcileObserver;
    informer: InformerObserver;
    request: RequestObserver;
  } {
    return {
      queue: (name) => ({
        added: () => this.queueAdds.inc({ name }),
        retried: () => this.queueRetries.inc({ name }),
        dequeued: (_key, waited) => this.queueSeconds.observe({ name }, waited),
        depthChanged: (depth) => this.queueDepth.set({ name }, depth),
      }),
      reconcile: (controller) => ({
        reconciled: (result, seconds) => {
          this.reconciles.inc({ controller, result });
          this.reconcileSeconds.observe({ controller }, seconds);
        },
      }),
      informer: { restarted: (resource) => this.watchRestarts.inc({ resource }) },
      request: (method) => this.apiRequests.inc({ method }),
    };
  }

  /**
   * Counts runs as they finish. Runs already finished when the caches first filled are history, not
   * news: `seen` marks them so that a restart does not count them again.
   */
  runChanged(run: SwitchBenchmarkRun, seen = false): void {
    const uid = run.metadata.uid as string;
    if (!isFinished(run) || this.countedRuns.has(uid)) return;
    this.countedRuns.add(uid);
    if (seen) return;
    const labels = {
      namespace: run.metadata.namespace as string,
      benchmark: run.spec.benchmarkName,
      datapath: run.spec.benchmark.datapath,
      phase: run.status?.phase as string,
    };
    this.runsFinished.inc(labels);
  }
}
