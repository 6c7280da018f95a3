/**
 * Which files a scan reads: C sources and headers under a root, folders a
 * build leaves (and version control's) skipped, unreadable entries named.
 * Its own module so a process that only lists (the bench's raw-parse floor)
 * loads nothing else of the engine.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A problem with the scan's input, worded for the user. */
export class ScanError extends Error {}
const SOURCE_EXT = /\.(?:c|h|inc|inl)$/i;

/** C sources and headers the scan reads: `.c`, `.h`, `.inc`, `.inl`. */
export function isSourcePath(path: string): boolean {
  return SOURCE_EXT.test(path);
}

const SKIP_DIRS = new Set(['.git', 'node_modules', '.svn', '.hg', 'obj', 'objfre', 'objchk']);

/** The sources under a root, and the entries below it that could not be read (each named, with why). */
export interface SourceList {
  paths: string[];
  unreadable: { path: string; why: string }[];
}

export async function listSources(root: string): Promise<SourceList> {
  let info;
  try {
    info = await stat(root);
  } catch {
    throw new ScanError(`cannot read ${root}: no such file or directory`);
  }
  if (!info.isDirectory()) {
    if (SOURCE_EXT.test(root)) return { paths: [root], unreadable: [] };
    throw new ScanError(`${root} is not a directory or a C source file`);
  }
  const paths: string[] = [];
  const unreadable: SourceList['unreadable'] = [];
  // Folders to read, as a stack: a deep tree costs memory, never the call stack.
  const dirs = [root];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if (dir === root) throw new ScanError(`cannot read ${root}: ${errorCode(e)}`);
      // A folder the scan cannot list may hold sources: say so rather than scan less in silence.
      unreadable.push({ path: dir, why: errorCode(e) });
      continue;
    }
    for (const e of entries) {
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) dirs.push(join(dir, e.name));
      } else if (e.isFile() && SOURCE_EXT.test(e.name)) paths.push(join(dir, e.name));
    }
  }
  return {
    paths: paths.sort(),
    unreadable: unreadable.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)),
  };
}

/** An fs error's code (ENOENT, EACCES, ...), or its message. */
export function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException | undefined)?.code ?? 'error';
}
