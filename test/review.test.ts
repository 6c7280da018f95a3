/** The shared review layer: suppressions, the pipeline, baselines, new-vs-base, conclusions, fixes as text. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findDirectives } from '../src/engine/directives.js';
import type { Finding, ScanResult } from '../src/engine/types.js';
import { FINGERPRINT_VERSION, parseBaseline, BaselineError } from '../src/review/baseline.js';
import { addedSuppressions, classify } from '../src/review/classify.js';
import { conclusionOf } from '../src/review/conclusion.js';
import { DEFAULT_CONFIG, type ReviewConfig } from '../src/review/config.js';
import { configFrom, readConfigText } from '../src/review/config-file.js';
import { applyEdits, sourceTexts, suggestionFor } from '../src/review/fixes.js';
import { reviewPullRequest } from '../src/review/pull-request.js';
import { againstBaseline, reviewScan } from '../src/review/report.js';
import { applyDirectives } from '../src/review/suppress.js';
import { ALL_RULES, findingOf, PACK_RULES } from './support/rules.js';

const KNOWN = ALL_RULES.map((r) => r.id);
const LEAK = (line: number, extra: Partial<Finding> = {}) =>
  findingOf({ rule: 'ndis/unmap-on-failure', path: 'init.c', line, fingerprint: `leak-${String(line)}`, ...extra });
const LENGTH = (line: number, extra: Partial<Finding> = {}) =>
  findingOf({ rule: 'ndis/unmap-length', path: 'init.c', line, fingerprint: `length-${String(line)}`, ...extra });

function config(patch: Partial<ReviewConfig> = {}): ReviewConfig {
  return { ...structuredClone<ReviewConfig>(DEFAULT_CONFIG), ...patch };
}

function scanResult(findings: Finding[], source: string, fields: Partial<ScanResult> = {}): ScanResult {
  return {
    version: '0.1.0',
    root: '/r',
    files: 1,
    findings,
    notices: [],
    rules: PACK_RULES,
    complete: true,
    stats: {
      files: 1,
      lexed: 1,
      parsed: 1,
      needed: 1,
      workers: 0,
      ms: { read: 0, lex: 0, parse: 0, link: 0, rules: 0, bodies: 0, total: 0 },
      health: { parsedFiles: 1, damagedFiles: 0, functions: 1, damagedFunctions: [] },
      apiCalls: {},
    },
    directives: findDirectives('init.c', source),
    ...fields,
  };
}

/** Source whose line `n` (1-based) holds `text`, blank lines elsewhere. */
function lines(entries: Record<number, string>): string {
  const max = Math.max(...Object.keys(entries).map(Number));
  return Array.from({ length: max }, (_, i) => entries[i + 1] ?? '').join('\n') + '\n';
}

