/**
 * Walks found again after an edit that only moved the code they read.
 *
 * The path analyses are remembered by the content of the files whose functions they read
 * (`rules/index.ts`), so any edit of such a file walks initialize again: a comment inserted in
 * initialize, a line added to some other function of its file, a reformatted helper. Yet a walk
 * reads tokens, not layout: two programs whose read functions have the same tokens, with the same
 * names, declarations and macros around them (the link signature, without the lines macros are
 * at), walk the same paths. What differs is only where things are. So initialize's analyses and
 * callbacks' lock reports are also kept under their functions' tokens, with each position they hold
 * tied to a token of a function the walk read; found again, the positions are moved to where those
 * tokens are now. A position no read function holds would tie them to its file's content instead.
 * A halt walk's outcome holds no position (which of the acquisitions it started with it releases):
 * it is kept under its functions' tokens alone (`roleKey`).
 */
import { createHash } from 'node:crypto';
import type { Pos } from './ast.js';
import { variantText } from './filefacts.js';
import type { FnDef, Program } from './program.js';
import type { InitAnalysis } from './paths.js';
import type { LockReport } from './rules/locks.js';
import { siteId, type AcquireSite } from './pathstate.js';
import { tokenDigestOf } from './factdigest.js';
import { TokenPlaces } from './tokenplaces.js';
import { defined } from '../util/defined.js';

/** An analysis as kept under its functions' tokens, its positions tied to them. */
export interface MovedEntry extends Ties {
  /** As made, with the positions of the program it was made in. */
  analysis: InitAnalysis;
}

/**
 * What the program's functions are across scans: file, name, build variant and which of the
 * functions of that name in that file and variant it is (positions move, this does not).
 */
export class FnIdentity {
  private readonly ids = new Map<FnDef, string>();

  constructor(private readonly program: Program) {}

  of(fn: FnDef): string {
    if (this.ids.size === 0) {
      // Every function's at once: grouped by file, name and variant, numbered in file order.
      const groups = new Map<string, FnDef[]>();
      for (const f of this.program.functions) {
        const k = `${f.file}\u0000${f.name}\u0000${String(f.fact.variant)}`;
        let g = groups.get(k);
        if (!g) groups.set(k, (g = []));
        g.push(f);
      }
      for (const [k, g] of groups) {
        g.sort((a, b) => a.fact.start - b.fact.start);
        for (const [i, f] of g.entries()) this.ids.set(f, `${k}\u0000${String(i)}`);
      }
    }
    return defined(this.ids.get(fn), `identity of ${fn.name}`);
  }
}

/**
 * The function's tokens as written, or undefined where its text is not at hand (no bytes). A
 * definition read from a macro expansion (a region that did not parse as written) has the tokens of
 * the whole region: what it was expanded from, with the project's macros (in the link signature).
 */
function tokensOf(program: Program, fn: FnDef): TokenPlaces | undefined {
  const file = program.files.get(fn.file);
  const bytes = file?.bytes;
  if (!bytes) return undefined;
  const text = variantText(bytes, fn.fact.variant);
  if (text === undefined) return undefined;
  let from = fn.fact.start;
  let to = fn.fact.end;
  if (fn.fact.expansion !== undefined) {
    const e = file.parsed?.expansions?.[fn.fact.expansion];
    if (!e) return undefined;
    from = e.from;
    to = e.to;
  }
  return to > text.length ? undefined : new TokenPlaces(text, bytes, from, to);
}

/** Digest of a function's tokens (kinds aside: the texts decide them); null where it cannot be read. */
function tokenDigest(program: Program, fn: FnDef): string | null {
  return tokenDigestOf(fn.fact, () => {
    const t = tokensOf(program, fn);
    if (!t) return null;
    // Tokens joined by a control character, which C source holds only inside a literal.
    const parts: string[] = new Array<string>(t.count);
    // A sign against its number is one literal to the parser: marked, so `- 1` and `-1` differ.
    for (let i = 0; i < t.count; i++) parts[i] = t.glued(i) ? `${t.word(i)}\u0002` : t.word(i);
    return createHash('sha1').update(parts.join('\u0001')).digest('hex');
  });
}

/**
 * The key of an analysis under its functions' tokens: the link signature, what is analysed
 * (`head`), and each read function's identity and token digest. Undefined when a read function's
 * tokens cannot be read.
 */
