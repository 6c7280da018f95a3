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
    // No brace at all: nothing declared inside a function.
    ['split-declaration', src],
    [
      'do-while-zero',
      [
        'if (s != NDIS_STATUS_SUCCESS) goto fail;',
        'if (a->Regs == NULL) { do { return s; } while (0); }',
        'if (p != NULL) Free(p);',
        'if (x &&\n    y == 1) goto out;',
        'if (a == b) goto x; else goto y;',
      ].join('\n'),
    ],
    // No call of the pack's APIs, no test of a plain operand, no `if` assigning one name both ways.
    ['macro-wrap', src],
    ['truth-compare', src],
    ['ternary', src],
    ['statement-macro', src],
    ['crlf', src.replaceAll('\n', '\r\n')],
    // No `//` comment.
    ['latin1-comment', src],
    // No call of the pack's APIs, no `else if`, no `for`.
    ['paren-args', src],
    ['arrow-deref', src.replace('a->Regs', '(*a).Regs')],
    ['else-if-brace', src],
    ['for-to-while', src],
    // No cast.
    ['paren-cast', src],
    // No free line for the macros' definitions: as written.
    ['test-macro', src],
  ];
  for (const [kind, want] of cases) {
    const got = rewrite(kind, src);
    assert.equal(got, want, kind);
    assert.equal(lines(got), lines(src), kind);
  }
  assert.deepEqual(Object.keys(REWRITES).sort(), cases.map(([k]) => k).sort());
});

test('declarations split, blocks wrapped in do-while(0) and API calls through a macro, inside a function', () => {
  const src = [
    '/* a block comment',
    '',
    '   with a blank line */',
    '// a comment that goes on \\',
    '   to this line',
    '',
    'NDIS_STATUS Init(PA a)',
    '{',
    '    NDIS_STATUS Status = NDIS_STATUS_SUCCESS;',
    '    PVOID *p = &a->Va;',
    '    static int once = 0;',
    '    ULONG i = 0, j = 1;',
    '    UCHAR b[4] = {0};',
    '    // ndis-review-disable-next-line ndis/unmap-length',
    '    Status = NdisMMapIoSpace(&a->Va, a->H, a->Pa, 16);',
    '    if (Status) { Log(1); return Status; }',
    '    if (a->x) {',
    '        NdisMUnmapIoSpace(a->H, a->Va, 16);',
    '    } else { while (1) { break; } }',
    '    return Status;',
    '}',
  ].join('\n');
  const split = rewrite('split-declaration', src).split('\n');
  assert.equal(split[8], '    NDIS_STATUS Status ; Status = NDIS_STATUS_SUCCESS;');
  assert.equal(split[9], '    PVOID *p ; p = &a->Va;');
  // A static's initializer runs once; two declarators; an initializer list: as written.
  assert.deepEqual(split.slice(10, 13), src.split('\n').slice(10, 13));
  const wrapped = rewrite('do-while-zero', src).split('\n');
  assert.equal(wrapped[15], '    if (Status) { do { Log(1); return Status; } while (0); }');
  assert.equal(wrapped[16], '    if (a->x) { do {');
  // An else block with a `break` (it would leave the `do`, not the loop): as written.
  assert.equal(wrapped[18], '    } while (0); } else { while (1) { break; } }');
  const macro = rewrite('macro-wrap', src).split('\n');
  // Not inside the comment, not the continued comment's first line, not a suppression marker: line 6.
  assert.deepEqual(macro.slice(0, 5), src.split('\n').slice(0, 5));
  assert.equal(macro[5], '#define NR_NdisMMapIoSpace(a0, a1, a2, a3) NdisMMapIoSpace(a0, a1, a2, a3)');
  assert.equal(macro[13], src.split('\n')[13]);
  assert.equal(macro[14], '    Status = NR_NdisMMapIoSpace(&a->Va, a->H, a->Pa, 16);');
  // No free line before the unmap's call: left as written.
  assert.equal(macro[17], '        NdisMUnmapIoSpace(a->H, a->Va, 16);');
  for (const k of ['split-declaration', 'do-while-zero', 'macro-wrap'])
    assert.equal(lines(rewrite(k, src)), lines(src), k);
});

test('calls as statements through a do-while(0) macro, a Latin-1 word in each // comment, lines kept', () => {
  const src = [
    '// top',
    '#define X 1 // in a directive',
    '',
    'VOID F(PA a)',
    '{',
    '    NdisMUnmapIoSpace(a->H, a->Va, 16); // unmap',
    '    if (a->x) NdisMFreeSharedMemory(a->H, 1, 0, a->Va, a->Pa);',
    '    Status = NdisMRegisterInterruptEx(a, b, c, d);',
    '    (VOID)NdisMFreeSharedMemory(a->H, 1, 0, a->Va, a->Pa);',
    '    s = "http://x"; /* // no */',
    '}',
  ].join('\n');
  const wrapped = rewrite('statement-macro', src).split('\n');
  assert.equal(
    wrapped[0],
    '#define NR_S_NdisMUnmapIoSpace(a0, a1, a2) do { NdisMUnmapIoSpace(a0, a1, a2); } while (0)',
  );
  assert.equal(wrapped[5], '    NR_S_NdisMUnmapIoSpace(a->H, a->Va, 16); // unmap');
  assert.equal(wrapped[6], '    if (a->x) NR_S_NdisMFreeSharedMemory(a->H, 1, 0, a->Va, a->Pa);');
  // A value, and a call cast to VOID, are not statements a do-while macro can stand for.
  assert.deepEqual(wrapped.slice(7, 9), src.split('\n').slice(7, 9));
  const latin = rewrite('latin1-comment', src).split('\n');
  assert.equal(latin[0], '// top Ger\u00e4t');
  assert.equal(latin[5], '    NdisMUnmapIoSpace(a->H, a->Va, 16); // unmap Ger\u00e4t');
  // Not in a directive, not after a string or in a block comment.
  assert.equal(latin[1], src.split('\n')[1]);
  assert.equal(latin[9], src.split('\n')[9]);
  for (const k of ['statement-macro', 'latin1-comment']) assert.equal(lines(rewrite(k, src)), lines(src), k);
});

