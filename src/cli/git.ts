/**
 * `--new-since REV`: the merge base of HEAD and REV, checked out in a
 * temporary git worktree so it can be scanned like the working tree, then
 * removed. The working tree itself is never touched.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from './errors.js';

interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

function git(cwd: string, args: string[]): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout: stdout.trim(), stderr: stderr.trim() });
    });
  });
}

export interface BaseCheckout {
  /** The merge base's commit. */
  commit: string;
  /** The scanned folder's counterpart in the checkout. */
  dir: string;
  /** Removes the worktree and its folder. */
  dispose: () => Promise<void>;
}

/**
 * Checks out the merge base of HEAD and `rev` for the repository holding
 * `dir`. Errors are the user's to fix and say how: not a repository, an
 * unknown revision, or a shallow clone without the merge base (with the
 * fetch depth to use).
 */
export async function checkoutMergeBase(dir: string, rev: string): Promise<BaseCheckout> {
  const top = await git(dir, ['rev-parse', '--show-toplevel']);
  if (top.code !== 0) {
    throw new UserError(
      top.code === -1
        ? `--new-since needs git, which could not be run`
        : `--new-since needs ${dir} to be inside a git repository`,
    );
  }
  const root = top.stdout;
  const shallow = (await git(root, ['rev-parse', '--is-shallow-repository'])).stdout === 'true';
  const known = await git(root, ['rev-parse', '--verify', '--quiet', `${rev}^{commit}`]);
  if (known.code !== 0) {
    throw new UserError(
      `--new-since: '${rev}' is not a commit of this repository${shallow ? ' (this is a shallow clone: fetch it, e.g. git fetch origin ' + rev + ')' : ''}`,
    );
  }
  const base = await git(root, ['merge-base', 'HEAD', known.stdout]);
  if (base.code !== 0 || base.stdout === '') {
    if (shallow) {
      const depth = (await git(root, ['rev-list', '--count', 'HEAD'])).stdout;
      throw new UserError(
        `--new-since: this shallow clone has ${depth} commit(s) of HEAD, and the merge base with '${rev}' is not among them: ` +
          `fetch the full history (git fetch --unshallow; in GitHub Actions, actions/checkout with fetch-depth: 0)`,
      );
    }
    throw new UserError(`--new-since: HEAD and '${rev}' have no common ancestor`);
  }
  const commit = base.stdout;
  const scratch = await fs.mkdtemp(path.join(tmpdir(), 'ndis-review-base-'));
  const worktree = path.join(scratch, 'base');
  const added = await git(root, ['worktree', 'add', '--detach', '--quiet', worktree, commit]);
  if (added.code !== 0) {
    await fs.rm(scratch, { recursive: true, force: true });
    throw new UserError(`--new-since: could not check out ${commit.slice(0, 12)}: ${added.stderr.split('\n')[0]}`);
  }
  const relative = path.relative(await fs.realpath(root), await fs.realpath(path.resolve(dir)));
  return {
    commit,
    dir: path.join(worktree, relative),
    dispose: async () => {
      await git(root, ['worktree', 'remove', '--force', worktree]);
      await fs.rm(scratch, { recursive: true, force: true });
      await git(root, ['worktree', 'prune']);
    },
  };
}
