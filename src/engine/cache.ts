/**
 * Facts by content hash: in memory for a long-lived process (the app), and
 * optionally on disk for the CLI. Only facts are kept, never trees, so a
 * re-scan after one file changed re-reads one file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { LRUCache } from 'lru-cache';
import type { LexEntry, ParsedEntry } from './filefacts.js';
import type { InitAnalysis } from './paths.js';
import type { RuleOutput } from './rules.js';

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

/** Bump when the shape or meaning of cached facts changes. */
export const FACTS_VERSION = 'facts-14';

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
      this.file = join(opts.dir, `${FACTS_VERSION}.bin`);
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
