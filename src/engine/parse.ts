/**
 * The tree-sitter stage: parses each build variant of a prepared file and
 * extracts its facts. A region the parser could not read (a half-written
 * function) is parsed again in pieces, cut where a line starts with `}`,
 * so the intact functions around it are not lost.
 */
import { createRequire } from 'node:module';
import type Parser from 'tree-sitter';
import type { FunctionDetail, FunctionFact, ParsedFacts } from './ast.js';
import { expandRegion, ExpansionBudget, PositionMap, splice, type Expansion, type MacroTable } from './expand.js';
import {
  deepPoint,
  FactExtractor,
  functionDetail,
  functionNameText,
  harmfulDamage,
  MAX_NESTING,
  withPositions,
  tooDeepMessage,
  type LimitNote,
  type SourcePositions,
} from './extract.js';
import { scanBody } from './lexscan.js';
import { liteTree } from './lite.js';
import { tokenize, tokensOfRegion, type Tokens } from './lexer.js';
import { functionBodies } from './skeleton.js';
import { defined } from '../util/defined.js';
import { stopIfAsked } from './stop.js';
import type { Prepared } from './preprocess.js';
import { lineOf, lineStarts } from './text.js';
import { noteTree } from './trees.js';
import { prepareNodeClasses } from './nodeclasses.js';

let parser: Parser | undefined;

function getParser(): Parser {
  if (!parser) {
    // Loaded on first use: a fully cached run never needs the native parser.
    const require = createRequire(import.meta.url);
    const TreeSitter = require('tree-sitter') as typeof Parser;
    const language = require('tree-sitter-c') as Parser.Language;
    // The module exports its node class at run time; its typings declare only the interface.
    const { SyntaxNode } = TreeSitter as unknown as { SyntaxNode: abstract new (...args: never[]) => object };
    prepareNodeClasses(SyntaxNode, language, require.resolve('tree-sitter'));
    parser = new TreeSitter();
    parser.setLanguage(language);
  }
  return parser;
}

/** Text handed to tree-sitter per read when only a range is parsed. */
const RANGE_CHUNK = 64 * 1024;

function parseText(text: string, ranges?: Parser.Range[], old?: Parser.Tree): Parser.Tree {
  // Between native calls: a stop asked for now ends the scan before tree-sitter calls back for text.
  stopIfAsked();
  // One function of a large file: hand over text in chunks from where the parser reads, not the
  // whole rest of the file on every call (that made reading a file's functions cost its size squared).
  const input = (offset: number) => text.slice(offset, offset + RANGE_CHUNK);
  const tree = ranges
    ? getParser().parse(input, undefined, { bufferSize: RANGE_CHUNK, includedRanges: ranges })
    : getParser().parse(text, old, { bufferSize: Math.max(32 * 1024, text.length + 1) });
  // Counted for `releaseTrees`: the tree's memory is outside V8's sight (see trees.ts).
  noteTree(tree.rootNode.descendantCount);
  return tree;
}

/** How the variants of the files parsed in this thread were read (tests check that reuse happens). */
export const variantReads = { fresh: 0, incremental: 0, itemsReused: 0, regionsShared: 0, skeletonsShared: 0 };

/**
 * `incremental: false` parses every variant from scratch (the reference that tests compare with);
 * `skeletonRanges` is the most ranges a skeleton is parsed through (`parseSkeleton`; tests set 0);
 * `shareSkeletons: false` parses every variant's skeleton (the reference for `changedBodies`).
 */
