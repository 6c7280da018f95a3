/**
 * The scan: source bytes → lexical facts (every file) → parsed facts (only
 * the files the whole-program closure needs) → program → findings.
 *
 * Which files need a parse: those that mention the rules' API calls, role
 * types, registration fields or `_Function_class_`; then, repeatedly, those
 * that mention a function already known to reach such a call, or an
 * initialize/halt callback. A file that mentions none of them cannot change
 * a finding, so it is lexed (cheap) but never parsed.
 */
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { FactCache, type RunMemo } from './cache.js';
import { directivesIn, type Directive } from './directives.js';
import type { ParsedEntry } from './filefacts.js';
import type { MacroTable } from './expand.js';
import { lexBytes, linkSigOf, type LexEntry } from './lexentry.js';
import { limitNotices as programLimits } from './limits.js';
import { onDemandParse } from './parseclock.js';
import type { LinkedFile } from './program.js';
import { repositoryMacrosOf } from './macrotable.js';
import type { EarlierVersion, Reading } from './movedfacts.js';
import { packageVersion } from '../package.js';
import { activePack, loadRulePack, ruleApis, ruleMeta, type RulePack } from './rulepack.js';
import { releaseTrees } from './trees.js';
import type { ParsePool } from './pool.js';
import { looksBinary } from './text.js';
import { stopIfAsked } from './stop.js';
import { defined } from '../util/defined.js';
import { errorCode, listSources, ScanError } from './sources.js';

export { isSourcePath, listSources, ScanError, type SourceList } from './sources.js';
import type { Notice, ScanResult, ScanStats } from './types.js';

/** A source file. Its bytes are treated as immutable once passed in (their hash is remembered). */
export interface SourceFile {
  path: string;
  bytes: Uint8Array;
}

export interface ScanOptions {
  /** Directory to scan, or a label when `files` is given. */
  root: string;
  /** Contents given directly (the app); otherwise C sources under root are read. */
  files?: SourceFile[];
  /** Facts cache; null or undefined: none (a truly cold run). */
  cache?: FactCache | null;
  /** Extra parse workers beside the calling thread: 0 parses in this thread only; undefined chooses by the amount of work. */
  workers?: number;
  /** Rule ids the configuration turns on: preview rules run only when named here (see `activePack`). */
  enable?: readonly string[];
  /** Count each API's call sites into `stats.apiCalls` (the evaluation's figure; costs a read of every calling body). */
  countApis?: boolean;
}

const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Below this much source to parse, a worker's start-up (loading tree-sitter) costs more than it saves. */
const WORKER_THRESHOLD_BYTES = 2 * 1024 * 1024;

/**
 * Parse workers for a round of this much source, when the caller does not say. None on two cores:
 * measured on the eight largest drivers of the evaluation corpus, one worker beside the calling
 * thread made the scan about 5 % slower (the thread, the worker and V8's own threads share two cores).
 */
function defaultWorkers(bytes: number): number {
  const cores = availableParallelism();
  return bytes >= WORKER_THRESHOLD_BYTES && cores >= 3 ? Math.min(3, cores - 1) : 0;
}

/** The first line of an error's message, for a notice: no stack, nothing long. */
function errorText(e: unknown): string {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return text.split('\n')[0].slice(0, 200);
}

/** The sources under a root, read; what could not be read becomes a `skipped-file` notice naming it. */
async function readSources(root: string): Promise<{ files: SourceFile[]; notices: Notice[] }> {
  const { paths, unreadable } = await listSources(root);
  const single = paths.length === 1 && paths[0] === root;
  const rel = (p: string) => (single ? p.slice(p.lastIndexOf(sep) + 1) : relative(root, p).split(sep).join('/'));
  const notices: Notice[] = unreadable.map((u) => ({
    kind: 'skipped-file',
    withheld: true,
    path: rel(u.path),
    message: `Skipped: the folder cannot be read (${u.why}); the sources in it, if any, were not analysed.`,
  }));
  // Synchronous reads: for many small files they beat the promise machinery by a wide margin.
  const files: SourceFile[] = [];
  for (const p of paths) {
    try {
      files.push({ path: rel(p), bytes: readFileSync(p) });
    } catch (e) {
      if (single) throw new ScanError(`cannot read ${p}: ${errorCode(e)}`);
      notices.push({
        kind: 'skipped-file',
        withheld: true,
        path: rel(p),
        message: `Skipped: the file cannot be read (${errorCode(e)}).`,
      });
    }
  }
  return { files, notices };
}

