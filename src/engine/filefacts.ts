/**
 * Per-file work, pure: bytes → parsed facts (files the whole-program closure
 * needs; the lexical facts every file gets are in lexentry.ts). Runs in the
 * main thread or in a worker; results are plain data, cached by content hash.
 */
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { FunctionDetail, FunctionFact, ParsedFacts } from './ast.js';
import type { LexFacts, MacroDef } from './lexfacts.js';
import { tokenize } from './lexer.js';
import { cleanUnitFunctions, parseFacts, parseFunctionDetail } from './parse.js';
import { prepareSource, type Prepared } from './preprocess.js';
import type { MacroTable } from './expand.js';
import type { MacroBody } from './program.js';
import { detailFromEarlier } from './moveddetail.js';
import { decodeSource, lineStarts } from './text.js';
import type { Reading } from './movedfacts.js';
import { parsingOnDemand } from './parseclock.js';

export { lexBytes, type LexEntry } from './lexentry.js';

export type ParsedEntry = ParsedFacts & {
  /**
   * The bodies of the file's macros that `macroBodyCandidates` lists, in its order (null: a body that
   * does not read as statements); made on first use (`Program.macroBody`), not by the parse.
   */
  macroBodies?: (MacroBody | null)[];
  /** Digest of the macro definitions the parse could use (empty: none given). */
  macroDigest?: string;
};

/**
 * Parsed facts of a file. `macros` (the repository's, see macrotable.ts) are
 * expanded only where a region does not parse as written; `macroDigest` says
 * which definitions the facts may depend on, for cache keys.
 */
export function parseBytes(bytes: Uint8Array, macros?: MacroTable, macroDigest = ''): ParsedEntry {
  return { ...parseFacts(prepared(bytes, true), macros), macroDigest };
}

/** What a parse worker answers for one file: its facts and the variants it read, or why it failed. */
export interface WorkerAnswer {
  facts?: ParsedEntry;
  prepared?: Prepared;
  error?: string;
}

/** The prepared variants of these bytes, as this thread read them (undefined when it did not). */
export function preparedOf(bytes: Uint8Array): Prepared | undefined {
  return preparedCache.get(bytes);
}

/** Keeps the variants another thread prepared from the same bytes, unless this thread has its own. */
export function keepPrepared(bytes: Uint8Array, p: Prepared): void {
  if (!preparedCache.has(bytes)) preparedCache.set(bytes, p);
}

/**
 * The prepared variants of a file, kept while its bytes are (a function's body is parsed from them
 * when a rule first reads it). Their tokens are kept only for the parse that asks for them: a body's
 * range parse needs none, and a large driver's tokens are megabytes.
 */
const preparedCache = new WeakMap<Uint8Array, Prepared>();
function prepared(bytes: Uint8Array, withTokens = false): Prepared {
  const hit = preparedCache.get(bytes);
  if (hit && !withTokens) return hit;
  const { text } = decodeSource(bytes);
  const { tokens, ...p } = prepareSource(text, tokenize(text));
  preparedCache.set(bytes, p);
  return withTokens ? { ...p, ...(tokens ? { tokens } : {}) } : p;
}

/** What `movedfacts.ts` compares of a version (each call lexes it again); its variants stay cached as `prepared`'s. */
export function readingOf(bytes: Uint8Array): Reading {
  const { text } = decodeSource(bytes);
  const raw = tokenize(text);
  const { tokens, ...p } = prepareSource(text, raw);
  if (!preparedCache.has(bytes)) preparedCache.set(bytes, p);
  return { text, lines: lineStarts(text), tokens: raw, prepared: { ...p, ...(tokens ? { tokens } : {}) } };
}

/** The text of one build variant of a file as the parse read it (undefined past its variants). */
export function variantText(bytes: Uint8Array, variant: number): string | undefined {
  return prepared(bytes).variants[variant];
}

/**
 * A function's parameters and body: from the entry's store, else moved from the file's earlier version
 * when the function's tokens did not change (`moveddetail.ts`), else parsed now; stored in the entry.
 */
export function loadFunctionDetail(
  bytes: Uint8Array,
  entry: ParsedFacts & { macroDigest?: string },
  fn: FunctionFact,
  macros?: MacroTable,
  earlier?: { bytes: Uint8Array; parsed: ParsedFacts & { macroDigest?: string } },
): FunctionDetail {
  const key = `${String(fn.variant)}:${String(fn.start)}`;
  const hit = entry.details?.[key];
  if (hit) return hit;
  const text = earlier ? prepared(bytes).variants[fn.variant] : undefined;
  const moved =
    earlier && text !== undefined
      ? detailFromEarlier(
          {
            bytes: earlier.bytes,
            variant: (v) => prepared(earlier.bytes).variants[v],
            functions: earlier.parsed.functions,
            ...(earlier.parsed.details ? { details: earlier.parsed.details } : {}),
            ...(earlier.parsed.macroDigest !== undefined ? { macroDigest: earlier.parsed.macroDigest } : {}),
          },
          bytes,
          text,
          fn,
          entry.macroDigest,
        )
      : undefined;
  // `macros` are the ones the entry was parsed with (its `macroDigest`): a body the parse left out reads with them.
  const detail = moved ?? parsingOnDemand(() => parseFunctionDetail(prepared(bytes), fn, entry.expansions, macros));
  (entry.details ??= {})[key] = detail;
  return detail;
}