export function parseFacts(
  prepared: Prepared,
  macros?: MacroTable,
  opts: {
    incremental?: boolean;
    shareRegions?: boolean;
    skeleton?: boolean;
    skeletonRanges?: number;
    shareSkeletons?: boolean;
  } = {},
): ParsedFacts {
  const incremental = opts.incremental ?? true;
  const x = new FactExtractor();
  const expansions: Expansion[] = [];
  const limits: { line: number; why: string }[] = [];
  const read: RegionReads = {
    macros,
    expansions,
    limits,
    ...(opts.shareRegions === false ? {} : { regions: new Map<string, RegionRead>() }),
  };
  let prev: { text: string; tree: Parser.Tree } | undefined;
  let recovered = false as boolean; // set in the variants' callback
  /** The first variant's skeleton reading, which a later variant that differs only inside bodies shares. */
  let first: FirstSkeleton | undefined;
  let bodies: [number, number][] | undefined;
  // Every variant keeps the source's line breaks: one set of line starts serves them all.
  const starts = variantStarts(prepared);
  prepared.variants.forEach((text, v) => {
    const before = x.functions.length;
    const toks = prepared.tokens?.[v] ?? tokenize(text);
    const changed = first && opts.shareSkeletons !== false ? changedBodies(first, text, toks) : undefined;
    if (changed) {
      // Outside the bodies the text is the first variant's, so its skeleton, declarations and
      // functions are too: only the functions whose bodies differ are this variant's own (the others
      // would read the same and be dropped as duplicates below).
      variantReads.skeletonsShared++;
      // What reading the skeleton noted (an initializer nested too deep) it notes for this variant too.
      x.limits.push(...defined(first, 'first variant').limits);
      for (const fn of changed) {
        // Its body facts are this variant's, read below.
        const own: FunctionFact = { ...fn, variant: v };
        delete own.maskedWrites;
        x.functions.push(own);
      }
      prev = undefined;
    } else if (opts.skeleton !== false && (bodies = parseSkeletonInto(x, text, starts, toks, v, opts.skeletonRanges))) {
      if (v === 0) first = { text, bodies, functions: [...x.functions], limits: [...x.limits] };
      // A later variant's whole parse starts afresh: this tree holds no bodies to reuse.
      prev = undefined;
    } else {
      const { tree, unchanged } = parseVariant(text, starts, incremental ? prev : undefined);
      if (tree.rootNode.hasError) recovered = true;
      prev = { text, tree };
      readVariant(x, text, starts, tree, v, unchanged, read);
    }
    if (x.functions.length === before) return;
    // What linking needs from the bodies comes from their tokens, not from the tree.
    const expandedToks = new Map<number, ReturnType<typeof tokenize>>();
    for (const fn of x.functions.slice(before)) {
      let b;
      if (fn.expansion === undefined) {
        b = scanBody(text, toks, fn.bodyStart, fn.end, fn.name, (o) => lineOf(starts, o));
      } else {
        const e = expansions[fn.expansion];
        const text2 = splice(text, e);
        let t2 = expandedToks.get(fn.expansion);
        // Only the expanded region is lexed: the functions read from it lie inside it.
        if (!t2)
          expandedToks.set(fn.expansion, (t2 = tokensOfRegion(text, toks, text2, e.from, e.from + e.text.length)));
        const map = new PositionMap(e);
        b = scanBody(text2, t2, fn.bodyStart, fn.end, fn.name, (o) => lineOf(starts, map.source(o)));
      }
      fn.calls = b.calls;
      fn.refs = b.refs;
      fn.refLines = b.refLines;
      fn.indirectCalls = b.indirectCalls;
      fn.fieldCalls = b.fieldCalls;
      fn.fieldWrites = b.fieldWrites;
      if (b.maskedWrites.length) fn.maskedWrites = b.maskedWrites;
      fn.returns = b.returns;
      x.assigns.push(...b.assigns);
    }
  });
  const facts = x.finish(prepared.functionClass);
  if (expansions.length) facts.expansions = expansions;
  if (limits.length) facts.expansionLimits = limits;
  if (recovered) facts.recovered = true;
  return prepared.variants.length > 1 ? dedupeVariants(facts) : facts;
}

/** The first variant as its skeleton read it: its text, its bodies' interiors and its functions. */
interface FirstSkeleton {
  text: string;
  bodies: [number, number][];
  functions: FunctionFact[];
  limits: LimitNote[];
}

/**
 * Reads the variant's skeleton into `x` (its top-level items, each body left out) and gives the
 * bodies left out; undefined when the skeleton does not read cleanly, and nothing was read.
 */
