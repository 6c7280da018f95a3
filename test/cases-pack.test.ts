/**
 * The pack's own acceptance cases (test/cases-pack/<rule>/<case>/): each case
 * folder is scanned as a repository root through the real scan path (the
 * CLI's JSON output), and the findings of every rule must equal the
 * `EXPECT:` markers exactly. A marker is `rule` or `rule:messageId`; with a
 * message id, the finding must carry that id.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { repoRoot } from './support/paths.js';

const casesDir = resolve(repoRoot, 'test/cases-pack');

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourcesUnder(p));
    else if (/\.(c|h)$/.test(name)) out.push(p);
  }
  return out;
}

/** `path:line rule[:messageId]` for every EXPECT marker, in a line comment or a block comment. */
function expectedFindings(root: string): string[] {
  const out: string[] = [];
  for (const file of sourcesUnder(root)) {
    const lines = readFileSync(file, 'latin1').split('\n');
    lines.forEach((text, i) => {
      const m = /(?:\/\/|\/\*)\s*EXPECT:\s*([^*\r\n]+)/.exec(text);
      if (!m) return;
      for (const rule of m[1]
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean))
        out.push(`${relative(root, file).split(sep).join('/')}:${i + 1} ${rule}`);
    });
  }
  return out.sort();
}

interface JsonFinding {
  rule: string;
  path: string;
  line: number;
  messageId?: string;
  trace: unknown[];
  message: string;
}

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

async function scanJson(dir: string): Promise<{ findings: JsonFinding[] }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['scan', dir, '--format', 'json', '--fail-on', 'never', '--config', enableAll], {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    env: { NDIS_REVIEW_CACHE: 'off' },
    cwd: repoRoot,
  });
  assert.ok(code === 0 || code === 3, `scan of ${dir} exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as { findings: JsonFinding[] };
}

/** Each finding as the marker that names it: with its message id where the marker at that place gives one. */
function actualFindings(findings: JsonFinding[], expected: string[]): string[] {
  return findings
    .map((f) => {
      const place = `${f.path}:${f.line} ${f.rule}`;
      const withId = `${place}:${f.messageId ?? ''}`;
      return expected.includes(withId) || !expected.includes(place) ? withId : place;
    })
    .sort();
}

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
    assert.ok(n >= 3, `${r.id} has ${n} cases`);
  }
});

for (const c of cases) {
  test(`pack case ${c.rule}/${c.name}`, async () => {
    const expected = expectedFindings(c.dir);
    const result = await scanJson(c.dir);
    assert.deepEqual(actualFindings(result.findings, expected), expected);
    for (const f of result.findings) {
      assert.ok(f.trace.length >= 1, `${f.rule} at ${f.path}:${f.line} has no trace`);
      assert.ok(f.message.length > 40, `${f.rule} at ${f.path}:${f.line} has a thin message`);
    }
  });
}
