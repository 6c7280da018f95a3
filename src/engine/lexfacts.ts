/**
 * Lexical facts: what one file tells the whole program without a parse.
 * Every file gets this cheap pass; the identifier list decides whether the
 * file needs a tree-sitter parse at all (see closure.ts), and the macro and
 * type tables serve the resolution of calls, lengths and resource names.
 */
import { Tok, type Tokens } from './lexer.js';

export interface MacroDef {
  name: string;
  /** Parameter names for a function-like macro; null for an object-like one. */
  params: string[] | null;
  /** Replacement text, continuation lines joined, comments removed. */
  body: string;
  line: number;
}

export interface LexFacts {
  /** Identifiers that occur in code (comments and strings excluded), each once. */
  idents: string[];
  macros: MacroDef[];
  /** typedef name → underlying type name (struct tag where there is one). */
  typedefs: Record<string, string>;
  /** struct tag or typedef name → field name → field type name. */
  structs: Record<string, Record<string, string>>;
  /**
   * Enumeration constants → their value as expression text (`DevReady` →
   * `(DevNotReady)+1` when implicit), evaluated like a macro body.
   */
  enums: Record<string, string>;
}

const TYPE_NOISE = new Set([
  'const',
  'volatile',
  'struct',
  'union',
  'enum',
  'unsigned',
  'signed',
  'static',
  'extern',
  'register',
  'typedef',
  'CONST',
  'VOLATILE',
  'DECLSPEC_CACHEALIGN',
  // Calling conventions and parameter markers, which sit inside declarators.
  'NTAPI',
  'WINAPI',
  'CALLBACK',
  'FASTCALL',
  'STDCALL',
  '__stdcall',
  '_stdcall',
  '__cdecl',
  '_cdecl',
  '__fastcall',
  'IN',
  'OUT',
  'OPTIONAL',
  'UNALIGNED',
  '__ptr64',
]);

/** Struct bodies nested in struct bodies are read this deep; real ones nest a few levels. */
const MAX_STRUCT_NESTING = 64;

