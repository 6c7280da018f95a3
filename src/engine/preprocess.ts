/**
 * Makes real driver source digestible for tree-sitter-c without moving a
 * single offset: annotations (SAL, IN/OUT/OPTIONAL, calling conventions) and
 * preprocessor lines become spaces, and each `#if` chain is cut into variants
 * so that both builds of a function split over `#if`/`#else` parse as C.
 * Newlines are kept everywhere, so line and column numbers stay right.
 */
import { Tok, tokKinds, type Tokens } from './lexer.js';
import { defined } from '../util/defined.js';

/** Words that are macros for nothing (or for a calling convention) in WDK headers. */
export const EMPTY_MACROS: ReadonlySet<string> = new Set([
  'IN',
  'OUT',
  'OPTIONAL',
  'UNALIGNED',
  'NTAPI',
  'WINAPI',
  'APIENTRY',
  'CALLBACK',
  'NTAPI_INLINE',
  'FASTCALL',
  'STDCALL',
  '__stdcall',
  '_stdcall',
  '__cdecl',
  '_cdecl',
  '__fastcall',
  '_fastcall',
  '__inline',
  '_inline',
  '__forceinline',
  'FORCEINLINE',
  'INLINE',
  'NDIS_API',
  'NTKERNELAPI',
  'NTSYSAPI',
  'NTHALAPI',
  'DECLSPEC_NOINLINE',
  'DECLSPEC_IMPORT',
  'DECLSPEC_EXPORT',
  '__checkReturn',
  '__in',
  '__out',
  '__inout',
  '__in_opt',
  '__out_opt',
  '__inout_opt',
  '__reserved',
  '__nullterminated',
  '__callback',
  'PAGED_CODE_SEG',
  'INIT_CODE_SEG',
  'EXTERN_C',
  '__ptr64',
  '__ptr32',
  // basetsd.h's names for the pointer-size modifiers (`sizeof(VOID * POINTER_32)` in Npcap's ioctl code).
  'POINTER_32',
  'POINTER_64',
  'POINTER_SIGNED',
  'POINTER_UNSIGNED',
  '__sptr',
  '__uptr',
  '__unaligned',
  '__restrict',
  '__w64',
]);

/** Annotations that take a parenthesised argument list. */
const CALL_MACROS =
  /^(?:__declspec|__drv_\w+|__in_\w+|__out_\w+|__inout_\w+|__deref_\w+|__success|__bcount|__ecount|__field_\w+|__range|__control_entrypoint|__kernel_entry|__allocator|__analysis_assume|DECLSPEC_ALIGN|__pragma|_Pragma|__attribute__|__alignof)$/;

/** SAL 1 annotations without arguments: `__deref_out_opt`, `__out_opt`, `__drv_aliasesMem`, `__checkReturn` ... */
const SAL1 =
  /^__(?:in|out|inout|deref|ecount|bcount|xcount|field|drv|nullterminated|notnull|maybenull|opt|checkReturn|success|reserved|typefix|format_string|control_entrypoint|kernel_entry|allocator|readonly|valid|post|pre)(?:_\w+)?$/;

/** SAL 2 annotations: `_In_`, `_Out_writes_bytes_(n)`, `_IRQL_requires_(PASSIVE_LEVEL)`, `_Use_decl_annotations_` ... */
const SAL2 = /^_(?:[A-Z][a-z][A-Za-z0-9]*|IRQL)(?:_[A-Za-z0-9]+)*_$/;

export interface FunctionClassMark {
  /** Role type named by `_Function_class_(X)`, e.g. MINIPORT_RESTART. */
  roleType: string;
  /** Offset of the annotation. */
  offset: number;
}

export interface Prepared {
  /** One text per build variant; every one has the source's length and line breaks. */
  variants: string[];
  functionClass: FunctionClassMark[];
  /**
   * Each variant's tokens, as `tokenize` gives them, read off the source's own tokens (see
   * `variantTokens`): the parse reads the bodies' calls from them without a lexing pass per variant.
   * Absent where the text was not prepared here (a synthetic unit): the reader tokenizes it.
   */
  tokens?: Tokens[];
}