function parseSkeletonInto(
  x: FactExtractor,
  text: string,
  starts: number[],
  toks: Tokens,
  v: number,
  maxRanges = MAX_SKELETON_RANGES,
): [number, number][] | undefined {
  const skeleton = parseSkeleton(text, starts, toks, maxRanges);
  if (!skeleton) return undefined;
  const before = x.functions.length;
  x.addTopLevel(skeleton.tree.rootNode.namedChildren, v);
  for (const fn of x.functions.slice(before)) if (skeleton.leftOut.has(fn.bodyStart + 1)) fn.bodyLeftOut = true;
  return skeleton.bodies;
}

/**
 * The functions of the first variant whose bodies differ in `text`, a later variant, when every
 * character that differs lies inside a body the first variant's skeleton left out and the bodies are
 * where they were; else undefined (the variant's skeleton is parsed). Variants blank `#if` branches
 * in place, so outside the bodies such a variant is the same text at the same offsets: the same
 * skeleton, read the same. A body whose text is the same reads the same too: its `{` is where it was,
 * so the lexer enters it as it did, and its tokens are the same.
 */
function changedBodies(first: FirstSkeleton, text: string, toks: Tokens): FunctionFact[] | undefined {
  if (text.length !== first.text.length) return undefined;
  const bodies = functionBodies(text, toks);
  if (bodies?.length !== first.bodies.length) return undefined;
  for (const [i, [s, e]] of bodies.entries())
    if (s !== first.bodies[i][0] || e !== first.bodies[i][1]) return undefined;
  const touched = new Set<number>();
  let b = 0;
  for (const [s, e] of differingRanges(first.text, text, 0)) {
    // The body holding [s, e), if one does (bodies are in order and do not overlap).
    while (b < bodies.length && bodies[b][1] < e) b++;
    if (b === bodies.length || s < bodies[b][0]) return undefined;
    touched.add(bodies[b][0]);
  }
  return first.functions.filter((fn) => fn.bodyLeftOut && touched.has(fn.bodyStart + 1));
}

/**
 * The variant parsed without its function bodies (see skeleton.ts), when that reads cleanly; else
 * undefined, and the variant is parsed whole (a syntax error outside the bodies is recovered from as
 * the whole text reads, with the project's macros and in pieces).
 */
function parseSkeleton(
  text: string,
  starts: number[],
  toks: Tokens,
  maxRanges: number,
): { tree: Parser.Tree; leftOut: Set<number>; bodies: [number, number][] } | undefined {
  const bodies = functionBodies(text, toks);
  if (!bodies?.length) return undefined;
  const leftOut = new Set(bodies.map(([s]) => s));
  if (bodies.length >= maxRanges) {
    const tree = parseText(blankBodies(text, bodies));
    return tree.rootNode.hasError ? undefined : { tree, leftOut, bodies };
  }
  const ranges: Parser.Range[] = [];
  let at = 0;
  for (const [s, e] of bodies) {
    if (s > at) ranges.push(toRange(starts, at, s));
    at = e;
  }
  if (text.length > at) ranges.push(toRange(starts, at, text.length));
  const tree = parseText(text, ranges);
  return tree.rootNode.hasError ? undefined : { tree, leftOut, bodies };
}

/**
 * Past this many bodies, a skeleton is parsed as the text with its bodies blanked, not through
 * included ranges: tree-sitter looks a position's range up from the first one, so a parse through
 * ranges costs the tokens outside the bodies times the ranges (a file of 20,000 functions: 2.4 s,
 * against 0.26 s blanked and 0.32 s whole). Below it the ranges are cheaper (a 66-function driver
 * file: 4 ms, against 15 ms blanked).
 */
const MAX_SKELETON_RANGES = 1024;

/**
 * `text` with the interiors of `bodies` turned to spaces, line breaks kept: the same offsets and
 * rows, and the same tree as the parse through the ranges around them (whitespace makes no node).
 */
function blankBodies(text: string, bodies: [number, number][]): string {
  const parts: string[] = [];
  let at = 0;
  for (const [s, e] of bodies) {
    parts.push(text.slice(at, s), text.slice(s, e).replace(/[^\r\n]/g, ' '));
    at = e;
  }
  parts.push(text.slice(at));
  return parts.join('');
}

