import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ruleDocsUrl } from '../src/engine/rulepack.js';
import { cli, type Run } from './support/cli.js';
import { lengthAndLeak, RESET_MAPS } from './support/drivers-cli.js';
import { repoRoot } from './support/paths.js';
import {
  parseJsonReport,
  parseSarif,
  type JsonFinding,
  type JsonSuppressed,
  type SarifResult,
  type SarifRule,
} from './support/shapes.js';
import { tempDir } from './support/temp.js';
import { defined } from '../src/util/defined.js';

const casesDir = path.resolve(repoRoot, '../shared/cases');
const caseDir = (name: string) => path.join(casesDir, name);
const packageVersion: string = (
  JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }
).version;

function assertUsageError(run: Run, message: string): void {
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, `ndis-review: ${message}\nRun 'ndis-review --help' for usage.\n`);
}

function lastLine(text: string): string | undefined {
  return text.trimEnd().split('\n').at(-1);
}

describe('help and version', () => {
  for (const argv of [
    ['--help'],
    ['-h'],
    ['help'],
    ['scan', '--help'],
    ['scan', 'somewhere', '--format', 'json', '-h'],
  ]) {
    it(`prints usage on stdout for ${argv.join(' ')}`, async () => {
      const run = await cli(argv);
      assert.equal(run.code, 0);
      assert.match(run.stdout, /^Usage: ndis-review scan \[DIR\] \[options\]\n/);
      for (const option of [
        '--format',
        '--fail-on',
        '--output',
        '--sarif',
        '--config',
        '--baseline',
        '--new-since',
        '--no-cache',
        '--stats',
        'explain RULE',
        'config check',
      ])
        assert.ok(run.stdout.includes(option), option);
      for (const status of ['  0  ', '  1  ', '  2  ', '  3  ']) assert.ok(run.stdout.includes(status), status);
      assert.equal(run.stderr, '');
    });
  }

  it('prints the version from package.json', async () => {
    const run = await cli(['--version']);
    assert.deepEqual(run, { code: 0, stdout: `${packageVersion}\n`, stderr: '' });
  });
});

describe('usage errors exit 2 with one line and a pointer to --help', () => {
  const cases: [string[], string][] = [
    [[], 'missing command'],
    [['scna'], "unknown command 'scna'"],
    [['scan', '--frmat', 'json'], "unknown option '--frmat'"],
    [['scan', '-x'], "unknown option '-x'"],
    [['scan', '--format', 'xml'], "invalid --format 'xml' (expected text, json, sarif)"],
    [['scan', '--format=yaml'], "invalid --format 'yaml' (expected text, json, sarif)"],
    [['scan', '--fail-on', 'notice'], "invalid --fail-on 'notice' (expected error, warning, never)"],
    [['scan', '--format'], 'option --format needs a value'],
    [['scan', '--output'], 'option --output needs a value'],
    [['scan', '-o'], 'option --output needs a value'],
    [['scan', '--format='], 'option --format needs a value'],
    [['scan', '--stats=yes'], 'option --stats takes no value'],
    [['scan', 'a', 'b'], "unexpected argument 'b' (scan takes one directory)"],
    [['scan', '--baseline', 'b.json', '--new-since', 'main'], 'give either --baseline or --new-since, not both'],
    [['rules', 'extra'], "unexpected argument 'extra'"],
    [['rules', '--format', 'json'], 'option --format does not apply to rules'],
    [['explain'], 'explain needs a rule id (see ndis-review rules)'],
    [['explain', 'ndis/unmap-lenght'], "unknown rule 'ndis/unmap-lenght'; did you mean ndis/unmap-length?"],
    [['config'], 'config needs a subcommand: check'],
    [['config', 'lint'], "unknown config subcommand 'lint'"],
    [['config', 'check', 'a.yml', 'b.yml'], "unexpected argument 'b.yml'"],
    [['config', 'check', '--stats'], 'option --stats does not apply to config check'],
    [['scan', '--api-counts'], '--api-counts goes with --stats'],
  ];
  for (const [argv, message] of cases) {
    it(`${JSON.stringify(argv)} → ${message}`, async () => {
      assertUsageError(await cli(argv), message);
    });
  }
});

