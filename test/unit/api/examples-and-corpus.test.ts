import { execFileSync } from 'node:child_process';
import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import { crdSchemas, type SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/generated.js';
import { applyDefaults } from '../../../src/api/v1alpha1/defaults.js';
import { formatFieldErrors, validateSpec } from '../../../src/api/v1alpha1/validate.js';
import { loadExamples, loadInvalidCorpus } from '../../invalid/corpus.js';
import { compileOpenApi } from './openapi-check.js';

const checkBenchmark = compileOpenApi(crdSchemas.SwitchBenchmark);
const context = { imageAllowlist: [] };
const examples = loadExamples();
const corpus = loadInvalidCorpus();

describe('examples', () => {
  const objects = examples.flatMap(({ file, objects }) => objects.map((object) => ({ file, object })));

  test.each(objects.map((o) => [o.file, o.object] as const))('%s is valid against the CRD schema and the semantic rules', (_file, object) => {
    const defaulted = applyDefaults(crdSchemas.SwitchBenchmark, object) as { spec: SwitchBenchmarkSpec };
    const valid = checkBenchmark(defaulted);
    expect(checkBenchmark.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(formatFieldErrors(validateSpec(defaulted.spec, context))).toBe('');
  });

  test('there is one example per data path, a recurring one and an ndr-pdr one', () => {
    const specs = objects.map((o) => (o.object as { spec: SwitchBenchmarkSpec }).spec);
    expect(new Set(specs.map((s) => s.datapath))).toEqual(new Set(['kernel', 'testpmd', 'ovs-dpdk', 'vpp', 'snabb', 'sriov', 'memif']));
    expect(specs.some((s) => s.schedule !== undefined)).toBe(true);
    expect(specs.some((s) => s.method?.type === 'ndr-pdr')).toBe(true);
  });
});

describe('invalid corpus', () => {
  test('holds at least 20 manifests of each kind of rejection', () => {
    expect(corpus.filter((c) => c.rejectedBy === 'apiserver').length).toBeGreaterThanOrEqual(20);
    expect(corpus.filter((c) => c.rejectedBy === 'controller').length).toBeGreaterThanOrEqual(5);
  });

  const controllerCases = corpus.filter((c) => c.rejectedBy === 'controller');
  test.each(controllerCases.map((c) => [c.file, c] as const))('%s passes the schema and the controller says what to change', (_file, c) => {
    const defaulted = applyDefaults(crdSchemas.SwitchBenchmark, c.object) as { spec: SwitchBenchmarkSpec };
    expect(checkBenchmark(defaulted)).toBe(true);
    expect(formatFieldErrors(validateSpec(defaultSpec(defaulted.spec), context))).toContain(c.expect);
  });

  // The apiserver entries get their real check (OpenAPI + CEL) in the cluster tier; here at least
  // the ones a schema alone catches must fail it, so a loosened bound cannot slip through unnoticed.
  const schemaCases = corpus.filter((c) => c.rejectedBy === 'apiserver' && / in body |Unsupported value|Required value|Duplicate value|unknown field/.test(c.expect));
  test.each(schemaCases.map((c) => [c.file, c] as const))('%s fails the OpenAPI schema', (_file, c) => {
    expect(checkBenchmark(applyDefaults(crdSchemas.SwitchBenchmark, c.object))).toBe(false);
  });
});

describe('generated types', () => {
  test('match the CRDs (no drift between crds/ and src/api/v1alpha1/generated.ts)', () => {
    expect(() => execFileSync('node', ['test/tools/gen-types.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
