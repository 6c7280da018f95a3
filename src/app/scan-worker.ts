/**
 * One analysis thread of the pool (`pool.ts`): scans in this thread
 * (`workers: 0`, so the memory cap of the thread bounds everything a scan
 * uses), with a fact cache that lives as long as the thread. Facts a shared
 * store (the fleet's Redis) already holds come with the task, as the bytes
 * the store keeps; facts this scan made go back with the result, serialized
 * for the store. The bytes are decoded here, and only for files this
 * thread's own cache does not hold parsed: the webhook thread never builds
 * or copies their object graphs (it did, for every file of every analysis).
 */
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import { workerData } from 'node:worker_threads';
import { FactCache, scan, stopWhen, type CacheEntry, type ScanResult } from '../index.js';

export interface ScanFile {
  path: string;
  bytes: Uint8Array;
  /** Git's blob SHA: the key of the file's facts in a shared store. */
  sha?: string;
}

export interface ScanTask {
  root: string;
  files: ScanFile[];
  /** Facts by blob SHA, from a shared store: v8-serialized `CacheEntry`s. */
  preloaded?: [string, Uint8Array][];
  /** Return the facts this scan made, by blob SHA. */
  collectFresh?: boolean;
  /** Rule ids the configuration turns on (preview rules run only when named). */
  enable?: string[];
  /**
   * Set (to non-zero) by the pool when the analysis must end (its time limit, its job gone): the scan
   * stops at its next safe point (see src/engine/stop.ts), before the pool would end the thread.
   */
  stop?: Int32Array;
}

export interface ScanOutcome {
  result: ScanResult;
  /** Facts the store lacked (or held only lexed), v8-serialized. */
  fresh: [string, Uint8Array][];
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

/** A stored entry, or undefined when its bytes do not read back (a miss). */
function decode(bytes: Uint8Array): CacheEntry | undefined {
  try {
    return deserialize(bytes) as CacheEntry;
  } catch {
    return undefined;
  }
}

export default async function runScan(task: ScanTask): Promise<ScanOutcome> {
  const keys = new Map<ScanFile, string>();
  const stored = new Map<string, Uint8Array>(task.preloaded ?? []);
  /** What the store holds of each file it holds: parsed facts, or only lexical ones (unknown when not decoded). */
  const storeParsed = new Map<string, boolean | undefined>();
  for (const f of task.files) {
    const bytes = f.sha !== undefined ? stored.get(f.sha) : undefined;
    if (!bytes || f.sha === undefined) continue;
    const key = contentKey(f.bytes);
    keys.set(f, key);
    const mine = facts.get(key);
    // This thread's own parsed facts are as good as any: the stored copy is not even decoded.
    if (mine?.parsed) {
      storeParsed.set(f.sha, undefined);
      continue;
    }
    const entry = decode(bytes);
    if (!entry) continue;
    storeParsed.set(f.sha, entry.parsed !== undefined);
    // Keep what this thread has if it knows more (parsed facts where the store has only lexical ones).
    if (!mine || (!mine.parsed && entry.parsed)) facts.set(key, entry);
  }
  const flag = task.stop;
  stopWhen(flag ? () => (Atomics.load(flag, 0) !== 0 ? 'the pool ended the analysis' : undefined) : undefined);
  let result: ScanResult;
  try {
    result = await scan({
      root: task.root,
      files: task.files,
      cache: facts,
      workers: 0,
      enable: task.enable ?? [],
    });
  } finally {
    stopWhen(undefined);
  }
  const fresh: [string, Uint8Array][] = [];
  if (task.collectFresh) {
    for (const f of task.files) {
      if (f.sha === undefined) continue;
      const entry = facts.get(keys.get(f) ?? contentKey(f.bytes));
      if (!entry) continue;
      // New to the store, or parsed where the store has only lexical facts. An entry the store
      // holds that was not decoded (this thread had it parsed) is left as the store has it.
      const had = storeParsed.has(f.sha);
      const parsedThere = storeParsed.get(f.sha);
      if (!had || (parsedThere === false && entry.parsed)) fresh.push([f.sha, serialize(entry)]);
    }
  }
  return { result, fresh };
}
