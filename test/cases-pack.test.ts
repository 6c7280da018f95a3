/**
 * The pack's own acceptance cases (test/cases-pack/<rule>/<case>/): each case
 * folder is scanned as a repository root through the real scan path (the
 * CLI's JSON output), and the findings of every rule must equal the
 * `EXPECT:` markers exactly. A marker is `rule` or `rule:messageId`; with a
 * message id, the finding must carry that id.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { loadRulePack } from '../src/engine/rulepack.js';
import { assertExplained, findingKeys, scanCase } from './support/cases.js';
import { expectedFindings } from './support/expect.js';
import { repoRoot } from './support/paths.js';

const casesDir = resolve(repoRoot, 'test/cases-pack');

/**
 * The preview rules are off unless a configuration names them: the cases turn every rule of the
 * pack on at its own severity, as a team trying them would.
 */
const enableAll = (() => {
  const dir = mkdtempSync(join(tmpdir(), 'ndis-review-pack-cases-'));
  const file = join(dir, 'ndis-review.yml');
  const lines = loadRulePack().rules.map((r) => `  ${r.id}: ${r.severity}`);
  writeFileSync(file, `rules:\n${lines.join('\n')}\n`);
  return file;
})();

const cases: { rule: string; name: string; dir: string }[] = [];
for (const rule of readdirSync(casesDir).sort())
  for (const name of readdirSync(join(casesDir, rule)).sort())
    if (statSync(join(casesDir, rule, name)).isDirectory()) cases.push({ rule, name, dir: join(casesDir, rule, name) });

test('every pairing rule has at least three cases, and every case folder names a rule of the pack', () => {
  const pack = loadRulePack();
  const ids = new Set(pack.rules.map((r) => r.id));
  for (const { rule } of cases) assert.ok(ids.has(`ndis/${rule}`), `test/cases-pack/${rule} names no rule`);
  for (const r of pack.rules.filter((x) => x.kind === 'pairing')) {
    const n = cases.filter((c) => `ndis/${c.rule}` === r.id).length;
    assert.ok(n >= 3, `${r.id} has ${String(n)} cases`);
  }
});

for (const c of cases) {
  test(`pack case ${c.rule}/${c.name}`, async () => {
    const expected = expectedFindings(c.dir);
    const result = await scanCase(c.dir, ['--config', enableAll]);
    // Every rule's findings count here, not only the pairing rule the case is for.
    assert.deepEqual(findingKeys(result.findings, new Set(result.findings.map((f) => f.rule)), expected), expected);
    assertExplained(result.findings);
  });
}
