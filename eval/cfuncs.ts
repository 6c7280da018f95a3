/**
 * Function definitions and a coarse graph between them, read from masked C
 * text, for the mutation generator's own rules (which mutant is unambiguous).
 * It is deliberately cruder than the engine and errs one way: a "mention"
 * edge exists wherever a body names a function or macro, so "halt may still
 * reach a release" is over-approximated and an ambiguous mutant is excluded
 * rather than given a wrong expectation. "Call" edges (a name followed by
 * `(`) are the plain calls, used where taking an address must not count.
 */

import {
  type CText,
  type Token,
  codeTokens,
  lineOf,
  lineSpan,
  matchBackward,
  matchForward,
  tokenize,
} from './ctext.js';
import { defined } from '../src/util/defined.js';

export interface FunctionDef {
  name: string;
  file: string;
  /** Offset of the name token. */
  nameStart: number;
  /** Offsets of the body's `{` and `}` (inclusive). */
  open: number;
  close: number;
}

const NOT_A_FUNCTION = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'do', 'else', 'case']);

/** An annotation written like a call between a parameter list and its body (`_Requires_lock_held_(x)`, `__declspec(x)`). */
function isAnnotation(name: string): boolean {
  return /^_\w*_$/.test(name) || name === '__declspec' || name.startsWith('__drv_');
}

/** `if0`: an `#if 0`, whose first branch is never compiled. */
type Conditional = 'if' | 'if0' | 'else' | 'endif';

/** The conditional directives of a file, in order, by the offset of their line. */
function conditionals(c: CText): { offset: number; kind: Conditional }[] {
  const out: { offset: number; kind: Conditional }[] = [];
  for (let line = 1; line <= c.lineStarts.length; line++) {
    if (!c.directive[line - 1]) continue;
    const span = defined(lineSpan(c, line));
    const directive = c.masked.slice(span.start, span.end);
    const m = /^\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b/.exec(directive);
    if (!m) continue;
    let kind: Conditional = m[1].startsWith('if') ? 'if' : m[1] === 'endif' ? 'endif' : 'else';
    if (kind === 'if' && /^\s*#\s*if\s+0\s*$/.test(directive)) kind = 'if0';
    out.push({ offset: span.start, kind });
  }
  return out;
}

const conditionalsOf = new WeakMap<CText, { offset: number; kind: Conditional }[]>();

/** Whether `offset` lies in the first branch of an `#if 0` (or a branch nested in one): code never compiled. */
export function inIfZero(c: CText, offset: number): boolean {
  let events = conditionalsOf.get(c);
  if (!events) conditionalsOf.set(c, (events = conditionals(c)));
  const stack: boolean[] = [];
  for (const { offset: at, kind } of events) {
    if (at > offset) break;
    if (kind === 'if' || kind === 'if0') stack.push(kind === 'if0');
    else if (kind === 'else') {
      if (stack.length > 0) stack[stack.length - 1] = false;
    } else stack.pop();
  }
  return stack.includes(true);
}

/**
 * Top-level `name(...) {` bodies. Every branch of an `#if` is read, and each
 * branch starts at the brace depth the `#if` had (after `#endif`, the first
 * branch's depth holds), so alternative headers or unbalanced braces in
 * branches (`#if A void f(a) { #else void f(a, b) { #endif`) do not shift
 * the rest of the file. The first branch of an `#if 0` is never compiled: its
 * braces (`#if 0 if (x) { #endif`) count for nothing after it.
 */
export function functionDefinitions(c: CText, file: string): FunctionDef[] {
  const tokens = codeTokens(c);
  const events = conditionals(c);
  const defs: FunctionDef[] = [];
  // `dead`: the branch read now is an `#if 0`'s first, whose braces count for nothing after it.
  const stack: { start: number; end: number | undefined; dead: boolean }[] = [];
  let depth = 0;
  let event = 0;
  let current: { name: number; open: number } | undefined;
  for (let k = 0; k < tokens.length; k++) {
    for (; event < events.length && events[event].offset < tokens[k].start; event++) {
      const kind = events[event].kind;
      const top = stack.at(-1);
      if (kind === 'if' || kind === 'if0') stack.push({ start: depth, end: undefined, dead: kind === 'if0' });
      else if (top && kind === 'else') {
        if (!top.dead) top.end ??= depth;
        top.dead = false;
        depth = top.start;
      } else if (top && kind === 'endif') {
        depth = top.dead ? top.start : (top.end ?? depth);
        stack.pop();
      }
    }
    const t = tokens[k].text;
    if (t === '{') {
      if (depth === 0) {
        const name = functionNameBefore(tokens, k);
        current = name === undefined ? undefined : { name, open: k };
      }
      depth++;
    } else if (t === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 0 && current) {
        defs.push({
          name: tokens[current.name].text,
          file,
          nameStart: tokens[current.name].start,
          open: tokens[current.open].start,
          close: tokens[k].start,
        });
        current = undefined;
      }
    }
  }
  return defs;
}

