/**
 * The shared acceptance cases: each folder is scanned as a repository root
 * through the real scan path (the CLI's JSON output), and the findings must
 * equal the `EXPECT:` markers exactly: no finding missing, none extra.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { assertExplained, findingKeys, scanCase } from './support/cases.js';
import { expectedFindings } from './support/expect.js';
import { repoRoot } from './support/paths.js';

const casesDir = resolve(repoRoot, '../shared/cases');
const RULES = new Set(['ndis/mmap-context', 'ndis/unmap-on-failure', 'ndis/unmap-in-halt', 'ndis/unmap-length']);

const cases = readdirSync(casesDir)
  .filter((n) => statSync(join(casesDir, n)).isDirectory())
  .sort();

test('the shared cases are present', () => {
  assert.ok(cases.length >= 27, `found ${String(cases.length)} cases in ${casesDir}`);
});

for (const name of cases) {
  test(`case ${name}`, async () => {
    const dir = join(casesDir, name);
    const want = expectedFindings(dir);
    const result = await scanCase(dir);
    assert.deepEqual(findingKeys(result.findings, RULES, want), want);
    assertExplained(result.findings);
  });
}