interface Conditional {
  /** Content ranges of each branch: [start, end) between directive lines. */
  branches: { start: number; end: number; dead: boolean }[];
  /** `#ifndef __cplusplus`: its `#else` is C++ only. */
  deadElse?: boolean;
  /** The branch of the enclosing conditional this one sits in. */
  parent?: { cond: Conditional; branch: number };
  /** Indices of the branches that are not `#if 0` (filled on first use). */
  live?: number[];
}

/** One build: which branch each conditional keeps (forced ones, else the `index`-th live branch). */
interface Selection {
  index: number;
  forced: Map<Conditional, number>;
  /** Whether each conditional asked about so far sits in kept branches all the way up. */
  reached?: Map<Conditional, boolean>;
}

/** At most this many parses of one file; real `#if` chains stay far below it. */
const MAX_VARIANTS = 12;

/** Literal `#if 0` (or `#elif 0`): never part of the program. */
function isLiteralZero(directive: string): boolean {
  return /^#\s*(?:el)?if\s+(?:0+|\(\s*0+\s*\))\s*(?:\/\/.*|\/\*.*)?$/s.test(directive.trim());
}

/** `#ifdef __cplusplus`, `#ifndef __cplusplus`, `#if defined(__cplusplus)`, `#if __cplusplus`. */
function isCplusplusTest(directive: string): boolean {
  return /^#\s*(?:ifn?def\s+__cplusplus|if\s+(?:defined\s*\(?\s*)?__cplusplus\s*\)?)\s*(?:\/\/.*|\/\*.*)?$/s.test(
    directive.trim(),
  );
}

function directiveName(directive: string): string {
  const m = /^#\s*([A-Za-z_]+)/.exec(directive);
  return m ? m[1] : '';
}

