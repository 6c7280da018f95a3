/**
 * Acceptance cases of the rules ported from Static Driver Verifier's NDIS
 * rules: each folder under test/cases-lint/<rule>/<case>/ is scanned as a
 * repository root through the CLI's JSON output, and the findings of these
 * rules must equal the `EXPECT:` markers exactly (with the message id where
 * a marker names one: `// EXPECT: ndis/pause-return:returnsVariable`).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli.js';
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

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourcesUnder(p));
    else if (/\.(c|h)$/.test(name)) out.push(p);
  }
  return out;
}

/** `path:line rule` or `path:line rule:messageId` for every marker. */
function expected(root: string): string[] {
  const out: string[] = [];
  for (const file of sourcesUnder(root)) {
    readFileSync(file, 'latin1')
      .split('\n')
      .forEach((text, i) => {
        const m = /(?:\/\/|\/\*)\s*EXPECT:\s*([^*\r\n]+)/.exec(text);
        if (!m) return;
        for (const r of m[1]
          .split(',')
          .map((x) => x.trim())
          .filter(Boolean))
          out.push(`${relative(root, file).split(sep).join('/')}:${i + 1} ${r}`);
      });
  }
  return out.sort();
}

interface JsonFinding {
  rule: string;
  path: string;
  line: number;
  messageId?: string;
  message: string;
  trace: unknown[];
}

async function scanJson(dir: string): Promise<{ findings: JsonFinding[] }> {
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
  assert.ok(code === 0 || code === 3, `scan of ${dir} exited ${code}: ${stderr}`);
  return JSON.parse(stdout) as { findings: JsonFinding[] };
}

const ruleDirs = readdirSync(casesDir)
  .filter((n) => statSync(join(casesDir, n)).isDirectory())
  .sort();

test('every ported rule has at least three cases', () => {
  for (const rule of RULES) {
    const dir = join(casesDir, rule.replace(/^ndis\//, ''));
    const n = readdirSync(dir).filter((c) => statSync(join(dir, c)).isDirectory()).length;
    assert.ok(n >= 3, `${rule}: ${n} cases`);
  }
});

for (const ruleDir of ruleDirs) {
  const dir = join(casesDir, ruleDir);
  for (const name of readdirSync(dir)
    .filter((c) => statSync(join(dir, c)).isDirectory())
    .sort()) {
    test(`lint case ${ruleDir}/${name}`, async () => {
      const root = join(dir, name);
      const want = expected(root);
      // Message ids are compared where a marker names one.
      const wantsId = new Set(want.filter((w) => w.split(' ')[1].includes(':')).map((w) => w.replace(/:\w+$/, '')));
      const result = await scanJson(root);
      const actual = result.findings
        .filter((f) => RULES.has(f.rule))
        .map((f) => {
          const base = `${f.path}:${f.line} ${f.rule}`;
          return wantsId.has(base) ? `${base}:${f.messageId ?? ''}` : base;
        })
        .sort();
      assert.deepEqual(actual, want);
      for (const f of result.findings.filter((x) => RULES.has(x.rule))) {
        assert.ok(f.trace.length >= 1, `${f.rule} at ${f.path}:${f.line} has no trace`);
        assert.ok(f.message.length > 40, `${f.rule} at ${f.path}:${f.line} has a thin message`);
      }
    });
  }
}
