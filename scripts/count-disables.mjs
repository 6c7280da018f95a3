// Counts inline lint disables (`eslint-disable…` comments) in the project's
// own sources and lists each one, so the number is seen on every test run
// and can only grow on purpose: above MAX it fails.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const MAX = 5;
const ROOTS = ['src', 'test', 'bench', 'eval', 'scripts', 'bin'];
const SKIP = new Set(['node_modules', 'dist', 'fixtures']);
const root = new URL('..', import.meta.url).pathname;

function* files(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (SKIP.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (/\.(ts|mjs|js)$/.test(e.name)) yield p;
  }
}

const found = [];
for (const top of ROOTS)
  for (const file of files(join(root, top))) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, i) => {
      if (/eslint-disable/.test(line) && file !== new URL(import.meta.url).pathname)
        found.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
    });
  }
for (const f of found) console.log(f);
console.log(`inline lint disables: ${found.length} (at most ${MAX})`);
if (found.length > MAX) process.exitCode = 1;
