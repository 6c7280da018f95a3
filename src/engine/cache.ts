/**
 * Facts by content hash: in memory for a long-lived process (the app), and
 * optionally on disk for the CLI. Only facts are kept, never trees, so a
 * re-scan after one file changed re-reads one file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { LexEntry, ParsedEntry } from './filefacts.js';
import type { InitAnalysis } from './paths.js';
import type { RuleOutput } from './rules.js';

/** A map that forgets its oldest entries past a size. */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    return this.map.get(k);
  }
  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
}

/** What the rules said of one program, by the program's signature. */
export type RulesMemo = RuleOutput;

/** Rule results kept: enough for a pull request's base and head and a few pushes. */
const MAX_RESULTS = 8;

/** Bump when the shape or meaning of cached facts changes. */
export const FACTS_VERSION = 'facts-11';

export interface CacheEntry {
  lex?: LexEntry;
  parsed?: ParsedEntry;
}

export class FactCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly results = new Map<string, RulesMemo>();
  /** Path analyses of initialize callbacks, by what they read (memory only). */
  readonly analyses = new BoundedMap<string, InitAnalysis>(512);
  private readonly used = new Set<string>();
  private dirty = false;
  private readonly file: string | undefined;

  constructor(opts: { dir?: string; maxEntries?: number } = {}) {
    this.maxEntries = opts.maxEntries ?? 20_000;
    if (opts.dir) {
      this.file = join(opts.dir, `${FACTS_VERSION}.bin`);
      try {
        const loaded = deserialize(readFileSync(this.file)) as {
          entries: [string, CacheEntry][];
          results: [string, RulesMemo][];
        };
        for (const [k, v] of loaded.entries) this.entries.set(k, v);
        for (const [k, v] of loaded.results) this.results.set(k, v);
      } catch {
        // No cache yet, or one from another version: start empty.
      }
    }
  }

  private readonly maxEntries: number;

  get(hash: string): CacheEntry | undefined {
    const e = this.entries.get(hash);
    if (e) this.used.add(hash);
    return e;
  }

  set(hash: string, entry: CacheEntry): void {
    this.entries.set(hash, entry);
    this.used.add(hash);
    this.dirty = true;
  }

  /** Rule results of a program seen before (same signature), if any. */
  getResults(signature: string): RulesMemo | undefined {
    const hit = this.results.get(signature);
    if (hit) {
      this.results.delete(signature);
      this.results.set(signature, hit);
    }
    return hit;
  }

  setResults(signature: string, memo: RulesMemo): void {
    this.results.set(signature, memo);
    while (this.results.size > MAX_RESULTS) this.results.delete(this.results.keys().next().value!);
    this.dirty = true;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Writes the disk cache (if any): entries used lately first, bounded in count. */
  async save(): Promise<void> {
    if (!this.file || !this.dirty) return;
    const keep: [string, CacheEntry][] = [];
    for (const k of this.used) {
      const e = this.entries.get(k);
      if (e) keep.push([k, e]);
    }
    for (const [k, e] of this.entries) {
      if (keep.length >= this.maxEntries) break;
      if (!this.used.has(k)) keep.push([k, e]);
    }
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, serialize({ entries: keep.slice(0, this.maxEntries), results: [...this.results] }));
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
