/**
 * JSON Schema validation for the tests, by Ajv (draft 2020-12 and draft-07,
 * the two drafts this repository's schemas declare). Errors come back as
 * short `pointer keyword detail` lines a test can compare.
 */
import { createRequire } from 'node:module';
import type { ErrorObject } from 'ajv';

const require = createRequire(import.meta.url);
// CommonJS packages: required, so their default exports need no interop shims.
const Ajv2020 = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js').default;
const Ajv07 = require('ajv') as typeof import('ajv').default;

type Schema = Record<string, unknown>;

const compiled = new WeakMap<Schema, ReturnType<InstanceType<typeof Ajv2020>['compile']>>();

function validator(schema: Schema) {
  let validate = compiled.get(schema);
  if (!validate) {
    const Ajv = schema.$schema === 'http://json-schema.org/draft-07/schema#' ? Ajv07 : Ajv2020;
    validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

function detail(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const named = params.additionalProperty ?? params.missingProperty;
  return typeof named === 'string' ? ` ${named}` : '';
}

/** Problems as `pointer keyword [property]`, empty when `value` conforms; a oneOf's branch errors fold into it. */
export function jsonSchemaErrors(schema: Schema, value: unknown): string[] {
  const validate = validator(schema);
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .filter((e) => !/\/(?:oneOf|anyOf)\/\d+\//.test(e.schemaPath))
    .map((e) => `${e.instancePath || '/'} ${e.keyword}${detail(e)}`);
}
