/**
 * Rewrites of C that keep its meaning and its line numbers: a driver written
 * either way must get the same findings at the same lines. Each kind finds
 * every place it fits in a file's tokens and returns the edits; the runner
 * (`eval/equivalence.ts`) applies one kind at a time to a whole driver and
 * compares the findings with the unchanged driver's.
 *
 * A rewrite never adds or removes a line end (a place whose rewritten span
 * crosses one is skipped), so a finding keeps its line.
 */

import { lineOf, matchForward, type CText, type Token } from './ctext.js';
import { loadRulePack, ruleApis } from '../src/engine/rulepack.js';

/** Replace [start, end) of the file's text with `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
  /** Another edit of the place the edit before it starts (a place is counted once). */
  continues?: true;
}

/** How many places the edits rewrite. */
export const placesOf = (edits: readonly TextEdit[]) => edits.filter((e) => e.continues !== true).length;

export type Rewrite = (c: CText, tokens: readonly Token[]) => TextEdit[];

/** Tokens that end an operand at the top level of a condition (a place with one of them is left alone). */
const COMPOUND = new Set(['&&', '||', '?', '=', ',', '<', '>', '<=', '>=', '&', '|', '^', '==', '!=']);

/** Does the text of [from, to) hold a line end? */
const crossesLine = (c: CText, from: number, to: number) => /[\r\n]/.test(c.text.slice(from, to));

/** `if (` at token k: the index of its `)`, or -1. */
function ifCondition(tokens: readonly Token[], k: number): number {
  if (tokens[k].text !== 'if' || tokens[k + 1]?.text !== '(') return -1;
  return matchForward(tokens, k + 1);
}

/** The top-level tokens of [from, to) that `pick` accepts, or undefined where another compound token is there. */
function topLevel(
  tokens: readonly Token[],
  from: number,
  to: number,
  pick: (t: string) => boolean,
): number[] | undefined {
  const found: number[] = [];
  let depth = 0;
  for (let j = from; j < to; j++) {
    const x = tokens[j].text;
    if (x === '(' || x === '[') depth++;
    else if (x === ')' || x === ']') depth--;
    else if (depth === 0 && pick(x)) found.push(j);
    else if (depth === 0 && COMPOUND.has(x)) return undefined;
  }
  return found;
}

/**
 * Each `if` whose condition is one top-level `==` or `!=` on one line: the operands' text, the operator
 * and the condition's span (from its first token to its last).
 */
function singleComparisons(
  c: CText,
  t: readonly Token[],
): { k: number; start: number; end: number; op: string; a: string; b: string }[] {
  const out: { k: number; start: number; end: number; op: string; a: string; b: string }[] = [];
  for (let k = 0; k < t.length; k++) {
    const close = ifCondition(t, k);
    if (close < 0) continue;
    const ops = topLevel(t, k + 2, close, (x) => x === '==' || x === '!=');
    if (ops?.length !== 1) continue;
    const op = ops[0];
    if (op === k + 2 || op === close - 1 || crossesLine(c, t[k + 2].start, t[close - 1].end)) continue;
    out.push({
      k,
      start: t[k + 2].start,
      end: t[close - 1].end,
      op: t[op].text,
      a: c.text.slice(t[k + 2].start, t[op - 1].end),
      b: c.text.slice(t[op + 1].start, t[close - 1].end),
    });
  }
  return out;
}

/** `if (A == B)` → `if (B == A)`, for a condition that is one comparison. */
const swapCompare: Rewrite = (c, t) =>
  singleComparisons(c, t).map(({ start, end, op, a, b }) => ({ start, end, text: `${b} ${op} ${a}` }));

