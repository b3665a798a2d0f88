// docs/troubleshooting.md documents every condition type and reason, generated from the table in
// src/api/v1alpha1/conditions.ts. `make verify` fails on a stale file, but only while its generator is
// in the Makefile's GENERATORS: this checks both in the unit tier, so a reason added without
// `make generate`, or the generator dropped from the list, fails here too.
import { readFileSync } from 'node:fs';
import { expect, test } from '@jest/globals';
import { ConditionType, REASONS } from '../../../src/api/v1alpha1/conditions.js';

const doc = readFileSync('docs/troubleshooting.md', 'utf8');

test.each([...Object.keys(REASONS), ...Object.values(ConditionType)])(
  '%s has a row in docs/troubleshooting.md',
  (name) => {
    expect(doc).toContain(`| \`${name}\` |`);
  },
);

test('make generate writes docs/troubleshooting.md and make verify checks it', () => {
  const generators = /^GENERATORS := (.*)$/m.exec(readFileSync('Makefile', 'utf8'))?.[1]?.split(/\s+/);
  expect(generators).toContain('.ci/generate/troubleshooting.mjs');
});
