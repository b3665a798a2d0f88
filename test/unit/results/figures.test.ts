// Each trial figure's definition is written once, beside its computation (src/results/figures.ts);
// the run CRD carries it (make generate). A figure documented one way and computed another cannot
// land: this fails when the CRD's description and the table's differ, or a figure is undocumented.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { TRIAL_FIGURES } from '../../../src/results/figures.js';

const crd = parse(readFileSync('crds/switchbench.io_switchbenchmarkruns.yaml', 'utf8'));
const trialProperties: Record<string, { description?: string }> =
  crd.spec.versions[0].schema.openAPIV3Schema.properties.status.properties.trials.items.properties;

test.each(TRIAL_FIGURES.map((f) => [f.field, f.definition]))(
  '%s: the CRD says what the code computes',
  (field, definition) => {
    expect(trialProperties[field]?.description).toBe(definition);
  },
);

test('every trial field in the CRD is either computed by the table or described there', () => {
  const computed = new Set(TRIAL_FIGURES.map((f) => f.field));
  const undocumented = Object.entries(trialProperties)
    .filter(([field, schema]) => !computed.has(field as never) && !schema.description)
    .map(([field]) => field);
  // Request fields, times and nested objects describe themselves through their own keys.
  expect(undocumented.sort()).toEqual(['burstSize', 'completionTime', 'message', 'startTime']);
});