export function prepareSource(text: string, toks: Tokens): Prepared {
  const blank: [number, number][] = [];
  const functionClass: FunctionClassMark[] = [];
  const conditionals: Conditional[] = [];
  const stack: Conditional[] = [];

  for (let i = 0; i < toks.count; i++) {
    const k = toks.kind[i];
    const s = toks.start[i];
    const e = toks.end[i];
    if (k === Tok.Directive) {
      blank.push([s, e]);
      const d = text.slice(s, e);
      const name = directiveName(d);
      if (name === 'if' || name === 'ifdef' || name === 'ifndef') {
        const top = stack.at(-1);
        // C, not C++: a `__cplusplus` branch is never part of the program (nor an `#ifndef __cplusplus` one's else).
        const cpp = isCplusplusTest(d);
        const c: Conditional = {
          branches: [{ start: e, end: e, dead: (name === 'if' && isLiteralZero(d)) || (cpp && name !== 'ifndef') }],
          ...(cpp && name === 'ifndef' ? { deadElse: true } : {}),
        };
        if (top) c.parent = { cond: top, branch: top.branches.length - 1 };
        stack.push(c);
        conditionals.push(c);
      } else if ((name === 'elif' || name === 'else' || name === 'elifdef' || name === 'elifndef') && stack.length) {
        const c = stack[stack.length - 1];
        c.branches[c.branches.length - 1].end = s;
        c.branches.push({
          start: e,
          end: e,
          dead: (name === 'elif' && isLiteralZero(d)) || (name === 'else' && c.deadElse === true),
        });
      } else if (name === 'endif' && stack.length) {
        const c = defined(stack.pop(), 'open #if');
        c.branches[c.branches.length - 1].end = s;
      }
      continue;
    }
    if (k !== Tok.Ident) continue;
    // Every word blanked here begins with `_` or a capital: most identifiers are looked at no further.
    const c0 = text.charCodeAt(s);
    if (c0 !== 95 /* _ */ && (c0 < 65 || c0 > 90)) continue;
    const word = text.slice(s, e);
    if (c0 !== 95 /* _ */ && !EMPTY_MACROS.has(word)) continue;
    if (EMPTY_MACROS.has(word)) {
      blank.push([s, e]);
      continue;
    }
    const takesArgs = CALL_MACROS.test(word);
    if (!takesArgs && !SAL2.test(word) && !SAL1.test(word)) continue;
    // Blank the annotation and, when present, its balanced argument list.
    let last = i;
    if (i + 1 < toks.count && toks.kind[i + 1] === Tok.Punct && text.charCodeAt(toks.start[i + 1]) === 40) {
      let depth = 0;
      for (let j = i + 1; j < toks.count; j++) {
        if (toks.kind[j] !== Tok.Punct) continue;
        const ch = text.charCodeAt(toks.start[j]);
        if (ch === 40) depth++;
        else if (ch === 41 && --depth === 0) {
          last = j;
          break;
        }
      }
      // SAL 1 spelled it `__drv_functionClass(X)`: the same mark.
      if ((word === '_Function_class_' || word === '__drv_functionClass') && last > i + 2) {
        const arg = text.slice(toks.start[i + 2], toks.start[last]).trim();
        if (/^[A-Za-z_]\w*$/.test(arg)) functionClass.push({ roleType: arg, offset: s });
      }
    } else if (takesArgs) {
      continue; // a name that merely looks like an annotation macro
    }
    blank.push([s, toks.end[last]]);
    i = last;
  }
  for (const c of stack) c.branches[c.branches.length - 1].end = text.length; // unterminated #if
  blankDeclarationNoise(text, toks, blank);

  const variants: string[] = [];
  const tokens: Tokens[] = [];
  for (const sel of selectBuilds(conditionals)) {
    const ranges = blank.slice();
    for (const c of conditionals) {
      const keep = keptBranch(c, sel);
      c.branches.forEach((b, i) => {
        if (i !== keep) ranges.push([b.start, b.end]);
      });
    }
    const blanked = blankRanges(text, ranges);
    const kept = tokensOutside(toks, ranges);
    const { text: v, added } = supplyImplicitInt(blanked, kept);
    variants.push(v);
    tokens.push(added.length ? withWords(kept, added, 3) : kept);
  }
  return { variants, functionClass, tokens };
}

/**
 * The tokens of the source left once these ranges are blanked. Every range covers whole tokens
 * (a directive, an annotation with its arguments, a declaration's noise word, the lines of a branch
 * between two directives), and spaces join nothing: the blanked text's tokens are the source's
 * outside the ranges, at the same offsets. `ranges` must be sorted by start (`blankRanges` sorts them).
 */
function tokensOutside(toks: Tokens, ranges: [number, number][]): Tokens {
  const kind = tokKinds(toks.count);
  const start = new Int32Array(toks.count);
  const end = new Int32Array(toks.count);
  let n = 0;
  let r = 0;
  // The end of the ranges that start before the token (they may overlap).
  let coveredTo = -1;
  for (let i = 0; i < toks.count; i++) {
    const s = toks.start[i];
    while (r < ranges.length && ranges[r][0] <= s) coveredTo = Math.max(coveredTo, ranges[r++][1]);
    if (s < coveredTo) continue;
    kind[n] = toks.kind[i];
    start[n] = s;
    end[n] = toks.end[i];
    n++;
  }
  return { kind, start, end, count: n };
}

/** `toks` with identifier tokens of `length` characters added at these offsets (sorted). */
function withWords(toks: Tokens, at: number[], length: number): Tokens {
  const count = toks.count + at.length;
  const kind = tokKinds(count);
  const start = new Int32Array(count);
  const end = new Int32Array(count);
  let n = 0;
  let w = 0;
  for (let i = 0; i <= toks.count; i++) {
    while (w < at.length && (i === toks.count || at[w] < toks.start[i])) {
      kind[n] = Tok.Ident;
      start[n] = at[w];
      end[n++] = at[w++] + length;
    }
    if (i === toks.count) break;
    kind[n] = toks.kind[i];
    start[n] = toks.start[i];
    end[n++] = toks.end[i];
  }
  return { kind, start, end, count };
}

