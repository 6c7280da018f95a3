import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Finding, Notice, RuleMeta, ScanResult } from '../src/engine/types.js';
import { formatJson, jsonOutputSchema, type JsonReport } from '../src/report/json.js';
import {
  FINGERPRINT_KEY,
  GITHUB_MAX_RESULTS,
  GITHUB_MAX_TRACE_LOCATIONS,
  SARIF_SCHEMA_URI,
  formatSarif,
  type SarifLog,
} from '../src/report/sarif.js';
import { formatText } from '../src/report/text.js';
import { jsonSchemaErrors } from './support/json-schema.js';
import { PACK_RULES } from './support/rules.js';
import type { SarifResult, SarifRule } from './support/shapes.js';

/** The compiled test runs from dist/test/. */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Three rules of the real pack, in pack order (the tests index into them). */
const RULES: RuleMeta[] = PACK_RULES.filter((r) =>
  ['ndis/mmap-context', 'ndis/unmap-on-failure', 'ndis/unmap-length'].includes(r.id),
);

function finding(fields: Partial<Finding> & Pick<Finding, 'rule' | 'path' | 'line'>): Finding {
  const rule = RULES.find((r) => r.id === fields.rule);
  return {
    severity: rule?.severity ?? 'note',
    column: 1,
    endLine: fields.line,
    endColumn: 10,
    message: `message of ${fields.rule}`,
    fingerprint: `fp-${fields.rule}-${fields.path}-${String(fields.line)}`,
    trace: [],
    docs: rule?.docs ?? 'rules/unknown.md',
    ...fields,
  };
}

const LENGTH_WARNING = finding({
  rule: 'ndis/unmap-length',
  path: 'src/nic.c',
  line: 48,
  column: 5,
  endColumn: 52,
  message: 'NdisMUnmapIoSpace unmaps 0x80 bytes of nic->Csr, but 0x100 were mapped',
});

const LEAK_ERROR = finding({
  rule: 'ndis/unmap-on-failure',
  path: 'init.c',
  line: 63,
  column: 9,
  endColumn: 28,
  message: 'this failure path leaves Adapter->Csr mapped',
  trace: [
    { path: 'init.c', line: 40, column: 14, message: 'NdisMMapIoSpace maps Adapter->Csr' },
    { path: 'init.c', line: 63, message: 'goto err_unmap_csr skips NdisMUnmapIoSpace(Adapter->Csr)' },
  ],
});

const CONTEXT_ERROR = finding({
  rule: 'ndis/mmap-context',
  path: 'init.c',
  line: 20,
  column: 5,
  endLine: 21,
  endColumn: 40,
  message: 'NdisMMapIoSpace can run in the context of MiniportResetEx',
  trace: [{ path: 'hw/reset.c', line: 12, message: 'MiniportResetEx calls HwReinit' }],
});

const NOTICES: Notice[] = [
  {
    kind: 'parse-recovered',
    message: 'broken.c did not parse cleanly; its intact parts were analysed',
    path: 'broken.c',
    line: 30,
  },
  { kind: 'not-applicable', message: 'no halt callback found' },
];

function scanResult(fields: Partial<ScanResult> = {}): ScanResult {
  return {
    version: '0.1.0',
    root: '/work/driver',
    files: 14,
    findings: [LENGTH_WARNING, LEAK_ERROR, CONTEXT_ERROR],
    notices: NOTICES,
    rules: RULES,
    complete: true,
    stats: {
      files: 14,
      lexed: 14,
      parsed: 3,
      needed: 3,
      workers: 0,
      ms: { read: 1, lex: 2, parse: 3, link: 4, rules: 5, bodies: 0, total: 15 },
      health: { parsedFiles: 3, damagedFiles: 0, functions: 4, damagedFunctions: [] },
      apiCalls: { NdisMMapIoSpace: { direct: 2, viaMacro: 0 } },
    },
    ...fields,
  };
}

/** A shuffled copy: the reporters must not depend on the engine's order. */
function reversed(result: ScanResult): ScanResult {
  return { ...result, findings: [...result.findings].reverse(), notices: [...result.notices].reverse() };
}