/** `if (A == NULL)` → `if (!(A))`; `if (A != NULL)` → `if ((A))`. */
const nullTest: Rewrite = (c, t) => {
  const edits: TextEdit[] = [];
  for (let k = 0; k < t.length; k++) {
    const close = ifCondition(t, k);
    if (close < k + 5 || t[close - 1].text !== 'NULL') continue;
    const op = close - 2;
    if (t[op].text !== '==' && t[op].text !== '!=') continue;
    if (topLevel(t, k + 2, op, () => false) === undefined) continue;
    if (crossesLine(c, t[k + 2].start, t[close - 1].end)) continue;
    const a = c.text.slice(t[k + 2].start, t[op - 1].end);
    edits.push({ start: t[k + 2].start, end: t[close - 1].end, text: t[op].text === '==' ? `!(${a})` : `(${a})` });
  }
  return edits;
};

/** `goto L;` → `{ goto L; }`. */
const braceGoto: Rewrite = (_c, t) => {
  const edits: TextEdit[] = [];
  for (let k = 1; k + 2 < t.length; k++) {
    if (t[k].text !== 'goto' || t[k + 1].kind !== 'id' || t[k + 2].text !== ';') continue;
    edits.push({ start: t[k].start, end: t[k + 2].end, text: `{ goto ${t[k + 1].text}; }` });
  }
  return edits;
};

/**
 * The end token of the statement an `if` controls when it is a block, or a `goto`, `return` or
 * `break` statement; -1 otherwise, or when an `else` follows it.
 */
function controlledEnd(t: readonly Token[], close: number, jumps: boolean): number {
  const body = t[close + 1] as Token | undefined;
  let last = -1;
  if (body?.text === '{') last = matchForward(t, close + 1);
  else if (jumps && body && ['goto', 'return', 'break'].includes(body.text)) {
    last = close + 1;
    while (last < t.length && !['{', '}', ';'].includes(t[last].text)) last++;
    if (t[last]?.text !== ';') last = -1;
  }
  if (last < 0 || t[last + 1]?.text === 'else') return -1;
  return last;
}

/**
 * Each `if` that controls a block or a jump with no `else` after it (and no `else` before it), its
 * condition on one line: the `if` token, its `)` and the statement's last token.
 */
function controlledIfs(c: CText, t: readonly Token[]): { k: number; close: number; last: number }[] {
  const out: { k: number; close: number; last: number }[] = [];
  for (let k = 0; k < t.length; k++) {
    if (t[k - 1]?.text === 'else') continue;
    const close = ifCondition(t, k);
    if (close < 0 || crossesLine(c, t[k].start, t[close].end)) continue;
    const last = controlledEnd(t, close, true);
    if (last >= 0) out.push({ k, close, last });
  }
  return out;
}

/** `if (C) S` → `if (!(C)) ; else S`. */
const invertIf: Rewrite = (c, t) =>
  controlledIfs(c, t).map(({ k, close }) => ({
    start: t[k].start,
    end: t[close].end,
    text: `if (!(${c.text.slice(t[k + 2].start, t[close - 1].end)})) ; else`,
  }));

/**
 * `if (C) S` → `{ BOOLEAN nr_tN = !!(C); if (nr_tN) S }`: the test stored in a flag, then the flag
 * tested. `!!` keeps C's truth whatever its type; a name of its own per place, so one function's two
 * stores are two flags.
 */
const storedTest: Rewrite = (c, t) =>
  controlledIfs(c, t).flatMap(({ k, close, last }, n) => {
    const flag = `nr_t${String(n)}`;
    const cond = c.text.slice(t[k + 2].start, t[close - 1].end);
    return [
      { start: t[k].start, end: t[close].end, text: `{ BOOLEAN ${flag} = !!(${cond}); if (${flag})` },
      { start: t[last].end, end: t[last].end, text: ' }', continues: true },
    ];
  });

/**
 * `if (p)` → `if (p != 0)` and `if (!p)` → `if (p == 0)`, for a condition that is a name or a chain of
 * fields (`a->Regs`, `a.b[2]`), optionally negated.
 */
