/**
 * The shared acceptance cases: each folder is scanned as a repository root
 * through the real scan path (the CLI's JSON output), and the findings must
 * equal the `EXPECT:` markers exactly: no finding missing, none extra.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli.js';
import { expectedFindings } from './support/expect.js';
import { repoRoot } from './support/paths.js';

const casesDir = resolve(repoRoot, '../shared/cases');
const RULES = new Set(['ndis/mmap-context', 'ndis/unmap-on-failure', 'ndis/unmap-in-halt', 'ndis/unmap-length']);

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