/**
 * Function-like macros that call something, store something, read a field,
 * compare or mask (`MP_SET_FLAG(a, f)`, `MP_TEST_FLAG(a, f)`, `OK(v)`, xframeii's
 * `bit(_flg, _val) ((_flg) & (_val))`), as statement syntax: all of a
 * file's macros go into one synthetic unit, one function per macro, so a
 * use can be expanded at analysis time without the preprocessor.
 */
export function parseMacroBodies(lex: LexFacts, opts: { oneParse?: boolean } = {}): MacroBody[] {
  return macroBodiesOf(lex, opts).filter((b): b is MacroBody => b !== null);
}

/** The macros of a file whose bodies the analyses may read (see `parseMacroBodies`), in file order. */
export function macroBodyCandidates(lex: LexFacts): (MacroDef & { params: string[] })[] {
  return lex.macros.filter(
    (m): m is MacroDef & { params: string[] } =>
      m.params !== null && /[A-Za-z_]\w*\s*\(|->|(?:^|[^=!<>])=(?!=)|[=!]=|(?:^|[^&])&(?![&=])/.test(m.body),
  );
}

/**
 * Macro bodies read before, by the text of the candidates they were read from (names, parameters,
 * bodies): an edit elsewhere in a file leaves its macros' unit as it was, and a body's positions are
 * in the unit, not in the file. Bounded by count; each entry is one file's macros.
 */
const unitBodies = new LRUCache<string, ({ body: MacroBody['body'] } | null)[]>({ max: 256 });

/** The bodies of `macroBodyCandidates(lex)`, one per candidate in its order; null where one does not read. */
export function macroBodiesOf(lex: LexFacts, opts: { oneParse?: boolean } = {}): (MacroBody | null)[] {
  const macros = macroBodyCandidates(lex);
  if (macros.length === 0) return [];
  const h = createHash('sha1').update(opts.oneParse === false ? 'one by one' : 'unit');
  for (const m of macros) h.update(`\n${m.name}(${m.params.join(',')})=${m.body}`);
  const key = h.digest('hex');
  const known = unitBodies.get(key);
  if (known)
    return known.map(
      (b, i) => b && { name: macros[i].name, params: macros[i].params, body: b.body, line: macros[i].line },
    );
  const read = readMacroBodies(macros, opts);
  unitBodies.set(
    key,
    read.map((b) => b && { body: b.body }),
  );
  return read;
}

function readMacroBodies(
  macros: (MacroDef & { params: string[] })[],
  opts: { oneParse?: boolean },
): (MacroBody | null)[] {
  const found = new Map<number, MacroBody>();
  const parseUnit = (indexes: number[]) => {
    const unit = indexes
      .map((i) => `void __ndis_review_macro_${String(i)}(void) { ${statementText(macros[i])} ; }`)
      .join('\n');
    const add = (name: string, body: () => MacroBody['body']) => {
      const i = Number(name.slice('__ndis_review_macro_'.length));
      const m = macros[i] as (typeof macros)[number] | undefined;
      if (m && !found.has(i)) found.set(i, { name: m.name, params: m.params, body: body(), line: m.line });
    };
    // Most units parse cleanly: each body is read from that parse (`oneParse: false` reads every unit
    // function by function, the reference the tests compare with).
    const clean = opts.oneParse === false ? undefined : cleanUnitFunctions(unit);
    if (clean) {
      for (const f of clean) add(f.name, () => f.detail.body);
      return;
    }
    const unitPrepared: Prepared = { variants: [unit], functionClass: [] };
    for (const f of parseFacts(unitPrepared).functions) {
      add(f.name, () => parseFunctionDetail(unitPrepared, f).body);
    }
  };
  parseUnit(macros.map((_m, i) => i));
  // A body that is not a statement (a missing `;`) can swallow the macros after it in the shared unit:
  // those are parsed again one by one.
  const missing = macros.map((_m, i) => i).filter((i) => !found.has(i));
  for (const i of missing.slice(0, MAX_MACROS_ALONE)) parseUnit([i]);
  return macros.map((_m, i) => found.get(i) ?? null);
}

/**
 * A macro body as C statement text: `#param` (its argument's spelling) is a string literal, as the
 * preprocessor makes it; any other `#` (a paste) a space. Read as the argument itself, ASSERT's
 * `DbgPrint("%s", #x)` evaluated the asserted condition once more as a call's argument, and each
 * ASSERT in a cleanup routine multiplied its paths.
 */
function statementText(m: { body: string; params: string[] }): string {
  return m.body
    .replace(/(^|[^#])#\s*([A-Za-z_]\w*)(?!\s*##)/g, (all, pre: string, id: string) =>
      m.params.includes(id) ? `${pre}""` : all,
    )
    .replace(/#/g, ' ');
}

/** Macro bodies of one file parsed one by one after the shared unit lost them: a bound on the cost. */
const MAX_MACROS_ALONE = 400;
