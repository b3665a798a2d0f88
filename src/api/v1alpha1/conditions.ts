// Condition types and every reason the operator writes into a condition or an Event. Users, alerts
// and scripts match on these names, so they are API: CamelCase, stable, each with what it means.
// Reasons are typed: a reason missing from this table does not compile.

/** Condition types, as controller-runtime projects name them, plus the run's cleanup record. */
export const ConditionType = {
  Ready: 'Ready',
  Progressing: 'Progressing',
  Degraded: 'Degraded',
  /** On a run: whether its host directory on the node is gone, so teardown is never repeated. */
  HostCleanedUp: 'HostCleanedUp',
} as const;
export type ConditionType = (typeof ConditionType)[keyof typeof ConditionType];

interface ReasonDoc {
  /** Where the reason appears. */
  on: 'SwitchBenchmark' | 'SwitchBenchmarkRun';
  /** What happened, and what the user does about it (nothing, if it is routine). */
  means: string;
}

/** Every reason, with its meaning: the source of the troubleshooting table in the docs. */
export const REASONS = {
  // SwitchBenchmark
  SpecAccepted: { on: 'SwitchBenchmark', means: 'The spec passed the checks the CRD cannot make.' },
  InvalidSpec: {
    on: 'SwitchBenchmark',
    means:
      'The spec failed a check the CRD cannot make; the message names each field and what is allowed. No run starts until it is fixed.',
  },
  RunInProgress: { on: 'SwitchBenchmark', means: 'A run of this benchmark is active.' },
  Suspended: { on: 'SwitchBenchmark', means: 'spec.suspend is true: no scheduled run starts.' },
  Idle: { on: 'SwitchBenchmark', means: 'No run is active; the next starts at status.nextRunTime, if scheduled.' },
  LastRunFailed: { on: 'SwitchBenchmark', means: 'The latest run failed; its own Ready condition says why.' },
  AsExpected: { on: 'SwitchBenchmark', means: 'The latest run did not fail.' },
  RunCreated: { on: 'SwitchBenchmark', means: 'Event: a run was created (initial, scheduled or run-now).' },
  MissedSchedule: {
    on: 'SwitchBenchmark',
    means:
      'Event: a scheduled time passed while a run was still active and startingDeadlineSeconds ran out; that run was skipped.',
  },
  PoolEmpty: {
    on: 'SwitchBenchmark',
    means:
      "Fan-out: no node matches the node selector and the admin's benchmark label, so the trigger started no run; label the pool's nodes as the message says.",
  },
  NodeOutliers: {
    on: 'SwitchBenchmark',
    means:
      "Fan-out: the nodes named fell below spec.placement.fanOut.outlierFraction of the pool median, or their latest run failed; look at those nodes' runs.",
  },
  // SwitchBenchmarkRun: before it starts
  RunNotOwned: {
    on: 'SwitchBenchmarkRun',
    means:
      'The run has no SwitchBenchmark as its controlling owner: only the operator creates runs. Nothing was created for it, and the operator touches it no further; delete it.',
  },
  InvalidRunSpec: {
    on: 'SwitchBenchmarkRun',
    means:
      "The run's spec.benchmark failed a check the CRD cannot make (as InvalidSpec on a benchmark); the message names each field. Nothing was created.",
  },
  NamespaceNotEnabled: {
    on: 'SwitchBenchmarkRun',
    means: 'The namespace is not enabled for benchmarks; an admin labels it as the message says.',
  },
  MethodNotSupported: { on: 'SwitchBenchmarkRun', means: 'This operator version does not know spec.method.type.' },
  DatapathNotSupported: { on: 'SwitchBenchmarkRun', means: 'This operator version does not know spec.datapath.' },
  UnsupportedOptions: {
    on: 'SwitchBenchmarkRun',
    means: "The data path's driver cannot honour an option; the message names it.",
  },
  ImageNotAllowed: {
    on: 'SwitchBenchmarkRun',
    means: "An image override is not on the admin's allowlist; pick an allowed image or ask the admin.",
  },
  MultusMissing: { on: 'SwitchBenchmarkRun', means: 'Waiting: the data path needs Multus, which is not installed.' },
  MultusNotReady: { on: 'SwitchBenchmarkRun', means: 'Waiting: Multus is installed but not ready on the node.' },
  NetworkAttachmentAPIMissing: {
    on: 'SwitchBenchmarkRun',
    means: 'Waiting: the NetworkAttachmentDefinition CRD is not installed (it comes with Multus).',
  },
  NodeNotFound: {
    on: 'SwitchBenchmarkRun',
    means: 'Waiting: no node matches the node selector; label one as the message says.',
  },
  NodeNotLabelled: {
    on: 'SwitchBenchmarkRun',
    means:
      "Waiting: the node selector matches only nodes without the admin's benchmark label; an admin labels the node as the message says.",
  },
  AmbiguousNodeSelector: {
    on: 'SwitchBenchmarkRun',
    means: 'The node selector matches several nodes; narrow it to one.',
  },
  SameNode: {
    on: 'SwitchBenchmarkRun',
    means: "receiverNodeSelector selects the sender's node; a cross-node run needs two.",
  },
  NodeNotReady: { on: 'SwitchBenchmarkRun', means: 'Waiting: the node is not Ready.' },
  NodeCordoned: { on: 'SwitchBenchmarkRun', means: 'Waiting: the node is cordoned.' },
  NoHugepages: {
    on: 'SwitchBenchmarkRun',
    means: 'The node offers no hugepages of the page size; reserve some as the message says.',
  },
  DeviceResourceMissing: {
    on: 'SwitchBenchmarkRun',
    means: 'Waiting: the node does not advertise the device resource (an SR-IOV VF pool); check the device plugin.',
  },
  InsufficientResources: {
    on: 'SwitchBenchmarkRun',
    means:
      'The node cannot hold the switch, sender and receiver at once; the message names the resource, the need and what the node has.',
  },
  CPUManagerNotStatic: {
    on: 'SwitchBenchmarkRun',
    means:
      "cpuPolicy exclusive or isolated-dut on a node whose kubelet's CPU manager policy is none; use cpuPolicy shared or a static node.",
  },
  NodeBusy: {
    on: 'SwitchBenchmarkRun',
    means: 'Queued: another run holds the node; this one starts when it finishes.',
  },
  PoolLimit: {
    on: 'SwitchBenchmarkRun',
    means:
      'Waiting: spec.placement.fanOut.maxConcurrentNodes runs of this benchmark hold their nodes; this one starts when one of them finishes.',
  },
  NodeLeftPool: {
    on: 'SwitchBenchmarkRun',
    means:
      "Fan-out: the run's node was deleted or lost the pool's labels before the run started; nothing was created. The next trigger measures the pool as it is then.",
  },
  LockNamespaceMissing: {
    on: 'SwitchBenchmarkRun',
    means: 'Queued: the namespace of the node locks does not exist; create it or set --lock-namespace.',
  },
  Admitted: { on: 'SwitchBenchmarkRun', means: 'The run passed preflight, holds its node and has started.' },
  // SwitchBenchmarkRun: while it runs
  NodeLockRecovered: {
    on: 'SwitchBenchmarkRun',
    means: 'Event: the run took over a node lock whose holder was gone (deleted, or its operator stopped renewing).',
  },
  NodeLockLost: {
    on: 'SwitchBenchmarkRun',
    means: "Another run took the node while this run's operator was away longer than the lease; the run failed.",
  },
  SwitchFailed: { on: 'SwitchBenchmarkRun', means: 'The switch pod ended; the message has its exit and last words.' },
  SwitchNotReady: {
    on: 'SwitchBenchmarkRun',
    means:
      'The switch pod was not ready within switchReadyTimeoutSeconds; the message has what the scheduler or kubelet said.',
  },
  PodNotScheduled: {
    on: 'SwitchBenchmarkRun',
    means: 'A traffic pod could not be scheduled within podStartTimeoutSeconds.',
  },
  PodNotStarted: {
    on: 'SwitchBenchmarkRun',
    means: "A traffic pod's container did not start within podStartTimeoutSeconds (image pull, device, mount).",
  },
  TrialRetried: {
    on: 'SwitchBenchmarkRun',
    means: 'Event: an attempt of a trial was lost and the trial is tried again.',
  },
  Completed: { on: 'SwitchBenchmarkRun', means: 'The run finished with at least one measured trial.' },
  AllTrialsFailed: { on: 'SwitchBenchmarkRun', means: 'No trial produced figures; the message has the last failure.' },
  // SwitchBenchmarkRun: HostCleanedUp
  Removed: { on: 'SwitchBenchmarkRun', means: "The run's host directory on the node was removed." },
  CleanupAbandoned: {
    on: 'SwitchBenchmarkRun',
    means:
      "The run's host directory could not be removed within cleanupTimeoutSeconds; remove the path in the message by hand.",
  },
} as const satisfies Record<string, ReasonDoc>;

export type Reason = keyof typeof REASONS;

/** The reasons as constants: `Reason.NodeBusy`. */
export const Reason = Object.fromEntries(Object.keys(REASONS).map((name) => [name, name])) as {
  readonly [R in Reason]: R;
};
