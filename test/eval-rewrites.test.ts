/**
 * The rewrites of `eval/rewrites.ts` (C spelt another way, same meaning, same
 * lines), and the equivalence check they serve on the repository's own
 * cases: every shared acceptance case and every case of the rule pack, with
 * each kind applied everywhere it fits, gets the findings it gets as written.
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { codeTokens, readC } from '../eval/ctext.js';
import { applyEdits, REWRITES } from '../eval/rewrites.js';
import { scan, type SourceFile } from '../src/engine/scan.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { repoRoot } from './support/paths.js';
import { sourceFolder } from './support/cfiles.js';

function rewrite(kind: string, text: string): string {
  const c = readC(text);
  return applyEdits(text, REWRITES[kind](c, codeTokens(c)));
}

const lines = (s: string) => s.split('\n').length;

test('each rewrite, where it fits, and never across a line end', () => {
  const src = [
    'if (s != NDIS_STATUS_SUCCESS) goto fail;',
    'if (a->Regs == NULL) { return s; }',
    'if (p != NULL) Free(p);',
    'if (x &&\n    y == 1) goto out;',
    'if (a == b) goto x; else goto y;',
  ].join('\n');
  const cases: [string, string][] = [
    [
      'swap-compare',
      [
        'if (NDIS_STATUS_SUCCESS != s) goto fail;',
        'if (NULL == a->Regs) { return s; }',
        'if (NULL != p) Free(p);',
        'if (x &&\n    y == 1) goto out;',
        'if (b == a) goto x; else goto y;',
      ].join('\n'),
    ],
    [
      'null-test',
      [
        'if (s != NDIS_STATUS_SUCCESS) goto fail;',
        'if (!(a->Regs)) { return s; }',
        'if ((p)) Free(p);',
        'if (x &&\n    y == 1) goto out;',
        'if (a == b) goto x; else goto y;',
      ].join('\n'),
    ],
    [
      'brace-goto',
      [
        'if (s != NDIS_STATUS_SUCCESS) { goto fail; }',
        'if (a->Regs == NULL) { return s; }',
        'if (p != NULL) Free(p);',
        'if (x &&\n    y == 1) { goto out; }',
        'if (a == b) { goto x; } else { goto y; }',
      ].join('\n'),
    ],
    [
      'invert-if',
      [
        'if (!(s != NDIS_STATUS_SUCCESS)) ; else goto fail;',
        'if (!(a->Regs == NULL)) ; else { return s; }',
        'if (p != NULL) Free(p);',
        'if (x &&\n    y == 1) goto out;',
        'if (a == b) goto x; else goto y;',
      ].join('\n'),
    ],
    [
      'stored-test',
      [
        '{ BOOLEAN nr_t0 = !!(s != NDIS_STATUS_SUCCESS); if (nr_t0) goto fail; }',
        '{ BOOLEAN nr_t1 = !!(a->Regs == NULL); if (nr_t1) { return s; } }',
        'if (p != NULL) Free(p);',
        'if (x &&\n    y == 1) goto out;',
        'if (a == b) goto x; else goto y;',
      ].join('\n'),
    ],
  ];
  for (const [kind, want] of cases) {
    const got = rewrite(kind, src);
    assert.equal(got, want, kind);
    assert.equal(lines(got), lines(src), kind);
  }
  assert.deepEqual(Object.keys(REWRITES).sort(), cases.map(([k]) => k).sort());
});

/** Every case folder: the shared acceptance cases and the pack's own. */
function caseFolders(): string[] {
  const out: string[] = [];
  const shared = join(repoRoot, '../shared/cases');
  for (const d of readdirSync(shared).sort()) if (statSync(join(shared, d)).isDirectory()) out.push(join(shared, d));
  for (const group of ['test/cases-lint', 'test/cases-pack']) {
    const root = join(repoRoot, group);
    for (const rule of readdirSync(root).sort())
      for (const c of readdirSync(join(root, rule)).sort())
        if (statSync(join(root, rule, c)).isDirectory()) out.push(join(root, rule, c));
  }
  return out;
}

const everyRule = loadRulePack()
  .rules.filter((r) => r.preview === true)
  .map((r) => r.id);

const findingKeys = async (root: string, files: SourceFile[]) =>
  (await scan({ root, files, cache: null, workers: 0, enable: everyRule })).findings
    .map((f) => `${f.rule} ${f.path}:${String(f.line)}`)
    .sort();

test('every case, each kind of rewrite applied everywhere it fits: the same findings at the same lines', async () => {
  const folders = caseFolders();
  assert.ok(folders.length >= 60, `${String(folders.length)} case folders`);
  let rewritten = 0;
  for (const root of folders) {
    const files = sourceFolder(root);
    const base = await findingKeys(root, files);
    for (const kind of Object.keys(REWRITES)) {
      const changed: SourceFile[] = files.map((f) => {
        if (!f.path.endsWith('.c')) return f;
        const text = Buffer.from(f.bytes).toString('latin1');
        return { path: f.path, bytes: Buffer.from(rewrite(kind, text), 'latin1') };
      });
      if (changed.every((f, i) => Buffer.from(f.bytes).equals(files[i].bytes))) continue;
      rewritten++;
      assert.deepEqual(await findingKeys(root, changed), base, `${relative(repoRoot, root)} with ${kind}`);
    }
  }
  assert.ok(rewritten >= 150, `${String(rewritten)} rewritten cases`);
});
