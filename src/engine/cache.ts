/**
 * Facts by content hash: in memory for a long-lived process (the app), and
 * optionally on disk for the CLI. Only facts are kept, never trees, so a
 * re-scan after one file changed re-reads one file.
 */
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { LRUCache } from 'lru-cache';
import type { LexEntry, ParsedEntry } from './filefacts.js';
import type { InitAnalysis } from './paths.js';
import type { MovedEntry, MovedReports, RememberedRole } from './movedanalysis.js';
import { MacroTables } from './macrotable.js';
import type { SiteMemo } from './sites.js';
import { readingBytes, type EarlierVersion, type Reading } from './movedfacts.js';
import type { RememberedCallback } from './rules/locks.js';
import type { Directive } from './directives.js';
import type { Finding, Notice, ScanStats } from './types.js';
import { loadRulePack, packageRoot } from './rulepack.js';
import type { RuleOutput } from './rules.js';
import { packageVersion } from '../package.js';
import { envValue } from '../util/env.js';

/** A map that forgets its least recently used entries past a count. */
export class BoundedMap<K extends object | string | number, V extends object | string | number> {
  private readonly map: LRUCache<K, V>;
  constructor(max: number) {
    this.map = new LRUCache<K, V>({ max });
  }
  get(k: K): V | undefined {
    return this.map.get(k);
  }
  set(k: K, v: V): void {
    this.map.set(k, v);
  }
}

/** What the rules said of one program, by the program's signature. */
export type RulesMemo = RuleOutput;

/**
 * What a whole scan said of one set of sources, by their paths and contents (`runSignature`):
 * everything of its result that does not depend on when or how fast it ran. A run with nothing
 * changed reads this alone, not the facts of every file.
 */
export interface RunMemo {
  files: number;
  needed: number;
  findings: Finding[];
  /** The notices after the ones of reading the sources (which a run makes again). */
  notices: Notice[];
  health: ScanStats['health'];
  apiCalls?: ScanStats['apiCalls'];
  directives: Directive[];
}

/** Rule results kept: enough for a pull request's base and head and a few pushes. */
const MAX_RESULTS = 8;
/** Whole-run results kept per repository. */
const MAX_RUNS = 4;

/** The folder of this module's compiled code: the engine, whose code makes the facts. */
const ENGINE_DIR = dirname(fileURLToPath(import.meta.url));

/** Data the engine reads into facts besides the rule pack proper (`rules/` of the package). */
const ENGINE_DATA = ['wdk-constants.json', 'wdk-macros.json'];

export interface EngineKeyParts {
  /** The package version. */
  version: string;
  /** The rule pack's `fingerprint`. */
  packFingerprint: string;
  /** A folder of compiled engine code: every `.js` file under it is hashed, names and contents. */
  engineDir: string;
  /** Data files the engine reads (absolute paths); a missing one hashes as absent. */
  dataFiles?: readonly string[];
}

/**
 * The key of facts made by one engine: the package version, a hash of the
 * rule pack and a hash of the engine's compiled code and data. Facts made by
 * any other engine are never read, with no version to bump by hand.
 */
export function computeEngineKey(parts: EngineKeyParts): string {
  const h = createHash('sha256');
  h.update(`version\0${parts.version}\0pack\0`);
  h.update(createHash('sha256').update(parts.packFingerprint).digest('hex'));
  for (const file of jsFilesUnder(parts.engineDir)) {
    h.update(`\0code\0${relative(parts.engineDir, file).split('\\').join('/')}\0`);
    h.update(readFileSync(file));
  }
  for (const file of parts.dataFiles ?? []) {
    // By name, not path: workers installed in different folders share keys.
    h.update(`\0data\0${basename(file)}\0`);
    try {
      h.update(readFileSync(file));
    } catch {
      h.update('absent');
    }
  }
  return `facts-${h.digest('hex').slice(0, 20)}`;
}

/** Every `.js` file under `dir`, sorted, so the hash does not depend on directory order. */
function jsFilesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && /\.c?js$/.test(entry.name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}

let engineKeyMemo: string | undefined;

/** This process's engine key (see `computeEngineKey`), computed once, on first use. */
export function engineKey(): string {
  engineKeyMemo ??= computeEngineKey({
    version: packageVersion(),
    packFingerprint: loadRulePack().fingerprint,
    engineDir: ENGINE_DIR,
    dataFiles: ENGINE_DATA.map((f) => join(packageRoot, 'rules', f)),
  });
  return engineKeyMemo;
}

/**
 * Bytes of facts a cache keeps in memory by default. Facts weigh about a
 * third of their source (0.84 MB for the bench's 2.8 MB corpus), so this
 * holds the facts of several hundred megabytes of driver source; a
 * long-lived process (the app) stays within it however many repositories
 * it sees.
 */
