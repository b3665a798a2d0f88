import { jestConfig } from '../jest.base.mjs';

// The Helm chart rendered by the real helm (built by .ci/cluster/build-binaries.sh helm): lint,
// templates for the main value combinations, the schema, the alert rules through promtool.
export default jestConfig({
  displayName: 'chart',
  testMatch: ['<rootDir>/test/chart/**/*.test.ts'],
  maxWorkers: 1,
  testTimeout: 60_000,
});
