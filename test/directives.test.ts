import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { directivesIn, findDirectives, type Directive } from '../src/engine/directives.js';

const brief = (d: Directive) => ({
  kind: d.kind,
  line: d.line,
  column: d.column,
  target: d.target,
  rules: d.rules,
  reason: d.reason,
});

describe('findDirectives', () => {
  it('reads both forms in line comments, with rules and a reason', () => {
    const text = [
      'int a;',
      '    // ndis-review-disable-next-line ndis/unmap-length -- firmware shrinks the BAR',
      '    Unmap(); // ndis-review-disable-line ndis/mmap-context, ndis/unmap-in-halt -- only from init',
    ].join('\n');
    assert.deepEqual(findDirectives('a.c', text).map(brief), [
      {
        kind: 'disable-next-line',
        line: 2,
        column: 5,
        target: 3,
        rules: ['ndis/unmap-length'],
        reason: 'firmware shrinks the BAR',
      },
      {
        kind: 'disable-line',
        line: 3,
        column: 14,
        target: 3,
        rules: ['ndis/mmap-context', 'ndis/unmap-in-halt'],
        reason: 'only from init',
      },
    ]);
  });

  it('reads block comments, over several lines too: next-line means the line after the comment ends', () => {
    const text = [
      '/* ndis-review-disable-line ndis/x */ f();',
      '/*',
      ' * ndis-review-disable-next-line ndis/y,',
      ' *   ndis/z -- why',
      ' */',
      'g();',
    ].join('\n');
    assert.deepEqual(findDirectives('a.c', text).map(brief), [
      { kind: 'disable-line', line: 1, column: 1, target: 1, rules: ['ndis/x'], reason: '' },
      { kind: 'disable-next-line', line: 2, column: 1, target: 6, rules: ['ndis/y', 'ndis/z'], reason: 'why' },
    ]);
  });

  it('ignores directives inside string and character literals, and comments that only mention one', () => {
    const text = [
      'char *s = "// ndis-review-disable-line ndis/x";',
      "char c = '\\''; // a note: see ndis-review-disable-line in the docs",
      'char *t = "a \\" // ndis-review-disable-line ndis/y";',
    ].join('\n');
    assert.deepEqual(findDirectives('a.c', text), []);
  });

  it('marks a comment that starts like a directive but is not one as invalid', () => {
    const [d] = findDirectives('a.c', '// ndis-review-disable-nextline ndis/x\n');
    assert.equal(d.kind, 'invalid');
    assert.equal(d.text, 'ndis-review-disable-nextline ndis/x');
  });

  it('keeps a directive that names no rule, with no rules, for the review layer to report', () => {
    const [d] = findDirectives('a.c', 'f(); // ndis-review-disable-line -- just because\n');
    assert.deepEqual(brief(d), {
      kind: 'disable-line',
      line: 1,
      column: 6,
      target: 1,
      rules: [],
      reason: 'just because',
    });
  });

  it('counts CRLF line ends as one and spliced // comments as the lines they cover', () => {
    const crlf = findDirectives('a.c', 'a;\r\n// ndis-review-disable-next-line ndis/x -- r\r\nb;\r\n');
    assert.deepEqual(crlf.map(brief), [
      { kind: 'disable-next-line', line: 2, column: 1, target: 3, rules: ['ndis/x'], reason: 'r' },
    ]);
    assert.equal(
      crlf[0].endColumn,
      '// ndis-review-disable-next-line ndis/x -- r'.length + 1,
      'the \\r is not in the comment',
    );
    const spliced = findDirectives('a.c', '// ndis-review-disable-next-line ndis/x \\\n   ndis/y\nb;\n// after\n');
    assert.deepEqual(spliced.map(brief)[0], {
      kind: 'disable-next-line',
      line: 1,
      column: 1,
      target: 3,
      rules: ['ndis/x', 'ndis/y'],
      reason: '',
    });
  });
});

describe('directivesIn', () => {
  it('finds nothing, cheaply, in bytes without the marker', () => {
    assert.deepEqual(directivesIn('a.c', Buffer.from('int main(void) { return 0; }\n')), []);
  });

  it('decodes Latin-1 and UTF-16 files as the engine does', () => {
    const latin1 = Buffer.from('/* \xe9 */ // ndis-review-disable-line ndis/x -- caf\xe9\n', 'latin1');
    assert.equal(directivesIn('a.c', latin1)[0].reason, 'café');
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('// ndis-review-disable-line ndis/x\n', 'utf16le'),
    ]);
    assert.deepEqual(directivesIn('a.c', utf16)[0].rules, ['ndis/x']);
  });
});
