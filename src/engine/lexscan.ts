/**
 * What linking needs from a function body, read from its tokens instead of
 * walking the tree (tree-sitter's node API costs several times the parse):
 * the names it calls, the names it uses as values, calls through pointers,
 * and callback registrations `x.Field = F` / `.Field = F` / `p->Field = (T)&F`.
 */
import type { FieldAssign } from './ast.js';
import { Tok, tokenAt, type Tokens } from './lexer.js';

const NOT_CALLS = new Set([
  'if',
  'while',
  'for',
  'switch',
  'return',
  'sizeof',
  'do',
  'else',
  'case',
  'goto',
  'defined',
  '__alignof',
  '_Alignof',
  '__alignof__',
  'typeof',
  '__typeof__',
  '__try',
  '__except',
  '__finally',
  '__leave',
  '__assume',
  '__pragma',
  '_Pragma',
  '__declspec',
  '__attribute__',
  'offsetof',
  'FIELD_OFFSET',
]);
const KEYWORDS = new Set([
  ...NOT_CALLS,
  'break',
  'continue',
  'default',
  'struct',
  'union',
  'enum',
  'const',
  'volatile',
  'static',
  'extern',
  'register',
  'auto',
  'typedef',
  'unsigned',
  'signed',
  'int',
  'char',
  'short',
  'long',
  'float',
  'double',
  'void',
  'inline',
  '__inline',
  'restrict',
]);

/** Operators after a field that write it. */
const WRITE_OPS = ['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=', '++', '--'];

export interface BodyFacts {
  calls: string[];
  refs: string[];
  /** Line of each ref's first use, parallel to `refs`. */
  refLines: number[];
  indirectCalls: number;
  /** Field names called through pointers, each once. */
  fieldCalls: string[];
  /** Field names written, each once. */
  fieldWrites: string[];
  /** Bits set or cleared with a constant mask (`Flags|=F_X`, `Flags&=~F_Y`), each once. */
  maskedWrites: string[];
  /** `return` expression texts, each once; `*` past a few. */
  returns: string[];
  assigns: FieldAssign[];
}