export const DEFAULT_MAX_FACT_BYTES = 256 * 1024 * 1024;

/**
 * An entry's weight for the byte bound: its serialized size, which is what
 * it costs on disk or in a shared store and tracks its heap size (measured:
 * 5 ms for the 204 entries of the bench corpus). Details the rules parse on
 * demand later grow an entry a little past what was counted.
 *
 * Counted by parts, each part once: an entry is stored again when the rules
 * have added details to it (on every re-scan that read its functions), and
 * serializing it whole again cost more than the rest of such a re-scan's
 * bookkeeping.
 */
export function factBytes(entry: CacheEntry): number {
  let n = entry.lex ? partBytes(entry.lex) : 0;
  if (entry.parsed) {
    n += partBytes(entry.parsed, factsOnly);
    for (const d of Object.values(entry.parsed.details ?? {})) n += partBytes(d);
    if (entry.parsed.macroBodies) n += partBytes(entry.parsed.macroBodies);
  }
  return Math.max(1, n);
}

/** Serialized sizes of the parts of entries, by part (a part does not change once made). */
const partSizes = new WeakMap<object, number>();
function partBytes<T extends object>(part: T, view: (p: T) => unknown = (p) => p): number {
  let n = partSizes.get(part);
  if (n === undefined) partSizes.set(part, (n = serialize(view(part)).length));
  return n;
}

/** Parsed facts without what grows on demand (measured apart). */
function factsOnly(p: ParsedEntry): Omit<ParsedEntry, 'details' | 'macroBodies'> {
  const { details: _details, macroBodies: _bodies, ...facts } = p;
  return facts;
}

export interface CacheEntry {
  lex?: LexEntry;
  parsed?: ParsedEntry;
}

/**
 * Repositories whose facts the disk cache keeps, one file each: past this
 * many, the file least recently used goes.
 */
export const DEFAULT_MAX_REPOSITORIES = 64;

/** Folders of other engines' facts kept beside this engine's (another install sharing the cache folder). */
const OTHER_ENGINES_KEPT = 2;

export interface FactCacheOptions {
  /**
   * A disk cache under this folder: `<dir>/<engine key>/<repository>.bin`,
   * one file per repository, so a run reads and writes only its own.
   */
  dir?: string;
  /** The repository (any stable name: the CLI gives its top folder) whose file this cache reads and writes. */
  repository?: string;
  /** Entries the disk cache keeps per repository (default 20,000). */
  maxEntries?: number;
  /** Repository files the disk cache keeps (default DEFAULT_MAX_REPOSITORIES). */
  maxRepositories?: number;
  /** Bytes of facts kept in memory (default DEFAULT_MAX_FACT_BYTES). */
  maxBytes?: number;
  /** Facts unused that long are dropped (default: never). */
  ttlMs?: number;
  /**
   * Remember path walks and callbacks' findings in memory for later scans (default: yes). The CLI's
   * one scan per process says no: what it kept would never be asked, and keeping costs the keys.
   */
  walks?: boolean;
}

/** The disk cache's file of one repository, named by a hash of the repository's name. */
export function repositoryFile(dir: string, repository: string): string {
  const id = createHash('sha256').update(repository).digest('hex').slice(0, 24);
  return join(dir, engineKey(), `${id}.bin`);
}

/** Source bytes of earlier file versions a cache keeps for their bodies (`FactCache.earlierOf`). */
const EARLIER_BYTES = 32 * 1024 * 1024;

export class FactCache {
  /** Least recently used first out, past `maxBytes`; iterated most recently used first (what `save` keeps). */
  private readonly entries: LRUCache<string, CacheEntry>;
  private readonly results = new LRUCache<string, RulesMemo>({ max: MAX_RESULTS });
  private readonly runs = new LRUCache<string, RunMemo>({ max: MAX_RUNS });
  /** Path analyses of initialize callbacks, by what they read (memory only). */
  readonly analyses = new BoundedMap<string, InitAnalysis>(512);
  /** The same, by their functions' tokens, for an edit that only moved code (memory only). */
  readonly movedAnalyses = new BoundedMap<string, MovedEntry>(512);
  /** Walks of halt callbacks, by what they read and start holding (memory only). */
  readonly roleWalks = new BoundedMap<string, RememberedRole>(2048);
  /**
   * The last version of each path a scan parsed, with its facts and the bodies read from them: an edited
   * file's unchanged functions take their bodies from it (`moveddetail.ts`). Memory only, kept by bytes.
   */
  private readonly earlier = new LRUCache<string, EarlierVersion>({
    maxSize: EARLIER_BYTES,
    sizeCalculation: (e) => Math.max(1, e.bytes.length + (e.reading ? readingBytes(e.reading) : 0)),
  });
  /** API calls found in bodies, under the link signature they were found with (memory only). */
  private sites: { signature: string; memo: SiteMemo } | undefined;
  /** The repository's macro table of the last scan, while no definition changes (memory only). */
  readonly macroTables = new MacroTables();
  /** Findings of rules that decide each callback on its own, by what the callback's walk read (memory only). */
  readonly callbackDrafts = new BoundedMap<string, RememberedCallback>(4096);
  /** The same callbacks' reports by their functions' tokens, for an edit that only moved code (memory only). */
  readonly movedDrafts = new BoundedMap<string, MovedReports>(4096);
  private dirty = false;
  private runsDirty = false;
  /** The disk file of facts has been read (it is read on first use: a run with nothing changed needs only `runs`). */
  private loaded = false;
  private readonly file: string | undefined;
  private readonly maxEntries: number;
  private readonly maxRepositories: number;
  /** Whether scans with this cache remember their walks (`FactCacheOptions.walks`). */
  readonly remembersWalks: boolean;

