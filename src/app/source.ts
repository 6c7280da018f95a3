/**
 * Reads a repository's C sources at a commit through the GitHub API, with
 * few requests: one recursive tree listing gives every path and blob SHA,
 * and only blobs the cache does not hold are fetched (base64, so Latin-1
 * bytes survive). A push that changes one file costs the listing and that
 * file. `request` is Octokit's `octokit.request`, so retries and rate
 * limits stay with Octokit's plugins.
 */
import type { Notice } from '../engine/types.js';
import { isSourcePath, type SourceFile } from '../engine/scan.js';

export type Request = (route: string, params: Record<string, unknown>) => Promise<{ data: unknown }>;

/** Blob contents by SHA, least recently used dropped past a byte budget. */
export class BlobCache {
  private readonly blobs = new Map<string, Uint8Array>();
  private bytes = 0;

  constructor(private readonly maxBytes = 256 * 1024 * 1024) {}

  get(sha: string): Uint8Array | undefined {
    const b = this.blobs.get(sha);
    if (b) { this.blobs.delete(sha); this.blobs.set(sha, b); }
    return b;
  }

  set(sha: string, data: Uint8Array): void {
    if (this.blobs.has(sha)) return;
    this.blobs.set(sha, data);
    this.bytes += data.length;
    for (const [k, v] of this.blobs) {
      if (this.bytes <= this.maxBytes) break;
      this.blobs.delete(k);
      this.bytes -= v.length;
    }
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
}

export interface FetchResult {
  files: SourceFile[];
  notices: Notice[];
  /** GitHub requests made. */
  requests: number;
  /** Blobs served from the cache. */
  cached: number;
}

interface TreeEntry { path: string; type: string; sha: string; size?: number }
interface TreeData { tree: TreeEntry[]; truncated?: boolean }

const DEFAULT_MAX_FILE = 4 * 1024 * 1024;

export async function fetchSources(request: Request, opts: FetchOptions, blobs: BlobCache): Promise<FetchResult> {
  const notices: Notice[] = [];
  let requests = 0;
  const call = async (route: string, params: Record<string, unknown>) => {
    requests++;
    return (await request(route, params)).data;
  };
  const base = { owner: opts.owner, repo: opts.repo };

  // One listing of the whole tree; a truncated one is walked folder by folder instead.
  const listing = (await call('GET /repos/{owner}/{repo}/git/trees/{tree_sha}', { ...base, tree_sha: opts.ref, recursive: '1' })) as TreeData;
  let entries = listing.tree;
  if (listing.truncated) {
    const walked = await walkTree(call, base, opts.ref, opts.maxTreeRequests ?? 500);
    entries = walked.entries;
    if (walked.incomplete) {
      notices.push({ kind: 'skipped-file', message: `The repository tree is too large to list in full (stopped after ${opts.maxTreeRequests ?? 500} folder requests); files in folders not reached were not analysed.` });
    }
  }

  const include = opts.include ?? (() => true);
  const maxFile = opts.maxFileBytes ?? DEFAULT_MAX_FILE;
  const wanted: TreeEntry[] = [];
  for (const e of entries) {
    if (e.type !== 'blob' || !isSourcePath(e.path) || !include(e.path)) continue;
    if (e.size !== undefined && e.size > maxFile) {
      notices.push({ kind: 'skipped-file', path: e.path, message: `Skipped: ${e.size} bytes is over the ${maxFile}-byte limit for one source file.` });
      continue;
    }
    wanted.push(e);
  }

  let cached = 0;
  const files: SourceFile[] = new Array(wanted.length);
  let next = 0;
  const worker = async () => {
    while (next < wanted.length) {
      const i = next++;
      const e = wanted[i];
      let bytes = blobs.get(e.sha);
      if (bytes) {
        cached++;
      } else {
        try {
          const blob = (await call('GET /repos/{owner}/{repo}/git/blobs/{file_sha}', { ...base, file_sha: e.sha })) as { content: string; encoding: string };
          bytes = blob.encoding === 'base64' ? Buffer.from(blob.content, 'base64') : Buffer.from(blob.content, 'utf8');
          blobs.set(e.sha, bytes);
        } catch (err) {
          notices.push({ kind: 'skipped-file', path: e.path, message: `Skipped: the file could not be read from GitHub (${describe(err)}).` });
          continue;
        }
      }
      files[i] = { path: e.path, bytes };
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, opts.concurrency ?? 8) }, worker));
  return { files: files.filter((f) => f !== undefined), notices, requests, cached };
}

/** Folder-by-folder listing, for trees too large for one recursive response. */
async function walkTree(
  call: (route: string, params: Record<string, unknown>) => Promise<unknown>,
  base: { owner: string; repo: string },
  root: string,
  budget: number,
): Promise<{ entries: TreeEntry[]; incomplete: boolean }> {
  const entries: TreeEntry[] = [];
  const queue: Array<{ sha: string; prefix: string }> = [{ sha: root, prefix: '' }];
  let used = 0;
  while (queue.length) {
    if (used >= budget) return { entries, incomplete: true };
    const { sha, prefix } = queue.shift()!;
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

/** An error for a notice: the HTTP status and message only, never headers or tokens. */
function describe(err: unknown): string {
  const e = err as { status?: number; message?: string };
  const msg = (e.message ?? 'error').split('\n')[0].slice(0, 200);
  return e.status ? `HTTP ${e.status}: ${msg}` : msg;
}
