import { describe, expect, test } from '@jest/globals';
import { memifDriver } from '../../../src/datapaths/memif.js';
import { contextFor, vdevArgs } from './context.js';

describe('memif driver', () => {
  test('there is no switch', () => {
    expect(memifDriver.switchPlan(contextFor('memif'))).toBeUndefined();
  });

  test.each([
    ['receiver', 'server', '02:53:42:00:00:02'],
    ['sender', 'client', '02:53:42:00:00:01'],
  ] as const)('the %s is the memif %s on a file socket in the run directory', (role, memifRole, mac) => {
    expect(vdevArgs(memifDriver.endpoint(contextFor('memif'), role).backendArgs)).toEqual({
      name: 'net_memif0',
      role: memifRole,
      id: '0',
      socket: '/run/switchbench/memif.sock',
      'socket-abstract': 'no',
      rsize: '10',
      mac,
    });
  });

  test.each([
    [256, '8'],
    [512, '9'],
    [1024, '10'],
    [2048, '11'],
    [4096, '12'],
  ] as const)('ring size %i is rsize %s (its base-2 logarithm) on both sides', (ringSize, rsize) => {
    const context = contextFor('memif', { memif: { ringSize } });
    for (const role of ['sender', 'receiver'] as const)
      expect(vdevArgs(memifDriver.endpoint(context, role).backendArgs).rsize).toBe(rsize);
  });
});