describe('formatText', () => {
  it('prints findings, trace, docs, notices and a total, in path, line, column, rule order', () => {
    assert.deepEqual(formatText(scanResult()).split('\n'), [
      'init.c:20:5: error: NdisMMapIoSpace can run in the context of MiniportResetEx [ndis/mmap-context]',
      'hw/reset.c:12:1: note: MiniportResetEx calls HwReinit',
      '  see rules/ndis/mmap-context.md',
      'init.c:63:9: error: this failure path leaves Adapter->Csr mapped [ndis/unmap-on-failure]',
      'init.c:40:14: note: NdisMMapIoSpace maps Adapter->Csr',
      'init.c:63:1: note: goto err_unmap_csr skips NdisMUnmapIoSpace(Adapter->Csr)',
      '  see rules/ndis/unmap-on-failure.md',
      'src/nic.c:48:5: warning: NdisMUnmapIoSpace unmaps 0x80 bytes of nic->Csr, but 0x100 were mapped [ndis/unmap-length]',
      '  see rules/ndis/unmap-length.md',
      'ndis-review: note: no halt callback found',
      'broken.c:30:1: note: broken.c did not parse cleanly; its intact parts were analysed',
      '3 findings (2 errors, 1 warning), 2 notices in 14 files',
      '',
    ]);
  });

  it('prints paths as the caller shows them and rule pages as the caller links them', () => {
    const lines = formatText(scanResult({ notices: [NOTICES[0]] }), {
      displayPath: (p) => `../drv/${p}`,
      docsUrl: (f) => `https://docs.example/${f.rule}`,
    }).split('\n');
    assert.ok(lines.includes('../drv/init.c:40:14: note: NdisMMapIoSpace maps Adapter->Csr'), lines.join('\n'));
    assert.ok(
      lines.includes('../drv/broken.c:30:1: note: broken.c did not parse cleanly; its intact parts were analysed'),
    );
    assert.ok(lines.includes('  see https://docs.example/ndis/unmap-length'));
    assert.ok(lines[0].startsWith('../drv/init.c:20:5: error: '));
  });

  it('counts suppressed findings and the baseline, and says when the report is incomplete', () => {
    const suppressed = [
      { finding: LENGTH_WARNING, suppression: { kind: 'disable-line' as const, line: 48, column: 60, reason: '' } },
    ];
    const text = formatText({
      ...scanResult({ findings: [LEAK_ERROR], notices: [], complete: false }),
      suppressed,
      preExisting: [CONTEXT_ERROR],
    });
    assert.equal(
      text.split('\n').at(-2),
      '1 new finding (1 error), 1 in the baseline, 1 suppressed in 14 files; incomplete: a notice above says what was not analysed',
    );
  });

  it('does not depend on the order of the engine', () => {
    assert.equal(formatText(reversed(scanResult())), formatText(scanResult()));
  });

  it('orders findings on one line by column, then rule', () => {
    const a = finding({ rule: 'ndis/unmap-length', path: 'x.c', line: 5, column: 9 });
    const b = finding({ rule: 'ndis/mmap-context', path: 'x.c', line: 5, column: 9 });
    const c = finding({ rule: 'ndis/unmap-length', path: 'x.c', line: 5, column: 2 });
    const heads = formatText(scanResult({ findings: [a, b, c], notices: [] }))
      .split('\n')
      .filter((line) => line.startsWith('x.c:'));
    assert.deepEqual(heads, [
      'x.c:5:2: warning: message of ndis/unmap-length [ndis/unmap-length]',
      'x.c:5:9: error: message of ndis/mmap-context [ndis/mmap-context]',
      'x.c:5:9: warning: message of ndis/unmap-length [ndis/unmap-length]',
    ]);
  });

  it('prints a notice with a path but no line as path: notice:', () => {
    const text = formatText(
      scanResult({ findings: [], notices: [{ kind: 'skipped-file', message: 'binary file', path: 'blob.h' }] }),
    );
    assert.deepEqual(text.split('\n'), ['blob.h: note: binary file', 'no findings, 1 notice in 14 files', '']);
  });

  it('says "no findings" and uses singular words for one', () => {
    assert.equal(formatText(scanResult({ findings: [], notices: [], files: 1 })), 'no findings in 1 file\n');
    const one = formatText(scanResult({ findings: [LEAK_ERROR], notices: [], files: 1 })).split('\n');
    assert.equal(one.at(-2), '1 finding (1 error) in 1 file');
  });

  it('counts notes in the total', () => {
    const note = finding({ rule: 'example/style', path: 'a.c', line: 1, severity: 'note' });
    const lines = formatText(scanResult({ findings: [note, LENGTH_WARNING, note], notices: [] })).split('\n');
    assert.equal(lines.at(-2), '3 findings (1 warning, 2 notes) in 14 files');
  });

  it('colours with ANSI codes only when asked, and the words stay the same', () => {
    const plain = formatText(scanResult());
    const colored = formatText(scanResult(), { color: true });
    const esc = '\u001b';
    assert.ok(!plain.includes(`${esc}[`));
    assert.ok(colored.includes(`${esc}[1;31merror:${esc}[0m`));
    assert.ok(colored.includes(`${esc}[1;33mwarning:${esc}[0m`));
    assert.ok(colored.includes(`${esc}[1;36mnote:${esc}[0m`));
    assert.equal(colored.replace(new RegExp(`${esc}\\[[0-9;]*m`, 'g'), ''), plain);
  });
});