describe('scan: text output for editors', () => {
  it('prints the finding, each trace step and the rule page, with paths as given on the command line', async () => {
    const run = await cli(['scan', '../shared/cases/p02-goto-wrong-label']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, '');
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(
      lines[0],
      /^\.\.\/shared\/cases\/p02-goto-wrong-label\/init\.c:63:9: error: .+ \[ndis\/unmap-on-failure\]$/,
    );
    const steps = lines.slice(1, -2);
    assert.ok(steps.length >= 2, run.stdout);
    for (const step of steps)
      assert.match(step, /^\.\.\/shared\/cases\/p02-goto-wrong-label\/init\.c:\d+:\d+: note: \S/);
    assert.equal(lines.at(-2), `  see ${ruleDocsUrl('rules/ndis/unmap-on-failure.md')}`);
    assert.equal(lines.at(-1), '1 finding (1 error) in 1 file');
    assert.ok(!run.stdout.includes('\u001b['), 'no colour without a terminal');
  });

  it('prints paths relative to where it ran: the folder itself gives bare names, an absolute one absolute paths', async () => {
    const inside = await cli(['scan'], { cwd: caseDir('p02-goto-wrong-label') });
    assert.match(inside.stdout, /^init\.c:63:9: error: /);
    const absolute = await cli(['scan', caseDir('p02-goto-wrong-label')], { cwd: tempDir() });
    assert.ok(absolute.stdout.startsWith(`${caseDir('p02-goto-wrong-label')}/init.c:63:9: error: `));
  });

  it('prints one C file given directly under the name it was given', async () => {
    const run = await cli(['scan', '../shared/cases/p02-goto-wrong-label/init.c']);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /^\.\.\/shared\/cases\/p02-goto-wrong-label\/init\.c:63:9: error: /);
  });

  it('prints notices as notes and counts them', async () => {
    const run = await cli(['scan', '../shared/cases/r01-syntax-error-elsewhere']);
    // Notices follow the findings (each finding ends with its `see` line).
    const lines = run.stdout.split('\n');
    const afterFindings = lines.slice(lines.findLastIndex((l) => l.startsWith('  see ')) + 1);
    const notes = afterFindings.filter((l) => l.includes(': note: '));
    assert.ok(notes.length >= 1, run.stdout);
    for (const note of notes)
      assert.match(note, /^\.\.\/shared\/cases\/r01-syntax-error-elsewhere\/\S+\.c:\d+:1: note: /);
    assert.match(lastLine(run.stdout) ?? '', new RegExp(`, ${String(notes.length)} notices? in \\d+ files?`));
  });

  it('colours text for a terminal, unless NO_COLOR is set', async () => {
    const colored = await cli(['scan', caseDir('p02-goto-wrong-label')], { isTTY: true });
    assert.ok(colored.stdout.includes('\u001b['));
    const plain = await cli(['scan', caseDir('p02-goto-wrong-label')], {
      isTTY: true,
      env: { NDIS_REVIEW_CACHE: 'off', NO_COLOR: '1' },
    });
    assert.ok(!plain.stdout.includes('\u001b['));
  });
});

describe('scan: JSON and SARIF do not depend on where it ran', () => {
  it('gives the same JSON from two working directories', async () => {
    const here = await cli(['scan', '../shared/cases/p02-goto-wrong-label', '--format', 'json']);
    const there = await cli(['scan', 'p02-goto-wrong-label', '--format', 'json'], { cwd: casesDir });
    assert.equal(here.stdout, there.stdout);
    const report = parseJsonReport(here.stdout);
    assert.equal(report.root, caseDir('p02-goto-wrong-label'));
    assert.equal(report.findings[0].path, 'init.c');
    assert.equal(report.findings[0].docsUrl, ruleDocsUrl('rules/ndis/unmap-on-failure.md'));
  });

  it('gives the same SARIF from two working directories, with rule pages as help and helpUri', async () => {
    const here = await cli(['scan', '../shared/cases/p02-goto-wrong-label', '--format', 'sarif']);
    const there = await cli(['scan', '.', '--format', 'sarif'], { cwd: caseDir('p02-goto-wrong-label') });
    assert.equal(here.stdout, there.stdout);
    const rules = parseSarif(here.stdout).runs[0].tool.driver.rules as SarifRule[];
    const rule = rules.find((r) => r.id === 'ndis/unmap-on-failure');
    assert.ok(rule);
    assert.equal(rule.help.markdown, readFileSync(path.join(repoRoot, 'rules/ndis/unmap-on-failure.md'), 'utf8'));
    assert.equal(rule.helpUri, ruleDocsUrl('rules/ndis/unmap-on-failure.md'));
  });
});

