/** The C sources and headers the tests read as real input: every fixture and every shared case. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
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