/** Parameters and body of one function, by parsing just its range of the variant (or expanded region) it came from. */
export function parseFunctionDetail(
  prepared: Prepared,
  fn: FunctionFact,
  expansions?: Expansion[],
  macros?: MacroTable,
): FunctionDetail {
  if (fn.bodyLeftOut) return leftOutDetail(prepared, fn, macros);
  const variant = prepared.variants[fn.variant] ?? prepared.variants[0];
  const e = fn.expansion === undefined ? undefined : expansions?.[fn.expansion];
  const text = e ? splice(variant, e) : variant;
  const starts = e ? lineStarts(text) : variantStarts(prepared);
  const def = definitionIn(parseText(text, [toRange(starts, fn.start, fn.end)]).rootNode);
  if (!def) return { params: [], body: { k: 'nop' } };
  // Read through a plain copy (see lite.ts): the same answers, without a native call per question.
  const node = liteTree(def, text, starts);
  return withPositions(e ? sourcePositions(e, variantStarts(prepared)) : undefined, () => functionDetail(node));
}

/**
 * A body the file's parse left out (see `parseSkeleton`), read as the file's whole parse reads a
 * function: as written when that reads cleanly; else with the project's macros expanded when that
 * reads cleanly (a statement macro with no `;`); else as written, damaged. Nesting past the limit
 * counts as damage too, with a note of its own.
 */
function leftOutDetail(prepared: Prepared, fn: FunctionFact, macros: MacroTable | undefined): FunctionDetail {
  const variant = prepared.variants[fn.variant] ?? prepared.variants[0];
  const starts = variantStarts(prepared);
  const def = definitionIn(parseText(variant, [toRange(starts, fn.start, fn.end)]).rootNode);
  if (!def) return { params: [], body: { k: 'nop' }, damagedAt: fn.p[0] };
  // Any error, a missing `;` too: the whole parse expands such an item first (a statement macro used without one).
  if (def.hasError && macros?.size) {
    const e = expandedRegion(variant, fn.start, fn.end, fn.variant, macros);
    if (e) {
      const text = splice(variant, e);
      const sub = parseText(text, [regionRange(starts, e)]).rootNode;
      const def2 = harmfulDamage(sub) ? undefined : definitionIn(sub);
      if (def2) return readDetail(def2, text, lineStarts(text), sourcePositions(e, starts));
    }
  }
  const detail = readDetail(def, variant, starts, undefined);
  return harmfulDamage(def) && detail.damagedAt === undefined
    ? { ...detail, damagedAt: def.startPosition.row + 1 }
    : detail;
}

/** The function definition a range parse holds. */
function definitionIn(root: Parser.SyntaxNode): Parser.SyntaxNode | undefined {
  return (
    root.namedChildren.find((c) => c.type === 'function_definition') ??
    root.descendantsOfType('function_definition').at(0)
  );
}

/** An expansion of [from, to) that uses a macro, or undefined (none used, or past the expansion budget). */
function expandedRegion(
  text: string,
  from: number,
  to: number,
  variant: number,
  macros: MacroTable,
): Expansion | undefined {
  try {
    const e = expandRegion(text, from, to, macros, variant);
    return e.uses > 0 ? e : undefined;
  } catch (err) {
    if (err instanceof ExpansionBudget) return undefined;
    throw err;
  }
}

/** A definition's detail, with the line where its body nests past the limit (the whole parse's `deepPoint` check). */
function readDetail(
  def: Parser.SyntaxNode,
  text: string,
  starts: number[],
  positions: SourcePositions | undefined,
): FunctionDetail {
  return withPositions(positions, () => {
    const body = def.childForFieldName('body');
    const deepAt = body ? deepPoint(body, MAX_NESTING - 1) : undefined;
    const detail = functionDetail(liteTree(def, text, starts));
    if (deepAt === undefined) return detail;
    return { ...detail, damagedAt: deepAt, deep: tooDeepMessage(functionNameText(def)) };
  });
}

/**
 * Each function of a text that parses without an error anywhere, read from that one parse: its name
 * and what `parseFunctionDetail` gives for it. For a synthetic unit of many small functions (the
 * macro bodies of a file), where a range parse per function cost more than the unit's own parse.
 * Undefined when the text has an error: the caller reads it function by function.
 */
