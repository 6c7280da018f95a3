/** The raw token counter the engine's API call counts are checked against. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { countDriverTokens, countTokens, listDriverFiles } from '../eval/tokens.js';

const APIS = ['NdisMMapIoSpace', 'NdisMUnmapIoSpace'];

describe('countTokens', () => {
  it('counts identifier tokens in code', () => {
    const text =
      'void f(void) {\n  NdisMMapIoSpace(&a, h, pa, 4);\n  NdisMUnmapIoSpace(h, a, 4); NdisMUnmapIoSpace(h, b, 4);\n}\n';
    assert.deepEqual(countTokens(text, APIS), { NdisMMapIoSpace: 1, NdisMUnmapIoSpace: 2 });
  });

  it('skips comments, strings and character literals', () => {
    const text = [
      '// NdisMMapIoSpace in a line comment',
      '/* NdisMMapIoSpace in a block',
      '   comment NdisMUnmapIoSpace */',
      'DbgPrint("NdisMMapIoSpace failed \\" NdisMMapIoSpace");',
      "char c = 'N'; // NdisMUnmapIoSpace",
      'x = NdisMMapIoSpace(&a, h, pa, 4); /* NdisMMapIoSpace */ y = 1;',
    ].join('\n');
    assert.deepEqual(countTokens(text, APIS), { NdisMMapIoSpace: 1, NdisMUnmapIoSpace: 0 });
  });

  it('skips preprocessor directive lines and their continuations', () => {
    const text = [
      '#define MAP(a) NdisMMapIoSpace(&(a), h, pa, 4)',
      '#define UNMAP(a) \\',
      '    NdisMUnmapIoSpace(h, (a), 4)',
      '  #  if defined(NdisMMapIoSpace)',
      '#endif',
      'MAP(x); NdisMUnmapIoSpace(h, x, 4);',
    ].join('\n');
    assert.deepEqual(countTokens(text, APIS), { NdisMMapIoSpace: 0, NdisMUnmapIoSpace: 1 });
  });

  it('counts whole identifiers only, not longer names or parts of numbers', () => {
    const text =
      'NdisMMapIoSpaceEx(a); MyNdisMMapIoSpace(b); x.NdisMMapIoSpace = 0x1NdisMMapIoSpace; NdisMMapIoSpace\n(c);';
    // The member name counts: a raw token is a token, whatever the engine makes of it.
    assert.deepEqual(countTokens(text, ['NdisMMapIoSpace']), { NdisMMapIoSpace: 2 });
  });

  it('keeps counting after an unterminated literal and a backslash-continued line comment', () => {
    const text =
      "#error don't\nNdisMMapIoSpace(a);\n// comment \\\nNdisMMapIoSpace(b);\nNdisMUnmapIoSpace(c);\r\nNdisMUnmapIoSpace(d);";
    assert.deepEqual(countTokens(text, APIS), { NdisMMapIoSpace: 1, NdisMUnmapIoSpace: 2 });
  });
});

describe('countDriverTokens', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'ndis-review-eval-tokens-'));
  after(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('separates the files the engine reads from C++ files and skips build folders', () => {
    mkdirSync(path.join(root, 'sub'));
    mkdirSync(path.join(root, 'objfre'));
    writeFileSync(path.join(root, 'a.c'), 'NdisMMapIoSpace(a);');
    writeFileSync(path.join(root, 'sub', 'b.H'), 'NdisMUnmapIoSpace(a);');
    writeFileSync(path.join(root, 'c.cpp'), 'NdisMMapIoSpace(a); NdisMMapIoSpace(b);');
    writeFileSync(path.join(root, 'objfre', 'd.c'), 'NdisMMapIoSpace(a);');
    writeFileSync(path.join(root, 'notes.txt'), 'NdisMMapIoSpace(a);');
    assert.deepEqual(listDriverFiles(root), ['a.c', 'c.cpp', 'sub/b.H']);
    assert.deepEqual(countDriverTokens(root, APIS), {
      NdisMMapIoSpace: { engineFiles: 1, otherFiles: 2 },
      NdisMUnmapIoSpace: { engineFiles: 1, otherFiles: 0 },
    });
  });
});
