// The CPU placement a run's figures were made under (spec.resources.cpuPolicy, recorded on every
// trial) and how the plugin labels a compromise one: isolated-dut and shared figures are not
// comparable with exclusive ones (the paper's protocol), so every table, figure and export says so. Pure.
import type { SwitchBenchmarkRun, SwitchBenchmarkSpec, Trial } from '../api/v1alpha1/types.js';

export type Placement = SwitchBenchmarkSpec['resources']['cpuPolicy'];

/** What each placement gives the roles. */
const DESCRIPTION: Record<Placement, string> = {
  exclusive: 'every role on dedicated cores, as in the paper',
  'isolated-dut': 'only the device under test, the switch or else the receiver, on dedicated cores',
  shared: 'every role on shared CPUs',
};

/** What a compromise placement is labelled with, after its name. */
export const NOT_COMPARABLE = 'a compromise placement, figures not comparable with exclusive ones';

/**
 * The run's placement: what its trials recorded, else its spec's cpuPolicy (failed trials and
 * older operators record none), else the CRD's default.
 */
export function runPlacement(run: SwitchBenchmarkRun): Placement {
  return (
    run.status?.trials?.find((t) => t.placement !== undefined)?.placement ??
    // A spec the apiserver did not default (hand-made objects) may lack resources.
    (run.spec.benchmark.resources as SwitchBenchmarkSpec['resources'] | undefined)?.cpuPolicy ??
    'exclusive'
  );
}

/** The trial's placement: its own record, else its run's. */
export function trialPlacement(trial: Trial, run: SwitchBenchmarkRun): Placement {
  return trial.placement ?? runPlacement(run);
}

export const isCompromise = (placement: Placement): boolean => placement !== 'exclusive';

/** "Placement: shared (every role on shared CPUs): a compromise placement, figures not comparable…". */
export function placementLine(placement: Placement): string {
  return `Placement: ${placement} (${DESCRIPTION[placement]})${isCompromise(placement) ? `: ${NOT_COMPARABLE}` : ''}`;
}

/** A headline figure labelled with its compromise placement: "64B 1.2Mpps (shared)". */
export function labelledHeadline(headline: string, placement: Placement | undefined): string {
  return placement !== undefined && isCompromise(placement) ? `${headline} (${placement})` : headline;
}
