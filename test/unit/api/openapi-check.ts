// Checks objects against a CRD's OpenAPI schema with ajv, as the apiserver's structural validation
// would with fieldValidation=Strict (unknown fields rejected). CEL rules are left to the cluster tier.
import { Ajv, type ValidateFunction } from 'ajv';
import type { OpenApiSchema } from '../../../src/api/v1alpha1/schema.js';

function toJsonSchema(schema: OpenApiSchema): Record<string, unknown> {
  const { properties, items, additionalProperties, format: _format, ...rest } = schema;
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(rest).filter(([k]) => !k.startsWith('x-kubernetes-')),
  );
  if (properties) {
    out.properties = Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, toJsonSchema(v)]));
    if (additionalProperties === undefined && !schema['x-kubernetes-preserve-unknown-fields'])
      out.additionalProperties = false;
  }
  if (typeof additionalProperties === 'object') out.additionalProperties = toJsonSchema(additionalProperties);
  if (items) out.items = toJsonSchema(items);
  if (schema['x-kubernetes-list-type'] === 'set') out.uniqueItems = true;
  return out;
}

export function compileOpenApi(schema: OpenApiSchema): ValidateFunction {
  return new Ajv({ allErrors: true, strict: false }).compile(toJsonSchema(schema));
}
