/**
 * Every fix the engine offers, applied: on every shared case and every
 * driver the tests write, each offered fix is applied alone to the sources
 * and the result scanned again. The finding must go, and nothing new may
 * appear (no fingerprint the sources did not have before; fingerprints count
 * occurrences, so fixing one of three alike leaves two of the same three).
 *
 * "fixes are offered where certain" pins the cases where the issue defines a
 * certain fix (`ndis/unmap-length` with a constant or in-scope length,
 * `ndis/unmap-on-failure` at a failing return or goto): it fails until the
 * engine offers them.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { scan, type SourceFile } from '../src/engine/scan.js';
import { decodeSource } from '../src/engine/text.js';
import type { Finding } from '../src/engine/types.js';
import { applyEdits } from '../src/review/fixes.js';
import { leakyDriver } from './support/drivers.js';
import { lengthAndLeak, RESET_MAPS } from './support/drivers-cli.js';
import { repoRoot } from './support/paths.js';

const casesDir = join(repoRoot, '../shared/cases');

function sourcesUnder(root: string, dir = root): SourceFile[] {
  const out: SourceFile[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourcesUnder(root, p));
    else if (/\.(c|h|inc|inl)$/i.test(name))
      out.push({ path: relative(root, p).split(sep).join('/'), bytes: readFileSync(p) });
  }
  return out;
}

function fromTexts(files: Record<string, string>): SourceFile[] {
  return Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text) }));
}

const CASES: { name: string; files: SourceFile[] }[] = [
  ...readdirSync(casesDir)
    .filter((n) => statSync(join(casesDir, n)).isDirectory())
    .sort()
    .map((name) => ({ name, files: sourcesUnder(join(casesDir, name)) })),
  { name: 'ours: leaky driver, three gotos', files: fromTexts({ 'init.c': leakyDriver(3) }) },
  { name: 'ours: length and leak', files: fromTexts({ 'a.c': lengthAndLeak() }) },
  { name: 'ours: reset maps', files: fromTexts(RESET_MAPS) },
];

async function findingsOf(files: SourceFile[]): Promise<Finding[]> {
  return (await scan({ root: 'fixes', files, workers: 0 })).findings;
}

/** The sources with one fix applied; text is re-encoded as UTF-8, or Latin-1 when it was. */
function applyFix(files: SourceFile[], finding: Finding): SourceFile[] {
  const edits = finding.fix?.edits ?? [];
  return files.map((f) => {
    if (!edits.some((e) => e.path === f.path)) return f;
    const { text, encoding } = decodeSource(f.bytes);
    const fixed = applyEdits(text, edits, f.path);
    return { path: f.path, bytes: Buffer.from(fixed, encoding === 'latin1' ? 'latin1' : 'utf8') };
  });
}

function countBy(findings: Finding[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(`${f.rule} ${f.path}`, (counts.get(`${f.rule} ${f.path}`) ?? 0) + 1);
  return counts;
}

/** What is wrong with one fix: edits outside the case, new findings, the finding still there. Empty when right. */
async function fixProblems(files: SourceFile[], before: Finding[], finding: Finding): Promise<string[]> {
  const what = `${finding.rule} at ${finding.path}:${String(finding.line)} (${finding.fix?.description ?? ''})`;
  const edits = finding.fix?.edits ?? [];
  if (edits.length === 0) return [`${what}: a fix with no edits`];
  const strangers = edits.filter((e) => !files.some((f) => f.path === e.path)).map((e) => e.path);
  if (strangers.length > 0) return [`${what}: edits ${strangers.join(', ')}, not a file of the case`];
  const after = await findingsOf(applyFix(files, finding));
  const problems: string[] = [];
  const known = new Set(before.map((f) => f.fingerprint));
  for (const f of after.filter((x) => !known.has(x.fingerprint))) {
    problems.push(`${what}: the fix makes a new finding, ${f.rule} at ${f.path}:${String(f.line)}`);
  }
  const expected = countBy(before);
  const key = `${finding.rule} ${finding.path}`;
  expected.set(key, (expected.get(key) ?? 0) - 1);
  if (expected.get(key) === 0) expected.delete(key);
  const actual = countBy(after);
  if ((actual.get(key) ?? 0) > (expected.get(key) ?? 0)) problems.push(`${what}: the finding is still there`);
  return problems;
}

describe('every offered fix, applied', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const before = await findingsOf(c.files);
      const problems: string[] = [];
      for (const finding of before.filter((f) => f.fix !== undefined)) {
        problems.push(...(await fixProblems(c.files, before, finding)));
      }
      assert.deepEqual(problems, []);
    });
  }

  it('the check itself fails a wrong fix: one that leaves the finding and makes another', async () => {
    const files = fromTexts({ 'a.c': lengthAndLeak() });
    const before = await findingsOf(files);
    const leak = before.find((f) => f.rule === 'ndis/unmap-on-failure');
    assert.ok(leak);
    // Deletes the halt's unmap instead of unmapping on the failure path.
    const unmapLine =
      lengthAndLeak()
        .split('\n')
        .findIndex((l) => l.includes('NdisMUnmapIoSpace')) + 1;
    const wrong: Finding = {
      ...leak,
      fix: {
        description: 'wrong on purpose',
        edits: [{ path: 'a.c', startLine: unmapLine, startColumn: 1, endLine: unmapLine + 1, endColumn: 1, text: '' }],
      },
    };
    const problems = await fixProblems(files, before, wrong);
    assert.ok(
      problems.some((p) => p.includes('the finding is still there')),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.includes('makes a new finding, ndis/unmap-in-halt')),
      problems.join('\n'),
    );
  });
});

/** The cases where the issue defines a certain fix, by the rule that must offer one. */
const CERTAIN: Record<string, string> = {
  'p02-goto-wrong-label': 'ndis/unmap-on-failure',
  'p03-early-return-leak': 'ndis/unmap-on-failure',
  'p07-length-mismatch': 'ndis/unmap-length',
  'p09-helper-acquires-leak': 'ndis/unmap-on-failure',
  'p11-unmap-wrong-field': 'ndis/unmap-on-failure',
  'q06-project-debug-macros': 'ndis/unmap-on-failure',
};

/**
 * Where a fix is not certain, none is offered: q05's `return Status;` is also the success exit, so
 * a release inserted before it would run when initialize succeeds.
 */
const UNCERTAIN: Record<string, string> = {
  'q05-break-then-return': 'ndis/unmap-on-failure',
};

it('no fix where it is not certain', async () => {
  for (const [name, rule] of Object.entries(UNCERTAIN)) {
    const c = CASES.find((x) => x.name === name);
    assert.ok(c, `case ${name} is present`);
    const findings = (await findingsOf(c.files)).filter((f) => f.rule === rule);
    assert.ok(findings.length > 0, `${name} has its finding`);
    assert.deepEqual(
      findings.filter((f) => f.fix !== undefined).map((f) => `${f.path}:${String(f.line)}`),
      [],
    );
  }
});

it('fixes are offered where certain', async () => {
  const missing: string[] = [];
  for (const [name, rule] of Object.entries(CERTAIN)) {
    const c = CASES.find((x) => x.name === name);
    assert.ok(c, `case ${name} is present`);
    const offered = (await findingsOf(c.files)).filter((f) => f.rule === rule && f.fix !== undefined);
    if (offered.length === 0) missing.push(`${name} (${rule})`);
  }
  assert.deepEqual(missing, [], 'these cases offer no fix yet');
});
