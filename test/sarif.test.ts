/** SARIF for the review layer's additions: rule page URLs, suppressions, baselines, fixes, repository paths. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../src/engine/types.js';
import { formatSarif } from '../src/report/sarif.js';
import type { Report } from '../src/review/report.js';
import { findingOf, PACK_RULES } from './support/rules.js';
import { parseSarif } from './support/shapes.js';

const LEAK = findingOf({ rule: 'ndis/unmap-on-failure', path: 'init.c', line: 63 });
const LENGTH = findingOf({ rule: 'ndis/unmap-length', path: 'nic.c', line: 48 });
const CONTEXT = findingOf({ rule: 'ndis/mmap-context', path: 'hw/regs.c', line: 4 });

function report(fields: Partial<Report> = {}): Report {
  return {
    version: '0.1.0',
    root: '/repo/drv',
    files: 3,
    complete: true,
    rules: PACK_RULES,
    findings: [LEAK],
    notices: [],
    ...fields,
  };
}

interface Result {
  ruleId: string;
  baselineState?: string;
  suppressions?: { kind: string; status: string; justification?: string }[];
  fixes?: unknown[];
  locations: { physicalLocation: { artifactLocation: { uri: string } } }[];
}

function results(r: Report, opts: Parameters<typeof formatSarif>[1] = {}): Result[] {
  return (JSON.parse(formatSarif(r, opts)) as { runs: { results: Result[] }[] }).runs[0].results;
}

describe('formatSarif: review layer', () => {
  it("gives each rule its page's URL as helpUri", () => {
    const rules = parseSarif(formatSarif(report(), { docsUrl: (r) => `https://d.example/${r.docs}` })).runs[0].tool
      .driver.rules;
    for (const rule of rules) assert.equal(rule.helpUri, `https://d.example/rules/${rule.id}.md`);
  });

  it('marks suppressed findings with an accepted in-source suppression and its reason, or leaves them out', () => {
    const suppressed = [
      { finding: LENGTH, suppression: { kind: 'disable-line' as const, line: 48, column: 60, reason: 'resized' } },
    ];
    const marked = results(report({ suppressed }));
    assert.deepEqual(
      marked.map((r) => [r.ruleId, r.suppressions?.map((s) => [s.kind, s.status, s.justification])]),
      [
        ['ndis/unmap-on-failure', undefined],
        ['ndis/unmap-length', [['inSource', 'accepted', 'resized']]],
      ],
    );
    assert.deepEqual(
      results(report({ suppressed }), { suppressed: 'omit' }).map((r) => r.ruleId),
      ['ndis/unmap-on-failure'],
    );
  });

  it('keeps every finding when a baseline was given, each with its baselineState', () => {
    const out = results(report({ findings: [LEAK], preExisting: [CONTEXT] }));
    assert.deepEqual(
      out.map((r) => [r.ruleId, r.baselineState]),
      [
        ['ndis/mmap-context', 'unchanged'],
        ['ndis/unmap-on-failure', 'new'],
      ],
    );
    assert.equal(results(report())[0].baselineState, undefined, 'no baseline, no state');
  });

  it('turns a fix into one artifact change per file, an insertion as an empty deleted region', () => {
    const fixed: Finding = {
      ...LEAK,
      fix: {
        description: 'unmap before the goto',
        edits: [{ path: 'init.c', startLine: 63, startColumn: 1, endLine: 63, endColumn: 1, text: '    Unmap();\n' }],
      },
    };
    const [result] = results(report({ findings: [fixed] }), { repositoryPath: 'drv' });
    assert.deepEqual(result.fixes, [
      {
        description: { text: 'unmap before the goto' },
        artifactChanges: [
          {
            artifactLocation: { uri: 'drv/init.c', uriBaseId: '%SRCROOT%' },
            replacements: [
              {
                deletedRegion: { startLine: 63, startColumn: 1, endLine: 63, endColumn: 1 },
                insertedContent: { text: '    Unmap();\n' },
              },
            ],
          },
        ],
      },
    ]);
  });

  it('prefixes paths with the scanned folder in the repository, and names the repository as %SRCROOT%', () => {
    const log = parseSarif(
      formatSarif(report({ findings: [CONTEXT] }), { repositoryPath: 'drivers/my nic', repositoryRoot: '/repo' }),
    );
    assert.equal(
      log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri,
      'drivers/my%20nic/hw/regs.c',
    );
    assert.deepEqual(log.runs[0].originalUriBaseIds, { '%SRCROOT%': { uri: 'file:///repo/' } });
  });
});
