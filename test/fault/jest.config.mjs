import { jestConfig } from '../jest.base.mjs';

// Faults injected into a working system, each test printing its figures: the operator killed at
// random points (a real operator process against the real control plane, the test playing the
// kubelet). Its own tier: longer budget than the integration tier, still well inside CI's.
export default jestConfig({
  displayName: 'fault',
  testMatch: ['<rootDir>/test/fault/**/*.test.ts'],
  globalSetup: '<rootDir>/test/integration/global-setup.mjs',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.mjs',
  maxWorkers: 1,
  testTimeout: 600_000,
});
