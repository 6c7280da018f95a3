/**
 * Reads the files a caller wants out of a gzip'd tar stream (GitHub's
 * repository tarball, which `git archive` writes), one entry at a time, so
 * only wanted files are ever held in memory. The tar format (ustar names
 * with a prefix, pax extended and global headers, GNU long names) is
 * `tar-stream`'s; what is ours is what an archive from an untrusted
 * repository may not do: read more than `maxTotalBytes` (a gzip bomb is
 * abandoned), hold an entry over `maxEntryBytes`, or name a path that
 * climbs out of the archive or is absolute. Only regular files are
 * yielded; links and folders are skipped. Paths lose their first component
 * (GitHub's `owner-repo-sha/` folder).
 *
 * A tarball is not trusted to hold the commit's exact bytes (`export-ignore`,
 * `export-subst` and end-of-line attributes change what `git archive`
 * writes): callers compare `gitBlobSha` with the tree's blob SHA and fetch
 * the blob itself when they differ.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';

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

/** The SHA-1 git gives a blob with these contents (`git hash-object`). */
export function gitBlobSha(bytes: Uint8Array): string {
  return createHash('sha1')
    .update(`blob ${String(bytes.length)}\0`)
    .update(bytes)
    .digest('hex');
}

type Source = AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

function toNode(source: Source): Readable {
  return isWebStream(source)
    ? Readable.fromWeb(source as import('node:stream/web').ReadableStream<Uint8Array>)
    : Readable.from(source);
}

function isWebStream(s: unknown): s is ReadableStream<Uint8Array> {
  return typeof (s as { getReader?: unknown }).getReader === 'function';
}

/** Entries of a gzip'd tar stream (a Node or web stream, or any async iterable of bytes). */
export function gzipTarEntries(source: Source, opts: TarOptions): AsyncGenerator<TarEntry> {
  return entries(toNode(source), createGunzip(), opts);
}

/** Entries of an uncompressed tar stream. */
export function tarEntries(chunks: AsyncIterable<Uint8Array>, opts: TarOptions): AsyncGenerator<TarEntry> {
  return entries(Readable.from(chunks), undefined, opts);
}

/** Counts the archive's uncompressed bytes and stops it past the bound. */
class Bounded extends Transform {
  private seen = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) done(new TarError(`tar archive is larger than ${String(this.max)} bytes`));
    else done(null, chunk);
  }
}

async function* entries(input: Readable, gunzip: Transform | undefined, opts: TarOptions): AsyncGenerator<TarEntry> {
  const bounded = new Bounded(opts.maxTotalBytes);
  const extract = tar.extract();
  const stages: Readable[] = gunzip ? [input, gunzip, bounded] : [input, bounded];
  // A failure anywhere (the download, gzip, the bound) must reach the reader as an error, not leave it waiting.
  let failure: unknown;
  const fail = (err: unknown) => {
    failure ??= err;
    extract.destroy(err as Error);
  };
  for (const s of stages) s.on('error', fail);
  (gunzip ? input.pipe(gunzip).pipe(bounded) : input.pipe(bounded)).pipe(extract);
  try {
    for await (const entry of extract) {
      const path = archivePath(entry.header.name);
      const size = (entry.header.size as number | undefined) ?? 0;
      const regular = entry.header.type === 'file' || entry.header.type === 'contiguous-file';
      if (regular && path !== undefined && size <= opts.maxEntryBytes && opts.want(path)) {
        const chunks: Buffer[] = [];
        for await (const c of entry) chunks.push(c as Buffer);
        yield { path, bytes: Buffer.concat(chunks) };
      } else {
        entry.resume();
      }
    }
  } catch (err) {
    throw asTarError(failure ?? err);
  } finally {
    // Stopping early (or failing) must not leave the download running.
    for (const s of stages) s.destroy();
    extract.destroy();
  }
  if (failure !== undefined) throw asTarError(failure);
}

/**
 * The path inside the repository: the first component (GitHub's folder)
 * removed; undefined for a path that is absolute, climbs with `..`, or names
 * nothing (such an entry is never a file of the commit).
 */
function archivePath(name: string): string | undefined {
  if (name.startsWith('/') || name.includes('\0')) return undefined;
  const parts = name.replace(/^\.\//, '').split('/');
  const rest = parts.slice(1).filter((p) => p !== '' && p !== '.');
  if (rest.length === 0 || parts[0] === '..' || rest.includes('..')) return undefined;
  return rest.join('/');
}

function asTarError(err: unknown): Error {
  if (err instanceof TarError) return err;
  const message = err instanceof Error ? err.message : String(err);
  if (message.startsWith('Invalid tar header'))
    return new TarError('not a tar archive (header checksum mismatch or unknown format)');
  if (message.includes('Unexpected end of data')) return new TarError('tar archive ends in the middle of an entry');
  return err instanceof Error ? err : new TarError(message);
}
