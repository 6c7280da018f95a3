/**
 * The bundled CLI (dist/cli, scripts/bundle.mjs) that bin/ndis-review.js runs
 * when it is current: it prints what the compiled sources print, its worker
 * threads start, a warm run of it still loads no parser, and a bundle older
 * than the compiled sources is never run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
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

test('the build made a bundle that is current, so bin/ndis-review.js runs it', () => {
  const bundled = statSync(join(repoRoot, 'dist', 'cli', 'cli.js')).mtimeMs;
  const compiled = statSync(join(repoRoot, 'dist', 'src', 'cli.js')).mtimeMs;
  assert.ok(bundled >= compiled, 'dist/cli/cli.js is at least as new as dist/src/cli.js');
  assert.ok(statSync(join(repoRoot, 'dist', 'cli', 'worker.js')).isFile(), 'the parse worker is bundled beside it');
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
    // Two parse threads: the bundle's worker.js is found beside its chunks.
    assert.equal(run(args, true, { NDIS_REVIEW_WORKERS: '2' }), fromSources, `${c} with workers`);
    findings += (JSON.parse(fromSources) as { findings: unknown[] }).findings.length;
  }
  assert.ok(findings > 0, 'the cases have findings to compare');
});

test('a warm run of the bundle loads no parser and fewer of its parts than the cold run', () => {
  const rec = loadRecorder();
  const env = { ...rec.env, NDIS_REVIEW_CACHE_DIR: join(rec.dir, 'cache'), NDIS_REVIEW_CACHE: 'on' };
  const args = ['scan', join(cases, 'c03-restart-violation'), '--format', 'json', '--fail-on', 'never'];
  const nodeArgs = rec.nodeArgs;
  const loaded = () => rec.loaded();
  const cold = run(args, true, env, nodeArgs);
  const coldLoaded = loaded();
  rec.reset();
  const warm = run(args, true, env, nodeArgs);
  const warmLoaded = loaded();
  assert.equal(warm, cold, 'the warm run prints what the cold one printed');
  const parts = (urls: string[]) => urls.filter((u) => u.includes('/dist/cli/'));
  // tree-sitter is loaded with `require`, which the resolve hook does not see: the part of the bundle
  // that requires it is what a run that parses loads.
  const bundleDir = join(repoRoot, 'dist', 'cli');
  const parserParts = readdirSync(bundleDir).filter((f) =>
    readFileSync(join(bundleDir, f), 'utf8').includes('("tree-sitter")'),
  );
  assert.equal(parserParts.length, 1, `bundle parts that load the parser: ${parserParts.join(', ')}`);
  const loadsParser = (urls: string[]) => urls.some((u) => u.endsWith(`/dist/cli/${parserParts[0]}`));
  assert.ok(loadsParser(coldLoaded), 'the cold run loaded the parser (the list is a real record)');
  assert.ok(parts(warmLoaded).length > 0, 'the warm run ran the bundle');
  assert.ok(!warmLoaded.some((u) => u.includes('/dist/src/')), 'the warm run loaded nothing of the compiled sources');
  assert.ok(!loadsParser(warmLoaded), 'the warm run loaded no parser');
  assert.ok(
    parts(warmLoaded).length < parts(coldLoaded).length,
    `bundle parts loaded: warm ${String(parts(warmLoaded).length)}, cold ${String(parts(coldLoaded).length)}`,
  );
});

test('a bundle older than the compiled sources, or none, is not run', () => {
  // A copy of bin/ndis-review.js over two stand-in CLIs that say which one ran.
  const dir = tempDir({});
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist', 'src'), { recursive: true });
  copyFileSync(cli, join(dir, 'bin', 'ndis-review.js'));
  const standIn = (name: string) =>
    `export async function main(argv, io) { io.stdout(${JSON.stringify(name)}); return 0; }\n`;
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
  utimesSync(join(dir, 'dist', 'src', 'cli.js'), now + 60, now + 60);
  assert.equal(which(), 'sources', 'a bundle older than the compiled sources');
});
