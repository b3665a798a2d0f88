// The registry the controller asks for a run's driver: it never branches on the data path itself.
import type { Datapath } from '../api/v1alpha1/types.js';
import { kernelDriver } from './kernel.js';
import { memifDriver } from './memif.js';
import { ovsDpdkDriver } from './ovs-dpdk.js';
import { shown } from './quote.js';
import { snabbDriver } from './snabb.js';
import { sriovDriver } from './sriov.js';
import { testpmdDriver } from './testpmd.js';
import type { DatapathDriver } from './types.js';
import { vppDriver } from './vpp.js';

/** Every data path of the API with its driver. */
const DRIVERS: Record<Datapath, DatapathDriver> = {
  kernel: kernelDriver,
  testpmd: testpmdDriver,
  'ovs-dpdk': ovsDpdkDriver,
  vpp: vppDriver,
  snabb: snabbDriver,
  sriov: sriovDriver,
  memif: memifDriver,
};

/**
 * The driver of a data path; throws, naming it, for one this operator version does not know. Own
 * keys only: the spec may not have met the CRD's enum, and "constructor" is no data path.
 */
export function driverFor(datapath: Datapath): DatapathDriver {
  if (typeof datapath !== 'string' || !Object.hasOwn(DRIVERS, datapath))
    throw new Error(`datapath ${shown(datapath)} is unknown`);
  return DRIVERS[datapath];
}
