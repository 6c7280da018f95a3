/**
 * Reads the files a caller wants out of a gzip'd tar stream (GitHub's
 * repository tarball, which `git archive` writes), one entry at a time, so
 * only wanted files are ever held in memory. It understands the formats git
 * archive and GNU tar write: ustar names with a prefix, pax extended headers
 * (long paths, sizes) and global headers, and GNU long names. Paths lose
 * their first component (GitHub's `owner-repo-sha/` folder).
 *
 * A tarball is not trusted to hold the commit's exact bytes (`export-ignore`,
 * `export-subst` and end-of-line attributes change what `git archive`
 * writes): callers compare `gitBlobSha` with the tree's blob SHA and fetch
 * the blob itself when they differ.
 */
import { createHash } from 'node:crypto';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';

export interface TarEntry {
  path: string;
  bytes: Buffer;
}

export interface TarOptions {
  /** Paths (after the first component is removed) whose contents are wanted. */
  want: (path: string) => boolean;
  /** A wanted entry larger than this is skipped. */
  maxEntryBytes: number;
  /** The archive is abandoned (an error) once this many uncompressed bytes were read. */
  maxTotalBytes: number;
}

export class TarError extends Error {}

const BLOCK = 512;

/** The SHA-1 git gives a blob with these contents (`git hash-object`). */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

/** Entries of a gzip'd tar stream (a Node or web stream, or any async iterable of bytes). */
export function gzipTarEntries(
  source: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>,
  opts: TarOptions,
): AsyncGenerator<TarEntry> {
  const input = isWebStream(source) ? Readable.fromWeb(source) : Readable.from(source);
  const gunzip = createGunzip();
  // A broken input must reach the reader as an error, not leave it waiting.
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  return (async function* () {
    try {
      yield* tarEntries(gunzip, opts);
    } finally {
      // Stopping early (or failing) must not leave the download running.
      input.destroy();
      gunzip.destroy();
    }
  })();
}

function isWebStream(s: unknown): s is ReadableStream<Uint8Array> {
  return typeof (s as { getReader?: unknown }).getReader === 'function';
}

/** Entries of an uncompressed tar stream. */
export async function* tarEntries(chunks: AsyncIterable<Uint8Array>, opts: TarOptions): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(chunks[Symbol.asyncIterator](), opts.maxTotalBytes);
  let longName: string | undefined;
  let pax: Record<string, string> = {};
  for (;;) {
    const header = await reader.read(BLOCK);
    if (header === undefined) return; // an archive without its end blocks: what was read stands
    if (header.every((b) => b === 0)) return;
    if (!checksumOk(header)) throw new TarError('not a tar archive (header checksum mismatch)');
    const type = String.fromCharCode(header[156] || 0x30);
    const size = pax.size !== undefined ? Number(pax.size) : numeric(header, 124, 12);
    if (!Number.isSafeInteger(size) || size < 0) throw new TarError('corrupt tar header (size)');
    const padded = Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'x' || type === 'g' || type === 'L') {
      if (size > 1024 * 1024) throw new TarError('corrupt tar header (oversized extended header)');
      const data = await reader.readExactly(padded);
      const body = data.subarray(0, size);
      if (type === 'x') pax = parsePax(body);
      else if (type === 'L') longName = cString(body);
      continue; // 'g' (git archive's commit comment) applies to nothing we read
    }

    const path = stripFirst(pax.path ?? longName ?? headerPath(header));
    longName = undefined;
    pax = {};
    const regular = type === '0' || type === '7';
    if (regular && path !== '' && size <= opts.maxEntryBytes && opts.want(path)) {
      const data = await reader.readExactly(padded);
      yield { path, bytes: Buffer.from(data.subarray(0, size)) };
    } else {
      await reader.skip(padded);
    }
  }
}

function headerPath(h: Uint8Array): string {
  const name = cString(h.subarray(0, 100));
  const ustar = cString(h.subarray(257, 262)) === 'ustar';
  const prefix = ustar ? cString(h.subarray(345, 500)) : '';
  return prefix ? `${prefix}/${name}` : name;
}

function stripFirst(path: string): string {
  const clean = path.replace(/^\.\//, '');
  const slash = clean.indexOf('/');
  return slash < 0 ? '' : clean.slice(slash + 1);
}

function cString(b: Uint8Array): string {
  const end = b.indexOf(0);
  return Buffer.from(b.subarray(0, end < 0 ? b.length : end)).toString('utf8');
}

/** Octal (NUL/space padded) or, when the high bit is set, GNU base-256. */
function numeric(h: Uint8Array, at: number, len: number): number {
  const field = h.subarray(at, at + len);
  if (field[0] & 0x80) {
    let n = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i];
    return n;
  }
  const text = cString(field).trim();
  return text === '' ? 0 : /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

function checksumOk(h: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return numeric(h, 148, 8) === sum;
}

/** pax records: "<length> <key>=<value>\n", length counting the whole record. */
function parsePax(body: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    if (space < 0) break;
    const len = Number(Buffer.from(body.subarray(at, space)).toString('ascii'));
    if (!Number.isSafeInteger(len) || len <= space - at || at + len > body.length)
      throw new TarError('corrupt pax header');
    const record = Buffer.from(body.subarray(space + 1, at + len - 1)).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    at += len;
  }
  return out;
}

/** Exact-size reads over an async byte stream, counting what passed through. */
class ByteReader {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private total = 0;

  constructor(
    private readonly it: AsyncIterator<Uint8Array>,
    private readonly maxTotal: number,
  ) {}

  /** `n` bytes, or undefined when the stream ends first. */
  async read(n: number): Promise<Uint8Array | undefined> {
    if (!(await this.fill(n))) return undefined;
    return this.take(n);
  }

  async readExactly(n: number): Promise<Uint8Array> {
    const b = await this.read(n);
    if (b === undefined) throw new TarError('tar archive ends in the middle of an entry');
    return b;
  }

  async skip(n: number): Promise<void> {
    while (n > 0) {
      if (this.buffered === 0 && !(await this.fill(1)))
        throw new TarError('tar archive ends in the middle of an entry');
      const c = this.chunks[0];
      const k = Math.min(n, c.length);
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
      this.buffered -= k;
      n -= k;
    }
  }

  private async fill(n: number): Promise<boolean> {
    while (this.buffered < n) {
      const r = await this.it.next();
      if (r.done) return false;
      const chunk = r.value;
      this.total += chunk.length;
      if (this.total > this.maxTotal) throw new TarError(`tar archive is larger than ${this.maxTotal} bytes`);
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    return true;
  }

  private take(n: number): Uint8Array {
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    this.buffered -= n;
    return out;
  }
}
