/**
 * docs/check-run-example.md is the check run the app renders for a real
 * case (p02 as the head of a pull request, p01 as its base). This test
 * keeps the committed example in step with the renderer; run with
 * UPDATE_EXAMPLES=1 to rewrite it.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { classify, renderCheckRun } from '../src/app/checkrun.js';
import { DEFAULT_CONFIG } from '../src/app/config.js';
import { readRuleDoc } from '../src/engine/rulepack.js';
import { scan } from '../src/engine/scan.js';
import { repoRoot } from './support/paths.js';

const cases = join(repoRoot, '../shared/cases');
const example = join(repoRoot, 'docs/check-run-example.md');

test('the documented check run example is what the app renders', async () => {
  const file = (c: string) => [{ path: 'drivers/ad/init.c', bytes: readFileSync(join(cases, c, 'init.c')) }];
  const head = await scan({ root: 'head', files: file('p02-goto-wrong-label'), workers: 0 });
  const base = await scan({ root: 'base', files: file('p01-goto-ladder-ok'), workers: 0 });
  const report = renderCheckRun({
    classified: classify(head.findings, base.findings),
    config: structuredClone<typeof DEFAULT_CONFIG>(DEFAULT_CONFIG),
    rules: head.rules,
    notices: head.notices,
    files: head.files,
    headSha: '3f2a9c1',
    // As the app renders it without NDIS_REVIEW_DOCS_URL: docs paths, and each firing rule's page folded in the text.
    ruleDocText: new Map(head.rules.map((r) => [r.id, readRuleDoc(r.docs) ?? ''])),
  });
  const rendered = [
    '# Example: the check run of a pull request',
    '',
    'Rendered by `renderCheckRun` for acceptance case p02 as the head of a pull request and p01 as its base (`test/app-example.test.ts` keeps this file current).',
    '',
    `**Conclusion:** \`${report.conclusion}\`  `,
    `**Title:** ${report.title}`,
    '',
    '## Summary',
    '',
    report.summary,
    '',
    '## Annotations',
    '',
    ...report.annotations.map(
      (a) => `- \`${a.path}:${String(a.start_line)}\` ${a.annotation_level} **${a.title}**: ${a.message}`,
    ),
    '',
    '## Text (the rules behind the findings)',
    '',
    report.text ?? '',
    '',
  ].join('\n');
  if (process.env.UPDATE_EXAMPLES) writeFileSync(example, rendered);
  assert.equal(
    readFileSync(example, 'utf8'),
    rendered,
    'docs/check-run-example.md is stale: run the tests with UPDATE_EXAMPLES=1',
  );
});
