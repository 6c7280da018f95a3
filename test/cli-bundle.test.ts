/**
 * The bundled CLI (dist/cli, scripts/bundle.mjs) that bin/ndis-review.js runs
 * when it is current: it prints what the compiled sources print, with or
 * without its code cache, its worker threads start, a warm run of it still
 * loads no parser, a bundle older than the compiled sources is never run,
 * and a code cache is written, used, replaced when damaged, and never one
 * made for another bundle.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './support/paths.js';
import { tempDir } from './support/temp.js';
import { loadRecorder } from './support/load-hook.js';

const cli = join(repoRoot, 'bin', 'ndis-review.js');
const cases = resolve(repoRoot, '../shared/cases');

/** The CLI in a child process; `bundle` false sets NDIS_REVIEW_BUNDLE=0. */
function run(args: string[], bundle: boolean, extraEnv: Record<string, string> = {}, nodeArgs: string[] = []): string {
  const env: NodeJS.ProcessEnv = { ...process.env, NDIS_REVIEW_CACHE: 'off', ...extraEnv };
  delete env.NDIS_REVIEW_BUNDLE;
  // Coverage of child processes is counted on dist/src only; the bundle's would be noise.
  delete env.NODE_V8_COVERAGE;
  if (!bundle) env.NDIS_REVIEW_BUNDLE = '0';
  return execFileSync(process.execPath, [...nodeArgs, cli, ...args], { env, encoding: 'utf8' });
}

test('the build made a bundle that is current, so bin/ndis-review.js runs it, with a code cache for this Node', () => {
  const compiled = statSync(join(repoRoot, 'dist', 'src', 'cli.js')).mtimeMs;
  for (const f of ['cli.cjs', 'cli.js'])
    assert.ok(statSync(join(repoRoot, 'dist', 'cli', f)).mtimeMs >= compiled, `dist/cli/${f} is at least as new`);
  assert.ok(statSync(join(repoRoot, 'dist', 'cli', 'worker.js')).isFile(), 'the parse worker is bundled beside it');
  const caches = readdirSync(join(repoRoot, 'dist', 'cli')).filter((f) => f.endsWith('.codecache'));
  assert.equal(caches.length, 1, `code caches beside the bundle: ${caches.join(', ')}`);
  assert.ok(caches[0].includes(`-v8-${process.versions.v8}-`), `${caches[0]} is for this Node's V8`);
  // A dynamic import() in a script run through vm.Script would fail at run time: the bundle has none.
  assert.doesNotMatch(readFileSync(join(repoRoot, 'dist', 'cli', 'cli.cjs'), 'utf8'), /[^\w$.]import\(/);
});

test('the bundle reports exactly what the compiled sources report, one thread or with workers', () => {
  let findings = 0;
  for (const c of [
    'c03-restart-violation',
    'c04-shared-helper-violation',
    'p07-length-mismatch',
    'q03-indirect-call-in-halt',
  ]) {
    const args = ['scan', join(cases, c), '--format', 'json', '--fail-on', 'never'];
    const fromSources = run(args, false);
    assert.equal(run(args, true), fromSources, c);
    assert.equal(run(args, true, { NDIS_REVIEW_CODE_CACHE: '0' }), fromSources, `${c} without the code cache`);
    // Two parse threads: the bundle's worker.js is found beside its chunks.
    assert.equal(run(args, true, { NDIS_REVIEW_WORKERS: '2' }), fromSources, `${c} with workers`);
    findings += (JSON.parse(fromSources) as { findings: unknown[] }).findings.length;
  }
  assert.ok(findings > 0, 'the cases have findings to compare');
});

test('a warm run of the bundle loads no parser', () => {
  const rec = loadRecorder();
  const env = { ...rec.env, NDIS_REVIEW_CACHE_DIR: join(rec.dir, 'cache'), NDIS_REVIEW_CACHE: 'on' };
  const args = ['scan', join(cases, 'c03-restart-violation'), '--format', 'json', '--fail-on', 'never'];
  const cold = run(args, true, env, rec.nodeArgs);
  const coldLoaded = rec.loaded();
  rec.reset();
  const warm = run(args, true, env, rec.nodeArgs);
  const warmLoaded = rec.loaded();
  assert.equal(warm, cold, 'the warm run prints what the cold one printed');
  // tree-sitter is loaded with `require` on the first parse (the recorder sees requires too).
  const parser = (urls: string[]) => urls.filter((u) => u.includes('/node_modules/tree-sitter'));
  assert.ok(parser(coldLoaded).length > 0, 'the cold run loaded the parser (the list is a real record)');
  assert.ok(warmLoaded.length > 0, 'the recorder saw the warm run');
  assert.ok(!warmLoaded.some((u) => u.includes('/dist/src/')), 'the warm run loaded nothing of the compiled sources');
  assert.deepEqual(parser(warmLoaded), [], 'the warm run loaded no parser');
});

test('a bundle older than the compiled sources, or none, is not run', () => {
  // A copy of bin/ndis-review.js over two stand-in CLIs that say which one ran.
  const dir = tempDir({});
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist', 'src'), { recursive: true });
  copyFileSync(cli, join(dir, 'bin', 'ndis-review.js'));
  const standIn = (name: string) =>
    `export async function main(argv, io) { io.stdout(${JSON.stringify(name)}); return 0; }\n`;
  const standInCjs = (name: string) =>
    `exports.main = async (argv, io) => { io.stdout(${JSON.stringify(name)}); return 0; };\n`;
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}\n');
  writeFileSync(join(dir, 'dist', 'src', 'cli.js'), standIn('sources'));
  const which = (env: Record<string, string> = {}) => {
    const e: NodeJS.ProcessEnv = { ...process.env, ...env };
    if (!('NDIS_REVIEW_BUNDLE' in env)) delete e.NDIS_REVIEW_BUNDLE;
    return execFileSync(process.execPath, [join(dir, 'bin', 'ndis-review.js')], { env: e, encoding: 'utf8' });
  };
  assert.equal(which(), 'sources', 'no bundle');
  mkdirSync(join(dir, 'dist', 'cli'));
  writeFileSync(join(dir, 'dist', 'cli', 'cli.js'), standIn('bundle'));
  const now = Date.now() / 1000;
  utimesSync(join(dir, 'dist', 'src', 'cli.js'), now - 60, now - 60);
  utimesSync(join(dir, 'dist', 'cli', 'cli.js'), now, now);
  assert.equal(which(), 'bundle', 'a current bundle');
  assert.equal(which({ NDIS_REVIEW_BUNDLE: '0' }), 'sources', 'NDIS_REVIEW_BUNDLE=0');
  writeFileSync(join(dir, 'dist', 'cli', 'cli.cjs'), standInCjs('one file'));
  utimesSync(join(dir, 'dist', 'cli', 'cli.cjs'), now, now);
  assert.equal(which(), 'one file', 'a current cli.cjs comes first');
  assert.equal(which({ NDIS_REVIEW_BUNDLE: '0' }), 'sources', 'NDIS_REVIEW_BUNDLE=0 over cli.cjs');
  utimesSync(join(dir, 'dist', 'cli', 'cli.cjs'), now - 120, now - 120);
  assert.equal(which(), 'bundle', 'a cli.cjs older than the compiled sources is not run');
  utimesSync(join(dir, 'dist', 'src', 'cli.js'), now + 60, now + 60);
  assert.equal(which(), 'sources', 'a bundle older than the compiled sources');
});

