/**
 * Code nested past MAX_NESTING is cut when its body is read, and the parse
 * stage must have said so first: the function counts as damaged (so no
 * rule trusts its paths) and the file gets a note at the deep line. Every
 * shape that nests in C is tried around the limit: no function is ever cut
 * without having been flagged, and code a little under the limit is read
 * in full, all the way through the rules.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import { MAX_NESTING, deepPoint, readFunctionDetail } from '../src/engine/extract.js';
import type { Expr, Stmt } from '../src/engine/ast.js';
import { walkExprs } from '../src/engine/program.js';
import { scan } from '../src/engine/scan.js';
import { programOf } from './support/program.js';
import { repoRoot } from './support/paths.js';
import { defined } from '../src/util/defined.js';

const casesDir = join(repoRoot, '../shared/cases');

const parser = new Parser();
parser.setLanguage(C);

/** A function body nesting `k` times, by shape. */
const SHAPES: Record<string, (k: number) => string> = {
  blocks: (k) => `${'{ '.repeat(k)}x = 1;${' }'.repeat(k)}`,
  ifBlocks: (k) => `${'if (a) { '.repeat(k)}x = 1;${' }'.repeat(k)}`,
  ifs: (k) => `${'if (a) '.repeat(k)}x = 1;`,
  elseIf: (k) =>
    `if (a) x = 0;${Array.from({ length: k }, (_, i) => ` else if (a == ${String(i)}) x = ${String(i)};`).join('')}`,
  loops: (k) =>
    `${['while (a) ', 'for (;;) ', 'do ']
      .map((w) => w)
      .join('')
      .repeat(Math.ceil(k / 3))}x = 1;${' while (a);'.repeat(Math.ceil(k / 3))}`,
  switches: (k) => `${'switch (a) { case 1: '.repeat(k)}x = 1;${' }'.repeat(k)}`,
  labels: (k) => `${Array.from({ length: k }, (_, i) => `L${String(i)}: `).join('')}x = 1;`,
  sum: (k) => `x = ${Array.from({ length: k }, () => 'a').join(' + ')};`,
  parens: (k) => `x = ${'('.repeat(k)}a${')'.repeat(k)};`,
  unary: (k) => `x = ${'!'.repeat(k)}a;`,
  casts: (k) => `x = ${'(int)'.repeat(k)}a;`,
  fields: (k) => `x = a${'->b'.repeat(k)};`,
  calls: (k) => `x = ${'f('.repeat(k)}a${')'.repeat(k)};`,
  ternary: (k) => `x = ${'a ? 1 : '.repeat(k)}0;`,
  assigns: (k) => `${'x = '.repeat(k)}a;`,
  commas: (k) => `x = (${Array.from({ length: k }, () => 'a').join(', ')});`,
  initializers: (k) => `int y[1] = ${'{'.repeat(k)}1${'}'.repeat(k)};`,
  subscripts: (k) => `x = a${'[1]'.repeat(k)};`,
};

function read(body: string): { flagged: boolean; cut: boolean } {
  const tree = parser.parse(`void F(int a) { int x; ${body} }\n`);
  const def = tree.rootNode.namedChildren.find((n) => n.type === 'function_definition');
  assert.ok(def, body.slice(0, 80));
  const bodyNode = defined(def.childForFieldName('body'));
  return { flagged: deepPoint(bodyNode, MAX_NESTING - 1) !== undefined, cut: readFunctionDetail(def).cut };
}

for (const [name, make] of Object.entries(SHAPES)) {
  test(`nesting by ${name}: never cut unless flagged; read in full well under the limit; flagged far over it`, () => {
    for (let k = MAX_NESTING - 40; k <= MAX_NESTING + 8; k += 4) {
      const r = read(make(k));
      assert.ok(!r.cut || r.flagged, `${name} at ${String(k)}: cut but not flagged`);
    }
    assert.deepEqual(read(make(MAX_NESTING >> 2)), { flagged: false, cut: false });
    const deep = read(make(MAX_NESTING * 4));
    assert.ok(deep.flagged && deep.cut, `${name} at ${String(MAX_NESTING * 4)}: ${JSON.stringify(deep)}`);
  });
}

/**
 * A helper chain seven calls deep (as deep as the path analysis steps),
 * each helper nested as far as the limit allows, and initialize testing a
 * long `||` chain: all of it is analysed, and the leak at the end is found.
 */