test('arguments in parentheses, p->f as (*p).f, else-if braced, a for loop as a while loop, lines kept', () => {
  const src = [
    'VOID F(PA a)',
    '{',
    '    NdisMUnmapIoSpace(a->H, (PVOID)a->Va, f(1, 2));',
    '    x = a->b->c;',
    '    if (x) y = 1; else if (z) { y = 2; }',
    '    if (x) { y = 1; } else if (z) { y = 2; } else y = 3;',
    '    for (i = 0; i < 4; i++) { Free(a->Va[i]); }',
    '    for (i = 0; i < 4; i++) { if (x) continue; }',
    '    if (x) for (i = 0; i < 4; i++) { Free(a->Va[i]); }',
    '}',
  ].join('\n');
  const at = (kind: string, line: number) => rewrite(kind, src).split('\n')[line];
  assert.equal(at('paren-args', 2), '    NdisMUnmapIoSpace((a->H), ((PVOID)a->Va), (f(1, 2)));');
  assert.equal(at('arrow-deref', 2), '    NdisMUnmapIoSpace((*a).H, (PVOID)(*a).Va, f(1, 2));');
  assert.equal(at('arrow-deref', 3), '    x = (*a).b->c;');
  assert.equal(at('else-if-brace', 4), '    if (x) y = 1; else { if (z) { y = 2; } }');
  // An else after the block: as written.
  assert.equal(at('else-if-brace', 5), src.split('\n')[5]);
  assert.equal(at('for-to-while', 6), '    i = 0; while (i < 4) { Free(a->Va[i]); i++; }');
  // A continue would skip the update; after `if (x)` only the init would be controlled: as written.
  assert.equal(at('for-to-while', 7), src.split('\n')[7]);
  assert.equal(at('for-to-while', 8), src.split('\n')[8]);
  const cast = rewrite(
    'paren-cast',
    'x = (PVOID)a->Q[i].Va; f((ULONG)n, (PUCHAR)g(a)); if (X) y = 1; return (PA)c; v = (PUCHAR)va + n;',
  );
  // `(PUCHAR)(va) + n` would read as a cast of `+n` to the type `va`: left alone.
  assert.equal(
    cast,
    'x = (PVOID)(a->Q[i].Va); f((ULONG)(n), (PUCHAR)g(a)); if (X) y = 1; return (PA)(c); v = (PUCHAR)va + n;',
  );
  for (const k of ['paren-args', 'arrow-deref', 'else-if-brace', 'for-to-while'])
    assert.equal(lines(rewrite(k, src)), lines(src), k);
});

test('a comparison through a project macro defined on a free line before it, lines kept', () => {
  const src = [
    '// x',
    '',
    'VOID F(PA a)',
    '{',
    '    if (a->Va == NULL) return;',
    '    if (s != NDIS_STATUS_SUCCESS) { goto out; }',
    '    if (x && y == 1) z();',
    '}',
  ].join('\n');
  const got = rewrite('test-macro', src).split('\n');
  assert.deepEqual(got.slice(0, 2), ['#define NR_EQ(a, b) ((a) == (b))', '#define NR_NE(a, b) ((a) != (b))']);
  assert.equal(got[4], '    if (NR_EQ(a->Va, NULL)) return;');
  assert.equal(got[5], '    if (NR_NE(s, NDIS_STATUS_SUCCESS)) { goto out; }');
  // Not one comparison at the top level: as written.
  assert.equal(got[6], src.split('\n')[6]);
  assert.equal(lines(got.join('\n')), lines(src));
});

test('plain operands tested against 0, and an if assigning one name both ways as a choice, lines kept', () => {
  const src = [
    'VOID F(PA a)',
    '{',
    '    if (a->Regs) Free(a);',
    '    if (!a->b[2]) return;',
    '    if (f(a)) x = 1;',
    '    if (Status == 0)',
    '        a->Status = NDIS_STATUS_SUCCESS;',
    '    else',
    '        a->Status = NDIS_STATUS_FAILURE;',
    '    if (x) s = 1; else t = 2;',
    '    if (x) s = 1; else if (y) s = 2; else s = 3;',
    '}',
  ].join('\n');
  const truth = rewrite('truth-compare', src).split('\n');
  assert.equal(truth[2], '    if (a->Regs != 0) Free(a);');
  assert.equal(truth[3], '    if (a->b[2] == 0) return;');
  assert.equal(truth[4], '    if (f(a)) x = 1;');
  const choice = rewrite('ternary', src).split('\n');
  assert.deepEqual(choice.slice(5, 9), [
    '    a->Status = (Status == 0) ?',
    '        ( NDIS_STATUS_SUCCESS)',
    '    :',
    '        ( NDIS_STATUS_FAILURE);',
  ]);
  // Two names, or a chain of choices: as written.
  assert.deepEqual(choice.slice(9, 11), src.split('\n').slice(9, 11));
  for (const k of ['truth-compare', 'ternary']) assert.equal(lines(rewrite(k, src)), lines(src), k);
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