interface FileState {
  path: string;
  bytes: Uint8Array;
  hash: string;
  lex: LexEntry;
  idents: Set<string>;
  parsed?: ParsedEntry;
  /** The project's macros it was parsed with, and their digest (read again for a body its parse left out). */
  macros?: { table: MacroTable; digest: string };
  /** What was compared of this version with the one before (movedfacts.ts), kept for the next edit. */
  reading?: Reading;
}

export async function scan(opts: ScanOptions): Promise<ScanResult> {
  const t0 = performance.now();
  const fullPack = loadRulePack();
  const pack = activePack(fullPack, opts.enable);
  const cache = opts.cache ?? null;
  const read = opts.files ? { files: opts.files, notices: [] } : await readSources(opts.root);
  const sources = read.files;
  const notices: Notice[] = [...read.notices];
  const tRead = performance.now();

  // The same sources scanned before by this engine and pack: the whole result is known.
  const run = cache ? runSignature(sources, pack) : undefined;
  const remembered = run === undefined ? undefined : cache?.getRun(run);
  // A result remembered without the API counts does not answer a scan that asks for them.
  const memo = remembered && (!opts.countApis || remembered.apiCalls) ? remembered : undefined;
  if (memo) {
    const ms = {
      read: round1(tRead - t0),
      lex: 0,
      parse: 0,
      link: 0,
      rules: 0,
      bodies: 0,
      total: round1(performance.now() - t0),
    };
    return scanResult(opts.root, fullPack, read.notices, memo, { lexed: 0, parsed: 0, workers: 0, ms });
  }

  const files: FileState[] = [];
  const directives: Directive[] = [];
  let lexed = 0;
  for (const src of sources) {
    if (src.bytes.length > MAX_FILE_BYTES) {
      notices.push({
        kind: 'skipped-file',
        withheld: true,
        path: src.path,
        message: `Skipped: ${String(src.bytes.length)} bytes is over the ${String(MAX_FILE_BYTES)}-byte limit for one source file.`,
      });
      continue;
    }
    if (looksBinary(src.bytes)) {
      notices.push({
        kind: 'skipped-file',
        withheld: true,
        path: src.path,
        message: 'Skipped: the file holds NUL bytes, so it is not C source text.',
      });
      continue;
    }
    directives.push(...directivesIn(src.path, src.bytes));
    // Content hashes key the cache; a scan without one does not hash (the signatures below neither).
    const hash = cache ? contentHash(src.bytes) : '';
    const hit = cache?.get(hash);
    let lex = hit?.lex;
    if (!lex) {
      stopIfAsked();
      try {
        lex = lexBytes(src.bytes);
      } catch (e) {
        // One file the engine cannot read costs that file, not the run.
        notices.push({
          kind: 'skipped-file',
          withheld: true,
          path: src.path,
          message: `Skipped: reading this file failed (${errorText(e)}); nothing in it was analysed.`,
        });
        continue;
      }
      lexed++;
      cache?.set(hash, { ...hit, lex });
    }
    files.push({ path: src.path, bytes: src.bytes, hash, lex, idents: identSet(lex), parsed: undefined });
  }
  const tLex = performance.now();

  const { needed, parsedCount, movedCount, workersUsed } = await parseClosure(
    files,
    pack,
    cache,
    opts.workers,
    notices,
  );
  const tParse = performance.now();

  // The rules read only the program; the same program (same parsed files, same
  // macros and types elsewhere) gives the same output, so a cache remembers it.
  const signature = cache ? programSignature(files, pack) : undefined;
  let out = signature === undefined ? undefined : cache?.getResults(signature);
  if (out && opts.countApis && !out.apiCalls) out = undefined;
  let tLink = performance.now();
  /** Per rule, when the rules ran in this scan (a remembered output was not timed now). */
  let ruleMs: Record<string, number> | undefined;
  let walkSteps: number | undefined;
  let lockWalks: ScanStats['lockWalks'];
  let parsedBefore = onDemandParse.ms;
  if (!out) {
    // Loaded only here: a repository whose results are cached needs neither the linker nor the rules
    // (half of the engine's modules), and loading them was most of a warm run's time.
    const [{ Program }, { runRules }] = await Promise.all([import('./program.js'), import('./rules.js')]);
    const linked: LinkedFile[] = files.map((f) => {
      if (!f.parsed) return { path: f.path, lex: f.lex.lex };
      // The version a scan before parsed, for the bodies of the functions an edit left as they were.
      const earlier = cache?.earlierOf(f.path, f.bytes);
      return {
        path: f.path,
        lex: f.lex.lex,
        parsed: f.parsed,
        bytes: f.bytes,
        ...(f.macros?.table.size ? { macros: f.macros.table } : {}),
        ...(earlier && earlier.parsed !== f.parsed ? { earlier } : {}),
      };
    });
    const program = new Program(linked, pack.roles);
    // Where scans keep walks, what the rules find in the bodies of files an edit did not touch is kept
    // too, under the link signature without places (what the look reads of the program).
    const movedSignature = cache?.remembersWalks ? linkSignature(files, pack, false) : undefined;
    if (cache && movedSignature !== undefined) program.sites = cache.sitesFor(movedSignature);
    tLink = performance.now();
    // What linking parsed on demand is link time; from here on it is the rules' asking.
    parsedBefore = onDemandParse.ms;
    const detailsBefore = cache ? new Map(files.map((f) => [f, detailCount(f.parsed)])) : undefined;
    const {
      ruleMs: timed,
      walkSteps: walked,
      lockWalks: locksWalked,
      ...ruled
    } = runRules(program, pack, {
      countApis: opts.countApis === true,
      // Path analyses and per-callback findings are remembered, by what they read, only where there is
      // a cache to keep them.
      ...(cache?.remembersWalks
        ? {
            memo: cache.analyses,
            moved: cache.movedAnalyses,
            roles: cache.roleWalks,
            drafts: cache.callbackDrafts,
            movedDrafts: cache.movedDrafts,
            linkSignature: linkSignature(files, pack),
            movedSignature: defined(movedSignature),
            fileHashes: new Map(files.map((f) => [f.path, f.hash])),
          }
        : {}),
    });
    ruleMs = timed;
    walkSteps = walked;
    lockWalks = locksWalked;
    // Limits met while linking and ruling (a macro expansion past its budget) belong to this result.
    out = { ...ruled, notices: [...ruled.notices, ...programLimits(program)] };
    // Storing the results also marks the cache for saving, which keeps the function
    // details the rules parsed on demand into the cached facts.
    if (cache && signature !== undefined) cache.setResults(signature, out);
    // Those details grew the entries in place (several times what was counted when they were
    // stored): stored again, so the cache's byte bound counts what it really holds.
    if (cache && detailsBefore)
      for (const f of files)
        if (f.parsed && detailCount(f.parsed) !== detailsBefore.get(f))
          cache.set(f.hash, { lex: f.lex, parsed: f.parsed });
    if (cache) for (const f of files) if (f.parsed) cache.keepEarlier(f.path, f.bytes, f.parsed, f.reading);
  }
  // The trees the parse and the rules dropped, past their bound (their memory is outside V8's sight).
  await releaseTrees();
  const tRules = performance.now();
  const bodies = onDemandParse.ms - parsedBefore;

  const result: RunMemo = {
    files: files.length,
    needed: needed.size,
    findings: out.findings,
    notices: [...notices.slice(read.notices.length), ...parseLimits(files), ...out.notices],
    health: out.health,
    ...(out.apiCalls ? { apiCalls: out.apiCalls } : {}),
    directives,
  };
  if (run !== undefined) cache?.setRun(run, result);
  return scanResult(opts.root, fullPack, read.notices, result, {
    lexed,
    parsed: parsedCount,
    ...(movedCount ? { moved: movedCount } : {}),
    workers: workersUsed,
    ms: {
      read: round1(tRead - t0),
      lex: round1(tLex - tRead),
      parse: round1(tParse - tLex),
      link: round1(tLink - tParse),
      rules: round1(tRules - tLink - bodies),
      bodies: round1(bodies),
      total: round1(tRules - t0),
    },
    ...(ruleMs ? { ruleMs } : {}),
    ...(walkSteps !== undefined ? { walkSteps } : {}),
    ...(lockWalks ? { lockWalks } : {}),
  });
}