/** A macro's look: capitals, digits and underscores, leading underscores allowed (`__HAL_STATIC_DEVICE`). */
const ALL_CAPS = /^_*[A-Z][A-Z0-9_]*$/;
/** C's storage classes and tags, which begin a declaration. */
const DECL_WORDS = ['static', 'extern', 'typedef', 'struct', 'union', 'enum'];
/** C's built-in type words: no type name is ever followed by one (`ULONG void`). */
const BUILTIN_TYPES = ['void', 'int', 'char', 'short', 'long', 'float', 'double', 'unsigned', 'signed'];
/** Words that may begin a declaration, before which a project's section, storage or inline macro sits. */
const DECL_START = new Set([...DECL_WORDS, ...BUILTIN_TYPES]);
const C_WORDS = new Set([
  ...DECL_WORDS,
  'const',
  'volatile',
  'inline',
  'register',
  'auto',
  'restrict',
  ...BUILTIN_TYPES,
]);

/**
 * Project macros in declarations that tree-sitter cannot read, found by
 * their shape at file scope rather than by a list:
 * - `CODE_SEG("PAGE")` before a declaration: an all-caps call directly
 *   followed by another declaration word;
 * - `E100_PAGED_DATA static const ...`: an all-caps word before a
 *   storage class or `struct`;
 * - `DECLSPEC_NOINLINE_FROM_PAGED VOID F(`: all-caps words in front of
 *   the type and name of a function header (C allows one type name there);
 * - `DBG_STATIC ULONG Counter = 0;`, `static DC_PG_DATA UCHAR Table[] =`:
 *   the same in front of a variable's type and name, outside parentheses
 *   (a storage macro a debug build defines empty and a free build `static`:
 *   read as the debug build, as the macro table's first definition would).
 */
function blankDeclarationNoise(text: string, toks: Tokens, blank: [number, number][]): void {
  const blanked = new Set<number>();
  for (const [s] of blank) blanked.add(s);
  const word = (i: number) => text.slice(toks.start[i], toks.end[i]);
  const isPunct = (i: number, ch: number) =>
    i < toks.count &&
    toks.kind[i] === Tok.Punct &&
    text.charCodeAt(toks.start[i]) === ch &&
    toks.end[i] - toks.start[i] === 1;
  const live = (i: number) => i < toks.count && toks.kind[i] !== Tok.Directive && !blanked.has(toks.start[i]);
  let depth = 0;
  let parens = 0;
  let run: number[] = [];
  for (let i = 0; i < toks.count; i++) {
    if (!live(i)) continue;
    const k = toks.kind[i];
    if (k === Tok.Punct) {
      const ch = text.charCodeAt(toks.start[i]);
      if (ch === 123 /* { */) depth++;
      else if (ch === 125 /* } */) depth = Math.max(0, depth - 1);
      const ends = toks.end[i] - toks.start[i] === 1 && (ch === 61 || ch === 59 || ch === 91 || ch === 44); // = ; [ ,
      if (depth === 0 && run.length >= 3 && (ch === 40 /* ( */ || (parens === 0 && ends))) {
        // `NOISE... TYPE NAME (` or `NOISE... TYPE NAME =`: keep the last two words.
        for (const t of run.slice(0, -2)) if (ALL_CAPS.test(word(t))) blank.push([toks.start[t], toks.end[t]]);
      }
      if (ch === 40) parens++;
      else if (ch === 41) parens = Math.max(0, parens - 1);
      else if (ch === 59 || ch === 123 || ch === 125) parens = 0;
      run = [];
      if (depth !== 0 || ch !== 40) continue;
      continue;
    }
    if (depth !== 0 || k !== Tok.Ident) {
      run = [];
      continue;
    }
    const w = word(i);
    if (C_WORDS.has(w)) {
      continue;
    }
    if (ALL_CAPS.test(w)) {
      let next = i + 1;
      while (next < toks.count && !live(next)) next++;
      if (isPunct(next, 40)) {
        // `X(...)` followed by a declaration word is an annotation, not a declarator.
        let d = 0;
        let close = next;
        for (; close < toks.count; close++) {
          if (!live(close) || toks.kind[close] !== Tok.Punct) continue;
          const ch = text.charCodeAt(toks.start[close]);
          if (ch === 40) d++;
          else if (ch === 41 && --d === 0) break;
        }
        let after = close + 1;
        while (after < toks.count && !live(after)) after++;
        if (after < toks.count && toks.kind[after] === Tok.Ident) {
          blank.push([toks.start[i], toks.end[close]]);
          i = close;
          continue;
        }
      } else if (next < toks.count && toks.kind[next] === Tok.Ident && DECL_START.has(word(next))) {
        blank.push([toks.start[i], toks.end[i]]);
        continue;
      }
    }
    run.push(i);
  }
}

