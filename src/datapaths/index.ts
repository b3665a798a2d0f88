// The registry the controller asks for a run's driver: it never branches on the data path itself.
import type { Datapath } from '../api/v1alpha1/types.js';
import { kernelDriver } from './kernel.js';
import { memifDriver } from './memif.js';
import { ovsDpdkDriver } from './ovs-dpdk.js';
import { snabbDriver } from './snabb.js';
import { testpmdDriver } from './testpmd.js';
import type { DatapathDriver } from './types.js';
import { vppDriver } from './vpp.js';

/** Every data path of the API, with its driver or an explicit "not yet" (SR-IOV comes with Multus). */
const DRIVERS: Record<Datapath, DatapathDriver | 'not-yet-supported'> = {
  kernel: kernelDriver,
  testpmd: testpmdDriver,
  'ovs-dpdk': ovsDpdkDriver,
  vpp: vppDriver,
  snabb: snabbDriver,
  sriov: 'not-yet-supported',
  memif: memifDriver,
};

/** The driver of a data path; throws, naming it, for one this operator version cannot run yet. */
export function driverFor(datapath: Datapath): DatapathDriver {
  const driver = DRIVERS[datapath];
  if (driver === undefined) throw new Error(`datapath ${JSON.stringify(datapath)} is unknown`);
  if (driver === 'not-yet-supported') throw new Error(`datapath ${datapath} is not yet supported by this operator version`);
  return driver;
}
