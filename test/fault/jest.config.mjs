import { jestConfig } from '../jest.base.mjs';

// Faults injected into a working system, each test printing its figures: the operator killed at
// random points (a real operator process, the test playing the kubelet for fake nodes), objects
// deleted mid-trial on the real node. A full cluster and the e2e images; its own tier with a longer
// budget than the integration tier, still well inside CI's.
export default jestConfig({
  displayName: 'fault',
  testMatch: ['<rootDir>/test/fault/**/*.test.ts'],
  globalSetup: '<rootDir>/test/e2e/global-setup.mjs',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.mjs',
  maxWorkers: 1,
  testTimeout: 600_000,
});
