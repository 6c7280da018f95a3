import assert from 'node:assert/strict';
import { ruleDocsUrl } from '../src/engine/rulepack.js';
import { describe, it } from 'node:test';
import {
  ANNOTATIONS_PER_REQUEST,
  CHECK_RUN_TEXT_LIMIT,
  MAX_ANNOTATIONS,
  applyRuleConfig,
  batchAnnotations,
  capAnnotations,
  classify,
  escapeMarkdown,
  renderCheckRun,
  sortAnnotations,
  toAnnotation,
  type CheckRunInput,
} from '../src/app/checkrun.js';
import type { AppConfig, CheckAnnotation, ClassifiedFindings } from '../src/app/types.js';
import type { Finding, Notice, RuleMeta } from '../src/engine/types.js';
import type { SuppressedFinding } from '../src/review/suppress.js';
import { findingOf, PACK_RULES, rule } from './support/rules.js';
import { defined } from '../src/util/defined.js';

const RULES: RuleMeta[] = PACK_RULES;

function finding(fields: Partial<Finding> & Pick<Finding, 'rule' | 'path' | 'line'>): Finding {
  return findingOf(fields);
}

const ERR = (path: string, line: number, extra: Partial<Finding> = {}) =>
  finding({ rule: 'ndis/unmap-on-failure', path, line, ...extra });
const WARN = (path: string, line: number, extra: Partial<Finding> = {}) =>
  finding({ rule: 'ndis/unmap-length', path, line, ...extra });
const NOTE = (path: string, line: number, extra: Partial<Finding> = {}) =>
  finding({ rule: 'ndis/unmap-length', path, line, severity: 'note', ...extra });

function config(overrides: Partial<AppConfig> = {}, conclusion: Partial<AppConfig['conclusion']> = {}): AppConfig {
  return {
    rules: {},
    paths: { include: ['**'], exclude: [] },
    report: 'new',
    reviewComments: true,
    trustSuppressions: false,
    ...overrides,
    conclusion: { failOn: 'error', otherwise: 'neutral', ...conclusion },
  };
}

function split(added: Finding[], existing: Finding[] = [], fixed: Finding[] = []): ClassifiedFindings {
  return { added, existing, fixed };
}

function input(classified: ClassifiedFindings, fields: Partial<CheckRunInput> = {}): CheckRunInput {
  return {
    classified,
    config: config(),
    rules: RULES,
    notices: [],
    files: 14,
    headSha: '0123456789abcdef0123456789abcdef01234567',
    ...fields,
  };
}