describe('applyDirectives', () => {
  const opts = { knownRules: KNOWN, rulesOff: new Set<string>(), complete: true };

  it('suppresses the named rule on the covered line only, and keeps the fingerprint', () => {
    const source = lines({ 9: '// ndis-review-disable-next-line ndis/unmap-length -- why' });
    const r = applyDirectives([LENGTH(10), LEAK(10), LENGTH(11)], findDirectives('init.c', source), opts);
    assert.deepEqual(
      r.kept.map((f) => f.fingerprint),
      ['leak-10', 'length-11'],
    );
    assert.equal(r.suppressed.length, 1);
    assert.equal(r.suppressed[0].finding.fingerprint, 'length-10');
    assert.deepEqual(r.suppressed[0].suppression, { kind: 'disable-next-line', line: 9, column: 1, reason: 'why' });
    assert.deepEqual(r.unused, []);
  });

  it('does not cross files', () => {
    const directives = findDirectives('other.c', lines({ 10: 'x; // ndis-review-disable-line ndis/unmap-length' }));
    const r = applyDirectives([LENGTH(10)], directives, opts);
    assert.equal(r.kept.length, 1);
    assert.equal(r.unused.length, 1);
    assert.equal(r.unused[0].path, 'other.c');
  });

  it('reports unused rules, unknown rules, empty and malformed directives as notes with stable fingerprints', () => {
    const source = lines({
      3: 'a; // ndis-review-disable-line ndis/unmap-length, ndis/mmap-context',
      5: 'b; // ndis-review-disable-line ndis/unmap-lenght',
      7: 'c; // ndis-review-disable-line -- no rule',
      9: '// ndis-review-disable-nextline ndis/unmap-length',
    });
    const r = applyDirectives([LENGTH(3)], findDirectives('init.c', source), opts);
    assert.deepEqual(
      r.unused.map((f) => [f.rule, f.severity, f.line, f.message.split(' ').slice(0, 4).join(' ')]),
      [
        ['ndis-review/unused-directive', 'note', 3, 'ndis/mmap-context reports nothing on'],
        ['ndis-review/unused-directive', 'note', 5, 'ndis/unmap-lenght is not a'],
        ['ndis-review/unused-directive', 'note', 7, 'This disable-line directive names'],
        ['ndis-review/unused-directive', 'note', 9, 'This comment is not'],
      ],
    );
    assert.match(r.unused[1].message, /did you mean ndis\/unmap-length\?/);
    // The same directives two lines lower: same identities.
    const moved = applyDirectives([LENGTH(5)], findDirectives('init.c', '\n\n' + source), opts);
    assert.deepEqual(
      moved.unused.map((f) => f.fingerprint),
      r.unused.map((f) => f.fingerprint),
    );
    assert.equal(new Set(r.unused.map((f) => f.fingerprint)).size, 4);
  });

  it('does not call a directive unused for a rule switched off, nor in an incomplete scan (unknown rules still are)', () => {
    const source = lines({ 3: 'a; // ndis-review-disable-line ndis/unmap-length, ndis/unmapp' });
    const directives = findDirectives('init.c', source);
    const off = applyDirectives([], directives, { ...opts, rulesOff: new Set(['ndis/unmap-length']) });
    assert.deepEqual(
      off.unused.map((f) => f.message.split(' ')[0]),
      ['ndis/unmapp'],
    );
    const incomplete = applyDirectives([], directives, { ...opts, complete: false });
    assert.deepEqual(
      incomplete.unused.map((f) => f.message.split(' ')[0]),
      ['ndis/unmapp'],
    );
  });
});

describe('reviewScan', () => {
  const source = lines({ 9: '// ndis-review-disable-next-line ndis/unmap-length -- why' });

  it('applies rule settings before directives, filters paths last, and lists ndis-review rules', () => {
    const report = reviewScan(
      scanResult([LENGTH(10), LEAK(20), LEAK(30, { path: 'vendor/x.c' })], source),
      config({ rules: { 'ndis/unmap-length': 'error' }, paths: { include: ['**'], exclude: ['vendor/'] } }),
    );
    assert.deepEqual(
      report.findings.map((f) => f.fingerprint),
      ['leak-20'],
    );
    assert.equal(report.suppressed?.[0].finding.severity, 'error', 'suppressed with its configured severity');
    assert.ok(report.rules.some((r) => r.id === 'ndis-review/unused-directive'));
  });

  it('configures unused-directive findings like any rule', () => {
    const report = reviewScan(scanResult([], source), config({ rules: { 'ndis-review/unused-directive': 'warning' } }));
    assert.deepEqual(
      report.findings.map((f) => `${f.rule} ${f.severity}`),
      ['ndis-review/unused-directive warning'],
    );
    const off = reviewScan(scanResult([], source), config({ rules: { 'ndis-review/unused-directive': 'off' } }));
    assert.deepEqual(off.findings, []);
  });

  it('a directive naming a rule switched off is not unused', () => {
    const report = reviewScan(scanResult([LENGTH(10)], source), config({ rules: { 'ndis/unmap-length': 'off' } }));
    assert.deepEqual(report.findings, []);
    assert.deepEqual(report.suppressed, []);
  });
});