export function movedKey(
  program: Program,
  ids: FnIdentity,
  linkSignature: string,
  head: string,
  reads: FnDef[],
): string | undefined {
  const parts: string[] = [];
  for (const f of reads) {
    const d = tokenDigest(program, f);
    if (d === null) return undefined;
    parts.push(`${ids.of(f)}:${d}`);
  }
  parts.sort();
  const h = createHash('sha1').update(`moved\u0000${linkSignature}\u0000${head}`);
  for (const p of parts) h.update(`\u0000${p}`);
  return h.digest('hex');
}

const anchorKey = (file: string, line: number, col: number, end: boolean) =>
  `${file}\u0000${String(line)}:${String(col)}\u0000${end ? 'e' : 's'}`;

/** Is this a `[line, col, endLine, endCol]` under an object that names its file? */
function isPlace(v: unknown): v is { file: string; p: Pos } {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as { file?: unknown; p?: unknown };
  return typeof o.file === 'string' && Array.isArray(o.p) && o.p.length === 4 && typeof o.p[0] === 'number';
}

/** Expressions (a birth's callee) are kept as they are: they are rendered as text only. */
const isExpr = (v: object) => typeof (v as { t?: unknown }).t === 'string';

/** Every `file` + position the analysis holds, as (file, line, col, end). */
function placesOf(a: InitAnalysis, visit: (file: string, line: number, col: number, end: boolean) => void): void {
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (v instanceof Map) {
      for (const x of v.values()) walk(x);
      return;
    }
    if (v instanceof Set) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (isExpr(v)) return;
    if (isPlace(v)) {
      visit(v.file, v.p[0], v.p[1], false);
      visit(v.file, v.p[2], v.p[3], true);
    }
    for (const x of Object.values(v)) walk(x);
  };
  walk(a.leaks);
  walk(a.kept);
  walk(a.sites);
  walk(a.withheld);
  for (const k of a.notOnlyFailing) {
    const at = splitPoint(k);
    if (at) visit(at.file, at.line, at.col, false);
  }
}

/** `file:line:col` → its parts. */
function splitPoint(k: string): { file: string; line: number; col: number } | undefined {
  const j = k.lastIndexOf(':');
  const i = k.lastIndexOf(':', j - 1);
  if (i <= 0) return undefined;
  return { file: k.slice(0, i), line: Number(k.slice(i + 1, j)), col: Number(k.slice(j + 1)) };
}

/** Positions tied to tokens of the functions a walk read, or to their files' contents. */
export interface Ties {
  /** Identity (`FnIdentity`) of each function a position is tied to. */
  fns: string[];
  /** `file \0 line:col \0 s|e` → [index in `fns`, token index]. */
  anchors: Map<string, [number, number]>;
  /** Files holding a position no read function holds, with their content hash then. */
  pinned: Map<string, string>;
}

/**
 * Ties positions (starts and ends of syntax, as the extractor gives them) to the tokens of the read
 * functions that hold them; a position none holds pins its file's content.
 */
export class PlaceTies {
  private readonly byFile = new Map<string, FnDef[]>();
  private readonly fnIndex = new Map<FnDef, number>();
  private readonly tokens = new Map<FnDef, TokenPlaces | null>();
  private readonly ties: Ties = { fns: [], anchors: new Map(), pinned: new Map() };
  private ok = true;

  constructor(
    private readonly program: Program,
    private readonly ids: FnIdentity,
    reads: FnDef[],
    private readonly fileHashes: Map<string, string>,
  ) {
    for (const f of reads) {
      let l = this.byFile.get(f.file);
      if (!l) this.byFile.set(f.file, (l = []));
      l.push(f);
    }
  }

  tie(file: string, line: number, col: number, end: boolean): void {
    // No place (a failure status known without a position): nothing to move.
    if (!file || line <= 0) return;
    const k = anchorKey(file, line, col, end);
    if (this.ties.anchors.has(k) || this.ties.pinned.has(file)) return;
    for (const f of this.byFile.get(file) ?? []) {
      let t = this.tokens.get(f);
      if (t === undefined) this.tokens.set(f, (t = tokensOf(this.program, f) ?? null));
      const i = t?.indexAt(line, col, end);
      if (i === undefined) continue;
      let n = this.fnIndex.get(f);
      if (n === undefined) {
        n = this.ties.fns.push(this.ids.of(f)) - 1;
        this.fnIndex.set(f, n);
      }
      this.ties.anchors.set(k, [n, i]);
      return;
    }
    const h = this.fileHashes.get(file);
    if (h === undefined) this.ok = false;
    else this.ties.pinned.set(file, h);
  }

  tiePos(file: string, p: Pos): void {
    this.tie(file, p[0], p[1], false);
    this.tie(file, p[2], p[3], true);
  }

