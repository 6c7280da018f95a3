/**
 * Typed readers for input nothing has checked yet: parsed JSON, webhook
 * payloads. Each takes an `unknown`, checks the shape it names, and returns
 * it typed, or throws a TypeError that says what was expected where (`what`).
 */

/** JSON.parse, typed as what it is: a value of a shape not yet known. */
export function parseJson(text: string): unknown {
  return JSON.parse(text) as unknown;
}

/** Is this a JSON object (not null, not an array)? */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new TypeError(`${what} must be an object`);
  return value;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new TypeError(`${what} must be an array`);
  return value as unknown[];
}

export function asString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
  return value;
}

export function asStringArray(value: unknown, what: string): string[] {
  return asArray(value, what).map((v, i) => asString(v, `${what}[${String(i)}]`));
}