describe('baselines', () => {
  const report = (fingerprints: string[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      version: '0.1.0',
      fingerprintVersion: FINGERPRINT_VERSION,
      findings: fingerprints.map((fingerprint) => ({ fingerprint })),
      ...extra,
    });

  it('reads the fingerprints of findings and suppressed findings', () => {
    const b = parseBaseline(report(['a'], { suppressed: [{ fingerprint: 's' }] }), 'b.json');
    assert.deepEqual([...b.fingerprints], ['a', 's']);
    assert.deepEqual(b.notices, []);
  });

  it('matches nothing and says why for another fingerprint version', () => {
    const b = parseBaseline(report(['a'], { fingerprintVersion: 'ndisReview/v0' }), 'b.json');
    assert.equal(b.fingerprints.size, 0);
    assert.match(b.notices[0].message, /written with fingerprints ndisReview\/v0; this version uses ndisReview\/v1/);
  });

  it('rejects what is not a JSON report', () => {
    assert.throws(() => parseBaseline('nope', 'b.json'), BaselineError);
    assert.throws(() => parseBaseline('{"findings": [{}]}', 'b.json'), /findings\[0\] has no fingerprint/);
  });

  it('againstBaseline keeps the new, moves the rest to preExisting, adds notices', () => {
    const base = reviewScan(scanResult([LEAK(1), LENGTH(2)], ''), config());
    const out = againstBaseline(base, ['leak-1'], [{ kind: 'baseline', message: 'm' }]);
    assert.deepEqual(
      out.findings.map((f) => f.fingerprint),
      ['length-2'],
    );
    assert.deepEqual(
      out.preExisting?.map((f) => f.fingerprint),
      ['leak-1'],
    );
    assert.equal(out.notices.at(-1)?.kind, 'baseline');
  });
});

describe('classify and a pull request', () => {
  it('a finding suppressed in base and unsuppressed in head is not new', () => {
    const c = classify([LEAK(1)], [], ['leak-1']);
    assert.deepEqual(c.added, []);
    assert.equal(c.existing.length, 1);
  });

  it('lists only the suppressions head adds, by finding fingerprint, not by comment line', () => {
    const s = (f: Finding, line: number) => ({
      finding: f,
      suppression: { kind: 'disable-line' as const, line, column: 1, reason: '' },
    });
    // The leak and its directive moved from line 3 to 5: same finding, not a new suppression.
    assert.deepEqual(
      addedSuppressions(
        [s(LEAK(5, { fingerprint: 'leak' }), 4), s(LENGTH(9), 8)],
        [s(LEAK(3, { fingerprint: 'leak' }), 2)],
      ).map((x) => x.finding.fingerprint),
      ['length-9'],
    );
  });

  it('reviewPullRequest: head and base with one configuration, the suppression the pull request adds', () => {
    const headSource = lines({
      9: '// ndis-review-disable-next-line ndis/unmap-on-failure -- cleaned up by the caller',
    });
    const head = scanResult([LEAK(10, { fingerprint: 'leak' }), LENGTH(20)], headSource);
    const base = scanResult([LEAK(8, { fingerprint: 'leak' })], '');
    const review = reviewPullRequest(head, base, config());
    assert.deepEqual(
      review.classified.added.map((f) => f.fingerprint),
      ['length-20'],
    );
    assert.deepEqual(
      review.classified.fixed.map((f) => f.fingerprint),
      ['leak'],
      'gone from what is reported',
    );
    assert.deepEqual(
      review.addedSuppressions.map((s) => s.suppression.reason),
      ['cleaned up by the caller'],
    );
    const conclusion = conclusionOf(
      review.classified,
      config({ conclusion: { failOn: 'error', otherwise: 'success' } }),
      review.addedSuppressions,
    );
    assert.equal(conclusion, 'neutral', 'a new suppression of an error keeps the run from success');
    assert.equal(
      conclusionOf(
        review.classified,
        config({ trustSuppressions: true, conclusion: { failOn: 'error', otherwise: 'success' } }),
        review.addedSuppressions,
      ),
      'success',
    );
    assert.deepEqual(reviewPullRequest(head, undefined, config()).addedSuppressions, [], 'no base, no pull request');
  });
});