test('code nested just under the limit goes through every stage: the finding is reported, no notice', async () => {
  const levels = (MAX_NESTING >> 1) - 8;
  let src =
    'typedef struct _A { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; } A, *PA;\nMINIPORT_INITIALIZE DInit;\n';
  for (let k = 6; k >= 0; k--) {
    const inner = k === 6 ? 's = NdisMMapIoSpace(&a->Regs, a->H, a->Pa, 0x100);' : `s = Deep${String(k + 1)}(a);`;
    src += `NDIS_STATUS Deep${String(k)}(PA a)\n{\n    NDIS_STATUS s = 1;\n${'if (a->H) {\n'.repeat(levels)}${inner}\n${'}\n'.repeat(levels)}    return s;\n}\n`;
  }
  const terms = MAX_NESTING - 16;
  const ors = Array.from({ length: terms }, (_, i) => `s == ${String(i + 1)}`).join(' || ');
  const sum = Array.from({ length: terms }, () => 'a->H').join(' + ');
  src += `NDIS_STATUS DInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)\n{\n    PA a = (PA)c;\n    NDIS_STATUS s = Deep0(a);\n    if (s != NDIS_STATUS_SUCCESS) return s;\n    s = Step(${sum});\n    if (${ors}) return s;\n`;
  const leakLine = src.split('\n').length;
  src += '    if (s != NDIS_STATUS_SUCCESS) return s;\n    return NDIS_STATUS_SUCCESS;\n}\n';
  const r = await scan({ root: 'deep', files: [{ path: 'deep.c', bytes: Buffer.from(src) }], workers: 0 });
  assert.deepEqual(r.notices, []);
  assert.deepEqual(
    r.findings.map((f) => `${f.rule}@${String(f.line)}`),
    [`ndis/unmap-on-failure@${String(leakLine)}`],
  );
});

/** Every expression of a statement, outer before inner, in source order: the order walkExprs promises, by recursion. */
function expressionsInOrder(s: Stmt | undefined, out: Expr[] = []): Expr[] {
  const ex = (e: Expr | undefined): void => {
    if (!e) return;
    out.push(e);
    if (e.t === 'call') [e.f, ...e.a].forEach(ex);
    else if (e.t === 'fld') ex(e.o);
    else if (e.t === 'idx') [e.o, e.i].forEach(ex);
    else if (e.t === 'un' || e.t === 'post' || e.t === 'cast') ex(e.e);
    else if (e.t === 'bin' || e.t === 'asg' || e.t === 'seq') [e.l, e.r].forEach(ex);
    else if (e.t === 'cond') [e.c, e.a, e.b].forEach(ex);
    else if (e.t === 'init') for (const i of e.items) ex(i.e);
  };
  if (!s) return out;
  if (s.k === 'blk') for (const x of s.b) expressionsInOrder(x, out);
  else if (s.k === 'exp') ex(s.e);
  else if (s.k === 'decl') for (const d of s.d) ex(d.init);
  else if (s.k === 'if') {
    ex(s.c);
    expressionsInOrder(s.t, out);
    expressionsInOrder(s.f, out);
  } else if (s.k === 'while' || s.k === 'sw') {
    ex(s.c);
    expressionsInOrder(s.b, out);
  } else if (s.k === 'do') {
    expressionsInOrder(s.b, out);
    ex(s.c);
  } else if (s.k === 'for') {
    expressionsInOrder(s.i, out);
    ex(s.c);
    ex(s.u);
    expressionsInOrder(s.b, out);
  } else if (s.k === 'case') ex(s.v);
  else if (s.k === 'ret') ex(s.e);
  return out;
}

test('walkExprs visits every expression of every shared case, outer before inner, in source order', () => {
  let visited = 0;
  for (const name of readdirSync(casesDir)) {
    const dir = join(casesDir, name);
    if (!statSync(dir).isDirectory()) continue;
    const files: Record<string, string> = {};
    for (const f of readdirSync(dir)) if (/\.[ch]$/.test(f)) files[f] = readFileSync(join(dir, f), 'latin1');
    for (const fn of programOf(files).functions) {
      const seen: Expr[] = [];
      walkExprs(fn.body, (e) => seen.push(e));
      const want = expressionsInOrder(fn.body);
      assert.equal(seen.length, want.length, `${name}: ${fn.name}`);
      seen.forEach((e, i) => {
        assert.equal(e, want[i], `${name}: ${fn.name}, expression ${String(i)}`);
      });
      visited += seen.length;
    }
  }
  assert.ok(visited > 1000, `${String(visited)} expressions`);
});

test('walkExprs takes a tree far deeper than the call stack (a macro expansion can build one)', () => {
  let e: Expr = { t: 'id', n: 'x' };
  for (let i = 0; i < 200_000; i++)
    e = i % 2 ? { t: 'un', op: '!', e } : { t: 'bin', op: '+', l: e, r: { t: 'num', v: '1' } };
  let body: Stmt = { k: 'exp', e, p: [1, 1, 1, 1] };
  for (let i = 0; i < 200_000; i++) body = { k: 'blk', b: [body] };
  let count = 0;
  walkExprs(body, () => count++);
  assert.equal(count, 300_001);
});
