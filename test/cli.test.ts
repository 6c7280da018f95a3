import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main, type CliIo } from '../src/cli.js';

/** The compiled test runs from dist/test/. */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const casesDir = path.resolve(repoRoot, '../shared/cases');
const caseDir = (name: string) => path.join(casesDir, name);
const packageVersion: string = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the command line with captured output; the cache is off unless a test says otherwise, so cases stay clean. */
async function cli(argv: string[], io: Partial<CliIo> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env: { NDIS_REVIEW_CACHE: 'off' },
    cwd: repoRoot,
    ...io,
  });
  return { code, stdout, stderr };
}

function assertUsageError(run: Run, message: string): void {
  assert.equal(run.code, 2);
  assert.equal(run.stdout, '');
  assert.equal(run.stderr, `ndis-review: ${message}\nRun 'ndis-review --help' for usage.\n`);
}

function lastLine(text: string): string | undefined {
  return text.trimEnd().split('\n').at(-1);
}

const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ndis-review-cli-'));
  tempDirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

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
      for (const option of ['--format', '--fail-on', '--output', '--no-cache', '--stats'])
        assert.ok(run.stdout.includes(option), option);
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
    [['scan', '--stats=yes'], 'option --stats takes no value'],
    [['scan', 'a', 'b'], "unexpected argument 'b' (scan takes one directory)"],
    [['rules', 'extra'], "unexpected argument 'extra'"],
    [['rules', '--format', 'json'], 'option --format does not apply to rules'],
  ];
  for (const [argv, message] of cases) {
    it(`${JSON.stringify(argv)} → ${message}`, async () => {
      assertUsageError(await cli(argv), message);
    });
  }
});

describe('scan', () => {
  it('exits 1 on an error finding and prints it in compiler form', async () => {
    const run = await cli(['scan', caseDir('p02-goto-wrong-label'), '--no-cache']);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, '');
    const lines = run.stdout.split('\n');
    const head = lines.find((line) => line.endsWith('[ndis/unmap-on-failure]'));
    assert.match(head ?? '', /^init\.c:63:\d+: error: .+ \[ndis\/unmap-on-failure\]$/);
    assert.ok(lines.includes('  see rules/ndis/unmap-on-failure.md'));
    assert.match(lastLine(run.stdout) ?? '', /^\d+ findings? \(\d+ errors?.*\) in 1 file$/);
    assert.ok(!run.stdout.includes('\u001b['), 'no colour without a terminal');
  });

  it('exits 0 with --fail-on never', async () => {
    const run = await cli(['scan', caseDir('p02-goto-wrong-label'), '--fail-on', 'never', '--no-cache']);
    assert.equal(run.code, 0);
    assert.ok(run.stdout.includes('[ndis/unmap-on-failure]'));
  });

  it('exits 0 for a warning by default, and 1 with --fail-on warning', async () => {
    const byDefault = await cli(['scan', caseDir('p07-length-mismatch'), '--no-cache']);
    assert.equal(byDefault.code, 0);
    assert.match(byDefault.stdout, /^nic\.c:48:\d+: warning: .+ \[ndis\/unmap-length\]$/m);
    const strict = await cli(['scan', caseDir('p07-length-mismatch'), '--fail-on=warning', '--no-cache']);
    assert.equal(strict.code, 1);
  });

  it('exits 0 and says so when there is nothing to report', async () => {
    const run = await cli(['scan', caseDir('c01-init-direct-ok'), '--no-cache']);
    assert.equal(run.code, 0);
    assert.equal(lastLine(run.stdout), 'no findings in 1 file');
  });

  it('resolves DIR against the working directory, and defaults it to .', async () => {
    const relative = await cli(['scan', 'p02-goto-wrong-label', '--format', 'json'], { cwd: casesDir });
    assert.equal(JSON.parse(relative.stdout).root, caseDir('p02-goto-wrong-label'));
    const dot = await cli(['scan', '--format', 'json'], { cwd: caseDir('p02-goto-wrong-label') });
    assert.equal(dot.code, 1);
    assert.equal(JSON.parse(dot.stdout).root, caseDir('p02-goto-wrong-label'));
  });

  it('prints JSON with --format json', async () => {
    const run = await cli(['scan', caseDir('p02-goto-wrong-label'), '--format', 'json', '--no-cache']);
    assert.equal(run.code, 1);
    const report = JSON.parse(run.stdout);
    assert.equal(report.version, packageVersion);
    assert.equal(report.files, 1);
    assert.ok(
      report.findings.some((f: { rule: string; line: number }) => f.rule === 'ndis/unmap-on-failure' && f.line === 63),
    );
  });

  it('writes SARIF to --output, creating its folder, with the rule pages as help', async () => {
    const file = path.join(tempDir(), 'out', 'report.sarif');
    const run = await cli(['scan', caseDir('p02-goto-wrong-label'), '--format', 'sarif', '-o', file, '--no-cache']);
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    const log = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(log.version, '2.1.0');
    const rules = log.runs[0].tool.driver.rules;
    const rule = rules.find((r: { id: string }) => r.id === 'ndis/unmap-on-failure');
    assert.equal(rule.help.markdown, readFileSync(path.join(repoRoot, 'rules/ndis/unmap-on-failure.md'), 'utf8'));
    assert.ok(log.runs[0].results.some((r: { ruleId: string }) => r.ruleId === 'ndis/unmap-on-failure'));
  });

  it('writes --output relative to the working directory', async () => {
    const dir = tempDir();
    const run = await cli(['scan', caseDir('c01-init-direct-ok'), '--output', 'report.txt'], { cwd: dir });
    assert.equal(run.code, 0);
    assert.equal(lastLine(readFileSync(path.join(dir, 'report.txt'), 'utf8')), 'no findings in 1 file');
  });

  it('exits 2 when --output cannot be written', async () => {
    const dir = tempDir();
    const run = await cli(['scan', caseDir('c01-init-direct-ok'), '--output', dir]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^ndis-review: cannot write '.+': .+\n$/);
  });

  it('prints stats as one JSON line on stderr with --stats', async () => {
    const run = await cli(['scan', caseDir('c01-init-direct-ok'), '--stats', '--no-cache']);
    assert.equal(run.code, 0);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1);
    const stats = JSON.parse(lines[0]);
    assert.equal(stats.files, 1);
    assert.equal(typeof stats.ms.total, 'number');
    assert.ok(stats.maxRssKiB > 0);
  });

  it('exits 2 with one line and no stack trace for a path that does not exist', async () => {
    const run = await cli(['scan', path.join(casesDir, 'no-such-case'), '--no-cache']);
    assert.equal(run.code, 2);
    assert.equal(run.stdout, '');
    assert.match(run.stderr, /^ndis-review: .+\n$/);
    assert.ok(!run.stderr.includes('    at '), 'no stack trace');
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

describe('rules', () => {
  it('lists every rule with its severity, title and documentation', async () => {
    const run = await cli(['rules']);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
    const lines = run.stdout.trimEnd().split('\n');
    for (const id of ['ndis/mmap-context', 'ndis/unmap-on-failure', 'ndis/unmap-in-halt', 'ndis/unmap-length']) {
      const line = lines.find((l) => l.startsWith(`${id} `));
      assert.ok(line, id);
      assert.ok(line.endsWith(`rules/${id}.md`), line);
    }
    assert.match(
      lines.find((l) => l.startsWith('ndis/unmap-length '))!,
      /\swarning\s/,
    );
  });
});