const truthCompare: Rewrite = (c, t) => {
  const edits: TextEdit[] = [];
  for (let k = 0; k < t.length; k++) {
    const close = ifCondition(t, k);
    if (close < 0) continue;
    const negated = t[k + 2].text === '!';
    const from = negated ? k + 3 : k + 2;
    if (from >= close || !plainOperand(t, from, close)) continue;
    if (crossesLine(c, t[k + 2].start, t[close - 1].end)) continue;
    const a = c.text.slice(t[from].start, t[close - 1].end);
    edits.push({ start: t[k + 2].start, end: t[close - 1].end, text: `${a} ${negated ? '==' : '!='} 0` });
  }
  return edits;
};

/** Tokens [from, to) are a name, or names joined by `->` and `.`, with constant indexes. */
function plainOperand(t: readonly Token[], from: number, to: number): boolean {
  if (t[from].kind !== 'id') return false;
  for (let j = from + 1; j < to; j++) {
    const x = t[j].text;
    if ((x === '->' || x === '.') && t[j + 1]?.kind === 'id') j++;
    else if (x === '[' && (t[j + 1]?.kind === 'num' || t[j + 1]?.kind === 'id') && t[j + 2]?.text === ']') j += 2;
    else return false;
  }
  return true;
}

/** The end (exclusive) of an lvalue `L =` starting at `from` (`s`, `a->Status`), or -1. */
function assignedOperand(t: readonly Token[], from: number): number {
  let j = from;
  if (t[j]?.kind !== 'id') return -1;
  while (t[j + 1] && t[j + 1].text !== '=') j++;
  return plainOperand(t, from, j + 1) ? j + 1 : -1;
}

/** `[from, to)` holds none of these tokens at any depth. */
const holdsNone = (t: readonly Token[], from: number, to: number, words: readonly string[]) =>
  t.slice(from, to).every((x) => !words.includes(x.text));

/**
 * `if (C) L = A; else L = B;` → `L = (C) ? (A) : (B);`, each token of the `if` written over in place
 * (the text between tokens, line ends included, stays), for one plain `L` assigned on both ways.
 */
const ternary: Rewrite = (c, t) => {
  const edits: TextEdit[] = [];
  for (let k = 0; k < t.length; k++) {
    if (t[k - 1]?.text === 'else') continue;
    const close = ifCondition(t, k);
    if (close < 0) continue;
    const l1 = close + 1;
    const e1 = assignedOperand(t, l1);
    if (e1 < 0) continue;
    const s1 = t.findIndex((x, i) => i > e1 && x.text === ';');
    if (s1 < 0 || t[s1 + 1]?.text !== 'else') continue;
    const l2 = s1 + 2;
    const e2 = assignedOperand(t, l2);
    if (e2 < 0) continue;
    const s2 = t.findIndex((x, i) => i > e2 && x.text === ';');
    if (s2 < 0 || t[s2 + 1]?.text === 'else') continue;
    const lhs = t
      .slice(l1, e1)
      .map((x) => x.text)
      .join('');
    if (
      lhs !==
      t
        .slice(l2, e2)
        .map((x) => x.text)
        .join('')
    )
      continue;
    // Plain expressions on both ways: no nested statement, assignment or comma.
    const stops = ['{', '}', '=', ',', '?', ':', 'if', 'else'];
    if (!holdsNone(t, e1 + 1, s1, stops) || !holdsNone(t, e2 + 1, s2, stops)) continue;
    if (!holdsNone(t, k + 2, close, ['=', ',', '?', ':'])) continue;
    const text = c.text.slice(t[l1].start, t[e1 - 1].end);
    edits.push({ start: t[k].start, end: t[k].end, text: `${text} =` });
    const more = (start: number, end: number, text: string) => edits.push({ start, end, text, continues: true });
    more(t[close].end, t[close].end, ' ?');
    more(t[l1].start, t[e1].end, '(');
    more(t[s1].start, t[s1].end, ')');
    more(t[s1 + 1].start, t[s1 + 1].end, ':');
    more(t[l2].start, t[e2].end, '(');
    more(t[s2].start, t[s2].start, ')');
  }
  return edits;
};

