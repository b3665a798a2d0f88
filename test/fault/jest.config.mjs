import { jestConfig } from '../jest.base.mjs';

// Faults injected into a working system on the real node (real kubelet, containerd and traffic
// programs), each test printing its figures: the operator process killed at random points, pods and
// benchmarks deleted mid-trial, the kube-apiserver restarted, hugepages taken. A full cluster and the
// e2e images; its own tier with a longer budget than the integration tier, still well inside CI's.
export default jestConfig({
  displayName: 'fault',
  testMatch: ['<rootDir>/test/fault/**/*.test.ts'],
  globalSetup: '<rootDir>/test/e2e/global-setup.mjs',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.mjs',
  maxWorkers: 1,
  testTimeout: 600_000,
});
