import { jestConfig } from '../jest.base.mjs';

// The controller against a real kube-apiserver, etcd, controller-manager and scheduler (control-plane
// mode, or a full cluster if one runs); the tests play the kubelet by writing pod statuses.
export default jestConfig({
  displayName: 'integration',
  testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
  globalSetup: '<rootDir>/test/integration/global-setup.mjs',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.mjs',
  maxWorkers: 1,
  testTimeout: 120_000,
});