describe('exit status', () => {
  it('1 for an error at the default --fail-on, 0 with --fail-on never', async () => {
    assert.equal((await cli(['scan', caseDir('p02-goto-wrong-label')])).code, 1);
    assert.equal((await cli(['scan', caseDir('p02-goto-wrong-label'), '--fail-on', 'never'])).code, 0);
  });

  it('0 for a warning by default, and 1 with --fail-on warning', async () => {
    assert.equal((await cli(['scan', caseDir('p07-length-mismatch')])).code, 0);
    assert.equal((await cli(['scan', caseDir('p07-length-mismatch'), '--fail-on=warning'])).code, 1);
  });

  it('0 and says so when there is nothing to report', async () => {
    const run = await cli(['scan', caseDir('c01-init-direct-ok')]);
    assert.equal(run.code, 0);
    assert.equal(lastLine(run.stdout), 'no findings in 1 file');
  });

  it('3 when the report is incomplete: the initialize callback in a file too large to read', async () => {
    const padding = `/* ${'x'.repeat(4.5 * 1024 * 1024)} */\n`;
    const dir = tempDir({ 'init.c': padding + lengthAndLeak() });
    const run = await cli(['scan', dir]);
    assert.equal(run.code, 3);
    assert.match(run.stdout, /init\.c: note: Skipped: \d+ bytes is over/);
    assert.match(lastLine(run.stdout) ?? '', /^no findings, \d+ notices? in 0 files; incomplete: /);
    const json = await cli(['scan', dir, '--format', 'json', '--fail-on', 'never']);
    assert.equal(json.code, 3, '--fail-on never gives 0 or 3');
    assert.equal(parseJsonReport(json.stdout).complete, false);
  });

  it('1 wins over incomplete', async () => {
    const dir = tempDir({
      'init.c': readFileSync(path.join(caseDir('p02-goto-wrong-label'), 'init.c'), 'latin1'),
      'blob.h': `/* ${'x'.repeat(4.5 * 1024 * 1024)} */\n`,
    });
    assert.equal((await cli(['scan', dir])).code, 1);
    assert.equal((await cli(['scan', dir, '--fail-on', 'never'])).code, 3);
  });

  it('2 with one line and no stack trace for a path that does not exist', async () => {
    const run = await cli(['scan', path.join(casesDir, 'no-such-case')]);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^ndis-review: .+\n$/);
    assert.ok(!run.stderr.includes('    at '), 'no stack trace');
  });
});