  constructor(opts: FactCacheOptions = {}) {
    this.remembersWalks = opts.walks ?? true;
    this.maxEntries = opts.maxEntries ?? 20_000;
    this.maxRepositories = Math.max(1, opts.maxRepositories ?? DEFAULT_MAX_REPOSITORIES);
    this.entries = new LRUCache<string, CacheEntry>({
      maxSize: opts.maxBytes ?? DEFAULT_MAX_FACT_BYTES,
      sizeCalculation: factBytes,
      ...(opts.ttlMs !== undefined ? { ttl: opts.ttlMs, updateAgeOnGet: true } : {}),
    });
    if (!opts.dir) {
      this.loaded = true;
      return;
    }
    this.file = repositoryFile(opts.dir, opts.repository ?? '');
    try {
      const runs = deserialize(readFileSync(runsFile(this.file))) as [string, RunMemo][];
      for (const [k, v] of runs.reverse()) this.runs.set(k, v);
    } catch {
      // No whole-run results yet, or a damaged file: runs start empty.
    }
    // Read is use: the file's time orders the repositories for eviction, even when this run writes nothing.
    touch(this.file);
  }

  /** Reads the disk file of facts, once, before the first use of any fact or rule result. */
  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    if (!this.file) return;
    try {
      const loaded = deserialize(readFileSync(this.file)) as {
        entries: [string, CacheEntry, number?][];
        results: [string, RulesMemo][];
      };
      // Saved most recently used first: set in reverse, so the same order comes back. Each with
      // the size it was counted at when saved: counting again meant serializing every entry, half
      // of a warm run's time.
      for (const [k, v, size] of loaded.entries.reverse())
        this.entries.set(k, v, size !== undefined && size > 0 ? { size } : {});
      for (const [k, v] of loaded.results.reverse()) this.results.set(k, v);
    } catch {
      // No cache yet for this repository, or a damaged one: start empty.
    }
  }

  /** The calls found in bodies by scans of programs with this link signature (see `Program.sites`). */
  sitesFor(signature: string): SiteMemo {
    if (this.sites?.signature !== signature) this.sites = { signature, memo: new WeakMap() };
    return this.sites.memo;
  }

  /** The version of `path` a scan before parsed, when it is not `bytes` (only where scans keep walks). */
  earlierOf(path: string, bytes: Uint8Array): EarlierVersion | undefined {
    const e = this.remembersWalks ? this.earlier.get(path) : undefined;
    return e && e.bytes !== bytes ? e : undefined;
  }

  /** Keeps this version of `path` for the next scan's `earlierOf`. */
  keepEarlier(path: string, bytes: Uint8Array, parsed: ParsedEntry, reading?: Reading): void {
    if (!this.remembersWalks || bytes.length > EARLIER_BYTES) return;
    // A file this scan did not change keeps the reading its version was compared by, if it has one.
    // The bytes are compared only where there is a reading to keep: most versions never had one.
    let r = reading;
    const kept = r ? undefined : this.earlier.peek(path);
    if (kept?.reading && (kept.bytes === bytes || Buffer.compare(kept.bytes, bytes) === 0)) r = kept.reading;
    this.earlier.set(path, r ? { bytes, parsed, reading: r } : { bytes, parsed });
  }

  get(hash: string): CacheEntry | undefined {
    this.load();
    return this.entries.get(hash);
  }

  set(hash: string, entry: CacheEntry): void {
    this.load();
    this.entries.set(hash, entry);
    this.dirty = true;
  }

  /** Rule results of a program seen before (same signature), if any. */
  getResults(signature: string): RulesMemo | undefined {
    this.load();
    return this.results.get(signature);
  }

  setResults(signature: string, memo: RulesMemo): void {
    this.load();
    this.results.set(signature, memo);
    this.dirty = true;
  }

  /** The result of a whole scan of the same sources (same `runSignature`), if any. */
  getRun(signature: string): RunMemo | undefined {
    return this.runs.get(signature);
  }

  setRun(signature: string, memo: RunMemo): void {
    this.runs.set(signature, memo);
    this.runsDirty = true;
  }

  get size(): number {
    this.load();
    return this.entries.size;
  }

  /** Bytes of facts held (as `factBytes` counts them). */
  get bytes(): number {
    this.load();
    return this.entries.calculatedSize;
  }

  /**
   * Writes this repository's file of the disk cache (if any): entries used
   * lately first, bounded in count; then drops the files of repositories
   * least recently used past the bound, and other engines' folders past a few.
   * The writes are synchronous; a failure rejects the promise.
   */
  save(): Promise<void> {
    return new Promise((resolve) => {
      this.write();
      resolve();
    });
  }

  private write(): void {
    if (!this.file || (!this.dirty && !this.runsDirty)) return;
    const folder = dirname(this.file);
    mkdirSync(folder, { recursive: true });
    if (this.dirty) {
      // Most recently used first: what this run read or wrote, then what earlier runs left.
      const keep: [string, CacheEntry, number?][] = [];
      for (const [k, e] of this.entries.entries()) {
        if (keep.length >= this.maxEntries) break;
        const size = this.entries.info(k)?.size;
        keep.push(size !== undefined ? [k, e, size] : [k, e]);
      }
      writeAtomically(this.file, serialize({ entries: keep, results: [...this.results.entries()] }));
      this.dirty = false;
    }
    if (this.runsDirty) {
      writeAtomically(runsFile(this.file), serialize([...this.runs.entries()]));
      this.runsDirty = false;
    }
    pruneOldest(folder, (name) => name.endsWith('.bin'), this.maxRepositories, basename(this.file));
    // A repository's whole-run file goes with its facts.
    for (const name of readdirSync(folder))
      if (name.endsWith(RUNS) && !existsSync(join(folder, name.slice(0, -RUNS.length))))
        rmSync(join(folder, name), { force: true });
    pruneOldest(dirname(folder), (name) => name.startsWith('facts-'), OTHER_ENGINES_KEPT + 1, basename(folder));
  }
}