test("the code cache: written where there is none, used, replaced when damaged, never another bundle's", () => {
  const dir = tempDir({});
  // A cache of an earlier bundle: removed when this bundle's is written; one of this bundle for another
  // Node is kept.
  const stale = join(dir, `cli-0123456789abcdef-v8-${process.versions.v8}-${process.arch}.codecache`);
  writeFileSync(stale, 'old');
  const args = ['scan', join(cases, 'p07-length-mismatch'), '--format', 'json', '--fail-on', 'never'];
  const env = { NDIS_REVIEW_CODE_CACHE_DIR: dir, NDIS_REVIEW_CODE_CACHE: 'report' };
  // The bundle, as a user runs it: not the compiled sources the other tests run (NDIS_REVIEW_BUNDLE=0).
  const bundled = (argv: string[]) => {
    const e: NodeJS.ProcessEnv = { ...process.env, NDIS_REVIEW_CACHE: 'off', ...env };
    delete e.NODE_V8_COVERAGE;
    delete e.NDIS_REVIEW_BUNDLE;
    return spawnSync(process.execPath, [cli, ...argv], { env: e, encoding: 'utf8' });
  };
  const once = () => {
    const r = bundled(args);
    assert.equal(r.status, 0, r.stderr);
    return { out: r.stdout, said: r.stderr.trim() };
  };
  const reference = run(args, false);
  // A run that does not scan writes no cache (it would hold start-up code only, and be kept).
  const version = bundled(['--version']);
  assert.equal(version.stderr.trim(), 'code cache: absent');
  assert.deepEqual(
    readdirSync(dir).filter((f) => f !== basename(stale)),
    [],
    '--version wrote nothing',
  );
  const first = once();
  assert.equal(first.out, reference, 'the first run prints what the compiled sources print');
  assert.equal(first.said, 'code cache: absent, written');
  const files = readdirSync(dir);
  assert.equal(files.length, 1, `files: ${files.join(', ')}`);
  assert.ok(!existsSync(stale), "the earlier bundle's cache is gone");
  const otherNode = join(dir, files[0].replace(/-v8-.*$/, '-v8-0.0.0-other-x64.codecache'));
  writeFileSync(otherNode, 'another Node');
  const second = once();
  assert.equal(second.said, 'code cache: used');
  assert.equal(second.out, reference, 'the run from the cache prints the same');
  // One byte changed in the middle of the cache: not used, written again.
  const file = join(dir, files[0]);
  const bytes = readFileSync(file);
  bytes[bytes.length >> 1] ^= 0xff;
  writeFileSync(file, bytes);
  const third = once();
  assert.equal(third.said, 'code cache: damaged, written');
  assert.equal(third.out, reference, 'the run past a damaged cache prints the same');
  assert.equal(once().said, 'code cache: used', 'the cache written again is used');
  assert.ok(existsSync(otherNode), "another Node's cache of this bundle is kept");
});
