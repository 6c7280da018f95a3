/**
 * `scan --new-since REV` against real git repositories made here: the merge
 * base is checked out in a temporary worktree, scanned, and removed; a
 * shallow clone without the merge base says which fetch depth it needs.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { cli } from './support/cli.js';
import { lengthAndLeak } from './support/drivers-cli.js';
import { tempDir, writeFiles } from './support/temp.js';
import { parseJsonReport } from './support/shapes.js';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Test',
      GIT_AUTHOR_EMAIL: 'test@example.invalid',
      GIT_COMMITTER_NAME: 'Test',
      GIT_COMMITTER_EMAIL: 'test@example.invalid',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
    },
  }).trim();
}

function commitAll(repo: string, message: string): void {
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
}

/** main: a driver whose failure path leaks (one error); feature: its unmap length goes wrong too (a warning). */
let repo = '';
before(() => {
  repo = tempDir({ 'drivers/a.c': lengthAndLeak().replace('0x80', '0x100') });
  git(repo, 'init', '-q', '-b', 'main');
  commitAll(repo, 'base');
  git(repo, 'checkout', '-q', '-b', 'feature');
  writeFiles(repo, { 'drivers/a.c': lengthAndLeak(), 'extra/b.c': lengthAndLeak() });
  commitAll(repo, 'feature');
});

describe('scan --new-since', () => {
  it('reports only what the branch adds since its merge base, and removes the worktree', async () => {
    const run = await cli(['scan', 'drivers', '--new-since', 'main', '--format', 'json'], { cwd: repo });
    assert.equal(run.code, 0, `${run.stderr}: a new warning does not fail by default`);
    const report = parseJsonReport(run.stdout);
    assert.deepEqual(
      (report.findings as { rule: string }[]).map((f) => f.rule),
      ['ndis/unmap-length'],
    );
    assert.deepEqual(report.baseline, { preExisting: 1 });
    assert.equal(git(repo, 'worktree', 'list').split('\n').length, 1, 'no worktree left behind');
    const strict = await cli(['scan', 'drivers', '--new-since', 'main', '--fail-on', 'warning'], { cwd: repo });
    assert.equal(strict.code, 1);
  });

  it('everything in a folder the merge base does not have is new', async () => {
    const run = await cli(['scan', 'extra', '--new-since', 'main', '--format', 'json'], { cwd: repo });
    assert.equal(run.code, 1);
    assert.equal(parseJsonReport(run.stdout).findings.length, 2);
  });

  it('exits 2 for a revision the repository does not have', async () => {
    const run = await cli(['scan', 'drivers', '--new-since', 'no-such-branch'], { cwd: repo });
    assert.equal(run.code, 2);
    assert.equal(run.stderr, "ndis-review: --new-since: 'no-such-branch' is not a commit of this repository\n");
  });

  it('exits 2 outside a git repository', async () => {
    const dir = tempDir({ 'a.c': lengthAndLeak() });
    const run = await cli(['scan', dir, '--new-since', 'main']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--new-since needs .+ to be inside a git repository/);
  });

  it('in a shallow clone without the merge base, says which fetch depth it needs and exits 2', async () => {
    const clone = path.join(tempDir(), 'clone');
    git(path.dirname(clone), 'clone', '-q', '--depth', '1', '--branch', 'feature', `file://${repo}`, clone);
    git(clone, 'fetch', '-q', '--depth', '1', 'origin', 'main:refs/remotes/origin/main');
    const run = await cli(['scan', 'drivers', '--new-since', 'origin/main'], { cwd: clone });
    assert.equal(run.code, 2);
    assert.match(run.stderr, /this shallow clone has 1 commit\(s\) of HEAD/);
    assert.match(run.stderr, /fetch-depth: 0/);
    assert.equal(run.stdout, '');
  });
});
