/**
 * Reads a repository's C sources at a commit through the GitHub API, with
 * few requests: one recursive tree listing gives every path and blob SHA,
 * and only blobs the cache does not hold are fetched (base64, so Latin-1
 * bytes survive). A push that changes one file costs the listing and that
 * file. A cold repository (many blobs missing) is read from one tarball
 * instead, each file checked against its blob SHA; what the tarball lacks
 * or holds differently is fetched as blobs. `request` is Octokit's
 * `octokit.request`, so retries and rate limits stay with Octokit's plugins.
 */
import type { Notice } from '../engine/types.js';
import { isSourcePath, type SourceFile } from '../engine/scan.js';
import { LRUCache } from 'lru-cache';
import { describe } from './calls.js';
import { gitBlobSha, gzipTarEntries } from './tarball.js';
import { defined } from '../util/defined.js';

export type Request = (route: string, params: Record<string, unknown>) => Promise<{ data: unknown }>;

/** Blob contents by SHA, least recently used dropped past a byte budget. */
export class BlobCache {
  private readonly blobs: LRUCache<string, Uint8Array>;

  constructor(maxBytes = 256 * 1024 * 1024) {
    // Empty blobs weigh 1: lru-cache needs a positive size.
    this.blobs = new LRUCache({ maxSize: maxBytes, sizeCalculation: (b) => Math.max(1, b.length) });
  }

  has(sha: string): boolean {
    return this.blobs.has(sha);
  }

  get(sha: string): Uint8Array | undefined {
    return this.blobs.get(sha);
  }

  set(sha: string, data: Uint8Array): void {
    if (!this.blobs.has(sha)) this.blobs.set(sha, data);
  }

  /** Bytes held. */
  get bytes(): number {
    return this.blobs.calculatedSize;
  }
}

export interface FetchOptions {
  owner: string;
  repo: string;
  /** Commit SHA (or any tree-ish) to read. */
  ref: string;
  /** Which source paths to read (the configuration's include/exclude). */
  include?: (path: string) => boolean;
  /** Larger files are skipped with a notice. */
  maxFileBytes?: number;
  /** Blob requests in flight at once. */
  concurrency?: number;
  /** Sub-tree requests allowed when the recursive listing is truncated. */
  maxTreeRequests?: number;
  /** Read the tarball instead of blobs when at least this many blobs are missing (default 16; 0 never). */
  tarballMinBlobs?: number;
  /** Largest repository (all blob sizes in the tree) worth downloading as a tarball. */
  maxTarballBytes?: number;
}

/** A source file with its blob SHA (the key of its facts in a shared store). */
export type SourceBlob = SourceFile & { sha: string };

export interface FetchResult {
  files: SourceBlob[];
  notices: Notice[];
  /** GitHub requests made. */
  requests: number;
  /** Blobs served from the cache. */
  cached: number;
  /** Files read from the tarball (and verified against their blob SHA). */
  archived: number;
  /** Why the tarball was not used, when it was tried and failed (blobs were fetched instead). */
  archiveError?: string;
}

interface TreeEntry {
  path: string;
  mode?: string;
  type: string;
  sha: string;
  size?: number;
}
interface TreeData {
  tree: TreeEntry[];
  truncated?: boolean;
}

const DEFAULT_MAX_FILE = 4 * 1024 * 1024;
const DEFAULT_TARBALL_MIN_BLOBS = 16;
const DEFAULT_MAX_TARBALL = 200 * 1024 * 1024;
/** Git's mode for a symbolic link: its blob is the target's path, not source (the target is read at its own path). */
const SYMLINK_MODE = '120000';

