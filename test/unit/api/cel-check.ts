// Evaluates a CRD's x-kubernetes-validations (CEL) rules on an object, as the apiserver does after
// structural validation: each rule at the node it is declared on, with that node as `self`, only
// where the node is present. Integer fields become CEL ints (BigInt), as the apiserver types them.
import { evaluate } from '@marcbachmann/cel-js';
import type { OpenApiSchema } from '../../../src/api/v1alpha1/schema.js';

export interface CelFailure {
  path: string;
  rule: string;
  message: string;
}

/** The value as CEL sees it under `schema`: integers as ints, everything else as it is. */
function celValue(schema: OpenApiSchema | undefined, value: unknown): unknown {
  if (value === undefined || value === null || !schema) return value;
  if (schema.type === 'integer' && typeof value === 'number') return BigInt(value);
  if (Array.isArray(value)) return value.map((v) => celValue(schema.items, v));
  if (typeof value === 'object') {
    const extra = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [
        k,
        celValue(schema.properties?.[k] ?? extra, v),
      ]),
    );
  }
  return value;
}

export function celFailures(schema: OpenApiSchema, value: unknown, path = 'spec'): CelFailure[] {
  if (value === undefined || value === null) return [];
  const failures: CelFailure[] = [];
  for (const { rule, message } of schema['x-kubernetes-validations'] ?? []) {
    let ok: unknown;
    try {
      ok = evaluate(rule, { self: celValue(schema, value) });
    } catch (err) {
      throw new Error(`${path}: CEL rule ${rule} did not evaluate: ${(err as Error).message}`);
    }
    if (ok !== true) failures.push({ path, rule, message: message ?? rule });
  }
  if (Array.isArray(value) && schema.items)
    value.forEach((v, i) => failures.push(...celFailures(schema.items as OpenApiSchema, v, `${path}[${i}]`)));
  else if (typeof value === 'object')
    for (const [key, child] of Object.entries(schema.properties ?? {}))
      failures.push(...celFailures(child, (value as Record<string, unknown>)[key], `${path}.${key}`));
  return failures;
}