/**
 * A scan's result: what it said of the sources (made now, or remembered from a scan of the same
 * sources), after the notices of this run's reading of them, with this run's counts and times.
 */
function scanResult(
  root: string,
  fullPack: RulePack,
  readNotices: Notice[],
  said: RunMemo,
  run: Pick<ScanStats, 'lexed' | 'parsed' | 'moved' | 'workers' | 'ms' | 'ruleMs' | 'walkSteps' | 'lockWalks'>,
): ScanResult {
  const allNotices = [...readNotices, ...said.notices];
  return {
    version: packageVersion(),
    root,
    files: said.files,
    findings: said.findings,
    notices: allNotices,
    // Every rule of the pack, preview ones included (marked): the review layer knows them all.
    rules: fullPack.rules.map(ruleMeta),
    complete: !allNotices.some((n) => n.withheld),
    stats: {
      files: said.files,
      lexed: run.lexed,
      parsed: run.parsed,
      ...(run.moved ? { moved: run.moved } : {}),
      needed: said.needed,
      workers: run.workers,
      ms: run.ms,
      ...(run.ruleMs ? { ruleMs: run.ruleMs } : {}),
      ...(run.walkSteps !== undefined ? { walkSteps: run.walkSteps } : {}),
      ...(run.lockWalks ? { lockWalks: run.lockWalks } : {}),
      health: said.health,
      ...(said.apiCalls ? { apiCalls: said.apiCalls } : {}),
    },
    directives: said.directives,
  };
}

