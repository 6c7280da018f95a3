/**
 * Struct definitions read from tokens: their members and the names they are
 * known by, so an operator can add a member and find a variable that points
 * to one.
 */

import { type Token, matchForward } from '../ctext.js';

export interface StructDef {
  file: string;
  /** Token index of the body's `{` in that file's code tokens. */
  open: number;
  openOffset: number;
  members: Set<string>;
  /** Names of the struct type: `struct tag`'s tag, and typedef names. */
  tag: string | undefined;
  typedefs: Set<string>;
  pointerTypedefs: Set<string>;
}

export function structDefinitions(file: string, tokens: readonly Token[]): StructDef[] {
  const defs: StructDef[] = [];
  tokens.forEach((t, k) => {
    if (t.text !== 'struct') return;
    let open = k + 1;
    const tag = tokens[open]?.kind === 'id' ? tokens[open].text : undefined;
    if (tag !== undefined) open++;
    if (tokens[open]?.text !== '{') return;
    const close = matchForward(tokens, open);
    if (close < 0) return;
    const def: StructDef = {
      file,
      open,
      openOffset: tokens[open].start,
      members: new Set(),
      tag,
      typedefs: new Set(),
      pointerTypedefs: new Set(),
    };
    let depth = 0;
    for (let i = open + 1; i < close; i++) {
      const x = tokens[i].text;
      if (x === '{' || x === '(' || x === '[') depth++;
      else if (x === '}' || x === ')' || x === ']') depth--;
      else if (depth === 0 && tokens[i].kind === 'id' && [';', ',', '[', ':'].includes(tokens[i + 1]?.text ?? '')) {
        def.members.add(x);
      }
    }
    const isTypedef = tokens[k - 1]?.text === 'typedef';
    for (let i = close + 1; i < tokens.length && tokens[i].text !== ';'; i++) {
      if (tokens[i].kind !== 'id' || !isTypedef) continue;
      if (tokens[i - 1].text === '*') def.pointerTypedefs.add(tokens[i].text);
      else def.typedefs.add(tokens[i].text);
    }
    defs.push(def);
  });
  return defs;
}

/**
 * A variable declared in `tokens[from, to)` as a pointer to `def`: `PADAPTER A`,
 * `ADAPTER *A`, `struct _ADAPTER *A`. Returns the token index of its name.
 */
export function pointerVariable(
  tokens: readonly Token[],
  from: number,
  to: number,
  def: StructDef,
): number | undefined {
  for (let k = from; k < to - 1; k++) {
    const t = tokens[k];
    let name: number | undefined;
    if (t.kind === 'id' && def.pointerTypedefs.has(t.text) && tokens[k + 1].kind === 'id') name = k + 1;
    else if (
      t.kind === 'id' &&
      def.typedefs.has(t.text) &&
      tokens[k + 1].text === '*' &&
      tokens[k + 2]?.kind === 'id'
    ) {
      name = k + 2;
    } else if (
      t.text === 'struct' &&
      def.tag !== undefined &&
      tokens[k + 1]?.text === def.tag &&
      tokens[k + 2]?.text === '*'
    ) {
      if (tokens[k + 3]?.kind === 'id') name = k + 3;
    }
    if (name !== undefined && ['=', ';', ',', ')'].includes(tokens[name + 1]?.text ?? '')) return name;
  }
  return undefined;
}
