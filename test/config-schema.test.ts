/**
 * The JSON Schema of `.github/ndis-review.yml` for editors: generated from
 * the rule pack, kept in `docs/ndis-review.schema.json` (run the tests with
 * UPDATE_SCHEMAS=1 to rewrite it), and accepting exactly what the
 * validator accepts without an error.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { loadRulePack, ruleMeta } from '../src/engine/rulepack.js';
import { parseConfig } from '../src/review/config.js';
import { CONFIG_SCHEMA_PATH, configSchema } from '../src/review/config-schema.js';
import { jsonSchemaErrors } from './support/json-schema.js';
import { repoRoot } from './support/paths.js';

const pack = loadRulePack();
const ruleIds = pack.rules.map((r) => r.id);
const schema = configSchema(pack.rules.map(ruleMeta));

describe('the configuration schema', () => {
  it('is the file in docs/, generated from the rule pack', () => {
    const file = join(repoRoot, CONFIG_SCHEMA_PATH);
    if (process.env.UPDATE_SCHEMAS) writeFileSync(file, JSON.stringify(schema, null, 2) + '\n');
    assert.deepEqual(
      JSON.parse(readFileSync(file, 'utf8')),
      schema,
      `${CONFIG_SCHEMA_PATH} is stale (a rule or a setting changed): run the tests with UPDATE_SCHEMAS=1`,
    );
  });

  it("names every rule of the pack and ndis-review's own, with each rule's title", () => {
    const rules = (schema.properties as { rules: { properties: Record<string, { description: string }> } }).rules;
    assert.deepEqual(Object.keys(rules.properties), [...ruleIds, 'ndis-review/unused-directive']);
    for (const rule of pack.rules) assert.ok(rules.properties[rule.id].description.startsWith(rule.title));
  });

  const samples: unknown[] = [
    {},
    { rules: null, paths: null, conclusion: null },
    { rules: { 'ndis/unmap-length': 'off', 'ndis/mmap-context': 'warning' } },
    { rules: { 'ndis/unmap-length': false } },
    { rules: { 'ndis-review/unused-directive': 'off' } },
    { rules: { 'ndis/unmap-lenght': 'off' } },
    { rules: { 'ndis/unmap-length': 'warn' } },
    { rules: { 'ndis/unmap-length': true } },
    { rules: { 'ndis/unmap-length': null } },
    { rules: ['ndis/unmap-length'] },
    { paths: { include: 'src/**', exclude: ['third_party/', '!third_party/ours/'] } },
    { paths: { include: [] } },
    { paths: { include: null, exclude: null } },
    { paths: { include: ['!vendor/**'] } },
    { paths: { include: '!vendor/**' } },
    { paths: { include: ['src/**', 3] } },
    { paths: { exclude: [''] } },
    { paths: { exclude: 'file[!0-9].c' } },
    { paths: { exclude: ['[]x].c'] } },
    { paths: { excludes: ['vendor/'] } },
    { paths: 'src/**' },
    { report: 'all' },
    { report: 'everything' },
    { report: null },
    { reviewComments: false },
    { reviewComments: 'false' },
    { conclusion: { failOn: 'warning', otherwise: 'success' } },
    { conclusion: { failOn: 'note' } },
    { conclusion: { failon: 'never' } },
    { conclusion: 'never' },
    { trustSuppressions: true },
    { trustSuppressions: 'yes' },
    { _extends: 'my-org/.github' },
    { severity: 'high' },
  ];
  for (const sample of samples) {
    it(`agrees with the validator on ${JSON.stringify(sample)}`, () => {
      const validatorOk = parseConfig(sample, ruleIds).errors.length === 0;
      const schemaErrors = jsonSchemaErrors(schema, sample);
      assert.equal(schemaErrors.length === 0, validatorOk, schemaErrors.join('; '));
    });
  }

  it('accepts every YAML example in docs/configuration.md that the validator accepts', () => {
    const doc = readFileSync(join(repoRoot, 'docs/configuration.md'), 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
    assert.ok(blocks.length >= 2, 'the page has examples');
    for (const block of blocks) {
      const value: unknown = parse(block) ?? {};
      const validatorOk = parseConfig(value, ruleIds).errors.length === 0;
      assert.equal(jsonSchemaErrors(schema, value).length === 0, validatorOk, block);
    }
  });
});