/** Where the parse stopped at a limit (code nested too deep), per parsed file: said, once per line. */
function parseLimits(files: FileState[]): Notice[] {
  const out: Notice[] = [];
  for (const f of files) {
    const seen = new Set<number>();
    for (const l of f.parsed?.limits ?? []) {
      if (seen.has(l.line)) continue;
      seen.add(l.line);
      out.push({ kind: 'parse-recovered', path: f.path, line: l.line, message: l.message });
    }
  }
  return out;
}

/** Everything a scan's result depends on besides the engine (whose key names the cache): the pack and each source. */
function runSignature(sources: SourceFile[], pack: RulePack): string {
  const h = createHash('sha1').update(pack.fingerprint);
  for (const f of sources) h.update(`\n${f.path}\t${String(f.bytes.length)}\t${contentHash(f.bytes)}`);
  return h.digest('hex');
}

function programSignature(files: FileState[], pack: RulePack): string {
  const h = createHash('sha1').update(pack.fingerprint);
  for (const f of files) h.update(`${f.path}\t${f.parsed ? `P${f.hash}` : `L${linkSigOf(f.lex)}`}\n`);
  return h.digest('hex');
}

/**
 * Everything the analyses read besides function bodies: names and linkage, declarations, macros,
 * types. `lines: false`: without where the macros are, for the keys of analyses kept for code that moves.
 */
function linkSignature(files: FileState[], pack: RulePack, lines = true): string {
  const h = createHash('sha1').update(pack.fingerprint);
  for (const f of files)
    h.update(`${f.path}\t${linkSigOf(f.lex, { lines })}\t${f.parsed ? declarationSig(f.parsed) : ''}\n`);
  return h.digest('hex');
}

const declSigCache = new WeakMap<object, string>();
function declarationSig(p: ParsedEntry): string {
  let sig = declSigCache.get(p);
  if (!sig) {
    sig = createHash('sha1')
      // Names, linkage and what calls what; positions are left out, so an edit that only
      // moves lines leaves other drivers' analyses valid.
      .update(
        JSON.stringify([
          p.functions.map((f) => `${f.name}:${String(f.isStatic ? 1 : 0)}:${f.calls.join(',')}`),
          p.decls.map(
            (d) => `${d.name}:${d.ty}:${String(d.ptr)}:${String(d.isFunction ? 1 : 0)}:${String(d.isStatic ? 1 : 0)}`,
          ),
          p.assigns.map((a) => `${a.obj}.${a.field}=${a.value}@${a.fn ?? ''}`),
          p.functionClass.map((c) => `${c.roleType}:${c.name}`),
          // Macro bodies are read from the macros' text, which the lexical signature holds.
        ]),
      )
      .digest('hex');
    declSigCache.set(p, sig);
  }
  return sig;
}

