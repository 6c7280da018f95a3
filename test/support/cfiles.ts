/** The C sources and headers the tests read as real input: every fixture and every shared case. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import type { SourceFile } from '../../src/engine/scan.js';
import { repoRoot } from './paths.js';

/** Every `.c` and `.h` file below `dir`. */
export function cFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...cFiles(p));
    else if (/\.(c|h)$/i.test(name)) out.push(p);
  }
  return out;
}

/** Every C file of the tests' fixtures and of the shared acceptance cases. */
export function fixtureAndCaseFiles(): string[] {
  return [...cFiles(join(repoRoot, 'test')), ...cFiles(join(repoRoot, '../shared/cases'))];
}

/** The `.c` and `.h` files below `root` as a scan is handed them: paths relative to it, each folder's entries sorted. */
export function sourceFolder(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir).sort()) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.[ch]$/.test(e)) files.push({ path: relative(root, p).split(sep).join('/'), bytes: readFileSync(p) });
    }
  };
  walk(root);
  return files;
}