export function cleanUnitFunctions(text: string): { name: string; detail: FunctionDetail }[] | undefined {
  const root = parseText(text).rootNode;
  if (root.hasError) return undefined;
  const starts = lineStarts(text);
  const out: { name: string; detail: FunctionDetail }[] = [];
  for (const def of root.namedChildren) {
    if (def.type !== 'function_definition') continue;
    const node = liteTree(def, text, starts);
    const name = node.childForFieldName('declarator')?.childForFieldName('declarator');
    if (name?.type !== 'identifier') continue;
    out.push({ name: name.text, detail: withPositions(undefined, () => functionDetail(node)) });
  }
  return out;
}

/**
 * The line starts of a prepared file, which every variant shares (each keeps the source's line
 * breaks: `Prepared`), worked out once per file for its parse and for every body read from it later.
 * Kept by the variants, which a file's prepared copies share: remembering only the last text, the
 * bodies the rules read from file to file computed them again at nearly every read (a tenth of what
 * a large driver's scan allocated).
 */
const startsByVariants = new WeakMap<readonly string[], number[]>();
function variantStarts(prepared: Prepared): number[] {
  let starts = startsByVariants.get(prepared.variants);
  if (!starts) startsByVariants.set(prepared.variants, (starts = lineStarts(prepared.variants[0])));
  return starts;
}

/** Positions of an expanded region, read back in the source text. */
function sourcePositions(e: Expansion, sourceStarts: number[]): SourcePositions {
  const map = new PositionMap(e);
  return {
    source: (o, end) => map.source(o, end),
    at: (o) => {
      const line = lineOf(sourceStarts, o);
      return [line, o - sourceStarts[line - 1] + 1];
    },
  };
}

/**
 * A build variant's tree. Variants of a file differ only where a branch of an `#if` was blanked
 * (same length, same offsets), so from the second on the tree is the one before, edited where the
 * texts differ and parsed again incrementally: tree-sitter re-reads only those regions. Items of
 * the new tree that no edit touched and whose syntax did not change (`unchanged`) read as they did
 * in an earlier variant, so their facts are not extracted again (the variants' facts are merged
 * and deduplicated anyway). Only between clean trees: a tree with a syntax error is parsed fresh,
 * since error recovery is where an incremental parse may read otherwise than a fresh one.
 */
function parseVariant(
  text: string,
  starts: number[],
  prev: { text: string; tree: Parser.Tree } | undefined,
): { tree: Parser.Tree; unchanged?: (n: Parser.SyntaxNode) => boolean } {
  if (!prev || prev.tree.rootNode.hasError || prev.text.length !== text.length) return fresh(text);
  const diffs = differingRanges(prev.text, text);
  for (const [s, e] of diffs) {
    const r = toRange(starts, s, e);
    prev.tree.edit({
      startIndex: s,
      oldEndIndex: e,
      newEndIndex: e,
      startPosition: r.startPosition,
      oldEndPosition: r.endPosition,
      newEndPosition: r.endPosition,
    });
  }
  const tree = parseText(text, undefined, prev.tree);
  if (tree.rootNode.hasError) return fresh(text);
  variantReads.incremental++;
  // The edited regions, and where tree-sitter says the syntax changed beyond them (an item whose own
  // text is the same can still read otherwise when what is around it changed).
  const changed = mergeRanges([
    ...diffs,
    ...tree.getChangedRanges(prev.tree).map((r): [number, number] => [r.startIndex, r.endIndex]),
  ]);
  return {
    tree,
    unchanged: (n) => {
      const same = !touches(changed, n.startIndex, n.endIndex);
      if (same) variantReads.itemsReused++;
      return same;
    },
  };
}

function fresh(text: string): { tree: Parser.Tree } {
  variantReads.fresh++;
  return { tree: parseText(text) };
}

/** Texts closer than this are one edit: fewer, larger edits cost tree-sitter less than many small ones. */
const EDIT_GAP = 256;

/** Characters compared at once where two variants are likely the same. */
const SAME_BLOCK = 512;