describe('formatJson', () => {
  it('lists the notices that withheld a decision as the reasons the result is incomplete', () => {
    const withheld: Notice = { kind: 'budget', message: 'stopped', path: 'init.c', line: 9, withheld: true };
    const report = JSON.parse(
      formatJson(scanResult({ complete: false, notices: [...NOTICES, withheld] })),
    ) as JsonReport;
    assert.equal(report.complete, false);
    assert.deepEqual(report.incomplete, [withheld]);
    assert.equal(report.notices.length, NOTICES.length + 1);
  });

  it('produces exactly the documented shape, sorted, pretty-printed with a trailing newline', () => {
    const text = formatJson(scanResult());
    assert.ok(text.endsWith('}\n'));
    assert.ok(text.startsWith('{\n  "version": "0.1.0",\n'));
    const report = JSON.parse(text) as JsonReport;
    assert.deepEqual(Object.keys(report), [
      'version',
      'fingerprintVersion',
      'root',
      'files',
      'complete',
      'incomplete',
      'findings',
      'suppressed',
      'notices',
    ]);
    assert.equal(report.fingerprintVersion, FINGERPRINT_KEY);
    assert.deepEqual(report.suppressed, []);
    assert.equal(report.root, '/work/driver');
    assert.equal(report.files, 14);
    assert.equal(report.complete, true);
    assert.deepEqual(report.incomplete, []);
    assert.deepEqual(
      (report.findings as Finding[]).map((f) => `${f.path}:${String(f.line)}:${f.rule}`),
      ['init.c:20:ndis/mmap-context', 'init.c:63:ndis/unmap-on-failure', 'src/nic.c:48:ndis/unmap-length'],
    );
    assert.deepEqual(report.findings[1], {
      rule: 'ndis/unmap-on-failure',
      severity: 'error',
      path: 'init.c',
      line: 63,
      column: 9,
      endLine: 63,
      endColumn: 28,
      message: 'this failure path leaves Adapter->Csr mapped',
      fingerprint: 'fp-ndis/unmap-on-failure-init.c-63',
      trace: [
        { path: 'init.c', line: 40, message: 'NdisMMapIoSpace maps Adapter->Csr' },
        { path: 'init.c', line: 63, message: 'goto err_unmap_csr skips NdisMUnmapIoSpace(Adapter->Csr)' },
      ],
      docs: 'rules/ndis/unmap-on-failure.md',
    });
    assert.deepEqual(Object.keys(report.findings[1]), [
      'rule',
      'severity',
      'path',
      'line',
      'column',
      'endLine',
      'endColumn',
      'message',
      'fingerprint',
      'trace',
      'docs',
    ]);
    assert.deepEqual(report.notices, [
      { kind: 'not-applicable', message: 'no halt callback found' },
      {
        kind: 'parse-recovered',
        message: 'broken.c did not parse cleanly; its intact parts were analysed',
        path: 'broken.c',
        line: 30,
      },
    ]);
  });

  it('leaves out what the model has beyond the documented shape (rules, stats)', () => {
    const report = JSON.parse(formatJson(scanResult())) as Record<string, unknown>;
    assert.equal(report.rules, undefined);
    assert.equal(report.stats, undefined);
  });

  it('does not depend on the order of the engine', () => {
    assert.equal(formatJson(reversed(scanResult())), formatJson(scanResult()));
  });

  it('lists suppressed findings with their directive, a fix, rule page URLs and the baseline count', () => {
    const fix = {
      description: 'pass the mapped length',
      edits: [{ path: 'src/nic.c', startLine: 48, startColumn: 40, endLine: 48, endColumn: 44, text: '0x100' }],
    };
    const report = JSON.parse(
      formatJson(
        {
          ...scanResult({ findings: [{ ...LENGTH_WARNING, fix }] }),
          suppressed: [
            {
              finding: LEAK_ERROR,
              suppression: { kind: 'disable-next-line', line: 62, column: 5, reason: 'cleanup helper unmaps it' },
            },
          ],
          preExisting: [CONTEXT_ERROR],
        },
        { docsUrl: (f) => `https://docs.example/${f.docs}` },
      ),
    ) as JsonReport;
    assert.deepEqual(report.suppressed.length, 1);
    assert.equal(report.suppressed[0].fingerprint, LEAK_ERROR.fingerprint);
    assert.deepEqual(report.suppressed[0].suppression, {
      kind: 'disable-next-line',
      line: 62,
      column: 5,
      reason: 'cleanup helper unmaps it',
    });
    assert.deepEqual(report.findings[0].fix, fix);
    assert.equal(report.findings[0].docsUrl, 'https://docs.example/rules/ndis/unmap-length.md');
    assert.deepEqual(report.baseline, { preExisting: 1 });
    assert.deepEqual(jsonSchemaErrors(jsonOutputSchema, report), []);
  });

  it('validates against jsonOutputSchema', () => {
    assert.deepEqual(jsonSchemaErrors(jsonOutputSchema, JSON.parse(formatJson(scanResult())) as JsonReport), []);
    const empty = scanResult({ findings: [], notices: [], files: 0 });
    assert.deepEqual(jsonSchemaErrors(jsonOutputSchema, JSON.parse(formatJson(empty)) as JsonReport), []);
  });

  it('has a schema that rejects reports that break it', () => {
    // Broken on purpose: the fields are written as what the schema must refuse.
    const report = JSON.parse(formatJson(scanResult())) as Record<string, unknown> & {
      findings: Record<string, unknown>[];
      notices: Record<string, unknown>[];
    };
    report.findings[0].line = 0;
    delete report.findings[1].fingerprint;
    report.findings[2].severity = 'fatal';
    report.notices[0].kind = 'mystery';
    report.extra = true;
    assert.deepEqual(jsonSchemaErrors(jsonOutputSchema, report).sort(), [
      '/ additionalProperties extra',
      '/findings/0/line minimum',
      '/findings/1 required fingerprint',
      '/findings/2/severity enum',
      '/notices/0/kind oneOf',
    ]);
  });

  it('declares draft 2020-12 and matches docs/json-schema.json', () => {
    assert.equal(jsonOutputSchema.$schema, 'https://json-schema.org/draft/2020-12/schema');
    const onDisk = JSON.parse(readFileSync(`${repoRoot}/docs/json-schema.json`, 'utf8')) as unknown;
    assert.deepEqual(
      onDisk,
      jsonOutputSchema,
      'docs/json-schema.json is stale: after building, run\n' +
        `  node -e "import('./dist/src/report/json.js').then(m => process.stdout.write(JSON.stringify(m.jsonOutputSchema, null, 2) + '\\n'))" > docs/json-schema.json`,
    );
  });
});