/** Words that start a statement or qualify a declaration a split would change (`static T x = 0;` runs once). */
const NOT_A_PLAIN_DECLARATION = new Set([
  'return',
  'goto',
  'case',
  'default',
  'else',
  'do',
  'if',
  'while',
  'for',
  'switch',
  'sizeof',
  'typedef',
  'static',
  'extern',
  'const',
  'register',
]);

/**
 * `T *p = E;` → `T *p; p = E;` inside a function: a declaration with one declarator and an
 * initializer that is an expression (not `{...}`), split into the declaration and an assignment.
 */
const splitDeclaration: Rewrite = (_c, t) => {
  const edits: TextEdit[] = [];
  let depth = 0;
  for (let k = 0; k < t.length; k++) {
    const x = t[k].text;
    if (x === '{') depth++;
    else if (x === '}') depth--;
    if (depth < 1 || !['{', '}', ';'].includes(x)) continue;
    // A statement starts at k + 1: words and `*` up to `=`, then the name before it.
    let j = k + 1;
    let words = 0;
    while (j < t.length && (t[j].kind === 'id' || t[j].text === '*')) {
      if (t[j].kind === 'id') {
        if (NOT_A_PLAIN_DECLARATION.has(t[j].text)) break;
        words++;
      }
      j++;
    }
    const eq = j;
    if (t[eq]?.text !== '=' || words < 2 || t[eq - 1].kind !== 'id' || t[eq + 1]?.text === '{') continue;
    // One declarator: no `,` outside brackets before the `;`, which must come before any brace.
    let d = 0;
    let end = -1;
    for (let m = eq + 1; m < t.length; m++) {
      const y = t[m].text;
      if (y === '(' || y === '[') d++;
      else if (y === ')' || y === ']') d--;
      else if (y === '{' || y === '}' || (d === 0 && y === ',')) break;
      else if (d === 0 && y === ';') {
        end = m;
        break;
      }
    }
    if (end < 0) continue;
    edits.push({ start: t[eq].start, end: t[eq].end, text: `; ${t[eq - 1].text} =` });
  }
  return edits;
};

/**
 * `if (C) { S }` → `if (C) { do { S } while (0); }`, and the same for an `else` block: where S holds no
 * `break`, `continue` or `case` label (they would then belong to the `do`).
 */
const doWhileZero: Rewrite = (_c, t) => {
  const edits: TextEdit[] = [];
  for (let k = 0; k < t.length; k++) {
    let open = -1;
    if (t[k].text === 'else' && t[k + 1]?.text === '{') open = k + 1;
    else {
      const close = ifCondition(t, k);
      if (close >= 0 && t[close + 1]?.text === '{') open = close + 1;
    }
    if (open < 0) continue;
    const last = matchForward(t, open);
    if (last < 0) continue;
    let plain = true;
    for (let m = open + 1; m < last && plain; m++)
      if (['break', 'continue', 'case', 'default'].includes(t[m].text)) plain = false;
    if (!plain) continue;
    edits.push({ start: t[open].end, end: t[open].end, text: ' do {' });
    edits.push({ start: t[last].start, end: t[last].start, text: '} while (0); ', continues: true });
  }
  return edits;
};

/** The calls the rule pack reads (acquires, releases, context and constant checks). */
let packCalls: ReadonlySet<string> | undefined;
function ruleCalls(): ReadonlySet<string> {
  if (!packCalls) {
    const pack = loadRulePack();
    const names = new Set<string>();
    for (const r of pack.rules) for (const n of ruleApis(r)) names.add(n);
    for (const res of Object.values(pack.resources)) {
      names.add(res.acquire.call);
      names.add(res.release.call);
    }
    packCalls = names;
  }
  return packCalls;
}