describe('configuration files', () => {
  it('reads YAML as the app does: empty is a mapping, a bare off is a string, a scalar is an error', () => {
    assert.deepEqual(readConfigText(''), { value: {} });
    assert.deepEqual(readConfigText('rules:\n  ndis/unmap-length: off\n'), {
      value: { rules: { 'ndis/unmap-length': 'off' } },
    });
    assert.deepEqual(readConfigText('just words'), { error: 'the YAML is a string, not a mapping of settings' });
    assert.match((readConfigText('rules: [') as { error: string }).error, /^invalid YAML: /);
  });

  it('configFrom gives the defaults and one line for a file that could not be read', () => {
    const { config: c, errors } = configFrom({ error: 'invalid YAML: x' }, KNOWN);
    assert.deepEqual(c, DEFAULT_CONFIG);
    assert.deepEqual(errors, ['.github/ndis-review.yml could not be read: invalid YAML: x']);
  });
});

describe('fixes as text', () => {
  const source = 'int f(void)\r\n{\r\n    if (s) goto Out;\r\n    Unmap(h, p, 0x80);\r\n}\r\n';

  it('applies edits by line and column, CRLF kept, several edits at once', () => {
    const out = applyEdits(source, [
      { path: 'a.c', startLine: 4, startColumn: 17, endLine: 4, endColumn: 21, text: '0x100' },
      { path: 'a.c', startLine: 3, startColumn: 1, endLine: 3, endColumn: 1, text: '    Unmap(h, p, 0x100);\r\n' },
    ]);
    assert.equal(
      out,
      'int f(void)\r\n{\r\n    Unmap(h, p, 0x100);\r\n    if (s) goto Out;\r\n    Unmap(h, p, 0x100);\r\n}\r\n',
    );
    assert.throws(
      () =>
        applyEdits(source, [
          { path: 'a.c', startLine: 4, startColumn: 1, endLine: 4, endColumn: 10, text: '' },
          { path: 'a.c', startLine: 4, startColumn: 5, endLine: 4, endColumn: 6, text: '' },
        ]),
      /overlap/,
    );
  });

  it('a suggestion covers the finding line through every edited line, only when all are in the diff', () => {
    const finding = findingOf({
      rule: 'ndis/unmap-on-failure',
      path: 'a.c',
      line: 3,
      fix: {
        description: 'unmap before the goto',
        edits: [
          { path: 'a.c', startLine: 3, startColumn: 1, endLine: 3, endColumn: 1, text: '    Unmap(h, p, 0x100);\n' },
        ],
      },
    });
    assert.deepEqual(suggestionFor(finding, source, new Set([2, 3, 4])), {
      startLine: 3,
      endLine: 3,
      text: '    Unmap(h, p, 0x100);\n    if (s) goto Out;',
    });
    assert.equal(suggestionFor(finding, source, new Set([4])), undefined, 'line 3 is not in the diff');
    const multi = {
      ...finding,
      line: 3,
      fix: {
        description: 'd',
        edits: [{ path: 'a.c', startLine: 4, startColumn: 17, endLine: 4, endColumn: 21, text: '0x100' }],
      },
    };
    assert.deepEqual(suggestionFor(multi, source, new Set([3, 4])), {
      startLine: 3,
      endLine: 4,
      text: '    if (s) goto Out;\n    Unmap(h, p, 0x100);',
    });
    assert.equal(suggestionFor({ ...finding, fix: undefined }, source, new Set([3])), undefined);
  });

  it('sourceTexts decodes only the files asked for, as the engine does', () => {
    const texts = sourceTexts(
      [
        { path: 'a.c', bytes: Buffer.from('caf\xe9', 'latin1') },
        { path: 'b.c', bytes: Buffer.from('x') },
      ],
      ['a.c'],
    );
    assert.deepEqual([...texts], [['a.c', 'café']]);
  });
});
