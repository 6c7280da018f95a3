/**
 * One analysis thread of the pool (`pool.ts`): scans in this thread
 * (`workers: 0`, so the memory cap of the thread bounds everything a scan
 * uses), with a fact cache that lives as long as the thread. Facts a shared
 * store (the fleet's Redis) already holds come with the task; facts this
 * scan made go back with the result, for the store.
 */
import { createHash } from 'node:crypto';
import { workerData } from 'node:worker_threads';
import { FactCache, scan, type CacheEntry, type ScanResult } from '../index.js';

export interface ScanFile {
  path: string;
  bytes: Uint8Array;
  /** Git's blob SHA: the key of the file's facts in a shared store. */
  sha?: string;
}

export interface ScanTask {
  root: string;
  files: ScanFile[];
  /** Facts by blob SHA, from a shared store. */
  preloaded?: [string, CacheEntry][];
  /** Return the facts this scan made, by blob SHA. */
  collectFresh?: boolean;
  /** Rule ids the configuration turns on (preview rules run only when named). */
  enable?: string[];
}

export interface ScanOutcome {
  result: ScanResult;
  fresh: [string, CacheEntry][];
}

const settings = (workerData ?? {}) as { factCacheBytes?: number };
const facts = new FactCache(settings.factCacheBytes !== undefined ? { maxBytes: settings.factCacheBytes } : {});

/**
 * The engine's fact cache is keyed by the SHA-1 of a file's bytes (see
 * `contentHash` in src/engine/scan.ts); a shared store is keyed by blob SHA,
 * which the app knows without reading the file. A mismatch here only costs
 * cache misses, never a wrong result.
 */
function contentKey(bytes: Uint8Array): string {
  return createHash('sha1').update(bytes).digest('hex');
}

export default async function runScan(task: ScanTask): Promise<ScanOutcome> {
  const keys = new Map<ScanFile, string>();
  const known = new Map<string, CacheEntry>(task.preloaded ?? []);
  for (const f of task.files) {
    const entry = f.sha !== undefined ? known.get(f.sha) : undefined;
    if (!entry) continue;
    const key = contentKey(f.bytes);
    keys.set(f, key);
    const mine = facts.get(key);
    // Keep what this thread has if it knows more (parsed facts where the store has only lexical ones).
    if (!mine || (!mine.parsed && entry.parsed)) facts.set(key, entry);
  }
  const result = await scan({
    root: task.root,
    files: task.files,
    cache: facts,
    workers: 0,
    enable: task.enable ?? [],
  });
  const fresh: [string, CacheEntry][] = [];
  if (task.collectFresh) {
    for (const f of task.files) {
      if (f.sha === undefined) continue;
      const entry = facts.get(keys.get(f) ?? contentKey(f.bytes));
      if (!entry) continue;
      const before = known.get(f.sha);
      if (!before || (!before.parsed && entry.parsed)) fresh.push([f.sha, entry]);
    }
  }
  return { result, fresh };
}
