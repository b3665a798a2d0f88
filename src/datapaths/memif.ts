// memif: DPDK's shared-memory interface between the two traffic programs, with no switch at all:
// the software upper bound every switch is reported against.
import { memifEndpoint, options } from './common.js';
import type { DatapathDriver } from './types.js';

export const memifDriver: DatapathDriver = {
  datapath: 'memif',
  network: () => undefined,
  switchPlan: () => undefined,
  endpoint: (context, role) => memifEndpoint(role, options(context.spec, 'memif').ringSize),
};
