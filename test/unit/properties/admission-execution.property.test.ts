// Admission equals execution: every spec the API's schema, CEL rules and validateSpec accept must yield
// arguments the traffic programs accept. Specs are drawn from the SwitchBenchmark CRD's own schema
// (every field within its bounds and enums), each accepted one is rendered into the sender's and
// the receiver's argv of its trials exactly as the operator renders them, and the programs check
// those argv themselves (`--check-args`: parse and validate, then exit). A mismatch is a spec the
// API accepts and no run could ever measure.
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { defaultSpec, withDatapathOptions } from '../../../src/api/v1alpha1/defaults.js';
import type { OpenApiSchema } from '../../../src/api/v1alpha1/schema.js';
import { crdSchemas, type SwitchBenchmarkSpec } from '../../../src/api/v1alpha1/types.js';
import { parseDuration } from '../../../src/api/v1alpha1/duration.js';
import { validateSpec } from '../../../src/api/v1alpha1/validate.js';
import { TRAFFIC_COMMAND } from '../../../src/controller/run/desired.js';
import { trafficArgs } from '../../../src/controller/run/traffic-args.js';
import { driverFor } from '../../../src/datapaths/index.js';
import { NETWORK_STATUS_ANNOTATION, networkName, SECONDARY_INTERFACE } from '../../../src/datapaths/network.js';
import type { RunContext, TrafficRole } from '../../../src/datapaths/types.js';
import { methodFor } from '../../../src/plan/index.js';
import { timing } from '../../../src/plan/ndr-pdr.js';
import { celFailures } from '../api/cel-check.js';
import { compileOpenApi } from '../api/openapi-check.js';

const RUNS = 2000;
const specSchema = crdSchemas.SwitchBenchmark.properties?.spec as OpenApiSchema;
const schemaAccepts = compileOpenApi(specSchema);

/** Durations in the syntax the schema's pattern allows, around the trial lengths people use. */
const DURATIONS = ['100ms', '250ms', '500ms', '700ms', '1s', '1.5s', '2s', '3s', '4s', '5s', '10s', '20s', '1m', '90s'];
/** Strings that never reach a program are left out; these reach one, from its own syntax. */
const STRINGS: Record<string, fc.Arbitrary<string>> = {
  resourceName: fc.constantFrom('intel.com/sriov_vf', 'example.com/sriov-vf', 'vendor.io/a.b-c_d'),
};

/** An arbitrary of what `schema` allows at `name`: bounds, enums, lengths and required fields. */
function arbitraryOf(schema: OpenApiSchema, name = ''): fc.Arbitrary<unknown> {
  if (schema.enum) return fc.constantFrom(...schema.enum);
  switch (schema.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.oneof(
        fc.integer({ min: schema.minimum ?? 0, max: Math.min(schema.maximum ?? 1_000_000, 200_000_000) }),
        fc.constantFrom(...[schema.minimum, schema.maximum].filter((v): v is number => v !== undefined)),
      );
    case 'number':
      return fc.double({ min: schema.minimum ?? 0, max: schema.maximum ?? 1, noNaN: true });
    case 'string':
      if (schema.pattern?.includes('ms|s|m|h')) return fc.constantFrom(...DURATIONS);
      return STRINGS[name] ?? fc.constant(undefined);
    case 'array': {
      const items = arbitraryOf(schema.items as OpenApiSchema, name);
      const size = { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 4, 4) };
      return schema['x-kubernetes-list-type'] === 'set' ? fc.uniqueArray(items, size) : fc.array(items, size);
    }
    case 'object': {
      if (!schema.properties) return fc.constant(undefined);
      const required = new Set(schema.required ?? []);
      const entries = Object.entries(schema.properties).map(([key, child]) => {
        const value = arbitraryOf(child, key);
        return [key, required.has(key) ? value : fc.option(value, { nil: undefined, freq: 2 })] as const;
      });
      return fc
        .record(Object.fromEntries(entries))
        .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
    }
    default:
      return fc.constant(undefined);
  }
}

const DATAPATH_BLOCK: Record<string, string> = {
  kernel: 'kernel',
  testpmd: 'testpmd',
  'ovs-dpdk': 'ovsDpdk',
  vpp: 'vpp',
  snabb: 'snabb',
  memif: 'memif',
  sriov: 'sriov',
};

/**
 * Specs from the schema, shaped the way people write them often enough for most to be admitted:
 * the option block of the chosen data path and the block of the chosen method, and trial timings
 * that are often whole samples of each other and sometimes anything the schema allows.
 */
