/**
 * A value the caller knows is there (a map entry whose key was put with it,
 * the element of a queue just checked non-empty, a tree-sitter child the
 * grammar requires), typed as present; an Error naming `what` if it is not.
 */
export function defined<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`missing ${what}`);
  return value;
}
