import { jestConfig } from './jest.base.mjs';

// Pure modules only: no cluster, no network, no native programs.
export default jestConfig({ displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] });