export async function fetchSources(request: Request, opts: FetchOptions, blobs: BlobCache): Promise<FetchResult> {
  const notices: Notice[] = [];
  let requests = 0;
  const call = async (route: string, params: Record<string, unknown>) => {
    requests++;
    return (await request(route, params)).data;
  };
  const base = { owner: opts.owner, repo: opts.repo };

  // One listing of the whole tree; a truncated one is walked folder by folder instead.
  const listing = (await call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', {
    ...base,
    tree_sha: opts.ref,
    recursive: '1',
  })) as TreeData;
  let entries = listing.tree;
  if (listing.truncated) {
    const walked = await walkTree(call, base, opts.ref, opts.maxTreeRequests ?? 500);
    entries = walked.entries;
    if (walked.incomplete) {
      notices.push({
        kind: 'skipped-file',
        withheld: true,
        message: `The repository tree is too large to list in full (stopped after ${String(opts.maxTreeRequests ?? 500)} folder requests); files in folders not reached were not analysed.`,
      });
    }
  }

  const include = opts.include ?? (() => true);
  const maxFile = opts.maxFileBytes ?? DEFAULT_MAX_FILE;
  const wanted: TreeEntry[] = [];
  for (const e of entries) {
    if (e.type !== 'blob' || e.mode === SYMLINK_MODE || !isSourcePath(e.path) || !include(e.path)) continue;
    if (e.size !== undefined && e.size > maxFile) {
      notices.push({
        kind: 'skipped-file',
        withheld: true,
        path: e.path,
        message: `Skipped: ${String(e.size)} bytes is over the ${String(maxFile)}-byte limit for one source file.`,
      });
      continue;
    }
    wanted.push(e);
  }

  let fromArchive = new Map<string, Uint8Array>();
  let archiveError: string | undefined;
  const missing = wanted.filter((e) => !blobs.has(e.sha));
  const minBlobs = opts.tarballMinBlobs ?? DEFAULT_TARBALL_MIN_BLOBS;
  const repoBytes = entries.reduce((n, e) => n + (e.type === 'blob' ? (e.size ?? 0) : 0), 0);
  if (minBlobs > 0 && missing.length >= minBlobs && repoBytes <= (opts.maxTarballBytes ?? DEFAULT_MAX_TARBALL)) {
    requests++;
    // Tar headers and padding: at most 3 blocks per entry, plus git archive's global header, plus the
    // zeros that fill the last 10,240-byte record (the archive is read to its end).
    const maxTotal = repoBytes + 1536 * (entries.length + 4) + 20_480;
    ({ blobs: fromArchive, error: archiveError } = await readArchive(
      request,
      { ...base, ref: opts.ref },
      missing,
      maxFile,
      maxTotal,
    ));
  }

  let cached = 0;
  let failure: SourceUnreadable | undefined;
  const files = new Array<SourceBlob | undefined>(wanted.length);
  let next = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const i = next++;
      const e = wanted[i];
      let bytes = fromArchive.get(e.sha);
      if (bytes) {
        blobs.set(e.sha, bytes);
      } else if ((bytes = blobs.get(e.sha))) {
        cached++;
      } else {
        if (failure) return;
        try {
          const blob = (await call('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { ...base, file_sha: e.sha })) as {
            content: string;
            encoding: string;
          };
          bytes = blob.encoding === 'base64' ? Buffer.from(blob.content, 'base64') : Buffer.from(blob.content, 'utf8');
          blobs.set(e.sha, bytes);
        } catch (err) {
          // A file left out would change the findings (a leak "fixed", an old finding "new"): no result then.
          failure ??= new SourceUnreadable(e.path, err);
          return;
        }
      }
      files[i] = { path: e.path, bytes, sha: e.sha };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker));
  if (failure) throw failure;
  return {
    files: files.filter((f) => f !== undefined),
    notices,
    requests,
    cached,
    archived: fromArchive.size,
    ...(archiveError !== undefined ? { archiveError } : {}),
  };
}

/**
 * The missing blobs the tarball holds byte for byte, by SHA. A failure part
 * way keeps what was verified; the caller fetches the rest as blobs.
 */
async function readArchive(
  request: Request,
  at: { owner: string; repo: string; ref: string },
  missing: TreeEntry[],
  maxFile: number,
  maxTotal: number,
): Promise<{ blobs: Map<string, Uint8Array>; error?: string }> {
  const byPath = new Map(missing.map((e) => [e.path, e]));
  const blobs = new Map<string, Uint8Array>();
  try {
    // The API answers with a redirect to the archive host; the body is streamed, not buffered.
    const res = await request('GET /repos/{owner}/{repo}/tarball/{ref}', {
      ...at,
      request: { parseSuccessResponseBody: false },
    });
    const body = res.data as ReadableStream<Uint8Array> | null;
    if (!body) return { blobs, error: 'the tarball response had no body' };
    for await (const entry of gzipTarEntries(body, {
      want: (p) => byPath.has(p),
      maxEntryBytes: maxFile,
      maxTotalBytes: maxTotal,
    })) {
      const e = defined(byPath.get(entry.path), `listed entry ${entry.path}`);
      // export-subst, export-ignore and eol attributes make git archive write other bytes: those are fetched as blobs.
      if (gitBlobSha(entry.bytes) === e.sha) blobs.set(e.sha, entry.bytes);
    }
    return { blobs };
  } catch (err) {
    return { blobs, error: describe(err) };
  }
}

/** Folder-by-folder listing, for trees too large for one recursive response. */
async function walkTree(
  call: (route: string, params: Record<string, unknown>) => Promise<unknown>,
  base: { owner: string; repo: string },
  root: string,
  budget: number,
): Promise<{ entries: TreeEntry[]; incomplete: boolean }> {
  const entries: TreeEntry[] = [];
  const queue: { sha: string; prefix: string }[] = [{ sha: root, prefix: '' }];
  let used = 0;
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (used >= budget) return { entries, incomplete: true };
    const { sha, prefix } = next;
    used++;
    const data = (await call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { ...base, tree_sha: sha })) as TreeData;
    for (const e of data.tree) {
      const path = prefix + e.path;
      if (e.type === 'tree') queue.push({ sha: e.sha, prefix: `${path}/` });
      else entries.push({ ...e, path });
    }
  }
  return { entries, incomplete: false };
}

/** A source file GitHub did not give (after Octokit's retries); the analysis cannot vouch for a result without it. */
export class SourceUnreadable extends Error {
  constructor(
    readonly path: string,
    override readonly cause: unknown,
  ) {
    super(`${path} could not be read from GitHub (${describe(cause)})`);
    this.name = 'SourceUnreadable';
  }
}
