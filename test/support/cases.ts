/**
 * Acceptance cases as the CLI sees them: a case folder scanned as a
 * repository root through the real scan path (`scan DIR --format json`), and
 * its findings as `path:line rule` keys to compare with the `EXPECT:`
 * markers (`rule:messageId` where the marker names an id).
 */
import assert from 'node:assert/strict';
import { main } from '../../src/cli.js';
import { repoRoot } from './paths.js';

export interface CaseFinding {
  rule: string;
  path: string;
  line: number;
  messageId?: string;
  message: string;
  trace: unknown[];
}

/** The JSON report of one case folder; `extra` are more CLI arguments (say, `--config FILE`). */
export async function scanCase(dir: string, extra: string[] = []): Promise<{ findings: CaseFinding[] }> {
  let stdout = '';
  let stderr = '';
  const code = await main(['scan', dir, '--format', 'json', '--fail-on', 'never', ...extra], {
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
  assert.ok(code === 0 || code === 3, `scan of ${dir} exited ${String(code)}: ${stderr}`);
  return JSON.parse(stdout) as { findings: CaseFinding[] };
}

/**
 * The findings of the given rules as marker keys, sorted: `path:line rule`, with `:messageId`
 * added where `want` (the markers) names an id for that place and rule.
 */
export function findingKeys(findings: readonly CaseFinding[], rules: ReadonlySet<string>, want: string[]): string[] {
  const wantsId = new Set(want.filter((w) => w.split(' ')[1].includes(':')).map((w) => w.replace(/:\w+$/, '')));
  return findings
    .filter((f) => rules.has(f.rule))
    .map((f) => {
      const base = `${f.path}:${String(f.line)} ${f.rule}`;
      return wantsId.has(base) ? `${base}:${f.messageId ?? ''}` : base;
    })
    .sort();
}

/** Every finding of a case explains itself: a trace and a message worth reading. */
export function assertExplained(findings: readonly CaseFinding[]): void {
  for (const f of findings) {
    assert.ok(f.trace.length >= 1, `${f.rule} at ${f.path}:${String(f.line)} has no trace`);
    assert.ok(f.message.length > 40, `${f.rule} at ${f.path}:${String(f.line)} has a thin message`);
  }
}
