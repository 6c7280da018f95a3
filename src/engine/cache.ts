/**
 * Facts by content hash: in memory for a long-lived process (the app), and
 * optionally on disk for the CLI. Only facts are kept, never trees, so a
 * re-scan after one file changed re-reads one file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { LRUCache } from 'lru-cache';
import type { LexEntry, ParsedEntry } from './filefacts.js';
import type { InitAnalysis } from './paths.js';
import { loadRulePack, packageRoot } from './rulepack.js';
import type { RuleOutput } from './rules.js';
import { packageVersion } from '../package.js';

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

/** Rule results kept: enough for a pull request's base and head and a few pushes. */
const MAX_RESULTS = 8;

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
      else if (entry.isFile() && entry.name.endsWith('.js')) out.push(p);
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
 */
export function factBytes(entry: CacheEntry): number {
  return Math.max(1, serialize(entry).length);
}

export interface CacheEntry {
  lex?: LexEntry;
  parsed?: ParsedEntry;
}

export class FactCache {
  /** Least recently used first out, past `maxBytes`; iterated most recently used first (what `save` keeps). */
  private readonly entries: LRUCache<string, CacheEntry>;
  private readonly results = new LRUCache<string, RulesMemo>({ max: MAX_RESULTS });
  /** Path analyses of initialize callbacks, by what they read (memory only). */
  readonly analyses = new BoundedMap<string, InitAnalysis>(512);
  private dirty = false;
  private readonly file: string | undefined;

  /**
   * `maxBytes`: facts kept in memory (default DEFAULT_MAX_FACT_BYTES);
   * `ttlMs`: facts unused that long are dropped (default: never);
   * `maxEntries`: entries the disk cache keeps.
   */
  constructor(opts: { dir?: string; maxEntries?: number; maxBytes?: number; ttlMs?: number } = {}) {
    this.maxEntries = opts.maxEntries ?? 20_000;
    this.entries = new LRUCache<string, CacheEntry>({
      maxSize: opts.maxBytes ?? DEFAULT_MAX_FACT_BYTES,
      sizeCalculation: factBytes,
      ...(opts.ttlMs !== undefined ? { ttl: opts.ttlMs, updateAgeOnGet: true } : {}),
    });
    if (opts.dir) {
      this.file = join(opts.dir, `${engineKey()}.bin`);
      try {
        const loaded = deserialize(readFileSync(this.file)) as {
          entries: [string, CacheEntry][];
          results: [string, RulesMemo][];
        };
        // Saved most recently used first: set in reverse, so the same order comes back.
        for (const [k, v] of loaded.entries.reverse()) this.entries.set(k, v);
        for (const [k, v] of loaded.results.reverse()) this.results.set(k, v);
      } catch {
        // No cache yet, or one from another version: start empty.
      }
    }
  }

  private readonly maxEntries: number;

  get(hash: string): CacheEntry | undefined {
    return this.entries.get(hash);
  }

  set(hash: string, entry: CacheEntry): void {
    this.entries.set(hash, entry);
    this.dirty = true;
  }

  /** Rule results of a program seen before (same signature), if any. */
  getResults(signature: string): RulesMemo | undefined {
    return this.results.get(signature);
  }

  setResults(signature: string, memo: RulesMemo): void {
    this.results.set(signature, memo);
    this.dirty = true;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of facts held (as `factBytes` counts them). */
  get bytes(): number {
    return this.entries.calculatedSize;
  }

  /** Writes the disk cache (if any): entries used lately first, bounded in count. */
  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    // Most recently used first: what this run read or wrote, then what earlier runs left.
    const keep: [string, CacheEntry][] = [];
    for (const [k, e] of this.entries.entries()) {
      if (keep.length >= this.maxEntries) break;
      keep.push([k, e]);
    }
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, serialize({ entries: keep.slice(0, this.maxEntries), results: [...this.results.entries()] }));
    renameSync(tmp, this.file);
    this.dirty = false;
  }
}

/** The CLI's cache: off with NDIS_REVIEW_CACHE=off, else on disk (NDIS_REVIEW_CACHE_DIR or the user cache folder). */
export function cacheFromEnv(env: NodeJS.ProcessEnv = process.env): FactCache | null {
  const mode = (env.NDIS_REVIEW_CACHE ?? '').toLowerCase();
  if (mode === 'off' || mode === '0' || mode === 'false') return null;
  const dir = env.NDIS_REVIEW_CACHE_DIR || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'ndis-review');
  return new FactCache({ dir });
}