export function lexFacts(text: string, toks: Tokens, lineOfOffset: (o: number) => number): LexFacts {
  const idents = new Set<string>();
  const macros: MacroDef[] = [];
  const typedefs: Record<string, string> = {};
  const structs: Record<string, Record<string, string>> = {};
  const enums: Record<string, string> = {};
  const word = (i: number) => text.slice(toks.start[i], toks.end[i]);
  const isPunct = (i: number, ch: string) =>
    i < toks.count &&
    toks.kind[i] === Tok.Punct &&
    text.charCodeAt(toks.start[i]) === ch.charCodeAt(0) &&
    toks.end[i] - toks.start[i] === 1;

  // One pass: identifiers, macros, and where type declarations start.
  const typeStarts: number[] = [];
  for (let i = 0; i < toks.count; i++) {
    const k = toks.kind[i];
    if (k === Tok.Ident) {
      const w = text.slice(toks.start[i], toks.end[i]);
      idents.add(w);
      if (w === 'typedef' || w === 'struct' || w === 'union' || w === 'enum') typeStarts.push(i);
    } else if (k === Tok.Directive) {
      const d = stripComments(text.slice(toks.start[i], toks.end[i]));
      for (const m of d.matchAll(/[A-Za-z_]\w*/g)) idents.add(m[0]);
      const def = parseDefine(d);
      if (def) macros.push({ ...def, line: lineOfOffset(toks.start[i]) });
    }
  }

  // Types: typedefs and struct bodies, read from the token stream.
  let lastAnonymous: Record<string, string> | undefined;
  let done = -1;
  for (const i of typeStarts) {
    if (i <= done) continue;
    const w = word(i);
    if (w === 'typedef') {
      done = readTypedef(i + 1);
    } else if (w === 'enum') {
      const open = toks.kind[i + 1] === Tok.Ident ? i + 2 : i + 1;
      if (isPunct(open, '{')) done = readEnumBody(open);
    } else if (toks.kind[i + 1] === Tok.Ident && isPunct(i + 2, '{')) {
      done = readStructBody(i + 2, word(i + 1));
      // `struct X { ... } typedef X_T;`: the storage class may follow the body (gplpv's xennet.h).
      if (toks.kind[done + 1] === Tok.Ident && word(done + 1) === 'typedef') done = readTypedef(done + 2, word(i + 1));
    }
  }

  /** `{ A, B = 4, C }`: each constant's value as text; returns the index of `}`. */
  function readEnumBody(open: number): number {
    const close = matching(open);
    // A constant without a value is the last given value plus how many came after it, written
    // `2+(X)`: not `(PREV)+1`, whose `(PREV)` reads as a cast of `+1` (1), and not `PREV+1`, which
    // reads each earlier constant in turn (past the reading's depth in a long enumeration).
    let given: string | undefined;
    let after = 0;
    let j = open + 1;
    while (j < close) {
      if (toks.kind[j] !== Tok.Ident) {
        j++;
        continue;
      }
      const name = word(j);
      let k = j + 1;
      let value: string;
      if (isPunct(k, '=')) {
        let depth = 0;
        const from = k + 1;
        for (k = from; k < close; k++) {
          if (toks.kind[k] !== Tok.Punct) continue;
          const ch = text.charCodeAt(toks.start[k]);
          if (ch === 40) depth++;
          else if (ch === 41) depth--;
          else if (ch === 44 && depth === 0) break;
        }
        value = from < k ? text.slice(toks.start[from], toks.end[k - 1]) : '0';
        given = value;
        after = 1;
      } else {
        value = given === undefined ? String(after) : `${String(after)}+(${given})`;
        after++;
      }
      enums[name] = value;
      while (k < close && !isPunct(k, ',')) k++;
      j = k + 1;
    }
    return close;
  }

  function matching(open: number): number {
    let depth = 0;
    for (let j = open; j < toks.count; j++) {
      if (toks.kind[j] !== Tok.Punct) continue;
      const ch = text.charCodeAt(toks.start[j]);
      if (ch === 123 || ch === 40 || ch === 91) depth++;
      else if ((ch === 125 || ch === 41 || ch === 93) && --depth === 0) return j;
    }
    return toks.count - 1;
  }

  /** Reads `{ fields }` starting at the brace; records fields under `name`; returns the index of `}`. */
  function readStructBody(open: number, name: string | undefined, depth = 0): number {
    const close = matching(open);
    if (depth >= MAX_STRUCT_NESTING) {
      // Nested past any real declaration (each level copies its members' fields up): skipped.
      lastAnonymous = undefined;
      return close;
    }
    const fields: Record<string, string> = {};
    let declStart = open + 1;
    for (let j = open + 1; j < close; j++) {
      if (isPunct(j, '{')) {
        // Nested struct/union: its fields belong to the anonymous member or are reachable by name.
        const nestedTag = toks.kind[j - 1] === Tok.Ident && !TYPE_NOISE.has(word(j - 1)) ? word(j - 1) : undefined;
        const inner = readStructBody(j, nestedTag, depth + 1);
        const innerFields = nestedTag ? structs[nestedTag] : lastAnonymous;
        // Declarators after the nested body: `} u;` names a member of that type.
        let k = inner + 1;
        const names: string[] = [];
        while (k < close && !isPunct(k, ';')) {
          if (toks.kind[k] === Tok.Ident) names.push(word(k));
          k++;
        }
        if (names.length === 0 && innerFields) Object.assign(fields, innerFields);
        for (const n of names) fields[n] = nestedTag ?? `<anon>`;
        j = k;
        declStart = k + 1;
        continue;
      }
      if (isPunct(j, ';')) {
        readDeclarators(declStart, j, fields);
        declStart = j + 1;
      }
    }
    lastAnonymous = fields;
    if (name) structs[name] = Object.assign(structs[name] ?? {}, fields);
    return close;
  }
  /** `TYPE a, *b, c[4]` between [from, to): records name → TYPE. */
  function readDeclarators(from: number, to: number, into: Record<string, string>): void {
    let j = from;
    // The type is the identifiers before the first declarator; a declarator starts
    // at the last identifier before `,`, `;`, `[`, `:` or `=`.
    const parts: number[][] = [[]];
    let depth = 0;
    for (; j < to; j++) {
      if (toks.kind[j] === Tok.Punct) {
        const ch = text.charCodeAt(toks.start[j]);
        if (ch === 40 || ch === 91 || ch === 123) depth++;
        else if (ch === 41 || ch === 93 || ch === 125) depth--;
        else if (ch === 44 && depth === 0) {
          parts.push([]);
          continue;
        }
      }
      parts[parts.length - 1].push(j);
    }
    const first = parts[0];
    const firstIdents = first.filter((t) => toks.kind[t] === Tok.Ident && !TYPE_NOISE.has(word(t)));
    // In `PVOID Regs[4]` the declarator is the identifier followed by `[`, `;`, `:` or the end.
    const declName = (ts: number[]) => {
      // `(*Notify)(PVOID Bar)`: the name is in the first parentheses, after the stars.
      const open = ts.findIndex((t) => isPunct(t, '('));
      if (open >= 0 && ts.slice(open + 1).some((t) => isPunct(t, '*'))) {
        for (let q = open + 1; q < ts.length && !isPunct(ts[q], ')'); q++) {
          if (toks.kind[ts[q]] === Tok.Ident && !TYPE_NOISE.has(word(ts[q]))) return word(ts[q]);
        }
      }
      let name: string | undefined;
      let bracket = false;
      for (const t of ts) {
        if (toks.kind[t] === Tok.Punct && (isPunct(t, '[') || isPunct(t, ':') || isPunct(t, '='))) {
          bracket = true;
        }
        if (!bracket && toks.kind[t] === Tok.Ident && !TYPE_NOISE.has(word(t))) name = word(t);
      }
      return name;
    };
    if (firstIdents.length < 2) return;
    const type = word(firstIdents[0]);
    for (const part of parts) {
      const n = declName(part);
      if (n && n !== type) into[n] = type;
    }
  }

  /**
   * After `typedef`: reads to the closing `;`; returns its index. `known`: the type the names stand
   * for, already read (a struct body before the `typedef`); only declarators follow.
   */
  function readTypedef(from: number, known?: string): number {
    let j = from;
    let base: string | undefined = known;
    let anonymous = false;
    while (known === undefined && j < toks.count && toks.kind[j] === Tok.Ident && TYPE_NOISE.has(word(j))) {
      const w = word(j);
      j++;
      if (w === 'struct' || w === 'union' || w === 'enum') {
        if (toks.kind[j] === Tok.Ident) {
          base = word(j);
          j++;
        }
        if (isPunct(j, '{')) {
          if (!base) {
            base = `<anon@${String(toks.start[j])}>`;
            anonymous = true;
          }
          const end = w === 'enum' ? readEnumBody(j) : readStructBody(j, base);
          j = end + 1;
        }
        break;
      }
    }
    if (base === undefined && j < toks.count && toks.kind[j] === Tok.Ident) {
      base = word(j);
      j++;
    }
    // Declarators up to `;`: each is a name, with or without stars.
    const declarators: { name: string; pointer: boolean }[] = [];
    let depth = 0;
    let name: string | undefined;
    let pointer = false;
    let inFirstParens = false;
    for (; j < toks.count; j++) {
      if (toks.kind[j] === Tok.Punct) {
        const ch = text.charCodeAt(toks.start[j]);
        if (ch === 40 || ch === 91) {
          depth++;
          if (ch === 40 && depth === 1 && name === undefined) inFirstParens = true;
        } else if (ch === 41 || ch === 93) {
          depth--;
          inFirstParens = false;
        } else if (ch === 42) pointer = true;
        else if ((ch === 44 || ch === 59) && depth === 0) {
          if (name) declarators.push({ name, pointer });
          name = undefined;
          pointer = false;
          if (ch === 59) break;
        }
      } else if (toks.kind[j] === Tok.Ident && !TYPE_NOISE.has(word(j))) {
        // `(*PFN)(...)`: the name is in the first parentheses; the parameter list is skipped.
        if (depth === 0 || (inFirstParens && name === undefined)) name = word(j);
      } else if (toks.kind[j] === Tok.Directive) {
        break;
      }
    }
    if (base) {
      // An anonymous struct or enum takes the name of its first plain declarator
      // (`typedef struct {..} ADAPTER, *PADAPTER;`): where it is in the file is no name for it (an
      // edit above would rename it), and only one with pointer declarators alone keeps that.
      const plain = anonymous ? declarators.find((d) => !d.pointer) : undefined;
      const fields = structs[base] as Record<string, string> | undefined;
      if (plain) {
        if (fields) {
          structs[plain.name] = fields;
          // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a name table keyed by struct tag, renamed in place
          delete structs[base];
        }
        base = plain.name;
      }
      for (const d of declarators) if (d.name !== base) typedefs[d.name] = base;
    }
    return j;
  }

  return { idents: [...idents], macros, typedefs, structs, enums };
}

/** Removes comments, leaving string and character literals alone. */
export function stripComments(s: string): string {
  return s.replace(/"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (m) =>
    m.startsWith('/') ? ' ' : m,
  );
}

/** `#define NAME(a, b) body` → {name, params, body}; null for other directives. */
export function parseDefine(directive: string): Omit<MacroDef, 'line'> | null {
  const joined = directive.replace(/\\\r?\n/g, ' ');
  const m = /^#\s*define\s+([A-Za-z_]\w*)(\(([^)]*)\))?/.exec(joined);
  if (!m) return null;
  const body = joined.slice(m[0].length).replace(/\s+/g, ' ').trim();
  const params =
    (m[2] as string | undefined) === undefined
      ? null
      : m[3]
          .split(',')
          .map((p) => p.trim())
          .filter((p) => p.length > 0);
  return { name: m[1], params, body };
}
