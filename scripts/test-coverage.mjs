// Runs the tests (`node --test dist/test/*.test.js`) with V8's coverage on and
// prints line coverage of the compiled sources (dist/src) by folder, with a
// total line. Exits with the tests' status.
//
// Why not `node --test --experimental-test-coverage`: on Node 20 (20.16 and
// later) its report fails on tsc's source maps ("Could not report code
// coverage. TypeError: Cannot read properties of undefined (reading 'line')",
// nodejs/node#54240) and prints nothing. V8's own counts need no source map,
// and also cover the CLI processes and worker threads the tests start.
//
// A line counts when it holds code (not blank, not only a comment or a brace)
// and the innermost block around its first character ran, in any process.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = join(root, 'dist');
const srcPrefix = pathToFileURL(join(dist, 'src')).href + '/';
const lineCache = new Map();

// Test files given as arguments, else every one.
const tests =
  process.argv.length > 2
    ? process.argv.slice(2)
    : readdirSync(join(dist, 'test'))
        .filter((n) => n.endsWith('.test.js'))
        .sort()
        .map((n) => join('dist', 'test', n));
const coverageDir = mkdtempSync(join(dist, 'v8-coverage-'));
const t0 = performance.now();
const run = spawnSync(process.execPath, ['--test', ...tests], {
  cwd: root,
  stdio: 'inherit',
  // The compiled sources, not the bundle (dist/cli): coverage is counted on them. test/cli-bundle.test.ts runs the bundle.
  env: { ...process.env, NODE_V8_COVERAGE: coverageDir, NDIS_REVIEW_BUNDLE: '0' },
});
const testMs = performance.now() - t0;

try {
  const t1 = performance.now();
  summarise();
  console.log(
    `# coverage: tests ${(testMs / 1000).toFixed(1)} s, summary ${((performance.now() - t1) / 1000).toFixed(1)} s`,
  );
} catch (error) {
  console.log(`# coverage: not reported (${error instanceof Error ? error.message : String(error)})`);
} finally {
  rmSync(coverageDir, { recursive: true, force: true });
}
process.exit(run.status ?? 1);

function summarise() {
  /** url -> Uint8Array over the file's code lines: 1 when it ran in some process. */
  const ran = new Map();
  for (const name of readdirSync(coverageDir)) {
    if (!name.endsWith('.json')) continue;
    const { result } = JSON.parse(readFileSync(join(coverageDir, name), 'utf8'));
    for (const script of result) {
      if (!script.url.startsWith(srcPrefix) || !script.url.endsWith('.js')) continue;
      const file = codeLines(script.url);
      const hits = ran.get(script.url) ?? new Uint8Array(file.offsets.length);
      ran.set(script.url, hits);
      markRan(script.functions, file.offsets, hits);
    }
  }
  // Files no test loaded count, with none of their lines run.
  const rows = new Map();
  for (const path of jsFiles(join(dist, 'src'))) {
    const url = pathToFileURL(path).href;
    const lines = codeLines(url).offsets.length;
    const hits = ran.get(url);
    const covered = hits ? hits.reduce((n, h) => n + h, 0) : 0;
    const parts = relative(dist, path).split(sep);
    const folder = parts.length > 2 ? parts.slice(0, 2).join('/') : 'src/*.js';
    const row = rows.get(folder) ?? { lines: 0, covered: 0, files: 0 };
    row.lines += lines;
    row.covered += covered;
    row.files += 1;
    rows.set(folder, row);
  }
  const pct = (r) => (r.lines === 0 ? 100 : (100 * r.covered) / r.lines).toFixed(1).padStart(5);
  console.log('# line coverage of dist/src (V8, all test processes)');
  const total = { lines: 0, covered: 0, files: 0 };
  for (const [folder, r] of [...rows].sort()) {
    console.log(
      `#   ${folder.padEnd(14)} ${pct(r)} %  ${String(r.covered).padStart(6)} / ${r.lines} lines, ${r.files} files`,
    );
    total.lines += r.lines;
    total.covered += r.covered;
    total.files += r.files;
  }
  console.log(`# coverage: ${pct(total).trim()} % of ${total.lines} code lines in ${total.files} files`);
}

/** Offsets of the first character of each code line of a file. */
function codeLines(url) {
  let file = lineCache.get(url);
  if (file) return file;
  const text = readFileSync(fileURLToPath(url), 'utf8');
  const offsets = [];
  let at = 0;
  for (const line of text.split('\n')) {
    const lead = line.length - line.trimStart().length;
    const body = line.trim();
    if (body && !/^(\/\/|\/\*|\*|[{}()[\];,]+$)/.test(body)) offsets.push(at + lead);
    at += line.length + 1;
  }
  file = { offsets };
  lineCache.set(url, file);
  return file;
}

/**
 * Marks the lines whose first character's innermost block ran. Ranges are
 * applied outermost first, so an inner block's count overrides its parent's.
 */
function markRan(functions, offsets, hits) {
  const ranges = functions.flatMap((f) => f.ranges);
  ranges.sort((a, b) => b.endOffset - b.startOffset - (a.endOffset - a.startOffset));
  const counts = new Int32Array(offsets.length).fill(-1);
  for (const r of ranges) {
    for (let i = lowerBound(offsets, r.startOffset); i < offsets.length && offsets[i] < r.endOffset; i++) {
      counts[i] = r.count;
    }
  }
  for (let i = 0; i < offsets.length; i++) if (counts[i] > 0) hits[i] = 1;
}

function lowerBound(xs, x) {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function* jsFiles(dir) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* jsFiles(p);
    else if (e.name.endsWith('.js')) yield p;
  }
}