/** Function details a file's facts hold (the rules add them on demand). */
function detailCount(p: ParsedEntry | undefined): number {
  return p?.details ? Object.keys(p.details).length : 0;
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

const hashes = new WeakMap<Uint8Array, string>();
function contentHash(bytes: Uint8Array): string {
  let h = hashes.get(bytes);
  if (!h) {
    h = createHash('sha1').update(bytes).digest('hex');
    hashes.set(bytes, h);
  }
  return h;
}

const identCache = new WeakMap<object, Set<string>>();
function identSet(lex: LexEntry): Set<string> {
  let s = identCache.get(lex);
  if (!s) {
    s = new Set(lex.lex.idents);
    identCache.set(lex, s);
  }
  return s;
}

/** Words whose mention makes a file matter: the rules' calls, role types, registration fields, handoff calls. */
export function seedWords(pack: RulePack): string[] {
  const words = new Set<string>(['_Function_class_', '__drv_functionClass']);
  for (const r of Object.values(pack.resources)) {
    words.add(r.acquire.call);
    words.add(r.release.call);
  }
  for (const r of pack.rules) if (r.kind === 'call-context') words.add(r.call);
  for (const r of pack.rules) for (const api of ruleApis(r)) words.add(api);
  for (const k of Object.keys(pack.roles.roleTypes)) words.add(k);
  for (const k of Object.keys(pack.roles.fields)) words.add(k);
  for (const k of Object.keys(pack.roles.handoffCalls)) words.add(k);
  for (const k of Object.keys(pack.roles.named)) words.add(k);
  return [...words];
}

/**
 * After a round of parsing: functions that call a known name (directly or
 * through a macro) become known names, and so do initialize and halt
 * callbacks, whose definitions the pairing rules need wherever they are.
 */
/**
 * Parses what can matter, until nothing new can: the files that mention a
 * name in the set, round by round, as parsed facts add names. Each file is
 * checked only against the names added since it was last checked.
 */
async function parseClosure(
  files: FileState[],
  pack: RulePack,
  cache: FactCache | null,
  workersOpt: number | undefined,
  notices: Notice[],
): Promise<{ needed: Set<FileState>; parsedCount: number; movedCount: number; workersUsed: number }> {
  const names = new NameSet(seedWords(pack));
  const checked = new Map<FileState, number>();
  const mentionsNew = (f: FileState): boolean => {
    const from = checked.get(f) ?? 0;
    checked.set(f, names.order.length);
    for (let i = from; i < names.order.length; i++) if (f.idents.has(names.order[i])) return true;
    return false;
  };
  const needed = new Set<FileState>();
  let parsedCount = 0;
  let movedCount = 0;
  let workersUsed = 0;
  // A region that parses only with the project's macros expanded depends on macros from other files.
  // A cache keeps the table (and what each file read from it) while no definition changes.
  const lexes = files.map((f) => f.lex.lex);
  const seeds = new Set(seedWords(pack));
  const macros = cache ? cache.macroTables.of(lexes, seeds) : repositoryMacrosOf(lexes, seeds);
  /** Who calls each name, over the files parsed so far (each round adds its own). */
  const callers = new Map<string, string[]>();
  // One pool for every round: made at the first round worth workers, closed when the closure is done.
  let pool: ParsePool | undefined;
  try {
    for (;;) {
      const round = files.filter((f) => !needed.has(f) && mentionsNew(f));
      if (round.length === 0) break;
      const todo: FileState[] = [];
      for (const f of round) {
        needed.add(f);
        const m = macros.forFile(f.idents);
        f.macros = m;
        const hit = cache?.get(f.hash);
        if (hit?.parsed && (hit.parsed.macroDigest ?? '') === m.digest) {
          f.parsed = hit.parsed;
          continue;
        }
        // An edit that kept every token (a comment, spacing): the previous version's facts, moved.
        const earlier = cache?.earlierOf(f.path, f.bytes);
        const { facts: moved, reading } = earlier ? await movedFactsOf(earlier, f.bytes, m.digest) : {};
        if (reading) f.reading = reading;
        if (moved) {
          f.parsed = moved;
          movedCount++;
          cache?.set(f.hash, { lex: f.lex, parsed: moved });
        } else todo.push(f);
      }
      if (todo.length) {
        const bytes = todo.reduce((n, f) => n + f.bytes.length, 0);
        const workers = workersOpt ?? defaultWorkers(bytes);
        const { ParsePool } = await import('./pool.js');
        if (!pool && workers > 0 && todo.length > 1) pool = new ParsePool(workers);
        const batch = pool ?? new ParsePool(0);
        await batch.run(
          todo.map((f) => ({
            bytes: f.bytes,
            macros: f.macros?.table,
            macroDigest: f.macros?.digest,
            done: (parsed: ParsedEntry) => {
              f.parsed = parsed;
              parsedCount++;
              cache?.set(f.hash, { lex: f.lex, parsed });
            },
            // Its macros and types still count (they come from the lexical pass); its functions are unknown.
            fail: (error: Error) => {
              notices.push({
                kind: 'skipped-file',
                withheld: true,
                path: f.path,
                message: `Skipped: parsing this file failed (${errorText(error)}); its functions were not analysed.`,
              });
            },
          })),
        );
        workersUsed = Math.max(workersUsed, batch.size);
      }
      for (const f of round)
        if (f.parsed) for (const fn of f.parsed.functions) for (const c of fn.calls) push(callers, c, fn.name);
      growNames(names, round, pack, macros.mentioning(), callers);
    }
  } finally {
    await pool?.close();
  }
  return { needed, parsedCount, movedCount, workersUsed };
}

/** The facts of `bytes` moved from its earlier version (movedfacts.ts) where they can be, and the new version's reading if one was made. */
async function movedFactsOf(
  earlier: EarlierVersion,
  bytes: Uint8Array,
  macroDigest: string,
): Promise<{ facts?: ParsedEntry; reading?: Reading }> {
  // Loaded only here: a warm run never needs the lexer and the preprocessor.
  const [{ factsFromEarlier }, { readingOf }] = await Promise.all([
    import('./movedfacts.js'),
    import('./filefacts.js'),
  ]);
  return factsFromEarlier(earlier, bytes, macroDigest, readingOf);
}

/** Names that make a file matter, in the order they were learned. */
class NameSet {
  readonly order: string[] = [];
  private readonly set = new Set<string>();
  constructor(initial: Iterable<string>) {
    for (const n of initial) this.add(n);
  }
  has(n: string): boolean {
    return this.set.has(n);
  }
  add(n: string): void {
    if (!this.set.has(n)) {
      this.set.add(n);
      this.order.push(n);
    }
  }
}

function growNames(
  names: NameSet,
  round: FileState[],
  pack: RulePack,
  mentioning: ReadonlyMap<string, string[]>,
  callers: ReadonlyMap<string, string[]>,
): void {
  // Macros whose bodies mention a known name stand for it: a worklist over who mentions
  // what, so a chain of thousands of macros costs its length, not its length squared.
  closeOver(names, [...names.order], mentioning);
  const pairRoles = new Set([...pack.roles.initialize, ...pack.roles.halt]);
  for (const f of round) {
    const p = f.parsed;
    if (!p) continue;
    for (const d of p.decls) if (pairRoles.has(pack.roles.roleTypes[d.ty])) names.add(d.name);
    for (const c of p.functionClass) if (pairRoles.has(pack.roles.roleTypes[c.roleType])) names.add(c.name);
    for (const a of p.assigns) if (pairRoles.has(pack.roles.fields[a.field])) names.add(a.value);
  }
  // Functions that call a known name become known, and so do their callers, and so on.
  closeOver(names, [...names.order], callers);
}

/** Adds to `names` everyone `by` lists under a name in it, and so on from what was added. */
function closeOver(names: NameSet, from: string[], by: ReadonlyMap<string, string[]>): void {
  const todo = from;
  for (let n = todo.pop(); n !== undefined; n = todo.pop()) {
    for (const who of by.get(n) ?? []) {
      if (names.has(who)) continue;
      names.add(who);
      todo.push(who);
    }
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

export { FactCache };
