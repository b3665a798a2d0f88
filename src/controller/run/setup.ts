// From the run's embedded spec to what carries it out: the spec with defaults, the method that
// plans its trials, and the data path's driver. A run this operator cannot carry out fails here,
// before anything exists, instead of retrying forever.
import { Reason } from '../../api/v1alpha1/conditions.js';
import { defaultSpec, withDatapathOptions } from '../../api/v1alpha1/defaults.js';
import type { SwitchBenchmarkRun } from '../../api/v1alpha1/types.js';
import { formatFieldErrors, validateSpec } from '../../api/v1alpha1/validate.js';
import { driverFor } from '../../datapaths/index.js';
import type { DatapathDriver, RunContext } from '../../datapaths/types.js';
import { methodFor } from '../../plan/index.js';
import { labelSelector, type OperatorConfig } from '../config.js';
import { runIdentity } from './desired.js';
import type { Setup } from './step.js';

export type SetupProblem = { reason: Reason; message: string };

/**
 * A run is held to the rules of a benchmark: the CRD gives it the benchmark's schema, and these are
 * the checks the CRD cannot make. Checked once, before the run starts: a run already under way is
 * carried out and torn down by the rules it started under, even if a newer operator is stricter.
 * Its images are checked by preflight, which names the allowlist.
 */
export function invalidRunSpec(run: SwitchBenchmarkRun): SetupProblem | undefined {
  const errors = validateSpec(withDatapathOptions(defaultSpec(run.spec.benchmark)), {});
  if (!errors.length) return undefined;
  const located = errors.map((e) => ({ ...e, field: e.field.replace(/^spec\./, 'spec.benchmark.') }));
  return { reason: Reason.InvalidRunSpec, message: `Nothing was created: ${formatFieldErrors(located)}` };
}

export function setupRun(run: SwitchBenchmarkRun, config: OperatorConfig): Setup | SetupProblem {
  const spec = withDatapathOptions(defaultSpec(run.spec.benchmark));
  const method = methodFor(spec.method.type);
  if (!method)
    return {
      reason: Reason.MethodNotSupported,
      message: `spec.method.type ${spec.method.type} is not supported by this operator version`,
    };
  let driver: DatapathDriver;
  try {
    driver = driverFor(spec.datapath);
  } catch (err) {
    return { reason: Reason.DatapathNotSupported, message: (err as Error).message };
  }
  const image = spec.resources.images;
  const context: RunContext = {
    run: runIdentity(run),
    spec,
    images: {
      traffic: image?.traffic ?? config.trafficImage,
      switch: image?.switch ?? config.switchImages[spec.datapath] ?? '',
    },
  };
  try {
    // Options the driver cannot honour surface now, as the run's failure, not as endless retries.
    driver.switchPlan(context);
    driver.endpoint(context, 'receiver');
  } catch (err) {
    return { reason: Reason.UnsupportedOptions, message: (err as Error).message };
  }
  return { spec, method, driver, context, nodeLabel: labelSelector(config.nodeLabel) };
}

export const isSetupProblem = (setup: Setup | SetupProblem): setup is SetupProblem => 'reason' in setup;
