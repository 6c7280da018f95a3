/**
 * What the CLI really writes as SARIF validates against the official SARIF
 * 2.1.0 schema (as shipped by Microsoft's @microsoft/jest-sarif package):
 * every shared case through `scan --format sarif` and `--sarif`, and runs
 * with suppressions, a baseline and a subfolder of a repository.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatSarif } from '../src/report/sarif.js';
import { cli } from './support/cli.js';
import { lengthAndLeak } from './support/drivers-cli.js';
import { repoRoot } from './support/paths.js';
import { findingOf, PACK_RULES } from './support/rules.js';
import { tempDir } from './support/temp.js';

const require = createRequire(import.meta.url);
// CommonJS packages: required, so their default exports need no interop shims.
const Ajv = require('ajv-draft-04') as typeof import('ajv-draft-04').default;
const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
const schema = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
) as Record<string, unknown>;
// The schema is draft-04 and one of its patterns is not a valid Unicode regex.
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const casesDir = join(repoRoot, '../shared/cases');

function assertValid(text: string, what: string): { runs: { results: Record<string, unknown>[] }[] } {
  const log = JSON.parse(text) as { runs: { results: Record<string, unknown>[] }[] };
  assert.ok(validate(log), `${what}: ${ajv.errorsText(validate.errors)}`);
  return log;
}

test('the SARIF the CLI writes for every shared case is valid SARIF 2.1.0, both files', async () => {
  let results = 0;
  for (const name of readdirSync(casesDir).filter((n) => statSync(join(casesDir, n)).isDirectory())) {
    const upload = join(tempDir(), 'upload.sarif');
    const run = await cli(['scan', join(casesDir, name), '--format', 'sarif', '--sarif', upload]);
    assert.ok([0, 1, 3].includes(run.code), `${name}: ${run.stderr}`);
    results += assertValid(run.stdout, name).runs[0].results.length;
    assertValid(readFileSync(upload, 'utf8'), `${name} (--sarif)`);
  }
  assert.ok(results >= 20, `${String(results)} results validated`);
});

test('SARIF with suppressions, unused directives and a baseline is valid', async () => {
  const dir = tempDir({
    'a.c': lengthAndLeak('    // ndis-review-disable-next-line ndis/unmap-length, ndis/mmap-context -- resized\n'),
  });
  const baseline = join(tempDir(), 'b.json');
  await cli(['scan', dir, '--format', 'json', '-o', baseline]);
  const run = await cli(['scan', dir, '--format', 'sarif', '--baseline', baseline]);
  const log = assertValid(run.stdout, 'suppressed and baselined');
  const states = log.runs[0].results.map((r) => [r.ruleId, r.baselineState ?? null, Array.isArray(r.suppressions)]);
  assert.deepEqual(states, [
    ['ndis/unmap-on-failure', 'unchanged', false],
    ['ndis-review/unused-directive', 'unchanged', false],
    ['ndis/unmap-length', null, true],
  ]);
});

test('SARIF with a fix is valid', () => {
  const finding = findingOf({
    rule: 'ndis/unmap-length',
    path: 'nic.c',
    line: 48,
    fix: {
      description: 'pass the mapped length',
      edits: [
        { path: 'nic.c', startLine: 48, startColumn: 40, endLine: 48, endColumn: 44, text: '0x100' },
        { path: 'nic.c', startLine: 50, startColumn: 1, endLine: 50, endColumn: 1, text: 'x();\n' },
      ],
    },
  });
  const text = formatSarif({
    version: '0.1.0',
    root: '/r',
    files: 1,
    complete: true,
    rules: PACK_RULES,
    findings: [finding],
    notices: [],
  });
  const log = assertValid(text, 'fix');
  assert.equal((log.runs[0].results[0].fixes as unknown[]).length, 1);
});

test('the validator rejects a broken SARIF log (the check can fail)', () => {
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false);
});