/** [start, end) ranges where two texts of the same length differ, joined across gaps shorter than `gap`. */
export function differingRanges(a: string, b: string, gap = EDIT_GAP): [number, number][] {
  const out: [number, number][] = [];
  const n = a.length;
  for (let i = 0; i < n;) {
    // Variants are mostly the same text: a block that compares equal as a whole (a native comparison)
    // is passed over, not read a character at a time.
    if (i + SAME_BLOCK <= n && a.slice(i, i + SAME_BLOCK) === b.slice(i, i + SAME_BLOCK)) {
      i += SAME_BLOCK;
      continue;
    }
    const end = Math.min(n, i + SAME_BLOCK);
    while (i < end && a.charCodeAt(i) === b.charCodeAt(i)) i++;
    if (i === end) continue;
    let j = i + 1;
    while (j < n && a.charCodeAt(j) !== b.charCodeAt(j)) j++;
    const last = out.at(-1);
    if (last && i - last[1] < gap) last[1] = j;
    else out.push([i, j]);
    // The texts agree at j (or it is the end).
    i = j + 1;
  }
  return out;
}

/** Sorted, overlapping or touching ranges joined. */
function mergeRanges(ranges: [number, number][]): [number, number][] {
  ranges.sort((p, q) => p[0] - q[0]);
  const out: [number, number][] = [];
  for (const [s, e] of ranges) {
    const last = out.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** Whether [s, e] meets any of the sorted, disjoint ranges (touching counts). */
function touches(ranges: [number, number][], s: number, e: number): boolean {
  let lo = 0;
  let hi = ranges.length;
  // The first range that does not end before s.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid][1] < s) lo = mid + 1;
    else hi = mid;
  }
  return lo < ranges.length && ranges[lo][0] <= e;
}

/**
 * What reading a variant's damaged regions shares: the repository's macros, the expansions taken
 * and the limits met (the file's facts), and the regions read so far. Variants of a file differ only
 * in blanked `#if` branches, so a damaged region of the same text at the same place reads the same in
 * each: its expansion and parse are made once (undefined `regions`: every variant reads its own).
 */
interface RegionReads {
  macros: MacroTable | undefined;
  expansions: Expansion[];
  limits: { line: number; why: string }[];
  regions?: Map<string, RegionRead>;
}

/** How one region read: expanded (and clean), or not (past a budget, no macro used, still damaged); or parsed as written. */
type RegionRead =
  | { k: 'expanded'; e: Expansion; sub: Parser.SyntaxNode }
  | { k: 'budget'; why: string }
  | { k: 'not-expanded' }
  | { k: 'piece'; sub: Parser.SyntaxNode };

/** A region's read, made by `make` unless this file read the same text at the same place before. */
function regionRead(
  read: RegionReads,
  kind: string,
  text: string,
  starts: number[],
  from: number,
  to: number,
  make: () => RegionRead,
): RegionRead {
  if (!read.regions) return make();
  // Its line too: positions are read from it (variants keep every line break, so it is the same).
  const key = `${kind}|${String(from)}|${String(to)}|${String(lineOf(starts, from))}|${text.slice(from, to)}`;
  let r = read.regions.get(key);
  if (r) variantReads.regionsShared++;
  else read.regions.set(key, (r = make()));
  return r;
}

function readVariant(
  x: FactExtractor,
  text: string,
  starts: number[],
  tree: Parser.Tree,
  v: number,
  unchanged: ((n: Parser.SyntaxNode) => boolean) | undefined,
  read: RegionReads,
): void {
  const { macros } = read;
  const root = tree.rootNode;
  if (!root.hasError) {
    x.addTopLevel(unchanged ? root.namedChildren.filter((c) => !unchanged(c)) : root.namedChildren, v);
    return;
  }
  // A recovery that gave up on the whole file (its root is one ERROR holding every token): the
  // file is read in pieces, cut where a line starts with `}`, as a damaged region is.
  if (root.type === 'ERROR') {
    readPieces(x, text, starts, splitAtClosingBraces(text, starts, 0, text.length), v, read);
    return;
  }
  const children = root.namedChildren;
  for (let i = 0; i < children.length; i++) {
    const child = children[i];
    if (!child.hasError) {
      x.topItem(child, v);
      continue;
    }
    // Project macros first: a region that parses once they are expanded is read as expanded (a statement
    // macro with no `;` reads as the statement it is, `if (c) return s;` included). The parser's recovery
    // may have cut one function into several items (`try {` read as the end of one): then the span up to
    // the next damaged item or the one after is expanded as one region.
    if (macros?.size) {
      let taken = -1;
      const damagedAfter = children
        .slice(i + 1)
        .filter((c) => c.hasError)
        .slice(0, 2);
      for (const last of [child, ...damagedAfter]) {
        if (readExpanded(x, text, starts, child.startIndex, last.endIndex, v, read)) {
          taken = children.indexOf(last);
          break;
        }
      }
      if (taken >= 0) {
        i = taken;
        continue;
      }
    }
    // A recovery that lost nothing (a `;` or a name supplied): read as it is.
    if (!harmfulDamage(child)) {
      x.topItem(child, v);
      continue;
    }
    // The parser's recovery can leave a function's body as a statement of its own at file scope
    // (`return ]` swallowing the next function's header): such stray statements belong to the
    // damaged region, so the piece that holds the header also holds its body.
    let end = child.endIndex;
    let last = i;
    while (last + 1 < children.length && STRAY_AT_FILE_SCOPE.has(children[last + 1].type)) {
      last++;
      end = children[last].endIndex;
    }
    const pieces = splitAtClosingBraces(text, starts, child.startIndex, end);
    if (pieces.length <= 1) {
      x.topItem(child, v);
      continue;
    }
    i = last;
    readPieces(x, text, starts, pieces, v, read);
  }
}

/** Each piece of a damaged region parsed on its own (macros expanded where that reads cleanly). */
function readPieces(
  x: FactExtractor,
  text: string,
  starts: number[],
  pieces: [number, number][],
  v: number,
  read: RegionReads,
): void {
  for (const [s, e] of pieces) {
    if (read.macros?.size && readExpanded(x, text, starts, s, e, v, read)) continue;
    const range = toRange(starts, s, e);
    const r = regionRead(read, 'piece', text, starts, s, e, () => ({
      k: 'piece',
      sub: parseText(text, [range]).rootNode,
    }));
    if (r.k !== 'piece') continue;
    x.addTopLevel(r.sub.namedChildren, v);
    if (harmfulDamage(r.sub)) x.damagedLines.push(range.startPosition.row + 1);
  }
}

/** Statements (and error nodes) tree-sitter may leave at file scope after an error: never C's own top-level items. */
const STRAY_AT_FILE_SCOPE = new Set([
  'ERROR',
  'compound_statement',
  'expression_statement',
  'return_statement',
  'if_statement',
  'while_statement',
  'for_statement',
  'do_statement',
  'switch_statement',
  'goto_statement',
  'labeled_statement',
  'break_statement',
  'continue_statement',
]);

/** Parses [from, to) with its macros expanded; true when that reads cleanly (and was taken). */
function readExpanded(
  x: FactExtractor,
  text: string,
  starts: number[],
  from: number,
  to: number,
  v: number,
  read: RegionReads,
): boolean {
  const macros = read.macros;
  if (!macros) return false;
  const r = regionRead(read, 'expanded', text, starts, from, to, (): RegionRead => {
    let e: Expansion;
    try {
      e = expandRegion(text, from, to, macros, v);
    } catch (err) {
      if (!(err instanceof ExpansionBudget)) throw err;
      return { k: 'budget', why: err.message };
    }
    if (e.uses === 0) return { k: 'not-expanded' };
    const sub = parseText(splice(text, e), [regionRange(starts, e)]).rootNode;
    return harmfulDamage(sub) ? { k: 'not-expanded' } : { k: 'expanded', e, sub };
  });
  if (r.k === 'budget') read.limits.push({ line: lineOf(starts, from), why: r.why });
  if (r.k !== 'expanded') return false;
  // Each variant's functions name an expansion of their own variant (the same text, shared or not).
  const e = r.e.variant === v ? r.e : { ...r.e, variant: v };
  const index = read.expansions.push(e) - 1;
  const before = x.functions.length;
  withPositions(sourcePositions(e, starts), () => {
    x.addTopLevel(r.sub.namedChildren, v);
  });
  for (const fn of x.functions.slice(before)) fn.expansion = index;
  return true;
}

/** [start, end) pieces of a region, each ending after a line that starts with `}`. */
function splitAtClosingBraces(text: string, starts: number[], from: number, to: number): [number, number][] {
  const pieces: [number, number][] = [];
  let pieceStart = from;
  for (const ls of starts) {
    if (ls <= from || ls >= to) continue;
    if (text.charCodeAt(ls) === 125 /* } */) {
      const nl = text.indexOf('\n', ls);
      const end = nl === -1 || nl + 1 > to ? to : nl + 1;
      pieces.push([pieceStart, end]);
      pieceStart = end;
    }
  }
  if (pieceStart < to) pieces.push([pieceStart, to]);
  return pieces.filter(([s, e]) => text.slice(s, e).trim().length > 0);
}

function toRange(starts: number[], s: number, e: number): Parser.Range {
  const at = (o: number): Parser.Point => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { row: lo, column: o - starts[lo] };
  };
  return { startIndex: s, endIndex: e, startPosition: at(s), endPosition: at(e) };
}

