/**
 * SARIF output of every shared case validates against the official SARIF
 * 2.1.0 schema (as shipped by Microsoft's @microsoft/jest-sarif package).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import { scan } from '../src/engine/scan.js';
import { formatSarif } from '../src/report/sarif.js';
import { repoRoot } from './support/paths.js';

const require = createRequire(import.meta.url);
// CommonJS packages: required, so their default exports need no interop shims.
const Ajv: typeof import('ajv-draft-04').default = require('ajv-draft-04');
const addFormats: typeof import('ajv-formats').default = require('ajv-formats');
const schema = JSON.parse(
  readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
);
// The schema is draft-04 and one of its patterns is not a valid Unicode regex.
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const casesDir = join(repoRoot, '../shared/cases');

test('SARIF of every shared case is valid SARIF 2.1.0', async () => {
  let results = 0;
  for (const name of readdirSync(casesDir).filter((n) => statSync(join(casesDir, n)).isDirectory())) {
    const r = await scan({ root: join(casesDir, name), workers: 0 });
    const sarif = JSON.parse(formatSarif(r)) as { runs: { results: unknown[] }[] };
    const ok = validate(sarif);
    assert.ok(ok, `${name}: ${ajv.errorsText(validate.errors)}`);
    results += sarif.runs[0].results.length;
  }
  assert.ok(results >= 20, `${results} results validated`);
});

test('the validator rejects a broken SARIF log (the check can fail)', () => {
  assert.equal(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), false);
});
