import { describe, expect, test } from '@jest/globals';
import { testpmdDriver } from '../../../src/datapaths/testpmd.js';
import { contextFor, vdevArgs } from './context.js';

describe('testpmd driver', () => {
  test.each([1, 32, 512])('burst %i reaches testpmd', (burst) => {
    const plan = testpmdDriver.switchPlan(contextFor('testpmd', { testpmd: { burst } }));
    expect(plan?.command).toEqual([
      '/usr/local/bin/sb-switch-testpmd',
      'run',
      '--port',
      '/run/switchbench/sender.sock',
      '--port',
      '/run/switchbench/receiver.sock',
      '--burst',
      String(burst),
    ]);
  });

  test.each([0, 513, 1.5])('burst %p never reaches a command line', (burst) => {
    expect(() => testpmdDriver.switchPlan(contextFor('testpmd', { testpmd: { burst } }))).toThrow('spec.testpmd.burst');
  });

  test('testpmd needs no configuration file and no capability', () => {
    expect(testpmdDriver.switchPlan(contextFor('testpmd'))).toMatchObject({
      configFiles: [],
      capabilities: ['SYS_NICE'],
    });
  });

  test.each([
    ['sender', '/run/switchbench/sender.sock', '02:53:42:00:00:01'],
    ['receiver', '/run/switchbench/receiver.sock', '02:53:42:00:00:02'],
  ] as const)("the %s is a virtio-user client of testpmd's vhost-user server", (role, path, mac) => {
    const args = vdevArgs(testpmdDriver.endpoint(contextFor('testpmd'), role).backendArgs);
    expect(args).toEqual({ name: 'net_virtio_user0', path, queues: '1', queue_size: '1024', mac });
  });
});
