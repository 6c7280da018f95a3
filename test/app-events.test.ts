/** Which commit, base and pull request a check suite or check run event asks to analyse. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTarget } from '../src/app/index.js';

const listed = (number: number, head: string, base: string, repoId: number) => ({
  number,
  head: { sha: head },
  base: { sha: base, repo: { id: repoId } },
});

test('the pull request whose head this is: compared with its base, reviewed', () => {
  assert.deepEqual(checkTarget('o', 'r', 1, 'h2', [listed(5, 'h2', 'b', 1)]), {
    owner: 'o',
    repo: 'r',
    headSha: 'h2',
    baseSha: 'b',
    pullNumber: 5,
  });
});

test('an older commit of a pull request (a re-run): compared with the base, but no review and no pull request to supersede', () => {
  assert.deepEqual(checkTarget('o', 'r', 1, 'h1', [listed(5, 'h2', 'b', 1)]), {
    owner: 'o',
    repo: 'r',
    headSha: 'h1',
    baseSha: 'b',
  });
});

test('pull requests into another repository (the upstream of a fork) are ignored', () => {
  assert.deepEqual(checkTarget('me', 'fork', 2, 'h', [listed(42, 'h', 'upstream-base', 1)]), {
    owner: 'me',
    repo: 'fork',
    headSha: 'h',
  });
  assert.deepEqual(
    checkTarget('me', 'fork', 2, 'h', [listed(42, 'h', 'upstream-base', 1), listed(3, 'h', 'b', 2)]).pullNumber,
    3,
  );
});

test('no pull request: a branch push, analysed on its own', () => {
  assert.deepEqual(checkTarget('o', 'r', 1, 'h', []), { owner: 'o', repo: 'r', headSha: 'h' });
});