describe('scan: report files', () => {
  it('writes SARIF to --output, creating its folder', async () => {
    const file = path.join(tempDir(), 'out', 'report.sarif');
    const run = await cli(['scan', caseDir('p02-goto-wrong-label'), '--format', 'sarif', '-o', file]);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const log = parseSarif(readFileSync(file, 'utf8'));
    assert.equal(log.version, '2.1.0');
    assert.ok((log.runs[0].results as SarifResult[]).some((r) => r.ruleId === 'ndis/unmap-on-failure'));
  });

  it('writes --output relative to the working directory', async () => {
    const dir = tempDir();
    const run = await cli(['scan', caseDir('c01-init-direct-ok'), '--output', 'report.txt'], { cwd: dir });
    assert.equal(run.code, 0);
    assert.equal(lastLine(readFileSync(path.join(dir, 'report.txt'), 'utf8')), 'no findings in 1 file');
  });

  for (const [name, output, reason] of [
    ['a folder under /proc', '/proc/ndis-review-x/y.sarif', 'no such directory'],
    ['an existing folder', '.', 'it is a directory'],
    ['a path through a file', 'package.json/report.txt', 'a part of the path is not a directory'],
  ]) {
    it(`fails at once, before scanning, for ${name}`, async () => {
      const started = performance.now();
      const run = await cli(['scan', caseDir('c01-init-direct-ok'), '--stats', '-o', output]);
      assert.equal(run.code, 2);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr, `ndis-review: cannot write '${output}': ${reason}\n`, 'no stats: the scan never ran');
      assert.ok(performance.now() - started < 5000);
    });
  }

  it('--sarif writes SARIF for code scanning beside the text report', async () => {
    const file = path.join(tempDir(), 'ndis.sarif');
    const run = await cli(['scan', caseDir('p02-goto-wrong-label'), '--sarif', file]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /error: /);
    assert.equal(parseSarif(readFileSync(file, 'utf8')).runs[0].results.length, 1);
  });

  it('prints stats as one JSON line on stderr with --stats', async () => {
    const run = await cli(['scan', caseDir('c01-init-direct-ok'), '--stats']);
    assert.equal(run.code, 0);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    const stats = JSON.parse(lines[0]) as { files: number; ms: { total: number }; maxRssKiB: number };
    assert.equal(stats.files, 1);
    assert.equal(typeof stats.ms.total, 'number');
    assert.ok(stats.maxRssKiB > 0);
    assert.equal((stats as { apiCalls?: unknown }).apiCalls, undefined, 'no API counts unless asked');
  });

  it('adds the API call counts to the stats with --api-counts', async () => {
    const run = await cli(['scan', caseDir('c01-init-direct-ok'), '--stats', '--api-counts']);
    assert.equal(run.code, 0);
    const stats = JSON.parse(run.stderr.trimEnd()) as { apiCalls: Record<string, { direct: number }> };
    assert.equal(stats.apiCalls.NdisMMapIoSpace.direct, 1);
  });
});