/** Cells of a Markdown table row, split on pipes that are not backslash-escaped. */
function cells(row: string): string[] {
  const parts = row.split(/(?<!\\)\|/);
  assert.equal(parts[0], '', `row starts with a pipe: ${row}`);
  assert.equal(parts[parts.length - 1], '', `row ends with a pipe: ${row}`);
  return parts.slice(1, -1).map((c) => c.trim());
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('classify', () => {
  it('splits by fingerprint, not by place, and keeps head order', () => {
    const moved = ERR('init.c', 80, { fingerprint: 'same' }); // was at line 63 in base
    const base = [ERR('init.c', 63, { fingerprint: 'same' }), WARN('nic.c', 5, { fingerprint: 'gone' })];
    const newOne = WARN('nic.c', 5, { fingerprint: 'new' }); // same place as a base finding, other identity
    const head = [newOne, moved, NOTE('a.c', 1, { fingerprint: 'new2' })];
    const c = classify(head, base);
    assert.deepEqual(
      c.added.map((f) => f.fingerprint),
      ['new', 'new2'],
    );
    assert.deepEqual(c.existing, [moved]);
    assert.deepEqual(
      c.fixed.map((f) => f.fingerprint),
      ['gone'],
    );
  });

  it('treats everything as added without a base, and as fixed without a head', () => {
    const fs = [ERR('a.c', 1), WARN('b.c', 2)];
    assert.deepEqual(classify(fs, []), { added: fs, existing: [], fixed: [] });
    assert.deepEqual(classify([], fs), { added: [], existing: [], fixed: fs });
  });
});

describe('applyRuleConfig', () => {
  it('drops rules that are off and replaces overridden severities, without mutating', () => {
    const leak = ERR('init.c', 63);
    const length = WARN('nic.c', 48);
    const context = finding({ rule: 'ndis/mmap-context', path: 'x.c', line: 2 });
    const out = applyRuleConfig([leak, length, context], {
      'ndis/unmap-on-failure': 'off',
      'ndis/unmap-length': 'error',
    });
    assert.equal(out.length, 2);
    assert.equal(out[0].rule, 'ndis/unmap-length');
    assert.equal(out[0].severity, 'error');
    assert.equal(length.severity, 'warning', 'the input finding is unchanged');
    assert.equal(out[1], context, 'a rule without override passes through as is');
  });

  it('does not take prototype keys for overrides', () => {
    const odd = finding({ rule: 'constructor', path: 'a.c', line: 1, severity: 'note' });
    assert.deepEqual(applyRuleConfig([odd], {}), [odd]);
  });
});

describe('renderCheckRun conclusion', () => {
  const cases: [string, ClassifiedFindings, Partial<AppConfig['conclusion']>, string][] = [
    ['a new error, failOn error', split([ERR('a.c', 1)]), { failOn: 'error' }, 'failure'],
    ['a new warning, failOn error', split([WARN('a.c', 1)]), { failOn: 'error' }, 'neutral'],
    ['a new warning, failOn warning', split([WARN('a.c', 1)]), { failOn: 'warning' }, 'failure'],
    ['a new error, failOn warning', split([ERR('a.c', 1)]), { failOn: 'warning' }, 'failure'],
    ['a new note, failOn warning', split([NOTE('a.c', 1)]), { failOn: 'warning' }, 'neutral'],
    ['a new error, failOn never', split([ERR('a.c', 1)]), { failOn: 'never' }, 'neutral'],
    ['a new warning, otherwise success', split([WARN('a.c', 1)]), { otherwise: 'success' }, 'success'],
    ['no findings, otherwise neutral', split([], [], [ERR('gone.c', 1)]), { otherwise: 'neutral' }, 'success'],
    ['only pre-existing errors, failOn error', split([], [ERR('a.c', 1)]), { failOn: 'error' }, 'neutral'],
    ['only pre-existing errors, otherwise success', split([], [ERR('a.c', 1)]), { otherwise: 'success' }, 'success'],
  ];
  for (const [name, classified, policy, expected] of cases) {
    it(`${name} → ${expected}`, () => {
      const report = renderCheckRun(input(classified, { config: config({}, policy) }));
      assert.equal(report.conclusion, expected);
    });
  }
});

describe('renderCheckRun title', () => {
  const title = (c: ClassifiedFindings, files = 14) => renderCheckRun(input(c, { files })).title;

  it('counts new findings by severity, most severe first, with plurals', () => {
    const existing = [NOTE('o.c', 1), NOTE('o.c', 2), NOTE('o.c', 3)];
    assert.equal(
      title(split([WARN('w.c', 1), ERR('a.c', 1), ERR('b.c', 2)], existing)),
      '2 new errors, 1 new warning · 3 pre-existing',
    );
    assert.equal(title(split([ERR('a.c', 1), NOTE('n.c', 1), NOTE('n.c', 2)])), '1 new error, 2 new notes');
  });

  it('says when nothing is new, or nothing at all, and counts fixed findings', () => {
    assert.equal(title(split([])), 'No findings in 14 files');
    assert.equal(title(split([]), 1), 'No findings in 1 file');
    assert.equal(title(split([], [ERR('a.c', 1)])), 'No new findings · 1 pre-existing');
    assert.equal(title(split([WARN('a.c', 1)], [], [ERR('b.c', 1), ERR('c.c', 1)])), '1 new warning · 2 fixed');
  });

  it('stays under 255 characters however many findings there are', () => {
    const many = Array.from({ length: 123_456 }, (_, i) => ERR('a.c', i + 1));
    const t = title(split(many, many, many));
    assert.equal(t, '123,456 new errors · 123,456 pre-existing · 123,456 fixed');
    assert.ok(t.length < 255);
  });
});

describe('renderCheckRun summary', () => {
  it('escapes messages and paths so a C expression cannot break the table', () => {
    const nasty = ERR('src/my_driver|x.c', 7, { message: 'a | b, <T> and `x->y` * 2\nsecond line' });
    const { summary } = renderCheckRun(input(split([nasty])));
    const row = defined(summary.split('\n').find((l) => l.includes('my')));
    const c = cells(row);
    assert.equal(c.length, 4, 'rule, severity, location, message');
    assert.equal(c[2], 'src/my\\_driver\\|x.c:7');
    assert.equal(c[3], 'a \\| b, \\<T\\> and \\`x-\\>y\\` \\* 2 second line');
    assert.ok(!/(?<!\\)[<>`]/.test(c[3]), 'no unescaped <, > or backtick');
  });

  it('shortens a long message in its cell without splitting a surrogate pair', () => {
    const long = ERR('a.c', 1, { message: `${'x'.repeat(998)}😀${'y'.repeat(50)}` });
    const { summary } = renderCheckRun(input(split([long])));
    const row = defined(summary.split('\n').find((l) => l.includes('xxx')));
    assert.equal(cells(row)[3], `${'x'.repeat(998)}…`);
    assert.ok(!LONE_SURROGATE.test(summary));
  });

  it('escapeMarkdown backslash-escapes each special character', () => {
    assert.equal(escapeMarkdown('|<>`*_\\'), '\\|\\<\\>\\`\\*\\_\\\\');
  });

  it("links rules to docsBaseUrl + docs, and to the rule pack's docs base without one", () => {
    const f = ERR('a.c', 1);
    const linked = renderCheckRun(input(split([f]), { docsBaseUrl: 'https://github.com/o/r/blob/v1/' })).summary;
    assert.ok(
      linked.includes(
        '| [ndis/unmap-on-failure](https://github.com/o/r/blob/v1/rules/ndis/unmap-on-failure.md) | error | a.c:1 |',
      ),
      linked,
    );
    const plain = renderCheckRun(input(split([f]))).summary;
    const url = ruleDocsUrl('rules/ndis/unmap-on-failure.md');
    assert.match(url, /^https:\/\/.+\/rules\/ndis\/unmap-on-failure\.md$/);
    assert.ok(plain.includes(`| [ndis/unmap-on-failure](${url}) | error | a.c:1 |`), plain);
  });

  it("shows each firing rule's page folded in the text, headings below the run's, unable to close the fold, cut when long", () => {
    const page = '# ndis/unmap-on-failure\r\n\r\nWhy.\r\n\r\n## Fix\r\n\r\n</details>unmap it\r\n';
    const text =
      renderCheckRun(
        input(split([ERR('a.c', 1)]), {
          ruleDocText: new Map([
            ['ndis/unmap-on-failure', page],
            ['ndis/unmap-in-halt', 'not firing'],
          ]),
        }),
      ).text ?? '';
    assert.ok(
      text.includes(
        '<details><summary>The ndis/unmap-on-failure rule in full</summary>\n\n##### ndis/unmap-on-failure\n\nWhy.\n\n###### Fix\n\nunmap it\n\n</details>',
      ),
      text,
    );
    assert.ok(!text.includes('not firing'));
    assert.equal(text.match(/<\/details>/g)?.length, 1);
    const long = Array.from({ length: 2000 }, (_, i) => `line ${String(i)} of a long page`).join('\n');
    const cut =
      renderCheckRun(input(split([ERR('a.c', 1)]), { ruleDocText: new Map([['ndis/unmap-on-failure', long]]) })).text ??
      '';
    assert.ok(cut.includes('_… the page goes on in the rule pack._'));
    assert.ok(Buffer.byteLength(cut) < 14_000, `${String(Buffer.byteLength(cut))} bytes`);
  });

  it('lists new findings, their traces, pre-existing ones collapsed, the fixed count and notices', () => {
    const leak = ERR('init.c', 63, {
      message: 'this failure path leaves Adapter->Csr mapped',
      trace: [
        { path: 'init.c', line: 40, column: 14, message: 'NdisMMapIoSpace maps Adapter->Csr' },
        { path: 'init.c', line: 63, message: 'goto err_out skips NdisMUnmapIoSpace' },
      ],
    });
    const old = WARN('nic.c', 48, { message: 'old length mismatch' });
    const notices: Notice[] = [
      { kind: 'parse-recovered', message: 'did not parse cleanly', path: 'bad.c', line: 3 },
      { kind: 'not-applicable', message: 'no initialize callback' },
    ];
    const { summary } = renderCheckRun(input(split([leak], [old], [ERR('gone.c', 1), ERR('gone.c', 2)]), { notices }));
    const lines = summary.split('\n');
    assert.ok(lines.includes('### New findings'));
    assert.ok(lines.includes('- ndis/unmap-on-failure at init.c:63'));
    assert.ok(lines.includes('  - init.c:40 — NdisMMapIoSpace maps Adapter-\\>Csr'));
    assert.ok(lines.includes('  - init.c:63 — goto err\\_out skips NdisMUnmapIoSpace'));
    const details = summary.slice(summary.indexOf('<details>'), summary.indexOf('</details>'));
    assert.ok(details.includes('<summary>Already present before this pull request (1)</summary>'));
    assert.ok(details.includes('| nic.c:48 | old length mismatch |'));
    assert.ok(!summary.slice(0, summary.indexOf('<details>')).includes('old length mismatch'), 'not in the new table');
    assert.ok(lines.includes('**Fixed by this pull request:** 2 findings.'));
    assert.ok(lines.includes('- not-applicable: no initialize callback'));
    assert.ok(lines.includes('- parse-recovered: bad.c:3: did not parse cleanly'));
  });

  it('with report: all, lists pre-existing findings in the table with a status, and annotates them', () => {
    const report = renderCheckRun(
      input(split([WARN('new.c', 2)], [ERR('old.c', 1)]), { config: config({ report: 'all' }) }),
    );
    const rows = report.summary.split('\n').filter((l) => l.startsWith('| [ndis/'));
    assert.deepEqual(
      rows.map((r) => cells(r).slice(1, 4)),
      [
        ['warning', 'new', 'new.c:2'],
        ['error', 'pre-existing', 'old.c:1'],
      ],
    );
    assert.ok(!report.summary.includes('<details>'));
    assert.deepEqual(
      report.annotations.map((a) => a.path),
      ['new.c', 'old.c'],
    );
  });

  it('annotates only new findings with report: new, and says so when there are none', () => {
    const report = renderCheckRun(input(split([], [ERR('old.c', 1)])));
    assert.deepEqual(report.annotations, []);
    assert.ok(report.summary.includes('No new findings.'));
  });

  it('keeps summary and text within 65,535 bytes with 5,000 long findings, cutting whole rows and counting them', () => {
    const long = 'the mapping of Adapter->Csr | 😀 '.repeat(30); // > 1,000 characters, astral characters
    const many = Array.from({ length: 5000 }, (_, i) =>
      ERR(`drivers/net/nic_${String(i).padStart(4, '0')}.c`, i + 1, {
        message: `${String(i)}: ${long}`,
        trace: [{ path: 'init.c', line: i + 1, message: long }],
      }),
    );
    const notices: Notice[] = Array.from({ length: 3000 }, (_, i) => ({
      kind: 'skipped-file',
      message: `too large ${long}`,
      path: `big_${String(i)}.c`,
    }));
    const report = renderCheckRun(input(split(many, many.slice(0, 2000)), { notices }));
    const { summary } = report;
    assert.ok(
      Buffer.byteLength(summary, 'utf8') <= CHECK_RUN_TEXT_LIMIT,
      `${String(Buffer.byteLength(summary))} bytes`,
    );
    assert.ok(summary.length <= CHECK_RUN_TEXT_LIMIT);
    assert.ok(!LONE_SURROGATE.test(summary), 'no surrogate pair was split');
    const tableRows = summary.split('\n').filter((l) => l.startsWith('| [ndis/'));
    const newRows = tableRows.filter((r) => r.includes('| drivers/'));
    assert.ok(newRows.length > 10 && newRows.length < 5000, `${String(newRows.length)} rows kept`);
    for (const row of tableRows) assert.equal(cells(row).length, 4, 'every row complete');
    const omitted = (5000 - newRows.length).toLocaleString('en-US');
    assert.ok(summary.includes(`_… and ${omitted} more findings not listed: the summary is limited to 65,535 bytes._`));
    assert.match(summary, /_… and [\d,]+ more notices\._/);
    assert.ok(summary.includes('**Fixed by this pull request:** 0 findings.'), 'the fixed count survives');
    assert.ok(report.text === undefined || Buffer.byteLength(report.text, 'utf8') <= CHECK_RUN_TEXT_LIMIT);
    // 5,000 new findings: annotations capped, and the summary says so.
    assert.equal(report.annotations.length, MAX_ANNOTATIONS);
    assert.ok(summary.includes('_1,000 of 5,000 reported findings are annotated in the diff'));
    assert.ok(summary.includes('4,000 are not._'));
  });

  it('is deterministic: the order the findings arrive in does not matter', () => {
    const fs = [WARN('b.c', 9), ERR('b.c', 2), NOTE('a.c', 1), ERR('a.c', 5), WARN('a.c', 5, { column: 1 })];
    const notices: Notice[] = [
      { kind: 'unresolved', message: 'u', path: 'z.c', line: 1 },
      { kind: 'budget', message: 'b', path: 'a.c', line: 1 },
    ];
    const one = renderCheckRun(input(split(fs, [NOTE('o.c', 3), NOTE('o.c', 1)]), { notices }));
    const two = renderCheckRun(
      input(split([...fs].reverse(), [NOTE('o.c', 1), NOTE('o.c', 3)]), { notices: [...notices].reverse() }),
    );
    assert.deepEqual(two, one);
    assert.deepEqual(
      one.annotations.map((a) => `${a.annotation_level} ${a.path}:${String(a.start_line)}`),
      ['failure a.c:5', 'failure b.c:2', 'warning a.c:5', 'warning b.c:9', 'notice a.c:1'],
    );
  });

  it('describes the rules that have findings in text, and leaves text out without findings', () => {
    const report = renderCheckRun(
      input(split([WARN('a.c', 1)]), { config: config({ rules: { 'ndis/unmap-length': 'error' } }) }),
    );
    assert.ok(defined(report.text, 'report.text').includes('#### ndis/unmap-length (error)'));
    assert.ok(defined(report.text, 'report.text').includes(rule('ndis/unmap-length').description));
    assert.ok(!defined(report.text, 'report.text').includes('mmap-context'));
    assert.equal(renderCheckRun(input(split([]))).text, undefined);
  });
});

describe('annotations', () => {
  it('maps severity to level and the rule to title, with the trace as raw details', () => {
    const err = toAnnotation(
      ERR('init.c', 63, {
        message: 'leaks',
        trace: [
          { path: 'init.c', line: 40, message: 'maps' },
          { path: 'init.c', line: 63, message: 'skips unmap' },
        ],
      }),
    );
    assert.deepEqual(err, {
      path: 'init.c',
      start_line: 63,
      end_line: 63,
      start_column: 5,
      end_column: 20,
      annotation_level: 'failure',
      message: 'leaks',
      title: 'ndis/unmap-on-failure',
      raw_details: 'init.c:40: maps\ninit.c:63: skips unmap',
    });
    assert.equal(toAnnotation(WARN('a.c', 1)).annotation_level, 'warning');
    assert.equal(toAnnotation(NOTE('a.c', 1)).annotation_level, 'notice');
    assert.equal(toAnnotation(NOTE('a.c', 1)).raw_details, undefined);
  });

  it('gives columns only to findings on a single line', () => {
    const multi = toAnnotation(ERR('a.c', 10, { endLine: 12, column: 3, endColumn: 4 }));
    assert.equal(multi.start_line, 10);
    assert.equal(multi.end_line, 12);
    assert.ok(!('start_column' in multi) && !('end_column' in multi));
    const single = toAnnotation(ERR('a.c', 10, { endLine: 10, column: 3, endColumn: 9 }));
    assert.equal(single.start_column, 3);
    assert.equal(single.end_column, 9);
  });

  it('truncates a message over 64 KB on a code point boundary', () => {
    const huge = toAnnotation(ERR('a.c', 1, { message: 'a😀'.repeat(20_000) })); // 100,000 bytes
    assert.ok(Buffer.byteLength(huge.message, 'utf8') <= 65_535);
    assert.ok(huge.message.length > 30_000);
    assert.ok(huge.message.endsWith('…'));
    assert.ok(!LONE_SURROGATE.test(huge.message));
  });

  it('batches 120 annotations into 50, 50 and 20, in order', () => {
    const all = Array.from({ length: 120 }, (_, i) => toAnnotation(ERR('a.c', i + 1)));
    const batches = batchAnnotations(all);
    assert.equal(ANNOTATIONS_PER_REQUEST, 50);
    assert.deepEqual(
      batches.map((b) => b.length),
      [50, 50, 20],
    );
    assert.deepEqual(batches.flat(), all);
    assert.deepEqual(batchAnnotations([]), []);
    assert.throws(() => batchAnnotations(all, 0), RangeError);
  });

  it('caps at 1,000 by default, most severe first, then by path and line, and counts the rest', () => {
    const all: CheckAnnotation[] = [];
    for (let i = 0; i < 600; i++) all.push(toAnnotation(NOTE('n.c', i + 1)));
    for (let i = 0; i < 400; i++) all.push(toAnnotation(WARN('w.c', 400 - i)));
    for (let i = 0; i < 200; i++) all.push(toAnnotation(ERR(i % 2 ? 'b.c' : 'a.c', 200 - i)));
    const { kept, omitted } = capAnnotations(all);
    assert.equal(kept.length, 1000);
    assert.equal(omitted, 200);
    assert.deepEqual(
      kept.slice(0, 200).map((a) => a.annotation_level),
      Array(200).fill('failure'),
    );
    assert.deepEqual(
      kept.slice(200, 600).map((a) => a.annotation_level),
      Array(400).fill('warning'),
    );
    assert.deepEqual(
      kept.slice(0, 3).map((a) => `${a.path}:${String(a.start_line)}`),
      ['a.c:2', 'a.c:4', 'a.c:6'],
    );
    assert.equal(kept[100].path, 'b.c');
    assert.equal(kept[200].start_line, 1);
    assert.deepEqual(kept, sortAnnotations(all).slice(0, 1000));
    assert.deepEqual(capAnnotations(all, 5000), { kept: sortAnnotations(all), omitted: 0 });
  });
});

function suppressed(f: Finding, reason = 'firmware resizes the BAR'): SuppressedFinding {
  return { finding: f, suppression: { kind: 'disable-next-line', line: f.line - 1, column: 5, reason } };
}

describe('renderCheckRun: suppressions a pull request adds', () => {
  it('lists them with the directive and the reason, and counts every suppression', () => {
    const s = suppressed(ERR('init.c', 63));
    const { summary } = renderCheckRun(input(split([]), { addedSuppressions: [s], suppressed: 3 }));
    assert.ok(summary.includes('### New suppressions'), summary);
    assert.ok(summary.includes('(3 suppressed in all)'), summary);
    const row = summary.split('\n').find((l) => l.includes('disable-next-line at line 62'));
    assert.ok(row, summary);
    assert.deepEqual(cells(row).slice(1), [
      'error',
      'init.c:63',
      'disable-next-line at line 62',
      'firmware resizes the BAR',
    ]);
  });

  it('a new suppression of an error keeps the run from success unless the configuration trusts suppressions', () => {
    const silenced = [suppressed(ERR('init.c', 63))];
    const untrusted = renderCheckRun(input(split([]), { addedSuppressions: silenced }));
    assert.equal(untrusted.conclusion, 'neutral');
    assert.ok(untrusted.summary.includes('does not conclude `success`'));
    const trusted = renderCheckRun(
      input(split([]), { addedSuppressions: silenced, config: config({ trustSuppressions: true }) }),
    );
    assert.equal(trusted.conclusion, 'success');
  });

  it('a new suppression of a warning does not change the conclusion, nor does a failure become neutral', () => {
    assert.equal(
      renderCheckRun(input(split([]), { addedSuppressions: [suppressed(WARN('nic.c', 48))] })).conclusion,
      'success',
    );
    assert.equal(
      renderCheckRun(input(split([ERR('a.c', 1)]), { addedSuppressions: [suppressed(ERR('b.c', 5))] })).conclusion,
      'failure',
    );
  });

  it('shows no section when the pull request adds none', () => {
    assert.ok(!renderCheckRun(input(split([ERR('a.c', 1)]))).summary.includes('New suppressions'));
  });
});
