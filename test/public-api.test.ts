/**
 * The engine's public API, `dist/src/index.js`: a library user scans a
 * folder, reviews it with the default configuration and formats the report,
 * importing nothing else.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { expectedFindings } from './support/expect.js';
import { repoRoot } from './support/paths.js';

type Api = typeof import('../src/index.js');

const built = join(repoRoot, 'dist/src/index.js');
const caseDir = resolve(repoRoot, '../shared/cases/p02-goto-wrong-label');

test('dist/src/index.js scans a shared case, and its reporters format the review', async () => {
  const api = (await import(pathToFileURL(built).href)) as Api;
  const result = await api.scan({ root: caseDir });
  const found = result.findings.map((f) => `${f.path}:${String(f.line)} ${f.rule}`).sort();
  assert.deepEqual(found, expectedFindings(caseDir));
  assert.ok(found.length > 0);

  const pack = api.loadRulePack();
  assert.ok(pack.rules.some((r) => r.id === result.findings[0].rule));
  const report = api.reviewScan(result, api.DEFAULT_CONFIG);
  assert.equal(report.findings.length, result.findings.length);

  const json = JSON.parse(api.formatJson(report)) as { findings: { rule: string; line: number }[] };
  assert.deepEqual(
    json.findings.map((f) => `${String(f.line)} ${f.rule}`),
    report.findings.map((f) => `${String(f.line)} ${f.rule}`),
  );
  const sarif = JSON.parse(api.formatSarif(report)) as { $schema: string; runs: { results: unknown[] }[] };
  assert.equal(sarif.$schema, api.SARIF_SCHEMA_URI);
  assert.equal(sarif.runs[0].results.length, report.findings.length);
  const text = api.formatText(report);
  for (const f of report.findings) assert.ok(text.includes(`init.c:${String(f.line)}`), text);
});

test('the public API lists what a library user needs, and the ScanError of a missing path', async () => {
  const api = (await import(pathToFileURL(built).href)) as Api;
  for (const name of ['scan', 'loadRulePack', 'formatText', 'formatJson', 'formatSarif', 'reviewScan', 'FactCache']) {
    assert.equal(typeof (api as unknown as Record<string, unknown>)[name], 'function', name);
  }
  await assert.rejects(api.scan({ root: join(caseDir, 'no-such-folder') }), api.ScanError);
});
