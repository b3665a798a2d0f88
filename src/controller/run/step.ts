// What the steps of a run's reconcile share: the operator's caches, writer and config, the run as
// the cache holds it (never mutated), this reconcile's logger, and the run's setup.
import type { ObjectCache, V1Lease, V1Namespace, V1Node, V1Pod } from '@kubernetes/client-node';
import type { Logger } from 'winston';
import type { SwitchBenchmarkRun, SwitchBenchmarkSpec } from '../../api/v1alpha1/types.js';
import type { DatapathDriver, RunContext } from '../../datapaths/types.js';
import type { Method } from '../../plan/index.js';
import type { ClusterWriter } from '../cluster-writer.js';
import type { OperatorConfig } from '../config.js';
import type { PieceFacts } from './cluster-pieces.js';

export interface RunReconcilerDeps {
  runs: ObjectCache<SwitchBenchmarkRun>;
  pods: ObjectCache<V1Pod>;
  nodes: ObjectCache<V1Node>;
  leases: ObjectCache<V1Lease>;
  /** Present when the config restricts benchmarks to labelled namespaces. */
  namespaces?: ObjectCache<V1Namespace>;
  /** The namespace the operator watches; undefined for all. Runs outside it are not in the caches. */
  watchNamespace?: string;
  writer: ClusterWriter;
  /** Reads what the kernel and sriov paths need of the cluster (Multus, the NetworkAttachmentDefinition API). */
  pieces: { facts(): Promise<PieceFacts> };
  config: OperatorConfig;
  now: () => Date;
}

export interface RunStep {
  deps: RunReconcilerDeps;
  run: SwitchBenchmarkRun;
  log: Logger;
}

/** The run's spec with defaults, and the method and data-path driver that carry it out. */
export interface Setup {
  spec: SwitchBenchmarkSpec;
  method: Method;
  driver: DatapathDriver;
  context: RunContext;
  /** The admin's node label as a selector: every node a run's pods go to must carry it. */
  nodeLabel: Record<string, string>;
}