/** Lines that can hold a directive instead of what they hold: blank, or only a `//` comment (not a marker). */
function hostLines(c: CText): number[] {
  const out: number[] = [];
  for (let n = 0; n < c.lineStarts.length; n++) {
    if (c.directive[n] || c.openComment[n]) continue;
    const start = c.lineStarts[n];
    const end = n + 1 < c.lineStarts.length ? c.lineStarts[n + 1] : c.text.length;
    const line = c.text.slice(start, end).replace(/[\r\n]+$/, '');
    const masked = c.masked.slice(start, end);
    if (masked.trim() !== '' || /ndis-review|EXPECT/i.test(line) || line.includes('*/')) continue;
    if (line.trim() !== '' && (!line.trim().startsWith('//') || line.trimEnd().endsWith('\\'))) continue;
    if (n > 0 && /\\[ \t]*\r?\n?$/.test(c.text.slice(c.lineStarts[n - 1], start))) continue;
    out.push(n);
  }
  return out;
}

/** The number of arguments of the call whose `(` is at `open` (top-level commas + 1; 0 for `()`). */
function arity(t: readonly Token[], open: number, close: number): number {
  if (close === open + 1) return 0;
  let d = 0;
  let n = 1;
  for (let m = open + 1; m < close; m++) {
    const x = t[m].text;
    if (x === '(' || x === '[' || x === '{') d++;
    else if (x === ')' || x === ']' || x === '}') d--;
    else if (d === 0 && x === ',') n++;
  }
  return n;
}

/** Is the call whose name is token k a whole statement (`X(...);` after `;`, `{`, `}`, `else` or a control test)? */
function statementCall(t: readonly Token[], k: number, close: number): boolean {
  if (t[close + 1]?.text !== ';') return false;
  const before = t[k - 1] as Token | undefined;
  if (!before || [';', '{', '}', 'else'].includes(before.text)) return true;
  if (before.text !== ')') return false;
  // The `)` of `if (...)`, `while (...)` or `for (...)`.
  let depth = 0;
  for (let j = k - 1; j >= 0; j--) {
    const x = t[j].text;
    if (x === ')') depth++;
    else if (x === '(' && --depth === 0) return ['if', 'while', 'for'].includes(t[j - 1]?.text ?? '');
  }
  return false;
}

/**
 * Calls of the pack's APIs through project macros, as drivers wrap them (`MP_FREE_SHARED(...)`):
 * `NdisMUnmapIoSpace(h, va, n)` → `NR_NdisMUnmapIoSpace(h, va, n)`, with
 * `#define NR_NdisMUnmapIoSpace(a0, a1, a2) NdisMUnmapIoSpace(a0, a1, a2)` written on a blank (or
 * `//` comment) line before the first such call. As statements (`statement`), only calls that are
 * whole statements, through `#define NR_S_X(a0) do { X(a0); } while (0)`. An API whose calls differ in
 * arity, or with no free line before its first call, is left as written.
 */
function wrapCalls(statement: boolean): Rewrite {
  const prefix = statement ? 'NR_S_' : 'NR_';
  return (c, t) => {
    const apis = ruleCalls();
    const calls = new Map<string, { at: number[]; arity: number | undefined; line: number }>();
    for (let k = 0; k < t.length; k++) {
      if (t[k].kind !== 'id' || !apis.has(t[k].text) || t[k + 1]?.text !== '(') continue;
      if (t[k - 1]?.text === '.' || t[k - 1]?.text === '->') continue;
      const close = matchForward(t, k + 1);
      if (close < 0 || (statement && !statementCall(t, k, close))) continue;
      const n = arity(t, k + 1, close);
      let entry = calls.get(t[k].text);
      if (!entry) calls.set(t[k].text, (entry = { at: [], arity: n, line: lineOf(c, t[k].start) - 1 }));
      if (entry.arity !== n) entry.arity = undefined;
      entry.at.push(k);
    }
    const hosts = hostLines(c);
    const edits: TextEdit[] = [];
    const used = new Set<number>();
    for (const [name, e] of [...calls].sort((a, b) => a[1].line - b[1].line)) {
      if (e.arity === undefined) continue;
      const host = hosts.find((n) => n < e.line && !used.has(n));
      if (host === undefined) continue;
      used.add(host);
      const params = Array.from({ length: e.arity }, (_, i) => `a${String(i)}`).join(', ');
      const start = c.lineStarts[host];
      let end = host + 1 < c.lineStarts.length ? c.lineStarts[host + 1] : c.text.length;
      while (end > start && /[\r\n]/.test(c.text[end - 1])) end--;
      const body = statement ? `do { ${name}(${params}); } while (0)` : `${name}(${params})`;
      edits.push({ start, end, text: `#define ${prefix}${name}(${params}) ${body}` });
      for (const k of e.at) edits.push({ start: t[k].start, end: t[k].end, text: `${prefix}${name}` });
    }
    return edits;
  };
}

