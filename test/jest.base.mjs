// Shared jest settings for every tier: ESM TypeScript through ts-jest (jest's module system cannot
// load client-node, which is ESM-only, any other way).
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const rootDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function jestConfig(overrides) {
  return {
    rootDir,
    testEnvironment: 'node',
    extensionsToTreatAsEsm: ['.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/test/tsconfig.json' }],
    },
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    // Jest exits once the run and the global teardown are done, with its verdict, even when a failed
    // test left something open (a poll, a watch, an operator): without it such a run would wait for
    // CI's time limit, verdict-less. The cluster tiers' teardown names what was left open.
    forceExit: true,
    ...overrides,
  };
}
