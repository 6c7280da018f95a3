/**
 * The shared acceptance cases: each folder is scanned as a repository root
 * through the real scan path (the CLI's JSON output), and the findings must
 * equal the `EXPECT:` markers exactly: no finding missing, none extra.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli.js';
import { repoRoot } from './support/paths.js';

const casesDir = resolve(repoRoot, '../shared/cases');
const RULES = new Set(['ndis/mmap-context', 'ndis/unmap-on-failure', 'ndis/unmap-in-halt', 'ndis/unmap-length']);

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourcesUnder(p));
    else if (/\.(c|h)$/.test(name)) out.push(p);
  }
  return out;
}

/** `path:line rule` for every EXPECT marker, in a line comment or a block comment. */
export function expectedFindings(root: string): string[] {
  const out: string[] = [];
  for (const file of sourcesUnder(root)) {
    const lines = readFileSync(file, 'latin1').split('\n');
    lines.forEach((text, i) => {
      const m = /(?:\/\/|\/\*)\s*EXPECT:\s*([^*\r\n]+)/.exec(text);
      if (!m) return;
      for (const rule of m[1]
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean)) {
        out.push(`${relative(root, file).split(sep).join('/')}:${i + 1} ${rule}`);
      }
    });
  }
  return out.sort();
}

async function scanJson(
  dir: string,
): Promise<{ findings: { rule: string; path: string; line: number; trace: unknown[]; message: string }[] }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['scan', dir, '--format', 'json', '--fail-on', 'never'], {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: { NDIS_REVIEW_CACHE: 'off' },
    cwd: repoRoot,
  });
  // --fail-on never: 0, or 3 when the report is incomplete.
  assert.ok(code === 0 || code === 3, `scan of ${dir} exited ${code}: ${stderr}`);
  return JSON.parse(stdout);
}

const cases = readdirSync(casesDir)
  .filter((n) => statSync(join(casesDir, n)).isDirectory())
  .sort();

test('the shared cases are present', () => {
  assert.ok(cases.length >= 27, `found ${cases.length} cases in ${casesDir}`);
});

for (const name of cases) {
  test(`case ${name}`, async () => {
    const dir = join(casesDir, name);
    const result = await scanJson(dir);
    const actual = result.findings
      .filter((f) => RULES.has(f.rule))
      .map((f) => `${f.path}:${f.line} ${f.rule}`)
      .sort();
    assert.deepEqual(actual, expectedFindings(dir));
    for (const f of result.findings) {
      assert.ok(f.trace.length >= 1, `${f.rule} at ${f.path}:${f.line} has no trace`);
      assert.ok(f.message.length > 40, `${f.rule} at ${f.path}:${f.line} has a thin message`);
    }
  });
}