/** Every line end as CRLF (a lone CR or LF, or CRLF already). */
const crlf: Rewrite = (c) => {
  const edits: TextEdit[] = [];
  for (let i = 0; i < c.text.length; i++) {
    const ch = c.text.charCodeAt(i);
    if (ch === 13 && c.text.charCodeAt(i + 1) === 10) i++;
    else if (ch === 10 || ch === 13) edits.push({ start: i, end: i + 1, text: '\r\n' });
  }
  return edits;
};

/** A Latin-1 word (`Ger\u00e4t`, one byte a character) at the end of every `//` comment outside a directive. */
const latin1Comment: Rewrite = (c) => {
  const edits: TextEdit[] = [];
  for (let n = 0; n < c.lineStarts.length; n++) {
    if (c.directive[n] || c.openComment[n]) continue;
    const start = c.lineStarts[n];
    let end = n + 1 < c.lineStarts.length ? c.lineStarts[n + 1] : c.text.length;
    while (end > start && /[\r\n]/.test(c.text[end - 1])) end--;
    const line = c.text.slice(start, end);
    const at = line.indexOf('//');
    // A comment of the code (masked), not `//` in a string; not a suppression marker; no continuation.
    if (at < 0 || c.masked[start + at] !== ' ' || c.text[start + at] !== '/' || /ndis-review|EXPECT/i.test(line))
      continue;
    if (line.trimEnd().endsWith('\\') || line.includes('*/') || c.masked.slice(start, start + at).includes('"'))
      continue;
    edits.push({ start: end, end, text: ' Ger\u00e4t' });
  }
  return edits;
};

/** `f(a, b)` → `f((a), (b))` for every call of the pack's APIs: each argument in parentheses. */
const parenArgs: Rewrite = (_c, t) => {
  const apis = ruleCalls();
  const edits: TextEdit[] = [];
  for (let k = 0; k < t.length; k++) {
    if (t[k].kind !== 'id' || !apis.has(t[k].text) || t[k + 1]?.text !== '(') continue;
    const close = matchForward(t, k + 1);
    if (close < 0 || close === k + 2) continue;
    let from = k + 2;
    let d = 0;
    let first = true;
    for (let m = k + 2; m <= close; m++) {
      const x = t[m].text;
      if (x === '(' || x === '[' || x === '{') d++;
      else if ((x === ')' || x === ']' || x === '}') && m < close) d--;
      else if (d === 0 && (x === ',' || m === close)) {
        if (m > from) {
          edits.push({ start: t[from].start, end: t[from].start, text: '(', ...(first ? {} : { continues: true }) });
          edits.push({ start: t[m - 1].end, end: t[m - 1].end, text: ')', continues: true });
          first = false;
        }
        from = m + 1;
      }
    }
  }
  return edits;
};

/** The edits of every place: `at` gives those of the place starting at token k, or none. */
function eachPlace(t: readonly Token[], at: (k: number) => TextEdit[] | undefined): TextEdit[] {
  const edits: TextEdit[] = [];
  for (let k = 0; k < t.length; k++) edits.push(...(at(k) ?? []));
  return edits;
}

