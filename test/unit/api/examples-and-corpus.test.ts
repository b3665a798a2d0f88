import { execFileSync } from 'node:child_process';
import { defaultSpec } from '../../../src/api/v1alpha1/defaults.js';
import { crdSchemas, type SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/generated.js';
import { applyDefaults } from '../../../src/api/v1alpha1/defaults.js';
import { formatFieldErrors, validateSpec } from '../../../src/api/v1alpha1/validate.js';
import { loadCrds, loadExamples, loadInvalidCorpus } from '../../invalid/corpus.js';
import { compileOpenApi } from './openapi-check.js';

const checkBenchmark = compileOpenApi(crdSchemas.SwitchBenchmark);
const context = { imageAllowlist: { traffic: [], switch: [] } };
const examples = loadExamples();
const corpus = loadInvalidCorpus();

describe('examples', () => {
  const objects = examples.flatMap(({ file, objects }) => objects.map((object) => ({ file, object })));

  test.each(objects.map((o) => [o.file, o.object] as const))(
    '%s is valid against the CRD schema and the semantic rules',
    (_file, object) => {
      const defaulted = applyDefaults(crdSchemas.SwitchBenchmark, object) as { spec: SwitchBenchmarkSpec };
      const valid = checkBenchmark(defaulted);
      expect(checkBenchmark.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
      expect(formatFieldErrors(validateSpec(defaulted.spec, context))).toBe('');
    },
  );

  test('there is one example per data path, a recurring one and an ndr-pdr one', () => {
    const specs = objects.map((o) => (o.object as { spec: SwitchBenchmarkSpec }).spec);
    expect(new Set(specs.map((s) => s.datapath))).toEqual(
      new Set(['kernel', 'testpmd', 'ovs-dpdk', 'vpp', 'snabb', 'sriov', 'memif']),
    );
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
  test.each(controllerCases.map((c) => [c.file, c] as const))(
    '%s passes the schema and the controller says what to change',
    (_file, c) => {
      const defaulted = applyDefaults(crdSchemas.SwitchBenchmark, c.object) as { spec: SwitchBenchmarkSpec };
      expect(checkBenchmark(defaulted)).toBe(true);
      expect(formatFieldErrors(validateSpec(defaultSpec(defaulted.spec), context))).toContain(c.expect);
    },
  );

  // The apiserver entries get their real check (OpenAPI + CEL) in the cluster tier; here at least
  // the ones a schema alone catches must fail it, so a loosened bound cannot slip through unnoticed.
  const schemaCases = corpus.filter(
    (c) =>
      c.rejectedBy === 'apiserver' &&
      / in body |Unsupported value|Required value|Duplicate value|unknown field/.test(c.expect),
  );
  test.each(schemaCases.map((c) => [c.file, c] as const))('%s fails the OpenAPI schema', (_file, c) => {
    expect(checkBenchmark(applyDefaults(crdSchemas.SwitchBenchmark, c.object))).toBe(false);
  });
});

interface CelRule {
  crd: string;
  /** The field path the apiserver reports the rule's failure at ("<nil>" for the root). */
  field: string;
  rule: string;
  message: string;
}

/** Every x-kubernetes-validations rule of every version of every CRD, with the path it fails at. */
function celRules(): CelRule[] {
  const rules: CelRule[] = [];
  const walk = (crd: string, node: unknown, field: string) => {
    if (!node || typeof node !== 'object') return;
    const schema = node as {
      properties?: Record<string, unknown>;
      items?: unknown;
      additionalProperties?: unknown;
      'x-kubernetes-validations'?: { rule: string; message?: string; fieldPath?: string }[];
    };
    for (const v of schema['x-kubernetes-validations'] ?? []) {
      if (v.message === undefined)
        throw new Error(`${crd}: CEL rule ${v.rule} has no message: a user would see the rule's text`);
      rules.push({
        crd,
        field: `${field}${v.fieldPath ?? ''}`.replace(/^\./, '') || '<nil>',
        rule: v.rule,
        message: v.message,
      });
    }
    for (const [name, child] of Object.entries(schema.properties ?? {})) {
      // The run's spec.benchmark is the benchmark's spec schema, copied by `make generate` and held
      // identical by `make verify`: its rules are the benchmark's, covered by the benchmark's cases.
      if (crd.startsWith('switchbenchmarkruns.') && `${field}.${name}` === '.spec.benchmark') continue;
      walk(crd, child, `${field}.${name}`);
    }
    walk(crd, schema.items, `${field}[*]`);
    walk(crd, schema.additionalProperties, `${field}[*]`);
  };
  for (const crd of loadCrds() as {
    metadata: { name: string };
    spec: { versions: { schema: { openAPIV3Schema: unknown } }[] };
  }[]) {
    for (const version of crd.spec.versions) walk(crd.metadata.name, version.schema.openAPIV3Schema, '');
  }
  return rules;
}

describe('CEL rules', () => {
  const rules = celRules();
  // A transition rule (one that reads oldSelf) is checked on updates only, which no create can
  // break: test/cluster/crds.test.ts updates a run for the one there is. A new one needs its own test there.
  const transition = rules.filter((r) => /\boldSelf\b/.test(r.rule));
  const onCreate = rules.filter((r) => !transition.includes(r));
  // How the apiserver words a failed rule (every rule here validates an object).
  const rendered = (r: CelRule) => `${r.field}: Invalid value: "object": ${r.message}`;
  const apiserverCases = corpus.filter((c) => c.rejectedBy === 'apiserver');

  test("the only transition rule is the run's immutable spec, which the cluster tier tests by an update", () => {
    expect(transition.map((r) => `${r.crd} ${r.field}: ${r.message}`)).toEqual([
      'switchbenchmarkruns.switchbench.io spec: spec of a SwitchBenchmarkRun is immutable',
    ]);
  });

  // A case covers a rule when its expected message can come from that rule and no other, so two
  // rules with one message (the two node selectors' label keys) need their field in the case.
  test.each(onCreate.map((r) => [`${r.message} (at ${r.field})`, r] as const))(
    '%s has an invalid manifest of its own',
    (_name, rule) => {
      const covering = apiserverCases.filter(
        (c) =>
          rendered(rule).includes(c.expect) &&
          onCreate.every((other) => other === rule || !rendered(other).includes(c.expect)),
      );
      expect(covering.length).toBeGreaterThan(0);
    },
  );
});

describe('generated types', () => {
  test('match the CRDs (no drift between crds/ and src/api/v1alpha1/generated.ts)', () => {
    expect(() => execFileSync('node', ['.ci/generate/types.mjs', '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
