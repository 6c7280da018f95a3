/** The evaluation's own reading of C text: masking, directives, statements, functions, report sites. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildGraph, functionDefinitions, macroDefinitions, reach } from '../eval/cfuncs.js';
import { codeTokens, lineOf, readC } from '../eval/ctext.js';
import { parseLabel } from '../eval/labels.js';
import { OperatorContext, textFromMap } from '../eval/operators/context.js';
import { reportSite } from '../eval/operators/report-site.js';
import { callArguments, callStatement, callsOnLine } from '../eval/operators/statements.js';

describe('readC', () => {
  it('masks comments and literals without moving a byte, and marks directive lines', () => {
    const text = 'a = "x;y"; // c\r\n#define M(x) \\\r\n  (x)\rb = \'}\';';
    const c = readC(text);
    assert.equal(c.masked.length, text.length);
    assert.equal(c.masked, 'a = "   ";     \r\n#define M(x) \\\r\n  (x)\rb = \' \';');
    assert.deepEqual(c.directive, [false, true, true, false]);
    assert.equal(lineOf(c, text.indexOf('b =')), 4);
  });
});

describe('readC, block comments', () => {
  it('marks the lines that start inside a block comment, blank ones too', () => {
    const c = readC('a; /* one\n\n   two */ b;\n/* x */\n"/* not */";\nc;');
    assert.deepEqual(c.openComment, [false, true, true, false, false, false]);
  });
});

describe('statements', () => {
  const stmt = (text: string, name: string) => {
    const c = readC(text);
    const tokens = codeTokens(c);
    const [call] = callsOnLine(c, tokens, name, 1);
    const s = callStatement(tokens, call);
    return s && { text: text.slice(s.start, s.end), controlled: s.controlled, elseFollows: s.elseFollows };
  };

  it('finds the statement around a call, with an assignment or a cast', () => {
    assert.deepEqual(stmt('{ (VOID)Foo(a, (b)); }', 'Foo'), {
      text: '(VOID)Foo(a, (b));',
      controlled: false,
      elseFollows: false,
    });
    assert.deepEqual(stmt('{ A->x[1] = Foo(a); }', 'Foo'), {
      text: 'A->x[1] = Foo(a);',
      controlled: false,
      elseFollows: false,
    });
    assert.deepEqual(stmt('L: Foo(a);', 'Foo'), { text: 'Foo(a);', controlled: false, elseFollows: false });
  });

  it('says when the statement is the unbraced body of a control statement or an else follows', () => {
    assert.deepEqual(stmt('if (p) Foo(a); else g();', 'Foo'), { text: 'Foo(a);', controlled: true, elseFollows: true });
  });

  it('refuses calls inside a larger expression', () => {
    assert.equal(stmt('x = 1 + Foo(a);', 'Foo'), undefined);
    assert.equal(stmt('{ y = c ? b : Foo(a); }', 'Foo'), undefined);
    assert.equal(stmt('if (Foo(a)) x();', 'Foo'), undefined);
  });

  it('splits arguments at top-level commas only', () => {
    const c = readC('F(a, g(b, c), d[1, 2]);');
    const tokens = codeTokens(c);
    const args = callArguments(tokens, 1).map((r) =>
      tokens
        .slice(r.from, r.to)
        .map((t) => t.text)
        .join(''),
    );
    assert.deepEqual(args, ['a', 'g(b,c)', 'd[1,2]']);
  });
});

describe('functions and the graph', () => {
  const text = [
    '#define FREE(a) Release(a)',
    'static int Release(P a) _Requires_lock_held_(x) { NdisMUnmapIoSpace(a); return 0; }',
    'struct S { int f; };',
    'void Halt(P a) { FREE(a); Table.Fn = Other; }',
    'void Other(void) { if (x) { y(); } }',
  ].join('\n');

  it('reads top-level definitions past annotations, and macros', () => {
    const c = readC(text);
    assert.deepEqual(
      functionDefinitions(c, 'f.c').map((d) => d.name),
      ['Release', 'Halt', 'Other'],
    );
    assert.deepEqual(macroDefinitions(c), [
      { name: 'FREE', mentions: ['Release', 'a'], params: ['a'], body: ['Release', '(', 'a', ')'] },
    ]);
  });

  it('reads both branches of an #if from the depth the #if had, and names starting with __', () => {
    const branches = [
      '#if NDIS6',
      'NDIS_STATUS Reset(NDIS_HANDLE C, PBOOLEAN R)',
      '#else',
      'NDIS_STATUS Reset(PBOOLEAN R, NDIS_HANDLE C)',
      '#endif',
      '{',
      '#ifdef A',
      '    if (a) {',
      '#else',
      '    if (b) {',
      '#endif',
      '        x();',
      '    }',
      '}',
      'static int __ipoib_create(void) { return 0; }',
    ].join('\n');
    const c = readC(branches);
    const defs = functionDefinitions(c, 'b.c');
    assert.deepEqual(
      defs.map((d) => [d.name, lineOf(c, d.nameStart), lineOf(c, d.open), lineOf(c, d.close)]),
      [
        ['Reset', 4, 6, 14],
        ['__ipoib_create', 15, 15, 15],
      ],
    );
  });

  it("counts nothing of an #if 0's first branch after it (an unbalanced brace there ends no function)", () => {
    const dead = [
      'int Alloc(void)', //                  1
      '{', //                                2
      '#if 0 // old', //                     3
      '    if (x == NULL) {', //             4
      '        return 1;', //                5
      '#elif A', //                          6
      '    {', //                            7
      '#endif', //                           8
      '    y();', //                         9
      '    }', //                           10
      '#if 0', //                           11
      '    if (z) {', //                    12
      '#endif', //                          13
      '    return 0;', //                   14
      '}', //                               15
      'int Next(void) { return 0; }', //    16
    ].join('\n');
    const c = readC(dead);
    assert.deepEqual(
      functionDefinitions(c, 'd.c').map((d) => [d.name, lineOf(c, d.open), lineOf(c, d.close)]),
      [
        ['Alloc', 2, 15],
        ['Next', 16, 16],
      ],
    );
  });

  it('reaches through macros; calls leave out names only mentioned', () => {
    const graph = buildGraph(new Map([['f.c', readC(text)]]));
    assert.ok(reach(graph.calls, ['Halt']).has('Release'));
    assert.ok(!reach(graph.calls, ['Halt']).has('Other'));
    assert.ok(reach(graph.mentions, ['Halt']).has('Other'));
  });
});

describe('reportSite', () => {
  const text = [
    'NDIS_STATUS Init(void)', //                  1
    '{', //                                       2
    '    do {', //                                3
    '        if (a) break;', //                   4
    '        switch (b) { case 1: break; }', //   5
    '    } while (FALSE);', //                    6
    '    Cleanup();', //                          7
    '    return Status;', //                      8
    '}', //                                       9
  ].join('\n');
  const ctx = new OperatorContext(
    parseLabel({ driver: 'd', sites: [], expected: [] }, 'label'),
    textFromMap(new Map([['i.c', text]])),
  );
  const exit = (line: number, kind: string) => ({ file: 'i.c', line, kind, releasedAt: null });

  it('is the exit itself for goto and return, the first return after do-while(FALSE) for break', () => {
    assert.deepEqual(reportSite(ctx, exit(4, 'goto')), { file: 'i.c', line: 4 });
    assert.deepEqual(reportSite(ctx, exit(4, 'break')), { file: 'i.c', line: 8 });
  });

  it('is unknown for a break out of a switch', () => {
    assert.equal(reportSite(ctx, exit(5, 'break')), undefined);
  });
});
