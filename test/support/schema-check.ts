/**
 * A JSON Schema checker for the small subset of keywords `jsonOutputSchema`
 * uses, so the tests can validate the JSON report without a validator
 * dependency. A keyword outside the subset is an error, never ignored: a
 * schema cannot silently outgrow what this checks.
 */

type Schema = Record<string, unknown>;

/** Keywords that describe and never constrain. */
const ANNOTATIONS = new Set(['$schema', '$id', '$defs', 'title', 'description']);
const CHECKED = new Set([
  '$ref',
  'type',
  'enum',
  'const',
  'oneOf',
  'required',
  'properties',
  'additionalProperties',
  'items',
  'minimum',
  'minLength',
]);

/** Problems as `pointer: what`, empty when `value` conforms to `root`. */
export function schemaErrors(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  check(root, root, value, '', errors);
  return errors;
}

function check(root: Schema, schema: Schema, value: unknown, at: string, errors: string[]): void {
  for (const keyword of Object.keys(schema)) {
    if (!ANNOTATIONS.has(keyword) && !CHECKED.has(keyword))
      throw new Error(`schema-check: unsupported keyword '${keyword}' at ${at || '/'}`);
  }
  if (typeof schema.$ref === 'string') check(root, resolveRef(root, schema.$ref), value, at, errors);
  if (typeof schema.type === 'string' && !hasType(value, schema.type)) {
    errors.push(`${at || '/'}: expected ${schema.type}`);
    return;
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(value))
    errors.push(`${at || '/'}: not one of ${JSON.stringify(schema.enum)}`);
  if ('const' in schema && schema.const !== value)
    errors.push(`${at || '/'}: expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.oneOf)) checkOneOf(root, schema.oneOf as Schema[], value, at, errors);
  if (typeof schema.minimum === 'number' && typeof value === 'number' && value < schema.minimum)
    errors.push(`${at || '/'}: below ${schema.minimum}`);
  if (typeof schema.minLength === 'number' && typeof value === 'string' && value.length < schema.minLength)
    errors.push(`${at || '/'}: shorter than ${schema.minLength}`);
  if (isObject(value)) checkObject(root, schema, value, at, errors);
  if (Array.isArray(value) && isObject(schema.items)) {
    value.forEach((item, i) => {
      check(root, schema.items as Schema, item, `${at}/${i}`, errors);
    });
  }
}

function checkObject(root: Schema, schema: Schema, value: Record<string, unknown>, at: string, errors: string[]): void {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  for (const name of (schema.required ?? []) as string[]) {
    if (!(name in value)) errors.push(`${at || '/'}: missing '${name}'`);
  }
  for (const [name, item] of Object.entries(value)) {
    if (name in properties) check(root, properties[name], item, `${at}/${name}`, errors);
    else if (schema.additionalProperties === false) errors.push(`${at || '/'}: unexpected '${name}'`);
  }
}

function checkOneOf(root: Schema, options: Schema[], value: unknown, at: string, errors: string[]): void {
  const matching = options.filter((option) => {
    const optionErrors: string[] = [];
    check(root, option, value, at, optionErrors);
    return optionErrors.length === 0;
  });
  if (matching.length !== 1) errors.push(`${at || '/'}: matches ${matching.length} of oneOf, not 1`);
}

function resolveRef(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`schema-check: only local $ref, not '${ref}'`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/')) node = (node as Schema)[part];
  if (!isObject(node)) throw new Error(`schema-check: unresolved $ref '${ref}'`);
  return node;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isObject(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    default:
      throw new Error(`schema-check: unsupported type '${type}'`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
