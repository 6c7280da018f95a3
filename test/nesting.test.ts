/**
 * Code nested past MAX_NESTING is cut when its body is read, and the parse
 * stage must have said so first: the function counts as damaged (so no
 * rule trusts its paths) and the file gets a note at the deep line. Every
 * shape that nests in C is tried around the limit: no function is ever cut
 * without having been flagged, and code a little under the limit is read
 * in full, all the way through the rules.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Parser from 'tree-sitter';
import C from 'tree-sitter-c';
import { MAX_NESTING, deepPoint, readFunctionDetail } from '../src/engine/extract.js';
import { scan } from '../src/engine/scan.js';

const parser = new Parser();
parser.setLanguage(C);

/** A function body nesting `k` times, by shape. */
const SHAPES: Record<string, (k: number) => string> = {
  blocks: (k) => `${'{ '.repeat(k)}x = 1;${' }'.repeat(k)}`,
  ifBlocks: (k) => `${'if (a) { '.repeat(k)}x = 1;${' }'.repeat(k)}`,
  ifs: (k) => `${'if (a) '.repeat(k)}x = 1;`,
  elseIf: (k) => `if (a) x = 0;${Array.from({ length: k }, (_, i) => ` else if (a == ${i}) x = ${i};`).join('')}`,
  loops: (k) =>
    `${['while (a) ', 'for (;;) ', 'do ']
      .map((w) => w)
      .join('')
      .repeat(Math.ceil(k / 3))}x = 1;${' while (a);'.repeat(Math.ceil(k / 3))}`,
  switches: (k) => `${'switch (a) { case 1: '.repeat(k)}x = 1;${' }'.repeat(k)}`,
  labels: (k) => `${Array.from({ length: k }, (_, i) => `L${i}: `).join('')}x = 1;`,
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
  const bodyNode = def.childForFieldName('body')!;
  return { flagged: deepPoint(bodyNode, MAX_NESTING - 1) !== undefined, cut: readFunctionDetail(def).cut };
}

for (const [name, make] of Object.entries(SHAPES)) {
  test(`nesting by ${name}: never cut unless flagged; read in full well under the limit; flagged far over it`, () => {
    for (let k = MAX_NESTING - 40; k <= MAX_NESTING + 8; k += 4) {
      const r = read(make(k));
      assert.ok(!r.cut || r.flagged, `${name} at ${k}: cut but not flagged`);
    }
    assert.deepEqual(read(make(MAX_NESTING >> 2)), { flagged: false, cut: false });
    const deep = read(make(MAX_NESTING * 4));
    assert.ok(deep.flagged && deep.cut, `${name} at ${MAX_NESTING * 4}: ${JSON.stringify(deep)}`);
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
    const inner = k === 6 ? 's = NdisMMapIoSpace(&a->Regs, a->H, a->Pa, 0x100);' : `s = Deep${k + 1}(a);`;
    src += `NDIS_STATUS Deep${k}(PA a)\n{\n    NDIS_STATUS s = 1;\n${'if (a->H) {\n'.repeat(levels)}${inner}\n${'}\n'.repeat(levels)}    return s;\n}\n`;
  }
  const terms = MAX_NESTING - 16;
  const ors = Array.from({ length: terms }, (_, i) => `s == ${i + 1}`).join(' || ');
  const sum = Array.from({ length: terms }, () => 'a->H').join(' + ');
  src += `NDIS_STATUS DInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)\n{\n    PA a = (PA)c;\n    NDIS_STATUS s = Deep0(a);\n    if (s != NDIS_STATUS_SUCCESS) return s;\n    s = Step(${sum});\n    if (${ors}) return s;\n`;
  const leakLine = src.split('\n').length;
  src += '    if (s != NDIS_STATUS_SUCCESS) return s;\n    return NDIS_STATUS_SUCCESS;\n}\n';
  const r = await scan({ root: 'deep', files: [{ path: 'deep.c', bytes: Buffer.from(src) }], workers: 0 });
  assert.deepEqual(r.notices, []);
  assert.deepEqual(
    r.findings.map((f) => `${f.rule}@${f.line}`),
    [`ndis/unmap-on-failure@${leakLine}`],
  );
});
