import { jestConfig } from '../jest.base.mjs';

// The examples on the real local cluster (full mode): real pods, real packets through testpmd, memif
// and the kernel bridge. Correctness only: on 2 vCPUs three busy pollers share two cores.
export default jestConfig({
  displayName: 'e2e',
  testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
  globalSetup: '<rootDir>/test/e2e/global-setup.mjs',
  globalTeardown: '<rootDir>/test/cluster/global-teardown.mjs',
  maxWorkers: 1,
  testTimeout: 600_000,
});