/**
 * The range of an expanded region in the spliced text, its points counted from the variant's line
 * starts (the texts agree before the region) and the region's own line breaks: no pass over the
 * whole spliced text per region.
 */
export function regionRange(variantStarts: number[], e: Expansion): Parser.Range {
  const start = toRange(variantStarts, e.from, e.from).startPosition;
  const lastBreak = e.text.lastIndexOf('\n');
  let breaks = 0;
  for (let i = e.text.indexOf('\n'); i !== -1; i = e.text.indexOf('\n', i + 1)) breaks++;
  const end =
    lastBreak < 0
      ? { row: start.row, column: start.column + e.text.length }
      : { row: start.row + breaks, column: e.text.length - lastBreak - 1 };
  return { startIndex: e.from, endIndex: e.from + e.text.length, startPosition: start, endPosition: end };
}

/** Items that read the same in several variants are one item. */
/**
 * A definition kept once for several builds still takes, in each, the addresses that build's text
 * takes (`#if INLINE cl_qpool_init(..., Ctor, NULL, ...) #else cl_qpool_init(..., Ctor, Dtor, ...)`):
 * the kept one gets the references of the ones dropped, so `Dtor` is still a callback of its own.
 */
function mergeRefs(kept: FunctionFact[], all: FunctionFact[]): FunctionFact[] {
  const byPlace = new Map<string, FunctionFact>();
  for (const fn of kept) byPlace.set(`${fn.name}|${String(fn.p[0])}|${String(fn.start)}`, fn);
  for (const fn of all) {
    const k = byPlace.get(`${fn.name}|${String(fn.p[0])}|${String(fn.start)}`);
    if (!k || k === fn) continue;
    fn.refs.forEach((r, i) => {
      if (k.refs.includes(r)) return;
      k.refs.push(r);
      k.refLines.push(fn.refLines[i] ?? fn.p[0]);
    });
  }
  return kept;
}

function dedupeVariants(f: ParsedFacts): ParsedFacts {
  const seen = new Set<string>();
  const uniq = <T>(items: T[], key: (t: T) => string) =>
    items.filter((t) => {
      const k = key(t);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  return {
    // Everything else (expansions the functions refer to by index, limits) is kept as it is.
    ...f,
    // The same definition in two builds reads the same text: one function. Different texts are two.
    functions: mergeRefs(
      uniq(
        f.functions,
        (fn) => `f|${fn.name}|${String(fn.p[0])}|${String(fn.start)}|${String(fn.end)}|${fn.calls.join(',')}`,
      ),
      f.functions,
    ),
    decls: uniq(f.decls, (d) => `d|${d.name}|${String(d.line)}|${d.ty}`),
    assigns: uniq(f.assigns, (a) => `a|${a.obj}|${a.field}|${a.value}|${String(a.line)}|${String(a.col)}`),
    functionClass: uniq(f.functionClass, (c) => `c|${c.name}|${c.roleType}|${String(c.line)}`),
    fileRefs: f.fileRefs,
    damagedLines: f.damagedLines,
  };
}