  /** The ties, or undefined when a position is in no file this program knows. */
  result(): Ties | undefined {
    return this.ok ? this.ties : undefined;
  }
}

/** Moves a position to where its token is in this program; undefined once one cannot be moved. */
export type Mover = (file: string, line: number, col: number, end: boolean) => [number, number] | undefined;

/** The mover for `ties` in this program, or undefined when a pinned file changed or a tied function is gone. */
export function moverFor(
  program: Program,
  ids: FnIdentity,
  ties: Ties,
  reads: FnDef[],
  fileHashes: Map<string, string>,
): Mover | undefined {
  for (const [file, h] of ties.pinned) if (fileHashes.get(file) !== h) return undefined;
  const byId = new Map<string, FnDef>();
  for (const f of reads) byId.set(ids.of(f), f);
  const now: TokenPlaces[] = [];
  for (const id of ties.fns) {
    const f = byId.get(id);
    const t = f ? tokensOf(program, f) : undefined;
    if (!t) return undefined;
    now.push(t);
  }
  return (file, line, col, end) => {
    if (!file || line <= 0 || ties.pinned.has(file)) return [line, col];
    const a = ties.anchors.get(anchorKey(file, line, col, end));
    const t = a ? now[a[0]] : undefined;
    if (!a || !t || a[1] >= t.count) return undefined;
    return t.pointOf(a[1], end);
  };
}

/** A position moved whole, or undefined. */
export function movePos(move: Mover, file: string, p: Pos): Pos | undefined {
  const a = move(file, p[0], p[1], false);
  const b = move(file, p[2], p[3], true);
  return a && b ? [a[0], a[1], b[0], b[1]] : undefined;
}

/**
 * The analysis with each of its positions tied to a token of a function it read, or to its file's
 * content. Undefined when it cannot be kept so (parse damage on its paths: its notices name lines).
 */
export function keepMoved(
  program: Program,
  ids: FnIdentity,
  analysis: InitAnalysis,
  reads: FnDef[],
  fileHashes: Map<string, string>,
): MovedEntry | undefined {
  if (analysis.damaged.length) return undefined;
  const ties = new PlaceTies(program, ids, reads, fileHashes);
  placesOf(analysis, (file, line, col, end) => {
    ties.tie(file, line, col, end);
  });
  const tied = ties.result();
  return tied ? { analysis, ...tied } : undefined;
}

/**
 * The kept analysis with its positions moved to where their tokens are in this program, or
 * undefined when it does not apply here (a pinned file changed, a function is not found).
 */
export function findMoved(
  program: Program,
  ids: FnIdentity,
  entry: MovedEntry,
  reads: FnDef[],
  fileHashes: Map<string, string>,
): InitAnalysis | undefined {
  const mover = moverFor(program, ids, entry, reads, fileHashes);
  if (!mover) return undefined;
  const failed = { any: false };
  const move = (file: string, line: number, col: number, end: boolean): [number, number] => {
    const to = mover(file, line, col, end);
    if (!to) failed.any = true;
    return to ?? [line, col];
  };
  const moved = moveAll(entry.analysis, move);
  return failed.any ? undefined : moved;
}

/** A copy of the analysis with every position passed through `move` (shared objects stay shared). */
function moveAll(
  a: InitAnalysis,
  move: (file: string, line: number, col: number, end: boolean) => [number, number],
): InitAnalysis {
  const done = new Map<object, unknown>();
  const copy = <T>(v: T): T => {
    if (typeof v !== 'object' || v === null) return v;
    const hit = done.get(v);
    if (hit !== undefined) return hit as T;
    let out: unknown;
    if (v instanceof Map || v instanceof Set) {
      out = v;
    } else if (Array.isArray(v)) {
      const arr: unknown[] = [];
      done.set(v, arr);
      for (const x of v) arr.push(copy(x));
      return arr as T;
    } else if (isExpr(v)) {
      out = v;
    } else {
      const o: Record<string, unknown> = {};
      done.set(v, o);
      for (const [k, x] of Object.entries(v)) o[k] = copy(x);
      if (isPlace(v)) {
        const [l, c] = move(v.file, v.p[0], v.p[1], false);
        const [el, ec] = move(v.file, v.p[2], v.p[3], true);
        o.p = [l, c, el, ec];
      }
      return o as T;
    }
    done.set(v, out);
    return out as T;
  };
  const sites = new Map<string, { site: AcquireSite; names: Set<string> }>();
  for (const rec of a.sites.values()) {
    const site = copy(rec.site);
    sites.set(siteId(site), { site, names: rec.names });
  }
  const notOnlyFailing = new Set<string>();
  for (const k of a.notOnlyFailing) {
    const at = splitPoint(k);
    if (!at) {
      notOnlyFailing.add(k);
      continue;
    }
    const [l, c] = move(at.file, at.line, at.col, false);
    notOnlyFailing.add(`${at.file}:${String(l)}:${String(c)}`);
  }
  return {
    ...a,
    leaks: copy(a.leaks),
    kept: copy(a.kept),
    sites,
    withheld: copy(a.withheld),
    notOnlyFailing,
  };
}

