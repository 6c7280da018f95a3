/**
 * The burst bench (`bench/burst.ts`) small: 24 webhooks, 8 pull requests ×
 * 3 pushes over 4 installations, to the app as `npm start` runs it. The
 * full size (200 webhooks) is `npm run bench:burst`; here the pushes that
 * supersede each other must still leave every final head exactly one
 * completed run and no run open. The write rates are the full bench's: a
 * small burst says little of them, and the spacing Probot's limiter keeps
 * is measured in `test/app-limiter.test.ts`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from './support/paths.js';

test('a small burst of superseding pushes: every final head one completed run, none left open', () => {
  const r = spawnSync(
    process.execPath,
    [join(repoRoot, 'dist/bench/burst.js'), '--prs', '8', '--pushes', '3', '--repos', '4'],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const out = r.stdout + r.stderr;
  assert.match(out, /✔ every final head completed within 180 s/, out);
  assert.match(out, /✔ every final head exactly one completed run: 8 of 8/, out);
  assert.match(out, /✔ no run left open: 0/, out);
});
