import { describe, expect, test } from '@jest/globals';
import type { Datapath } from '../../../src/api/v1alpha1/types.js';
import { driverFor } from '../../../src/datapaths/index.js';

describe('driverFor', () => {
  test.each<Datapath>(['kernel', 'testpmd', 'ovs-dpdk', 'vpp', 'snabb', 'sriov', 'memif'])(
    '%s has a driver for that data path',
    (datapath) => {
      expect(driverFor(datapath).datapath).toBe(datapath);
    },
  );

  test('a data path the API does not know is refused', () => {
    expect(() => driverFor('dpdk-ring' as Datapath)).toThrow('datapath "dpdk-ring" is unknown');
  });
});