describe('rules and explain', () => {
  it('lists every rule, ndis-review/unused-directive included, with severity, title and page URL', async () => {
    const run = await cli(['rules']);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
    const lines = run.stdout.trimEnd().split('\n');
    for (const id of [
      'ndis/mmap-context',
      'ndis/unmap-on-failure',
      'ndis/unmap-in-halt',
      'ndis/unmap-length',
      'ndis-review/unused-directive',
    ]) {
      const line = lines.find((l) => l.startsWith(`${id} `));
      assert.ok(line, id);
      assert.ok(line.endsWith(ruleDocsUrl(`rules/${id}.md`)), line);
    }
    assert.match(defined(lines.find((l) => l.startsWith('ndis/unmap-length '))), /\swarning\s/);
    assert.match(defined(lines.find((l) => l.startsWith('ndis-review/unused-directive '))), /\snote\s/);
  });

  it("explain prints the rule's page and where it is published", async () => {
    const run = await cli(['explain', 'ndis/unmap-in-halt']);
    assert.equal(run.code, 0);
    const page = readFileSync(path.join(repoRoot, 'rules/ndis/unmap-in-halt.md'), 'utf8');
    assert.ok(run.stdout.startsWith(page));
    assert.ok(run.stdout.endsWith(`Online: ${ruleDocsUrl('rules/ndis/unmap-in-halt.md')}\n`));
    const own = await cli(['explain', 'ndis-review/unused-directive']);
    assert.match(own.stdout, /^# ndis-review\/unused-directive\n/);
  });
});

describe('scan: the configuration', () => {
  it('reads .github/ndis-review.yml at the scan root: a rule off, another at another severity', async () => {
    const dir = tempDir({
      'a.c': lengthAndLeak(),
      '.github/ndis-review.yml': 'rules:\n  ndis/unmap-on-failure: off\n  ndis/unmap-length: error\n',
    });
    const run = await cli(['scan', dir, '--format', 'json']);
    assert.equal(run.code, 1, 'the length mismatch is an error now');
    const report = parseJsonReport(run.stdout);
    assert.deepEqual(
      (report.findings as JsonFinding[]).map((f) => `${f.rule} ${f.severity}`),
      ['ndis/unmap-length error'],
    );
  });

  it('takes --config FILE instead, and its conclusion.failOn as the default --fail-on, which the flag overrides', async () => {
    const dir = tempDir({
      'a.c': lengthAndLeak().replace('    s = Start(a);\n    if (s != NDIS_STATUS_SUCCESS) return s;\n', ''),
    });
    const config = path.join(tempDir({ 'strict.yml': 'conclusion:\n  failOn: warning\n' }), 'strict.yml');
    assert.equal((await cli(['scan', dir])).code, 0, 'a warning does not fail by default');
    assert.equal((await cli(['scan', dir, '--config', config])).code, 1, 'the file says warnings fail');
    assert.equal((await cli(['scan', dir, '--config', config, '--fail-on', 'error'])).code, 0, 'the flag wins');
  });

  it('prints the configuration problems as the app words them and goes on with the valid settings', async () => {
    const dir = tempDir({
      'a.c': lengthAndLeak(),
      '.github/ndis-review.yml': 'rules:\n  ndis/unmap-lenght: off\n  ndis/unmap-on-failure: off\nreport: sometimes\n',
    });
    const run = await cli(['scan', dir, '--format', 'json'], { cwd: dir });
    assert.equal(
      run.stderr,
      [
        'ndis-review: warning: .github/ndis-review.yml: rules.ndis/unmap-lenght: unknown rule; did you mean ndis/unmap-length?',
        'ndis-review: warning: .github/ndis-review.yml: report: "sometimes" is not one of new, all',
        '',
      ].join('\n'),
    );
    assert.ok(!run.stdout.includes('ndis/unmap-on-failure'), 'the valid setting applied');
  });

  it('exits 2 for a --config file that does not exist', async () => {
    const run = await cli(['scan', caseDir('c01-init-direct-ok'), '--config', 'nowhere.yml']);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, "ndis-review: cannot read --config 'nowhere.yml': no such file\n");
  });

  it('paths.exclude filters what is reported, never what is analysed', async () => {
    // The finding is in hw/regs.c; why it is a finding (the reset callback) is in nic.c.
    const dir = tempDir({ ...RESET_MAPS, '.github/ndis-review.yml': 'paths:\n  exclude: nic.c\n' });
    const withReason = parseJsonReport((await cli(['scan', dir, '--format', 'json'])).stdout);
    assert.deepEqual(
      (withReason.findings as JsonFinding[]).map((f) => `${f.path} ${f.rule}`),
      ['hw/regs.c ndis/mmap-context'],
      'excluding the file that registers the callback does not change the finding elsewhere',
    );
    const hidden = tempDir({ ...RESET_MAPS, '.github/ndis-review.yml': 'paths:\n  exclude: hw/\n' });
    const report = parseJsonReport((await cli(['scan', hidden, '--format', 'json'])).stdout);
    assert.deepEqual(report.findings, [], 'a finding in an excluded path is not reported');
  });
});

