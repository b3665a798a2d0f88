import type { OpenApiSchema } from './schema.js';
import { crdSchemas, type SwitchBenchmarkSpec } from './generated.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, Json> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Structural defaulting as the apiserver does it: a missing field with a default gets a copy of the
 * default, and defaulting goes on inside it. Returns a new value; the input is never touched, since
 * callers hand in objects straight from informer caches.
 */
export function applyDefaults(schema: OpenApiSchema, value: unknown): unknown {
  if (isObject(value) && schema.properties) {
    const out: Record<string, unknown> = { ...value };
    for (const [key, child] of Object.entries(schema.properties)) {
      if (out[key] === undefined && child.default !== undefined) out[key] = structuredClone(child.default);
      if (out[key] !== undefined) out[key] = applyDefaults(child, out[key]);
    }
    return out;
  }
  if (isObject(value) && typeof schema.additionalProperties === 'object') {
    const child = schema.additionalProperties;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, applyDefaults(child, v)]));
  }
  if (Array.isArray(value) && schema.items) {
    const items = schema.items;
    return value.map((v) => applyDefaults(items, v));
  }
  return value;
}

const specSchema = crdSchemas.SwitchBenchmark.properties?.spec;
if (!specSchema) throw new Error('SwitchBenchmark CRD has no spec schema');

/** A SwitchBenchmark spec as the apiserver would store it: every default filled in. */
export function defaultSpec(
  spec: Partial<SwitchBenchmarkSpec> & Pick<SwitchBenchmarkSpec, 'datapath'>,
): SwitchBenchmarkSpec {
  return applyDefaults(specSchema as OpenApiSchema, spec) as SwitchBenchmarkSpec;
}

/** The spec field holding each data path's options. */
export const DATAPATH_OPTIONS_FIELD = {
  kernel: 'kernel',
  testpmd: 'testpmd',
  'ovs-dpdk': 'ovsDpdk',
  vpp: 'vpp',
  snabb: 'snabb',
  sriov: 'sriov',
  memif: 'memif',
} as const satisfies Record<SwitchBenchmarkSpec['datapath'], keyof SwitchBenchmarkSpec>;

/**
 * The spec with its data path's options block present and defaulted, so readers never repeat the
 * CRD's defaults for an omitted block (e.g. datapath kernel without a kernel section).
 */
export function withDatapathOptions(spec: SwitchBenchmarkSpec): SwitchBenchmarkSpec {
  const field = DATAPATH_OPTIONS_FIELD[spec.datapath];
  if (spec[field] !== undefined) return spec;
  return defaultSpec({ ...spec, [field]: {} });
}