/** `p->f` → `(*p).f` where `p` is a plain name (not itself a field, nor after `.`, `->` or `::`). */
const arrowDeref: Rewrite = (_c, t) =>
  eachPlace(t, (k) => {
    if (k < 1 || t[k].text !== '->' || t[k - 1].kind !== 'id' || t[k + 1]?.kind !== 'id') return undefined;
    if (['.', '->', '::'].includes(t[k - 2]?.text ?? '')) return undefined;
    return [
      { start: t[k - 1].start, end: t[k - 1].start, text: '(*' },
      { start: t[k].start, end: t[k].end, text: ').', continues: true },
    ];
  });

/** `else if (C) S` → `else { if (C) S }`, for an `S` that is a block with no `else` after it. */
const elseIfBrace: Rewrite = (c, t) =>
  eachPlace(t, (k) => {
    if (t[k].text !== 'else' || t[k + 1]?.text !== 'if') return undefined;
    const close = ifCondition(t, k + 1);
    if (close < 0 || crossesLine(c, t[k].start, t[close].end)) return undefined;
    const last = controlledEnd(t, close, false);
    if (last < 0) return undefined;
    return [
      { start: t[k].end, end: t[k].end, text: ' {' },
      { start: t[last].end, end: t[last].end, text: ' }', continues: true },
    ];
  });

/**
 * `for (I; C; U) { S }` → `I; while (C) { S U; }`, for a loop whose three parts are there, whose body is
 * a block with no `continue` (it would skip `U`), and whose header is on one line.
 */
const forToWhile: Rewrite = (c, t) => {
  const edits: TextEdit[] = [];
  for (let k = 0; k < t.length; k++) {
    if (t[k].text !== 'for' || t[k + 1]?.text !== '(') continue;
    // A statement of a block: after `if (c)` or `else` the init would be the only statement controlled.
    if (!['{', '}', ';'].includes(t[k - 1]?.text ?? '')) continue;
    const close = matchForward(t, k + 1);
    if (close < 0 || t[close + 1]?.text !== '{' || crossesLine(c, t[k].start, t[close].end)) continue;
    const semis: number[] = [];
    let d = 0;
    for (let m = k + 2; m < close; m++) {
      const x = t[m].text;
      if (x === '(' || x === '[') d++;
      else if (x === ')' || x === ']') d--;
      else if (d === 0 && x === ';') semis.push(m);
    }
    if (semis.length !== 2) continue;
    const [s1, s2] = semis;
    // All three parts, no declaration in the first (its scope would widen).
    if (s1 === k + 2 || s2 === s1 + 1 || close === s2 + 1 || t[k + 2].kind !== 'id' || t[k + 3]?.text !== '=') continue;
    const last = matchForward(t, close + 1);
    if (last < 0) continue;
    let plain = true;
    for (let m = close + 2; m < last && plain; m++) if (t[m].text === 'continue' || t[m].text === 'for') plain = false;
    if (!plain) continue;
    const init = c.text.slice(t[k + 2].start, t[s1 - 1].end);
    const cond = c.text.slice(t[s1 + 1].start, t[s2 - 1].end);
    const update = c.text.slice(t[s2 + 1].start, t[close - 1].end);
    edits.push({ start: t[k].start, end: t[close].end, text: `${init}; while (${cond})` });
    edits.push({ start: t[last].start, end: t[last].start, text: `${update}; `, continues: true });
  }
  return edits;
};

/** A name written as a type is: upper case (`PVOID`, `NDIS_STATUS`), or ending in `_t`. */
const TYPE_NAME = /^(?:[A-Z_][A-Z0-9_]*|[A-Za-z_]\w*_t)$/;

/**
 * `(PVOID)a->Va` → `(PVOID)(a->Va)`: a cast to a type name, after `=`, `(`, `,` or `return`, whose
 * operand is a name with fields and constant-free indexes (`a->Q[i].Va`), not called.
 */
