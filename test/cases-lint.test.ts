/**
 * Acceptance cases of the rules ported from Static Driver Verifier's NDIS
 * rules: each folder under test/cases-lint/<rule>/<case>/ is scanned as a
 * repository root through the CLI's JSON output, and the findings of these
 * rules must equal the `EXPECT:` markers exactly (with the message id where
 * a marker names one: `// EXPECT: ndis/pause-return:returnsVariable`).
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { assertExplained, findingKeys, scanCase } from './support/cases.js';
import { expectedFindings } from './support/expect.js';
import { repoRoot } from './support/paths.js';

const casesDir = resolve(repoRoot, 'test/cases-lint');
const RULES = new Set([
  'ndis/stall-execution-delay',
  'ndis/allocate-memory-tag',
  'ndis/pause-return',
  'ndis/flags-irql',
  'ndis/irql-synch-function',
  'ndis/cancel-timer-object',
  'ndis/spinlock-balance',
]);

const ruleDirs = readdirSync(casesDir)
  .filter((n) => statSync(join(casesDir, n)).isDirectory())
  .sort();

test('every ported rule has at least three cases', () => {
  for (const rule of RULES) {
    const dir = join(casesDir, rule.replace(/^ndis\//, ''));
    const n = readdirSync(dir).filter((c) => statSync(join(dir, c)).isDirectory()).length;
    assert.ok(n >= 3, `${rule}: ${String(n)} cases`);
  }
});

for (const ruleDir of ruleDirs) {
  const dir = join(casesDir, ruleDir);
  for (const name of readdirSync(dir)
    .filter((c) => statSync(join(dir, c)).isDirectory())
    .sort()) {
    test(`lint case ${ruleDir}/${name}`, async () => {
      const root = join(dir, name);
      const want = expectedFindings(root);
      // Message ids are compared where a marker names one.
      const result = await scanCase(root);
      assert.deepEqual(findingKeys(result.findings, RULES, want), want);
      assertExplained(result.findings.filter((x) => RULES.has(x.rule)));
    });
  }
}