function keptBranch(c: Conditional, sel: Selection): number {
  const forced = sel.forced.get(c);
  if (forced !== undefined) return forced;
  c.live ??= c.branches.flatMap((b, i) => (b.dead ? [] : [i]));
  return c.live.length ? c.live[Math.min(sel.index, c.live.length - 1)] : -1;
}

/** Is this branch part of the build: kept by its conditional, and every enclosing branch kept too? */
function isKept(c: Conditional, branch: number, sel: Selection): boolean {
  return keptBranch(c, sel) === branch && isReached(c, sel);
}

/**
 * Is the conditional itself part of the build (all its enclosing branches
 * kept)? Walked up without recursion, and remembered per build, so thousands
 * of nested `#if`s cost neither the call stack nor time squared.
 */
function isReached(c: Conditional, sel: Selection): boolean {
  const memo = (sel.reached ??= new Map<Conditional, boolean>());
  const chain: Conditional[] = [];
  let cur = c;
  let reached = true;
  for (;;) {
    const known = memo.get(cur);
    if (known !== undefined) {
      reached = known;
      break;
    }
    chain.push(cur);
    const parent: Conditional['parent'] = cur.parent;
    if (!parent) break;
    if (keptBranch(parent.cond, sel) !== parent.branch) {
      reached = false;
      break;
    }
    cur = parent.cond;
  }
  // Every conditional on the chain below the point that decided shares its answer.
  for (const x of chain) memo.set(x, reached);
  return reached;
}

/**
 * The builds to parse, so that every live branch of every conditional is
 * part of at least one: first "the i-th branch everywhere" for each i, then,
 * for a branch still missed (an `#else` nested inside an outer `#if` whose
 * `#else` was taken), a build that forces it and the branches around it.
 */
function selectBuilds(conditionals: Conditional[]): Selection[] {
  let widest = 1;
  for (const c of conditionals) widest = Math.max(widest, c.branches.filter((b) => !b.dead).length);
  const builds: Selection[] = [];
  for (let i = 0; i < widest && builds.length < MAX_VARIANTS; i++) builds.push({ index: i, forced: new Map() });
  for (const c of conditionals) {
    c.branches.forEach((b, i) => {
      if (b.dead || builds.length >= MAX_VARIANTS || builds.some((sel) => isKept(c, i, sel))) return;
      const forced = new Map<Conditional, number>([[c, i]]);
      for (let p = c.parent; p; p = p.cond.parent) forced.set(p.cond, p.branch);
      builds.push({ index: 0, forced });
    });
  }
  return builds;
}

