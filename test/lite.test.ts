/**
 * The extractor reads function bodies through a plain copy of the tree made
 * by a cursor walk (src/engine/lite.ts). The copy must answer every question
 * the extractor asks exactly as tree-sitter's own nodes do, on clean code and
 * on the damage real drivers have: compared node by node, and as the
 * extracted function detail, over every acceptance case and hostile snippets.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type Parser from 'tree-sitter';
import { functionDetail } from '../src/engine/extract.js';
import { liteTree, type LiteNode } from '../src/engine/lite.js';
import { decodeSource } from '../src/engine/text.js';
import { repoRoot } from './support/paths.js';

const require = createRequire(import.meta.url);
const TreeSitter = require('tree-sitter') as typeof Parser;
const parser = new TreeSitter();
parser.setLanguage(require('tree-sitter-c') as Parser.Language);

const FIELDS = [
  'declarator',
  'body',
  'type',
  'value',
  'condition',
  'consequence',
  'alternative',
  'function',
  'arguments',
  'argument',
  'field',
  'operator',
  'left',
  'right',
  'index',
  'label',
  'name',
  'parameters',
  'initializer',
  'update',
];

/** Every difference between a tree-sitter node and its copy, recursively (empty: none). */
function differences(real: Parser.SyntaxNode, lite: LiteNode, out: string[] = []): string[] {
  const where = `${real.type}@${String(real.startIndex)}`;
  const same = (what: string, a: unknown, b: unknown) => {
    if (JSON.stringify(a) !== JSON.stringify(b))
      out.push(`${where} ${what}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`);
  };
  same('type', real.type, lite.type);
  same('range', [real.startIndex, real.endIndex], [lite.startIndex, lite.endIndex]);
  same('positions', [real.startPosition, real.endPosition], [lite.startPosition, lite.endPosition]);
  same('flags', [real.isNamed, real.isMissing, real.hasError], [lite.isNamed, lite.isMissing, lite.hasError]);
  same('text', real.text, lite.text);
  same('named', real.namedChildCount, lite.namedChildCount);
  for (const f of FIELDS) {
    // tree-sitter also answers a field of a child that an alias made visible (K&R `f(a) int a; {`):
    // a grandchild. The copy answers children only; the extractor never asks such a question, which
    // the detail comparison below checks.
    const own = real.childForFieldName(f);
    const child = own && real.children.some((c) => c.startIndex === own.startIndex && c.type === own.type);
    if (!own || child) same(`field ${f}`, own?.startIndex ?? null, lite.childForFieldName(f)?.startIndex ?? null);
    same(
      `fields ${f}`,
      real.childrenForFieldName(f).map((c) => c.startIndex),
      lite.childrenForFieldName(f).map((c) => c.startIndex),
    );
  }
  same(
    'calls',
    real.descendantsOfType('call_expression').map((c) => c.startIndex),
    lite.descendantsOfType('call_expression').map((c) => c.startIndex),
  );
  same('children', real.childCount, lite.children.length);
  if (real.childCount === lite.children.length) real.children.forEach((c, i) => differences(c, lite.children[i], out));
  return out;
}

function cFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? cFiles(p) : /\.(c|h|cpp)$/i.test(n) ? [p] : [];
  });
}

const HOSTILE: Record<string, string> = {
  'missing semicolon and brace': 'int f(void)\r\n{\r\n  ASSERT(x)\r\n  if (a) { g(1);\r\n  return 0;\r\n',
  'bracket soup': 'static void fuzz(void)\n{\n    [ zq ? . (\n    {\n    } ) ]\n}\nint g(void) { return h(1); }\n',
  'non-BMP and Latin-1 text': '/* 😀 äöü */ int f(void) { char *s = "😀"; x->y = 1; /* ß */ return g(s, &a->b[2]); }\n',
  'SAL and macros':
    'NDIS_STATUS\nMpInit(_In_ NDIS_HANDLE h, IN PVOID p) { NDIS_STATUS s; s = NdisMMapIoSpace(&a->r, h, pa, LEN); if (s != NDIS_STATUS_SUCCESS) goto fail; return s; fail: NdisMUnmapIoSpace(h, a->r, LEN); return s; }\n',
  'half-written function':
    'void f(int a) { switch (a) { case 1: g(); break; default: ++a; a--; for (;;) { while (a) do h(); while (0);',
};

test('the copy answers as tree-sitter does, node by node, and extracts the same detail', () => {
  const sources: [string, string][] = Object.entries(HOSTILE);
  for (const p of cFiles(resolve(repoRoot, '../shared/cases'))) sources.push([p, decodeSource(readFileSync(p)).text]);
  let functions = 0;
  for (const [name, text] of sources) {
    const tree = parser.parse(text);
    const diffs = differences(tree.rootNode, liteTree(tree.rootNode, text));
    assert.deepEqual(diffs.slice(0, 5), [], name);
    for (const def of tree.rootNode.descendantsOfType('function_definition')) {
      functions++;
      assert.deepEqual(functionDetail(liteTree(def, text)), functionDetail(def), `${name}: ${def.text.slice(0, 40)}`);
    }
  }
  assert.ok(functions > 100, `only ${String(functions)} functions compared`);
});

test('a subtree copy keeps the positions of the whole text and marks errors inside it', () => {
  const text = 'int a;\nint f(void)\n{\n  g(1)\n  return 0;\n}\n';
  const tree = parser.parse(text);
  const def = tree.rootNode.descendantsOfType('function_definition')[0];
  const lite = liteTree(def, text);
  assert.deepEqual(lite.startPosition, { row: 1, column: 0 });
  assert.equal(lite.hasError, def.hasError);
  assert.equal(lite.childForFieldName('body')?.namedChildren.length, def.childForFieldName('body')?.namedChildCount);
});

test('a clean copy takes a parent span from its children, and asks a directive its own', () => {
  // A directive ends at its line end, a token the grammar hides: past its last child. The copy of a
  // clean tree asks no other node with children for its span, nor a child under a type without
  // fields for its field, nor a token for children.
  const text = [
    '#include <ndis.h>',
    '#define MAP_LENGTH 0x100',
    '#define UNMAP(a) NdisMUnmapIoSpace((a)->Handle, (a)->Regs, MAP_LENGTH)',
    '#pragma warning(disable: 4201)',
    'static int g[] = { 1, 2, [3] = 4 };',
    'int f(PADAPTER a)',
    '{',
    '    if (a->Regs != NULL) { UNMAP(a); a->Regs = NULL; } /* done */',
    '    return a->Flags & 0x4 ? -1 : (int)sizeof(*a);',
    '}',
    '',
  ].join('\r\n');
  const tree = parser.parse(text);
  assert.equal(tree.rootNode.hasError, false);
  const directives = tree.rootNode.namedChildren.filter((c) => c.type.startsWith('preproc_'));
  assert.ok(
    directives.some((d) => d.endIndex > (d.lastChild?.endIndex ?? d.endIndex)),
    'a directive ends past its last child',
  );
  assert.deepEqual(differences(tree.rootNode, liteTree(tree.rootNode, text)), []);
  for (const c of tree.rootNode.namedChildren) assert.deepEqual(differences(c, liteTree(c, text)), [], c.type);
});
