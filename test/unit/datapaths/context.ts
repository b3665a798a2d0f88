// Run contexts for the driver tests: defaulted specs as the controller hands them to drivers.
import { defaultSpec, withDatapathOptions } from '../../../src/api/v1alpha1/defaults.js';
import type { Datapath, SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
import { RUN_DIR_IN_POD, RUN_DIR_ON_HOST_ROOT, type RunContext } from '../../../src/datapaths/types.js';

export const RUN_UID = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6';

export function contextFor(datapath: Datapath, spec: Partial<SwitchBenchmarkSpec> = {}): RunContext {
  return {
    run: { namespace: 'bench', name: 'a'.repeat(40) + '-run-12345', uid: RUN_UID },
    spec: withDatapathOptions(defaultSpec({ ...spec, datapath })),
    images: { traffic: 'localhost/switchbench-traffic:1', switch: `localhost/switchbench-${datapath}:1` },
  };
}

/** A socket path as the host sees it: the run's host directory is mounted at RUN_DIR_IN_POD. */
export function hostPath(podPath: string): string {
  return `${RUN_DIR_ON_HOST_ROOT}/${RUN_UID}${podPath.slice(RUN_DIR_IN_POD.length)}`;
}

/** The value of a DPDK devargs key (`key=value` between commas) in an EAL --vdev argument. */
export function vdevArgs(backendArgs: string[]): Record<string, string> {
  const vdev = backendArgs[backendArgs.indexOf('--vdev') + 1] ?? '';
  const [name, ...pairs] = vdev.split(',');
  return { name: name ?? '', ...Object.fromEntries(pairs.map((p) => p.split('=') as [string, string])) };
}
