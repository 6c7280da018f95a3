/**
 * Macro expansion for code tree-sitter cannot read as written: a project's
 * debug and statement macros (`TRACE_ONLY(if (x) y)`, `CHECK(p)` with no
 * `;`, `DBG_STATIC`, `MAKECASE(x)`, `list_for_each(a, b) {`) parse only
 * once expanded. Only a damaged region is expanded, as C does it (arguments
 * expanded before substitution, `#` and `##`, the result rescanned, a macro
 * never re-expanded inside its own expansion), under a budget, and every
 * piece of the expanded text keeps where it came from: copied text maps to
 * its own offset, generated text to the macro use that produced it.
 */

export interface MacroDefinition {
  name: string;
  /** Parameter names for a function-like macro (`...` for a variadic tail); null for an object-like one. */
  params: string[] | null;
  body: string;
}

/** The definition each name expands to. */
export type MacroTable = ReadonlyMap<string, MacroDefinition>;

/** One expanded region: its text, and where each piece of it came from. */
export interface Expansion {
  /** Build variant the region belongs to. */
  variant: number;
  /** The region [from, to) of the variant text that was replaced. */
  from: number;
  to: number;
  /** What replaced it. */
  text: string;
  /**
   * Pieces as flat 4-tuples `[start in text, source start, source end, copied]`:
   * a copied piece maps offset by offset; a generated one (copied = 0) maps
   * to the macro use [source start, source end).
   */
  segs: number[];
  /** Macro uses expanded. */
  uses: number;
}

/** Why an expansion was given up. */
export class ExpansionBudget extends Error {}

export interface ExpansionLimits {
  /** Largest expanded region, in characters. */
  maxChars: number;
  /** Most macro expansions in one region, nested ones included. */
  maxExpansions: number;
  /** Deepest nesting of expansions. */
  maxDepth: number;
}

export const DEFAULT_LIMITS: ExpansionLimits = { maxChars: 1 << 20, maxExpansions: 20_000, maxDepth: 64 };

const TOKEN =
  /\s+|\/\*[\s\S]*?\*\/|\/\/[^\n]*|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|[A-Za-z_]\w*|\.?\d(?:[\w.]|[eEpP][-+])*|##|#|->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^!~<>=]=?|\.\.\.|[()[\]{},;:?.]|\S/g;

interface Token {
  text: string;
  /** Whitespace or a comment. */
  space: boolean;
  /** Offset in the string it was read from. */
  at: number;
}

function tokens(s: string): Token[] {
  const out: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(s); m; m = TOKEN.exec(s)) {
    const t = m[0];
    const c = t.charCodeAt(0);
    out.push({ text: t, space: c <= 32 || (c === 47 && (t[1] === '*' || t[1] === '/')), at: m.index });
  }
  return out;
}

const isIdent = (t: string) => /^[A-Za-z_]\w*$/.test(t);

/** Index of the next token that is not space, from i. */
function nextReal(toks: Token[], i: number): number {
  let j = i;
  while (j < toks.length && toks[j].space) j++;
  return j;
}

/** Arguments of a call whose `(` is at toks[open]: their texts and the index of the `)`; undefined when unbalanced. */
function readArgs(toks: Token[], open: number): { args: string[]; close: number } | undefined {
  const args: string[] = [];
  let depth = 0;
  let cur = '';
  for (let j = open; j < toks.length; j++) {
    const t = toks[j].text;
    if (t === '(' || t === '[' || t === '{') {
      if (depth++ > 0) cur += t;
      continue;
    }
    if (t === ')' || t === ']' || t === '}') {
      if (--depth === 0) {
        args.push(cur);
        return { args: args.length === 1 && args[0].trim() === '' ? [] : args, close: j };
      }
      cur += t;
      continue;
    }
    if (t === ',' && depth === 1) {
      args.push(cur);
      cur = '';
      continue;
    }
    cur += toks[j].space ? ' ' : t;
  }
  return undefined;
}

class Expander {
  private expansions = 0;
  private chars = 0;

  constructor(
    private readonly macros: MacroTable,
    private readonly limits: ExpansionLimits,
  ) {}