/** The name token of a function whose body opens at `brace`, skipping annotations after the parameters. */
function functionNameBefore(tokens: readonly Token[], brace: number): number | undefined {
  let k = brace - 1;
  while (k >= 0 && tokens[k].text === ')') {
    const open = matchBackward(tokens, k);
    if (open <= 0) return undefined;
    const name = open - 1;
    if (tokens[name].kind !== 'id' || NOT_A_FUNCTION.has(tokens[name].text)) return undefined;
    if (!isAnnotation(tokens[name].text)) return name;
    k = name - 1;
  }
  return undefined;
}

/** The definition of `name` whose name is on `line` or a few lines after it (labels point at the header). */
export function findFunction(
  defs: readonly FunctionDef[],
  c: CText,
  name: string,
  line: number,
): FunctionDef | undefined {
  return defs.find((d) => {
    if (d.name !== name) return false;
    const at = lineOf(c, d.nameStart);
    return at >= line && at <= line + 4;
  });
}

export interface MacroDef {
  name: string;
  /** Identifiers of the replacement list. */
  mentions: string[];
  /** Parameter names of a function-like macro; null for an object-like one. */
  params: string[] | null;
  /** The replacement list's tokens, as text. */
  body: string[];
}

/** `#define NAME ...` with its replacement list's identifiers (continuation lines joined). */
export function macroDefinitions(c: CText): MacroDef[] {
  const macros: MacroDef[] = [];
  for (let line = 1; line <= c.lineStarts.length; line++) {
    if (!c.directive[line - 1]) continue;
    if (line > 1 && c.directive[line - 2] && /\\\s*$/.test(lineText(c, line - 1))) continue;
    let end = line;
    while (end < c.lineStarts.length && c.directive[end] && /\\\s*$/.test(lineText(c, end))) end++;
    const span = defined(lineSpan(c, line));
    const last = defined(lineSpan(c, end));
    const tokens = tokenize(c.masked, span.start, last.end);
    if (tokens[0]?.text !== '#' || tokens[1]?.text !== 'define' || tokens[2]?.kind !== 'id') continue;
    let body = 3;
    let params: string[] | null = null;
    if (tokens[3]?.text === '(' && tokens[3].start === tokens[2].end) {
      body = matchForward(tokens, 3) + 1;
      params = tokens
        .slice(4, body - 1)
        .filter((t) => t.kind === 'id')
        .map((t) => t.text);
    }
    macros.push({
      name: tokens[2].text,
      mentions: tokens
        .slice(body)
        .filter((t) => t.kind === 'id')
        .map((t) => t.text),
      params,
      body: tokens.slice(body).map((t) => t.text),
    });
  }
  return macros;
}

function lineText(c: CText, line: number): string {
  const span = defined(lineSpan(c, line));
  return c.text.slice(span.start, span.end);
}

/** Identifiers in a body, and those of them written as calls (followed by `(`). */
export function bodyNames(c: CText, from: number, to: number): { mentions: Set<string>; calls: Set<string> } {
  const tokens = tokenize(c.masked, from, to);
  const mentions = new Set<string>();
  const calls = new Set<string>();
  tokens.forEach((t, k) => {
    if (t.kind !== 'id') return;
    mentions.add(t.text);
    if (tokens[k + 1]?.text === '(') calls.add(t.text);
  });
  return { mentions, calls };
}

export interface DriverGraph {
  defs: FunctionDef[];
  /** Every `#define` of the driver, in file order. */
  macros: MacroDef[];
  /** Function or macro name to the names its bodies mention (all definitions of a name merged). */
  mentions: Map<string, Set<string>>;
  /** Function name to the names its bodies call; macros count as calls of what they mention. */
  calls: Map<string, Set<string>>;
}

export function buildGraph(files: ReadonlyMap<string, CText>): DriverGraph {
  const defs: FunctionDef[] = [];
  const macros: MacroDef[] = [];
  const mentions = new Map<string, Set<string>>();
  const calls = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, name: string, names: Iterable<string>): void => {
    const set = map.get(name) ?? new Set<string>();
    for (const n of names) set.add(n);
    map.set(name, set);
  };
  for (const [file, c] of files) {
    for (const d of functionDefinitions(c, file)) {
      defs.push(d);
      const names = bodyNames(c, d.open, d.close);
      add(mentions, d.name, names.mentions);
      add(calls, d.name, names.calls);
    }
    for (const m of macroDefinitions(c)) {
      macros.push(m);
      add(mentions, m.name, m.mentions);
      add(calls, m.name, m.mentions);
    }
  }
  return { defs, macros, mentions, calls };
}

/** Every name reachable from `start` along `edges` (the start names included). */
export function reach(edges: ReadonlyMap<string, ReadonlySet<string>>, start: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length > 0) {
    const name = defined(stack.pop());
    if (seen.has(name)) continue;
    seen.add(name);
    for (const next of edges.get(name) ?? []) if (!seen.has(next)) stack.push(next);
  }
  return seen;
}

/** The definition whose body holds `line` of `file`. */
export function functionAt(graph: DriverGraph, c: CText, file: string, line: number): FunctionDef | undefined {
  const span = lineSpan(c, line);
  if (!span) return undefined;
  return graph.defs.find((d) => d.file === file && d.open <= span.end && d.close >= span.start);
}