const parenCast: Rewrite = (_c, t) => {
  const edits: TextEdit[] = [];
  for (let k = 1; k + 3 < t.length; k++) {
    if (t[k].text !== '(' || t[k + 1].kind !== 'id' || !TYPE_NAME.test(t[k + 1].text) || t[k + 2].text !== ')')
      continue;
    if (!['=', '(', ',', 'return'].includes(t[k - 1].text) || t[k + 3].kind !== 'id') continue;
    let end = k + 3;
    for (;;) {
      const x = t[end + 1]?.text;
      if ((x === '->' || x === '.') && t[end + 2]?.kind === 'id') end += 2;
      else if (x === '[') {
        const close = matchForward(t, end + 1);
        if (close < 0) break;
        end = close;
      } else break;
    }
    if (t[end + 1]?.text === '(' || t[end + 1]?.text === '++' || t[end + 1]?.text === '--') continue;
    // `(PUCHAR)(va) + n` is ambiguous in C without its types (`(va)` may cast `+n`), and tree-sitter
    // reads it so: not a spelling the engine can be asked to read alike.
    if (end === k + 3 && ['+', '-', '*', '&'].includes(t[end + 1]?.text ?? '')) continue;
    edits.push({ start: t[k + 3].start, end: t[k + 3].start, text: '(' });
    edits.push({ start: t[end].end, end: t[end].end, text: ')', continues: true });
  }
  return edits;
};

/**
 * `if (A == B)` → `if (NR_EQ(A, B))` and `if (A != B)` → `if (NR_NE(A, B))`, with
 * `#define NR_EQ(a, b) ((a) == (b))` (and `NR_NE`) on a free line before the first use: a comparison
 * through a project macro, as drivers write `NDIS_FAILED(s)` or `IS_NULL(p)`. The condition is one
 * top-level comparison on one line; a file with no free line before it is left as written.
 */
const testMacro: Rewrite = (c, t) => {
  const uses = new Map<string, { line: number; edits: TextEdit[] }>();
  for (const { k, start, end, op, a, b } of singleComparisons(c, t)) {
    const name = op === '==' ? 'NR_EQ' : 'NR_NE';
    let use = uses.get(name);
    if (!use) uses.set(name, (use = { line: lineOf(c, t[k].start) - 1, edits: [] }));
    use.edits.push({ start, end, text: `${name}(${a}, ${b})` });
  }
  const hosts = hostLines(c);
  const taken = new Set<number>();
  const edits: TextEdit[] = [];
  for (const [name, use] of [...uses].sort((x, y) => x[1].line - y[1].line)) {
    const host = hosts.find((n) => n < use.line && !taken.has(n));
    if (host === undefined) continue;
    taken.add(host);
    const start = c.lineStarts[host];
    let end = host + 1 < c.lineStarts.length ? c.lineStarts[host + 1] : c.text.length;
    while (end > start && /[\r\n]/.test(c.text[end - 1])) end--;
    const op = name === 'NR_EQ' ? '==' : '!=';
    edits.push({ start, end, text: `#define ${name}(a, b) ((a) ${op} (b))`, continues: true }, ...use.edits);
  }
  return edits;
};

export const REWRITES: Readonly<Record<string, Rewrite>> = {
  'swap-compare': swapCompare,
  'null-test': nullTest,
  'brace-goto': braceGoto,
  'invert-if': invertIf,
  'stored-test': storedTest,
  'split-declaration': splitDeclaration,
  'do-while-zero': doWhileZero,
  'macro-wrap': wrapCalls(false),
  'statement-macro': wrapCalls(true),
  crlf,
  'latin1-comment': latin1Comment,
  'paren-args': parenArgs,
  'arrow-deref': arrowDeref,
  'else-if-brace': elseIfBrace,
  'for-to-while': forToWhile,
  'paren-cast': parenCast,
  'test-macro': testMacro,
  'truth-compare': truthCompare,
  ternary,
};

/** The text with the edits applied (from the end, so earlier offsets stay valid; they never overlap). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start || b.end - a.end)) {
    out = out.slice(0, e.start) + e.text + out.slice(e.end);
  }
  return out;
}