/** A halt walk's outcome by the place of each held acquisition in the list it started with. */
export interface RememberedRole {
  released: number[];
  mayRelease: number[];
  complete: boolean;
}

/**
 * The key of a halt (or other releasing callback) walk: the link signature, the resource, the
 * callback, the tokens of every function it may step into, and what it starts holding, told apart
 * by what the walk reads of them (file, function, key, names), not by where they are.
 */
export function roleKey(
  program: Program,
  ids: FnIdentity,
  linkSignature: string,
  resource: string,
  root: FnDef,
  reads: FnDef[],
  held: { site: AcquireSite; names: string[] }[],
): string | undefined {
  const head = [
    'role',
    resource,
    ids.of(root),
    ...held.map((h) => [h.site.file, h.site.fn, h.site.key, h.site.text, ...h.names].join('\u0002')),
  ].join('\u0001');
  return movedKey(program, ids, linkSignature, head, reads);
}

/** A lock report as kept: the function that holds its place by identity (`FnIdentity`). */
type KeptReport = Omit<LockReport, 'at'> & { at: Omit<LockReport['at'], 'owner'> & { owner: string } };

/** A callback's lock reports as kept under its functions' tokens (`rules/locks.ts`). */
export interface MovedReports extends Ties {
  reports: KeptReport[];
  /** Identities of the functions whose bodies the walk read. */
  walked: string[];
  /** Every one of them read without syntax damage. */
  clean: boolean;
}

/** A callback's reports with their places tied to the tokens of the functions its walk read. */
export function keepReports(
  program: Program,
  ids: FnIdentity,
  reports: LockReport[],
  reads: FnDef[],
  walked: FnDef[],
  fileHashes: Map<string, string>,
): MovedReports | undefined {
  const ties = new PlaceTies(program, ids, reads, fileHashes);
  for (const r of reports) {
    if (!r.at.atEnd) ties.tiePos(r.at.owner.file, r.at.p);
    if (r.taken) ties.tiePos(r.taken.path, r.taken.p);
  }
  const tied = ties.result();
  if (!tied) return undefined;
  return {
    ...tied,
    reports: reports.map((r) => ({ ...r, at: { ...r.at, owner: ids.of(r.at.owner) } })),
    walked: walked.map((f) => ids.of(f)),
    // Their bodies were read by the walk: knowing their damage parses nothing more.
    clean: walked.every((f) => !f.damaged),
  };
}

/** The kept reports with their places moved into this program, or undefined when they do not apply. */
export function findReports(
  program: Program,
  ids: FnIdentity,
  kept: MovedReports,
  fn: FnDef,
  reads: FnDef[],
  fileHashes: Map<string, string>,
): { reports: LockReport[]; walked: FnDef[]; clean: boolean } | undefined {
  const mover = moverFor(program, ids, kept, reads, fileHashes);
  if (!mover) return undefined;
  const byId = new Map<string, FnDef>();
  for (const f of reads) byId.set(ids.of(f), f);
  const walked: FnDef[] = [];
  for (const id of kept.walked) {
    const f = byId.get(id);
    if (!f) return undefined;
    walked.push(f);
  }
  const reports: LockReport[] = [];
  for (const r of kept.reports) {
    const owner = byId.get(r.at.owner);
    if (!owner) return undefined;
    const p: Pos | undefined = r.at.atEnd
      ? [fn.fact.endLine, 1, fn.fact.endLine, 2]
      : movePos(mover, r.at.owner.slice(0, r.at.owner.indexOf('\u0000')), r.at.p);
    const takenP = r.taken ? movePos(mover, r.taken.path, r.taken.p) : undefined;
    if (!p || (r.taken && !takenP)) return undefined;
    reports.push({
      ...r,
      at: { p, owner, ...(r.at.atEnd ? { atEnd: true } : {}) },
      ...(r.taken && takenP ? { taken: { ...r.taken, p: takenP } } : {}),
    });
  }
  return { reports, walked, clean: kept.clean };
}