export function scanBody(
  text: string,
  toks: Tokens,
  from: number,
  to: number,
  fn: string | undefined,
  lineOf: (o: number) => number,
): BodyFacts {
  const calls = new Set<string>();
  const refs = new Map<string, number>();
  const assigns: FieldAssign[] = [];
  const returns = new Set<string>();
  const fieldCalls = new Set<string>();
  const fieldWrites = new Set<string>();
  const maskedWrites = new Set<string>();
  /** The mask after `|=`/`&=` when it is names, numbers, `~`, `|` and parentheses up to the `;`. */
  const maskAt = (j: number): string | undefined => {
    let out = '';
    for (let k = j; k < toks.count && k < j + 16; k++) {
      if (toks.kind[k] === Tok.Punct) {
        const p = text.slice(toks.start[k], toks.end[k]);
        if (p === ';') return out === '' ? undefined : out;
        if (!['~', '|', '(', ')'].includes(p)) return undefined;
        out += p;
      } else if (toks.kind[k] === Tok.Ident || toks.kind[k] === Tok.Number)
        out += text.slice(toks.start[k], toks.end[k]);
      else return undefined;
    }
    return undefined;
  };
  let indirect = 0;
  const first = tokenAt(toks, from);
  const isP = (i: number, s: string) =>
    i < toks.count &&
    toks.kind[i] === Tok.Punct &&
    toks.end[i] - toks.start[i] === s.length &&
    text.startsWith(s, toks.start[i]);
  const word = (i: number) => text.slice(toks.start[i], toks.end[i]);
  for (let i = first; i < toks.count && toks.start[i] < to; i++) {
    if (toks.kind[i] !== Tok.Ident) continue;
    const w = word(i);
    if (w === 'return') {
      let j = i + 1;
      const parts: string[] = [];
      while (j < toks.count && toks.start[j] < to && !isP(j, ';')) parts.push(word(j++));
      returns.add(parts.join(' '));
      continue;
    }
    if (KEYWORDS.has(w)) continue;
    const member = i > 0 && (isP(i - 1, '.') || isP(i - 1, '->'));
    // `DispatchTable[IRP_MJ_CREATE] = F;`, `DriverObject->MajorFunction[IRP_MJ_CLOSE] = F;`: a dispatch
    // routine registered by its major function code, read as a field named by the code.
    if (isP(i + 1, '[') && toks.kind[i + 2] === Tok.Ident && isP(i + 3, ']') && isP(i + 4, '=')) {
      const code = word(i + 2);
      const value = code.startsWith('IRP_MJ_') ? assignedName(i + 5) : undefined;
      if (value) {
        const obj = member ? `${objectOf(i - 1)}.${w}` : w;
        assigns.push({ obj, field: code, value, fn, line: lineOf(toks.start[i]), col: 1 });
      }
    }
    if (isP(i + 1, '(')) {
      if (member) {
        indirect++;
        fieldCalls.add(w);
      } else if (!NOT_CALLS.has(w)) calls.add(w);
      continue;
    }
    if (member) {
      const maskOp = isP(i + 1, '|=') ? '|=' : isP(i + 1, '&=') ? '&=' : undefined;
      const mask = maskOp === undefined ? undefined : maskAt(i + 2);
      if (maskOp !== undefined && mask !== undefined) maskedWrites.add(`${w}${maskOp}${mask}`);
      else if (WRITE_OPS.some((op) => isP(i + 1, op)) || isP(i - 2, '++') || isP(i - 2, '--')) fieldWrites.add(w);
      if (isP(i + 1, '='))
        for (const value of assignedNames(i + 2))
          assigns.push({ obj: objectOf(i - 1), field: w, value, fn, line: lineOf(toks.start[i]), col: 1 });
      continue;
    }
    if (!refs.has(w)) refs.set(w, toks.start[i]);
  }
  // `(*pfn)(...)`: a call through a pointer variable; `(*p->Fn)(...)`: through a field.
  for (let i = first; i + 4 < toks.count && toks.start[i] < to; i++) {
    if (!isP(i, '(') || !isP(i + 1, '*')) continue;
    let j = i + 2;
    while (j < toks.count && j < i + 40 && (toks.kind[j] === Tok.Ident || isP(j, '->') || isP(j, '.'))) j++;
    if (j === i + 2 || toks.kind[j - 1] !== Tok.Ident || !isP(j, ')') || !isP(j + 1, '(')) continue;
    if (j === i + 3) indirect++;
    else if (isP(j - 2, '->') || isP(j - 2, '.')) {
      // `Fn` is followed by `)` here, so the member-call test above did not count it.
      indirect++;
      fieldCalls.add(word(j - 1));
    }
  }
  return {
    calls: [...calls],
    refs: [...refs.keys()],
    refLines: [...refs.values()].map(lineOf),
    indirectCalls: indirect,
    fieldCalls: [...fieldCalls],
    fieldWrites: [...fieldWrites],
    maskedWrites: [...maskedWrites],
    returns: returns.size > 8 ? ['*'] : [...returns],
    assigns,
  };

  /** The names an assignment from token `j` may store: one plain name, or each branch's of `c ? A : B;`. */
  function assignedNames(j: number): string[] {
    const one = assignedName(j);
    if (one !== undefined) return [one];
    let depth = 0;
    let question = -1;
    let colon = -1;
    for (let k = j; k < toks.count && k < j + 200; k++) {
      if (isP(k, '(') || isP(k, '[')) depth++;
      else if (isP(k, ')') || isP(k, ']')) depth--;
      else if (depth === 0 && isP(k, '?')) {
        if (question >= 0) return [];
        question = k;
      } else if (depth === 0 && isP(k, ':') && question >= 0 && colon < 0) colon = k;
      else if (isP(k, ';') || isP(k, '{') || isP(k, '}')) break;
      if (depth < 0) return [];
    }
    if (question < 0 || colon < 0) return [];
    return [assignedName(question + 1, ':'), assignedName(colon + 1)].filter((v) => v !== undefined);
  }

  /** `(T)&F`, `&F`, `F`, `(F)`, `(T *)F` up to `;`, `,` or `}` (or `end`) → F. */
  function assignedName(j: number, end?: string): string | undefined {
    let k = j;
    for (;;) {
      if (isP(k, '(')) {
        // A cast: skip to its `)` if it holds only type words and stars.
        let m = k + 1;
        while (m < toks.count && (toks.kind[m] === Tok.Ident || isP(m, '*'))) m++;
        if (!isP(m, ')') || m === k + 1) return undefined;
        // `(F)` where the value ends: the name in parentheses, not a cast.
        if (m === k + 2 && ends(m + 1, end)) return word(k + 1);
        k = m + 1;
        continue;
      }
      if (isP(k, '&')) {
        k++;
        continue;
      }
      break;
    }
    if (toks.kind[k] !== Tok.Ident) return undefined;
    return ends(k + 1, end) ? word(k) : undefined;
  }

  /** Does a stored value end at token `k` (`;`, `,`, `}`, or `end`: the `:` after a `?` branch)? */
  function ends(k: number, end?: string): boolean {
    return isP(k, ';') || isP(k, ',') || isP(k, '}') || (end !== undefined && isP(k, end));
  }

  /** The object a member belongs to: `MPChar` in `MPChar.X`, `pc` in `pc->X`, the declared name for `.X` in `T chars = { .X = F }`. */
  function objectOf(dot: number): string {
    const before = dot - 1;
    if (before >= 0 && toks.kind[before] === Tok.Ident) return word(before);
    if (isP(before, '{') || isP(before, ',')) {
      let depth = 0;
      for (let k = before; k >= first; k--) {
        if (isP(k, '}')) depth++;
        else if (isP(k, '{')) {
          if (depth === 0) {
            if (isP(k - 1, '=') && toks.kind[k - 2] === Tok.Ident) return word(k - 2);
            if (!(isP(k - 1, '=') || isP(k - 1, ','))) return '{}';
          } else depth--;
        }
      }
      return '{}';
    }
    return before >= 0 ? word(before) : '{}';
  }
}
