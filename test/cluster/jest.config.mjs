import { jestConfig } from '../jest.base.mjs';

// Against the real local cluster (full mode), brought up once for the run by the global setup.
// One node with one CPU to hand out exclusively: test files run one at a time, in the order
// sequencer.mjs gives, which puts the teardown check last.
export default jestConfig({
  displayName: 'cluster',
  testMatch: ['<rootDir>/test/cluster/**/*.test.ts'],
  globalSetup: '<rootDir>/test/cluster/global-setup.mjs',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.mjs',
  testSequencer: '<rootDir>/test/cluster/sequencer.mjs',
  maxWorkers: 1,
  // Pods start in seconds, but a busy 2-vCPU machine can stall any of them for a while.
  testTimeout: 300_000,
});