describe('formatSarif', () => {
  const RULES_TEXT = { 'ndis/unmap-on-failure': '# ndis/unmap-on-failure\n\nUnmap on every failure path.\n' };
  const sarif = () => JSON.parse(formatSarif(scanResult(), { rulesText: RULES_TEXT })) as SarifLog;

  it('is one SARIF 2.1.0 run of ndis-review', () => {
    const log = sarif();
    assert.equal(log.$schema, SARIF_SCHEMA_URI);
    assert.equal(log.$schema, 'https://json.schemastore.org/sarif-2.1.0.json');
    assert.equal(log.version, '2.1.0');
    assert.equal(log.runs.length, 1);
    const driver = log.runs[0].tool.driver;
    assert.equal(driver.name, 'ndis-review');
    assert.equal(driver.version, '0.1.0');
    assert.equal('informationUri' in driver, false);
    assert.equal(log.runs[0].columnKind, 'utf16CodeUnits');
  });

  it('describes every rule with the properties GitHub requires', () => {
    const rules = sarif().runs[0].tool.driver.rules as SarifRule[];
    assert.deepEqual(
      rules.map((r) => r.id),
      RULES.map((r) => r.id),
    );
    for (const [i, rule] of rules.entries()) {
      assert.equal(rule.name, RULES[i].id);
      assert.equal(rule.shortDescription.text, RULES[i].title);
      assert.equal(rule.fullDescription.text, RULES[i].description);
      assert.equal(rule.defaultConfiguration.level, RULES[i].severity);
      assert.ok(rule.help.text.length > 0, 'GitHub requires a non-empty help.text');
      assert.ok(Array.isArray(rule.properties.tags) && rule.properties.tags.length <= 10);
      assert.ok(rule.properties.tags.includes('ndis'));
    }
    assert.equal(rules[1].properties['problem.severity'], 'error');
    assert.equal(rules[2].properties['problem.severity'], 'warning');
  });

  it('takes help from rulesText, and names the documentation path without it', () => {
    const rules = sarif().runs[0].tool.driver.rules;
    assert.deepEqual(rules[1].help, {
      text: RULES_TEXT['ndis/unmap-on-failure'],
      markdown: RULES_TEXT['ndis/unmap-on-failure'],
    });
    assert.equal(rules[0].help.markdown, undefined);
    assert.match(rules[0].help.text, /rules\/ndis\/mmap-context\.md/);
  });

  it('keeps rule descriptions and names within GitHub limits', () => {
    const long: RuleMeta = { ...RULES[0], title: 't'.repeat(2000), description: 'd'.repeat(5000) };
    const rule = (JSON.parse(formatSarif(scanResult({ rules: [long], findings: [] }))) as SarifLog).runs[0].tool.driver
      .rules[0];
    assert.equal(rule.shortDescription.text.length, 1024);
    assert.equal(rule.fullDescription.text.length, 1024);
  });

  it('turns each finding into a result with rule, level, message, one location, region and fingerprint', () => {
    const run = sarif().runs[0];
    assert.equal(run.results.length, 3);
    const [context, leak, length] = run.results;
    assert.equal(context.ruleId, 'ndis/mmap-context');
    assert.equal(leak.ruleId, 'ndis/unmap-on-failure');
    assert.equal(length.ruleId, 'ndis/unmap-length');
    for (const result of run.results) {
      assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
      assert.ok(result.message.text.length > 0);
      assert.equal(result.locations.length, 1);
    }
    assert.deepEqual([context.level, leak.level, length.level], ['error', 'error', 'warning']);
    assert.deepEqual(length.locations[0], {
      physicalLocation: {
        artifactLocation: { uri: 'src/nic.c', uriBaseId: '%SRCROOT%' },
        region: { startLine: 48, startColumn: 5, endLine: 48, endColumn: 52 },
      },
    });
    assert.deepEqual(context.locations[0].physicalLocation.region, {
      startLine: 20,
      startColumn: 5,
      endLine: 21,
      endColumn: 40,
    });
    assert.deepEqual(leak.partialFingerprints, { [FINGERPRINT_KEY]: 'fp-ndis/unmap-on-failure-init.c-63' });
    assert.equal(FINGERPRINT_KEY, 'ndisReview/v1');
  });

  it('turns the trace into one thread flow, and leaves it out when there is none', () => {
    const [context, leak, length] = sarif().runs[0].results;
    assert.ok(leak.codeFlows && context.codeFlows);
    assert.equal(leak.codeFlows.length, 1);
    assert.equal(leak.codeFlows[0].threadFlows.length, 1);
    assert.deepEqual(leak.codeFlows[0].threadFlows[0].locations, [
      {
        location: {
          physicalLocation: {
            artifactLocation: { uri: 'init.c', uriBaseId: '%SRCROOT%' },
            region: { startLine: 40, startColumn: 14 },
          },
          message: { text: 'NdisMMapIoSpace maps Adapter->Csr' },
        },
      },
      {
        location: {
          physicalLocation: { artifactLocation: { uri: 'init.c', uriBaseId: '%SRCROOT%' }, region: { startLine: 63 } },
          message: { text: 'goto err_unmap_csr skips NdisMUnmapIoSpace(Adapter->Csr)' },
        },
      },
    ]);
    assert.equal(
      context.codeFlows[0].threadFlows[0].locations[0].location.physicalLocation.artifactLocation.uri,
      'hw/reset.c',
    );
    assert.equal('codeFlows' in length, false);
  });

  it('keeps every region number at least 1 and the end not before the start', () => {
    const bad = finding({ rule: 'ndis/mmap-context', path: 'a.c', line: 0, column: 0, endLine: 0, endColumn: 0 });
    const backwards = finding({
      rule: 'ndis/mmap-context',
      path: 'b.c',
      line: 7,
      column: 12,
      endLine: 7,
      endColumn: 3,
    });
    const results = (JSON.parse(formatSarif(scanResult({ findings: [bad, backwards] }))) as SarifLog).runs[0].results;
    assert.deepEqual(results[0].locations[0].physicalLocation.region, {
      startLine: 1,
      startColumn: 1,
      endLine: 1,
      endColumn: 1,
    });
    assert.deepEqual(results[1].locations[0].physicalLocation.region, {
      startLine: 7,
      startColumn: 12,
      endLine: 7,
      endColumn: 12,
    });
  });

  it('percent-encodes paths into relative URIs with forward slashes', () => {
    const spaced = finding({ rule: 'ndis/mmap-context', path: 'My Driver/nic#1.c', line: 3 });
    const result = (JSON.parse(formatSarif(scanResult({ findings: [spaced] }))) as SarifLog).runs[0].results[0];
    assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'My%20Driver/nic%231.c');
  });

  it('adds a descriptor for a rule a finding names but the rule list lacks', () => {
    const stray = finding({ rule: 'extra/rule', path: 'a.c', line: 1, severity: 'note', docs: 'rules/extra/rule.md' });
    const run = (JSON.parse(formatSarif(scanResult({ findings: [stray] }))) as SarifLog).runs[0];
    const index = run.results[0].ruleIndex;
    assert.equal(index, RULES.length);
    assert.equal(run.tool.driver.rules[index].id, 'extra/rule');
    assert.equal(run.tool.driver.rules[index].defaultConfiguration.level, 'note');
    assert.equal(run.results[0].level, 'note');
  });

  it('reports notices as tool execution notifications of a successful run', () => {
    const invocation = sarif().runs[0].invocations[0];
    assert.equal(invocation.executionSuccessful, true);
    assert.deepEqual(invocation.toolExecutionNotifications, [
      { level: 'note', message: { text: 'no halt callback found' }, descriptor: { id: 'not-applicable' } },
      {
        level: 'note',
        message: { text: 'broken.c did not parse cleanly; its intact parts were analysed' },
        descriptor: { id: 'parse-recovered' },
        locations: [
          {
            physicalLocation: {
              artifactLocation: { uri: 'broken.c', uriBaseId: '%SRCROOT%' },
              region: { startLine: 30 },
            },
          },
        ],
      },
    ]);
  });

  it('names the source root as a file URI for a directory scan only', () => {
    assert.deepEqual(sarif().runs[0].originalUriBaseIds, { '%SRCROOT%': { uri: 'file:///work/driver/' } });
    const labelled = (JSON.parse(formatSarif(scanResult({ root: 'pull-request-42' }))) as SarifLog).runs[0];
    assert.equal('originalUriBaseIds' in labelled, false);
  });

  it('keeps the most severe results within the 25,000 GitHub accepts, and says how many it left out', () => {
    const notes = Array.from({ length: GITHUB_MAX_RESULTS }, (_, i) =>
      finding({ rule: 'extra/style', path: 'a.c', line: i + 1, severity: 'note' }),
    );
    const run = (
      JSON.parse(formatSarif(scanResult({ findings: [...notes, LEAK_ERROR, LENGTH_WARNING], notices: [] }))) as SarifLog
    ).runs[0];
    assert.equal(run.results.length, GITHUB_MAX_RESULTS);
    const results = run.results as SarifResult[];
    assert.ok(results.some((r) => r.ruleId === 'ndis/unmap-on-failure'));
    assert.ok(results.some((r) => r.ruleId === 'ndis/unmap-length'));
    const [notification] = run.invocations[0].toolExecutionNotifications;
    assert.match(notification.message.text, /^2 findings left out/);
  });

  it('keeps a trace within the thread flow locations GitHub shows', () => {
    const trace = Array.from({ length: GITHUB_MAX_TRACE_LOCATIONS + 5 }, (_, i) => ({
      path: 'a.c',
      line: i + 1,
      message: `step ${String(i)}`,
    }));
    const long = finding({ rule: 'ndis/mmap-context', path: 'a.c', line: 1, trace });
    const result = (JSON.parse(formatSarif(scanResult({ findings: [long] }))) as SarifLog).runs[0].results[0];
    assert.ok(result.codeFlows);
    assert.equal(result.codeFlows[0].threadFlows[0].locations.length, GITHUB_MAX_TRACE_LOCATIONS);
  });

  it('does not depend on the order of the engine', () => {
    assert.equal(formatSarif(reversed(scanResult())), formatSarif(scanResult()));
  });
});