/** Replaces every character in the ranges by a space, keeping line breaks. */
export function blankRanges(text: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  const parts: string[] = [];
  let pos = 0;
  for (const [s0, e] of ranges) {
    const s = Math.max(s0, pos);
    if (e <= s) continue;
    parts.push(text.slice(pos, s));
    // Line by line: the spaces of a line are a slice of one long run, not a character-wise replace.
    let from = s;
    for (let nl = lineBreakIn(text, from, e); nl >= 0; nl = lineBreakIn(text, from, e)) {
      parts.push(spaces(nl - from), text[nl]);
      from = nl + 1;
    }
    parts.push(spaces(e - from));
    pos = e;
  }
  parts.push(text.slice(pos));
  return parts.join('');
}

/** The first `\r` or `\n` in [from, to), or -1. */
function lineBreakIn(text: string, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return -1;
}

let spaceRun = ' '.repeat(256);
function spaces(n: number): string {
  while (spaceRun.length < n) spaceRun += spaceRun;
  return spaceRun.slice(0, n);
}

const isWordChar = (c: number): boolean =>
  (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c >= 128;

/** Storage words that may stand alone before a function name when its type is an implied `int`. */
const STORAGE_ONLY = new Set(['static', 'extern', 'inline', '__inline', '__forceinline']);

/**
 * Implicit `int`: `__inline MP_SEND_STATS(PADAPTER a) { ... }` is a function
 * definition with its return type left out (K&R C, MSVC). tree-sitter needs
 * a type there, so `int` is written into the blank space before the name
 * (the blanked `__inline`, indentation), never moving an offset or a line.
 * Where there is no such space the definition stays as it is.
 */
function supplyImplicitInt(v: string, toks: Tokens): { text: string; added: number[] } {
  const added: number[] = [];
  const isP = (i: number, ch: number) =>
    i >= 0 &&
    i < toks.count &&
    toks.kind[i] === Tok.Punct &&
    toks.end[i] - toks.start[i] === 1 &&
    v.charCodeAt(toks.start[i]) === ch;
  let out: string[] | undefined;
  let depth = 0;
  for (let i = 0; i < toks.count; i++) {
    if (toks.kind[i] === Tok.Punct) {
      const ch = v.charCodeAt(toks.start[i]);
      if (ch === 123) depth++;
      else if (ch === 125) depth = Math.max(0, depth - 1);
      continue;
    }
    if (depth !== 0 || toks.kind[i] !== Tok.Ident || !isP(i + 1, 40)) continue;
    // The token before the name: nothing, a statement end, a directive, or storage words only.
    let b = i - 1;
    while (b >= 0 && toks.kind[b] === Tok.Ident && STORAGE_ONLY.has(v.slice(toks.start[b], toks.end[b]))) b--;
    if (!(b < 0 || isP(b, 59) || isP(b, 125) || toks.kind[b] === Tok.Directive)) continue;
    // `NAME ( ... ) {`
    let d = 0;
    let j = i + 1;
    for (; j < toks.count; j++) {
      if (isP(j, 40)) d++;
      else if (isP(j, 41) && --d === 0) break;
    }
    if (!isP(j + 1, 123)) continue;
    // Only the blank space right before the name (back to the previous character that is not blank):
    // never inside a comment further up.
    let from = toks.start[i];
    while (from > 0 && /\s/.test(v[from - 1])) from--;
    const gap = v.slice(from, toks.start[i]);
    // Right after a word (`static    F(...)`) the `int` keeps a space from it: `staticint` is a type name.
    const glued = from > 0 && isWordChar(v.charCodeAt(from - 1));
    const run = (glued ? /[ \t]{5}/ : /[ \t]{4}/).exec(gap);
    if (!run) continue;
    out ??= [v];
    const at = from + run.index + (glued ? 1 : 0);
    const cur = out.join('');
    out = [cur.slice(0, at), 'int ', cur.slice(at + 4)];
    added.push(at);
  }
  return { text: out ? out.join('') : v, added };
}