  /** Expands every macro use in a string (the rescan of a replacement, or an argument). */
  expandString(s: string, hide: ReadonlySet<string>, depth: number): string {
    const toks = tokens(s);
    let out = '';
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      const m = !t.space && isIdent(t.text) && !hide.has(t.text) ? this.macros.get(t.text) : undefined;
      if (!m) {
        out += t.text;
        continue;
      }
      if (m.params === null) {
        out += ` ${this.replace(m, [], hide, depth)} `;
        continue;
      }
      const open = nextReal(toks, i + 1);
      if (toks[open]?.text !== '(') {
        out += t.text;
        continue;
      }
      const call = readArgs(toks, open);
      if (!call) {
        out += t.text;
        continue;
      }
      out += ` ${this.replace(m, call.args, hide, depth)} `;
      i = call.close;
    }
    return out;
  }

  /** One macro use: parameters replaced (`#p` stringized, `##` pasted), then the result rescanned. */
  replace(m: MacroDefinition, args: string[], hide: ReadonlySet<string>, depth: number): string {
    if (++this.expansions > this.limits.maxExpansions)
      throw new ExpansionBudget(`more than ${String(this.limits.maxExpansions)} macro expansions`);
    if (depth >= this.limits.maxDepth)
      throw new ExpansionBudget(`macros nested deeper than ${String(this.limits.maxDepth)} (at ${m.name})`);
    const params = m.params ?? [];
    const argOf = (name: string): string | undefined => {
      if (name === '__VA_ARGS__') {
        const at = params.indexOf('...');
        return at < 0 ? undefined : args.slice(at).join(',');
      }
      const at = params.indexOf(name);
      return at < 0 || name === '...' ? undefined : (args[at] ?? '');
    };
    const body = tokens(m.body).filter((t) => !t.space || t.text.length > 0);
    const pieces: string[] = [];
    const expandedArgs = new Map<string, string>();
    for (let i = 0; i < body.length; i++) {
      const t = body[i];
      if (t.space) {
        pieces.push(' ');
        continue;
      }
      if (t.text === '#' && m.params !== null) {
        const j = nextReal(body, i + 1);
        const raw = body[j] ? argOf(body[j].text) : undefined;
        if (raw !== undefined) {
          pieces.push(JSON.stringify(raw.trim().replace(/\s+/g, ' ')));
          i = j;
          continue;
        }
      }
      if (t.text === '##') {
        // Paste: drop the spaces around it; the operands are taken unexpanded.
        while (pieces.length && pieces[pieces.length - 1] === ' ') pieces.pop();
        const j = nextReal(body, i + 1);
        if (body[j]) {
          const raw = argOf(body[j].text);
          pieces.push(raw !== undefined ? raw.trim() : body[j].text);
          i = j;
        }
        continue;
      }
      const raw = isIdent(t.text) ? argOf(t.text) : undefined;
      if (raw === undefined) {
        pieces.push(t.text);
        continue;
      }
      const nextIsPaste = body[nextReal(body, i + 1)]?.text === '##';
      if (nextIsPaste) {
        pieces.push(raw.trim());
        continue;
      }
      let full = expandedArgs.get(t.text);
      if (full === undefined) {
        full = this.expandString(raw, hide, depth + 1);
        expandedArgs.set(t.text, full);
      }
      pieces.push(full);
    }
    const inner = new Set(hide);
    inner.add(m.name);
    const result = this.expandString(pieces.join(''), inner, depth + 1);
    this.chars += result.length;
    if (this.chars > this.limits.maxChars)
      throw new ExpansionBudget(`macro expansion grew past ${String(this.limits.maxChars)} characters (at ${m.name})`);
    return result;
  }

  get count(): number {
    return this.expansions;
  }
}

/**
 * Expands the macro uses in [from, to) of `text`. Text between uses is
 * copied as it is (comments, line breaks); a use becomes its expansion,
 * padded with spaces. Throws `ExpansionBudget` when the budget runs out.
 */
export function expandRegion(
  text: string,
  from: number,
  to: number,
  macros: MacroTable,
  variant = 0,
  limits: ExpansionLimits = DEFAULT_LIMITS,
): Expansion {
  const x = new Expander(macros, limits);
  const region = text.slice(from, to);
  const toks = tokens(region);
  const out: string[] = [];
  const segs: number[] = [];
  let outLen = 0;
  let cursor = 0;
  let uses = 0;
  const copy = (a: number, b: number) => {
    if (b <= a) return;
    segs.push(outLen, from + a, from + b, 1);
    out.push(region.slice(a, b));
    outLen += b - a;
  };
  const generate = (s: string, a: number, b: number) => {
    segs.push(outLen, from + a, from + b, 0);
    out.push(s);
    outLen += s.length;
  };
  let depth = 0;
  let prev: Token | undefined;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.space) continue;
    const before = prev;
    prev = t;
    if (t.text === '{') depth++;
    else if (t.text === '}') depth = Math.max(0, depth - 1);
    if (!isIdent(t.text)) continue;
    const m = macros.get(t.text);
    if (!m) continue;
    let end = t.at + t.text.length;
    let args: string[] = [];
    if (m.params !== null) {
      const open = nextReal(toks, i + 1);
      if (toks[open]?.text !== '(') continue;
      const call = readArgs(toks, open);
      if (!call) continue;
      // `BOOLEAN RegisterCallback(PADAPTER A) {` at file scope defines a function: a macro of the same
      // name is the stub of another build (`#else #define RegisterCallback(A) TRUE`), which the
      // repository's macro table reads beside it. C would never see both; the definition wins.
      if (
        depth === 0 &&
        before &&
        (isIdent(before.text) || before.text === '*') &&
        toks[nextReal(toks, call.close + 1)]?.text === '{'
      ) {
        prev = toks[call.close];
        i = call.close;
        continue;
      }
      args = call.args;
      end = toks[call.close].at + 1;
      i = call.close;
    }
    copy(cursor, t.at);
    generate(` ${x.replace(m, args, new Set(), 0)} `, t.at, end);
    cursor = end;
    uses++;
  }
  copy(cursor, region.length);
  return { variant, from, to, text: out.join(''), segs, uses };
}

/** Offsets of an expanded region's text mapped back to the source. */
export class PositionMap {
  constructor(private readonly e: Expansion) {}

  /** Source offset of an offset in the expanded text (`end`: a range's exclusive end). */
  source(offset: number, end = false): number {
    const segs = this.e.segs;
    const n = segs.length / 4;
    let lo = 0;
    let hi = n - 1;
    const rel = offset - this.e.from;
    if (n === 0) return this.e.from;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (segs[mid * 4] <= rel - (end ? 1 : 0)) lo = mid;
      else hi = mid - 1;
    }
    const at = lo * 4;
    const [start, srcStart, srcEnd, copied] = [segs[at], segs[at + 1], segs[at + 2], segs[at + 3]];
    if (copied) return Math.min(srcEnd, srcStart + (rel - start));
    return end ? srcEnd : srcStart;
  }
}

/** Expanded text spliced into the variant: what tree-sitter parses. */
export function splice(variantText: string, e: Expansion): string {
  return variantText.slice(0, e.from) + e.text + variantText.slice(e.to);
}