/** Suffix of a repository's file of whole-run results, beside its file of facts. */
const RUNS = '.runs';

function runsFile(factsFile: string): string {
  return `${factsFile}${RUNS}`;
}

/** Another process reading the file sees the old bytes or the new, never a part. */
function writeAtomically(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.${String(process.pid)}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // Eviction order is a nicety; a read-only cache still serves.
  }
}

/**
 * Removes, in `dir`, the entries `matches` accepts past the `keep` most
 * recently modified (never `current`). Another process removing the same
 * entry at once is no failure.
 */
function pruneOldest(dir: string, matches: (name: string) => boolean, keep: number, current: string): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter(matches);
  } catch {
    return;
  }
  if (names.length <= keep) return;
  const aged: { name: string; mtime: number }[] = [];
  for (const name of names) {
    try {
      aged.push({ name, mtime: name === current ? Infinity : statSync(join(dir, name)).mtimeMs });
    } catch {
      // Gone already.
    }
  }
  aged.sort((a, b) => b.mtime - a.mtime);
  for (const { name } of aged.slice(keep)) rmSync(join(dir, name), { recursive: true, force: true });
}

/**
 * The CLI's cache: off with NDIS_REVIEW_CACHE=off, else on disk
 * (NDIS_REVIEW_CACHE_DIR or the user cache folder), the file of `repository`.
 */
export function cacheFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  repository = '',
  opts: Pick<FactCacheOptions, 'walks'> = {},
): FactCache | null {
  const dir = cacheDirFromEnv(env);
  return dir === null ? null : new FactCache({ dir, repository, ...opts });
}

/** The CLI's cache folder (NDIS_REVIEW_CACHE_DIR, else the user cache folder), or null when the cache is off. */
export function cacheDirFromEnv(env: NodeJS.ProcessEnv = process.env): string | null {
  const mode = (env.NDIS_REVIEW_CACHE ?? '').toLowerCase();
  if (mode === 'off' || mode === '0' || mode === 'false') return null;
  return (
    envValue(env, 'NDIS_REVIEW_CACHE_DIR') ??
    join(envValue(env, 'XDG_CACHE_HOME') ?? join(homedir(), '.cache'), 'ndis-review')
  );
}
