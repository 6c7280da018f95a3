/**
 * A minimal ustar writer for tests that need tarballs of generated
 * repositories (paths up to 100 bytes). Real `git archive` output is covered
 * by the fixture in test/fixtures/archive.
 */
import { gzipSync } from 'node:zlib';

function header(path: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  const name = Buffer.from(path, 'utf8');
  if (name.length > 100) throw new Error(`test tar writer: path over 100 bytes: ${path}`);
  name.copy(h, 0);
  h.write('0000644\0', 100, 'ascii');
  h.write('0000000\0', 108, 'ascii');
  h.write('0000000\0', 116, 'ascii');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
  h.write('00000000000\0', 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write('0', 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  return h;
}

/** A gzip'd tarball with every file under `prefix/`, as GitHub serves a repository. */
export function makeTarGz(files: { path: string; bytes: Uint8Array }[], prefix = 'o-r-0000000', level = 6): Buffer {
  const parts: Buffer[] = [];
  for (const f of files) {
    parts.push(header(`${prefix}/${f.path}`, f.bytes.length), Buffer.from(f.bytes));
    const pad = (512 - (f.bytes.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts), { level });
}