const drawnSpecs = fc
  .tuple(
    arbitraryOf(specSchema) as fc.Arbitrary<Record<string, unknown>>,
    fc.constantFrom('100ms', '250ms', '500ms', '1s', '2s', '3s'),
    fc.record({ warmup: fc.nat(8), window: fc.integer({ min: 1, max: 8 }), rest: fc.nat(4) }),
    fc.boolean(),
  )
  .map(([drawn, sample, samples, coherent]) => {
    const foreignBlocks = Object.entries(DATAPATH_BLOCK)
      .filter(([datapath]) => datapath !== drawn.datapath)
      .map(([, block]) => block);
    const spec: Record<string, unknown> = Object.fromEntries(
      Object.entries(drawn).filter(([key]) => !foreignBlocks.includes(key)),
    );
    if (spec.datapath === 'sriov' && !spec.sriov) spec.sriov = { resourceName: 'intel.com/sriov_vf' };
    const method = spec.method as { type: string; sweep?: unknown; ndrPdr?: unknown } | undefined;
    if (method?.type !== 'sweep') delete method?.sweep;
    if (method?.type !== 'ndr-pdr') delete method?.ndrPdr;
    if (coherent) {
      const ms = parseDuration(sample) * 1000;
      const at = (n: number) => `${n * ms}ms`;
      const trial = (spec.trial ?? {}) as Record<string, unknown>;
      spec.trial = {
        ...trial,
        sampleInterval: sample,
        warmup: at(samples.warmup),
        window: at(samples.window),
        duration: at(Math.max(samples.warmup + samples.window + samples.rest, Math.ceil(2000 / ms))),
      };
    }
    return spec;
  });

/** What the operator would run: the first trial of each kind the method plans, both roles. */
function renderedArgs(spec: SwitchBenchmarkSpec): { role: TrafficRole; args: string[] }[] {
  const context: RunContext = {
    run: { namespace: 'ns', name: 'b-1', uid: '4c9f7a2e-1b3d-4e5f-8a9b-0c1d2e3f4a5b' },
    spec,
    images: { traffic: 'traffic', switch: 'switch' },
  };
  const driver = driverFor(spec.datapath);
  const method = methodFor(spec.method.type);
  const first = method?.next(spec, []);
  if (!first) throw new Error('the method plans no trial');
  const requests = spec.method.type === 'ndr-pdr' ? [first, { ...first, ...timing(spec, 'verify') }] : [first];
  const peer = {
    podIP: '10.244.0.7',
    annotations: {
      [NETWORK_STATUS_ANNOTATION]: JSON.stringify([
        { name: `ns/${networkName(context.run)}`, interface: SECONDARY_INTERFACE, ips: ['10.56.0.3'] },
      ]),
    },
  };
  return requests.flatMap((request) =>
    (['receiver', 'sender'] as const).map((role) => ({
      role,
      args: trafficArgs(role, request, spec, driver.endpoint(context, role, peer), 0, 60),
    })),
  );
}

const program = (role: TrafficRole) => `native/build/${TRAFFIC_COMMAND[role]}`;

test('the native programs exist (make test-unit builds them)', () => {
  for (const role of ['sender', 'receiver'] as const) {
    const result = spawnSync(program(role), ['--version'], { encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(0);
  }
});

test(`every spec the API accepts renders arguments the programs accept (${RUNS} drawn specs)`, () => {
  const counts = { drawn: 0, accepted: 0, rendered: 0, argvChecked: 0 };
  fc.assert(
    fc.property(drawnSpecs, (drawn) => {
      counts.drawn++;
      // What the apiserver admits: defaults applied, then the schema and the CRD's CEL rules; then
      // what the operator checks itself.
      let spec: SwitchBenchmarkSpec;
      try {
        spec = defaultSpec(drawn as never);
      } catch {
        return;
      }
      if (!schemaAccepts(spec) || celFailures(specSchema, spec).length) return;
      spec = withDatapathOptions(spec);
      if (validateSpec(spec, { imageAllowlist: { traffic: [], switch: [] } }).length) return;
      counts.accepted++;
      let rendered: ReturnType<typeof renderedArgs>;
      try {
        rendered = renderedArgs(spec);
      } catch (err) {
        // A driver refusing an option is a run failing at once (UnsupportedOptions): admission
        // must have refused it first.
        throw new Error(`accepted, but the operator cannot render it: ${(err as Error).message}`);
      }
      counts.rendered++;
      for (const { role, args } of rendered) {
        const result = spawnSync(program(role), ['--check-args', ...args], { encoding: 'utf8' });
        counts.argvChecked++;
        if (result.status !== 0)
          throw new Error(`${TRAFFIC_COMMAND[role]} refused ${JSON.stringify(args)}: ${result.stderr.trim()}`);
      }
    }),
    { numRuns: RUNS, seed: Number(process.env.PROPERTY_SEED ?? Date.now() % 2 ** 31) },
  );
  console.log(
    `admission = execution: ${counts.drawn} specs drawn from the CRD schema, ${counts.accepted} admitted (schema, CEL, validateSpec), ${counts.argvChecked} argv checked by the programs, 0 refused`,
  );
  // The drawing must reach the programs often enough to mean something.
  expect(counts.accepted).toBeGreaterThan(RUNS / 10);
});
