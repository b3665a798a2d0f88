// Hand-written names and constants over the generated types; the shapes themselves come from crds/.
import type {
  SwitchBenchmark,
  SwitchBenchmarkRun,
  SwitchBenchmarkRunStatusSummaryItem,
  SwitchBenchmarkRunStatusTrialsItem,
  SwitchBenchmarkSpec,
} from './generated.js';

export * from './generated.js';

export const GROUP = 'switchbench.io';
export const VERSION = 'v1alpha1';
export const API_VERSION = `${GROUP}/${VERSION}`;
export const BENCHMARK_PLURAL = 'switchbenchmarks';
export const RUN_PLURAL = 'switchbenchmarkruns';

export type Datapath = SwitchBenchmarkSpec['datapath'];
export type MethodType = SwitchBenchmarkSpec['method']['type'];
export type Trial = SwitchBenchmarkRunStatusTrialsItem;
export type SummaryPoint = SwitchBenchmarkRunStatusSummaryItem;
export type BenchmarkPhase = NonNullable<NonNullable<SwitchBenchmark['status']>['phase']>;
export type RunPhase = NonNullable<NonNullable<SwitchBenchmarkRun['status']>['phase']>;