describe('config check', () => {
  it('exits 0 for a valid file', async () => {
    const dir = tempDir({ '.github/ndis-review.yml': 'rules:\n  ndis/unmap-length: off\ntrustSuppressions: true\n' });
    const run = await cli(['config', 'check'], { cwd: dir });
    assert.deepEqual(run, { code: 0, stdout: '.github/ndis-review.yml: valid\n', stderr: '' });
  });

  it('exits 1 and prints each problem as the app shows it', async () => {
    const dir = tempDir({ 'c.yml': 'rules:\n  ndis/unmap-lenght: off\nreviewComments: "false"\n' });
    const run = await cli(['config', 'check', 'c.yml'], { cwd: dir });
    assert.equal(run.code, 1);
    assert.equal(
      run.stdout,
      [
        'c.yml: rules.ndis/unmap-lenght: unknown rule; did you mean ndis/unmap-length?',
        'c.yml: reviewComments: "false" is not one of true, false (write it without quotes)',
        'c.yml: 2 problems; the app and the command line use the defaults for these settings',
        '',
      ].join('\n'),
    );
  });

  it('exits 2 when the file cannot be read or is not YAML', async () => {
    const dir = tempDir({ 'bad.yml': 'rules: [\n' });
    const missing = await cli(['config', 'check'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, "ndis-review: cannot read '.github/ndis-review.yml': no such file\n");
    const broken = await cli(['config', 'check', 'bad.yml'], { cwd: dir });
    assert.equal(broken.code, 2);
    assert.match(broken.stderr, /^ndis-review: bad\.yml could not be read: invalid YAML: /);
  });
});

describe('scan: suppressions', () => {
  it('a directive silences the finding on its line: counted nowhere, listed with its reason', async () => {
    const dir = tempDir({
      'a.c': lengthAndLeak('    // ndis-review-disable-next-line ndis/unmap-length -- BAR 0 shrinks after reset\n'),
    });
    const text = await cli(['scan', dir, '--fail-on', 'warning']);
    assert.equal(text.code, 1, 'the error still fails');
    assert.ok(!text.stdout.includes('[ndis/unmap-length]'));
    assert.match(lastLine(text.stdout) ?? '', /^1 finding \(1 error\), 1 suppressed in 1 file$/);
    const json = parseJsonReport((await cli(['scan', dir, '--format', 'json'])).stdout);
    assert.deepEqual(
      (json.suppressed as JsonSuppressed[]).map((s) => [s.rule, s.line, s.suppression]),
      [
        [
          'ndis/unmap-length',
          17,
          { kind: 'disable-next-line', line: 16, column: 5, reason: 'BAR 0 shrinks after reset' },
        ],
      ],
    );
  });

  it('disable-line in a block comment, several rules, one of them unused: an unused-directive note', async () => {
    const dir = tempDir({
      'a.c': lengthAndLeak('', ' /* ndis-review-disable-line ndis/unmap-length, ndis/mmap-context */'),
    });
    const run = await cli(['scan', dir, '--format', 'json', '--fail-on', 'warning']);
    const report = parseJsonReport(run.stdout);
    assert.deepEqual(
      (report.suppressed as JsonSuppressed[]).map((s) => s.rule),
      ['ndis/unmap-length'],
    );
    const unused = (report.findings as JsonFinding[]).filter((f) => f.rule === 'ndis-review/unused-directive');
    assert.equal(unused.length, 1);
    assert.equal(unused[0].severity, 'note');
    assert.equal(unused[0].line, 16);
    assert.match(unused[0].message, /^ndis\/mmap-context reports nothing on line 16/);
  });

  it('an unknown rule in a directive is a note with a suggestion, and the error it meant stays', async () => {
    const dir = tempDir({ 'a.c': lengthAndLeak('    // ndis-review-disable-next-line ndis/unmap-lenght\n') });
    const report = parseJsonReport((await cli(['scan', dir, '--format', 'json'])).stdout);
    const findings = report.findings as JsonFinding[];
    const unused = findings.find((f) => f.rule === 'ndis-review/unused-directive');
    assert.ok(unused);
    assert.match(
      unused.message,
      /ndis\/unmap-lenght is not a rule ndis-review knows.+did you mean ndis\/unmap-length\?/,
    );
    assert.ok(findings.some((f) => f.rule === 'ndis/unmap-length'));
  });

  it('SARIF marks suppressed results; the --sarif file for code scanning leaves them out', async () => {
    const dir = tempDir({ 'a.c': lengthAndLeak('    // ndis-review-disable-next-line ndis/unmap-length -- why\n') });
    const upload = path.join(tempDir(), 'upload.sarif');
    const run = await cli(['scan', dir, '--format', 'sarif', '--sarif', upload]);
    const full = parseSarif(run.stdout).runs[0].results as SarifResult[];
    const marked = full.find((r) => r.ruleId === 'ndis/unmap-length');
    assert.ok(marked?.suppressions);
    assert.deepEqual(marked.suppressions[0].kind, 'inSource');
    assert.equal(marked.suppressions[0].justification, 'why');
    const uploaded = parseSarif(readFileSync(upload, 'utf8')).runs[0].results as SarifResult[];
    assert.deepEqual(
      uploaded.map((r) => r.ruleId),
      ['ndis/unmap-on-failure'],
    );
  });
});

describe('scan: baselines', () => {
  it('--baseline reports only findings whose fingerprint is new; SARIF keeps every result with its baselineState', async () => {
    const dir = tempDir({ 'a.c': lengthAndLeak() });
    const baseline = path.join(tempDir(), 'baseline.json');
    assert.equal((await cli(['scan', dir, '--format', 'json', '-o', baseline])).code, 1);
    const again = await cli(['scan', dir, '--baseline', baseline]);
    assert.equal(again.code, 0, 'nothing new');
    assert.equal(lastLine(again.stdout), 'no new findings, 2 in the baseline in 1 file');
    const json = parseJsonReport((await cli(['scan', dir, '--format', 'json', '--baseline', baseline])).stdout);
    assert.deepEqual(json.findings, []);
    assert.deepEqual(json.baseline, { preExisting: 2 });
    const sarif = parseSarif((await cli(['scan', dir, '--format', 'sarif', '--baseline', baseline])).stdout);
    assert.deepEqual(
      (sarif.runs[0].results as SarifResult[]).map((r) => r.baselineState),
      ['unchanged', 'unchanged'],
    );
  });

  it('a finding the baseline lacks is reported, and only it', async () => {
    const before = tempDir({ 'a.c': lengthAndLeak().replace('0x80', '0x100') });
    const baseline = path.join(tempDir(), 'b.json');
    await cli(['scan', before, '--format', 'json', '-o', baseline]);
    const run = await cli(['scan', tempDir({ 'a.c': lengthAndLeak() }), '--format', 'json', '--baseline', baseline]);
    assert.deepEqual(
      (parseJsonReport(run.stdout).findings as JsonFinding[]).map((f) => f.rule),
      ['ndis/unmap-length'],
    );
  });

  it('a baseline of another fingerprint version matches nothing and says so', async () => {
    const dir = tempDir({ 'a.c': lengthAndLeak() });
    const file = path.join(tempDir({ 'old.json': JSON.stringify({ version: '0.0.9', findings: [] }) }), 'old.json');
    const report = parseJsonReport((await cli(['scan', dir, '--format', 'json', '--baseline', file])).stdout);
    assert.equal(report.findings.length, 2);
    assert.equal(report.notices[0].kind, 'baseline');
    assert.match(report.notices[0].message, /by an ndis-review 0\.0\.9 that did not name its fingerprints/);
  });

  it('exits 2 for a baseline that is not a JSON report', async () => {
    const file = path.join(tempDir({ 'x.json': '[1, 2]' }), 'x.json');
    const run = await cli(['scan', caseDir('c01-init-direct-ok'), '--baseline', file]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^ndis-review: --baseline: .+ is not an ndis-review JSON report/);
  });
});

describe('scan: SARIF paths from the repository top level', () => {
  it('prefixes the scanned folder, wherever it is in the repository', async () => {
    const repo = tempDir({ '.git/HEAD': 'ref: refs/heads/main\n' });
    const sub = path.join(repo, 'drivers', 'ad');
    const { writeFiles } = await import('./support/temp.js');
    writeFiles(sub, { 'init.c': readFileSync(path.join(caseDir('p02-goto-wrong-label'), 'init.c'), 'latin1') });
    const log = parseSarif((await cli(['scan', 'drivers/ad', '--format', 'sarif'], { cwd: repo })).stdout);
    const uri = log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri;
    assert.equal(uri, 'drivers/ad/init.c');
    assert.equal(log.runs[0].originalUriBaseIds?.['%SRCROOT%'].uri, `file://${repo}/`);
    assert.ok(existsSync(path.join(repo, '.git')));
  });
});
