/** The C tokenizer: identifiers, numbers, strings, comments, directives, continuations. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tok, tokenize } from '../src/engine/lexer.js';
import { defined } from '../src/util/defined.js';

interface T {
  kind: Tok;
  text: string;
  start: number;
}

function tokens(text: string): T[] {
  const t = tokenize(text);
  const out: T[] = [];
  for (let i = 0; i < t.count; i++)
    out.push({ kind: t.kind[i], text: text.slice(t.start[i], t.end[i]), start: t.start[i] });
  return out;
}
const texts = (text: string, kind?: Tok) =>
  tokens(text)
    .filter((t) => kind === undefined || t.kind === kind)
    .map((t) => t.text);
const idents = (text: string) => texts(text, Tok.Ident);

test('identifiers: letters, digits and underscores, not starting with a digit', () => {
  assert.deepEqual(idents('int _Foo_1 = bar2 + 3x;'), ['int', '_Foo_1', 'bar2']);
});

test('token offsets slice back to the token text', () => {
  const text = 'VOID  MpHalt(\tNDIS_HANDLE c)';
  for (const t of tokens(text)) assert.equal(text.slice(t.start, t.start + t.text.length), t.text);
  assert.equal(defined(tokens(text).find((t) => t.text === 'MpHalt')).start, 6);
});

test('numbers: hex, suffixes, floats with exponents are one token each', () => {
  assert.deepEqual(texts('0x1F 10UL 1.5e+3 .5 0755 1ULL 0x10i64', Tok.Number), [
    '0x1F',
    '10UL',
    '1.5e+3',
    '.5',
    '0755',
    '1ULL',
    '0x10i64',
  ]);
  assert.deepEqual(idents('0x1F 10UL 1.5e+3'), [], 'suffixes are not identifiers');
});

test('a minus sign is not part of a number', () => {
  assert.deepEqual(texts('a-1'), ['a', '-', '1']);
});

test('punctuators: multi-character operators are one token', () => {
  assert.deepEqual(texts('a->b <<= c && d ... e != f', Tok.Punct), ['->', '<<=', '&&', '...', '!=']);
});

test('string and character literals are one token and yield no identifiers', () => {
  const text = 'f("hidden \\" still_hidden", \'x\');';
  assert.deepEqual(texts(text, Tok.String), ['"hidden \\" still_hidden"', "'x'"]);
  assert.deepEqual(idents(text), ['f']);
});

test('L, u8, u and U prefixes belong to the string', () => {
  const text = 'x = L"wide" u8"narrow" u\'c\' U"e";';
  assert.deepEqual(texts(text, Tok.String), ['L"wide"', 'u8"narrow"', "u'c'", 'U"e"']);
  assert.deepEqual(idents(text), ['x']);
});

test('other names before a string stay identifiers', () => {
  const text = 'Lx "a" LL"b" u8x "c"';
  assert.deepEqual(idents(text), ['Lx', 'LL', 'u8x']);
  assert.deepEqual(texts(text, Tok.String), ['"a"', '"b"', '"c"']);
});

test('an unterminated string ends at the line end', () => {
  const text = 'a = "open\nint b;';
  assert.deepEqual(texts(text, Tok.String), ['"open']);
  assert.deepEqual(idents(text), ['a', 'int', 'b']);
});

test('comments never yield identifiers', () => {
  const text = '/* block_word */ int /* multi\n line_word */ x; // line_word2\ny;';
  assert.deepEqual(idents(text), ['int', 'x', 'y']);
  assert.equal(
    tokens(text).some((t) => t.text.includes('word')),
    false,
  );
});

test('a line comment ending in a backslash continues on the next line', () => {
  assert.deepEqual(idents('// comment \\\nhidden_too\nshown'), ['shown']);
  assert.deepEqual(idents('// comment \\\r\nhidden_too\r\nshown'), ['shown']);
});

test('a line comment without a backslash ends at the line end', () => {
  assert.deepEqual(idents('// comment\nshown'), ['shown']);
});

test('an unterminated block comment runs to the end of the text', () => {
  assert.deepEqual(idents('int a; /* never closed\nint b;'), ['int', 'a']);
});

test('a directive at a line start is one token', () => {
  const t = tokens('#define X 1\nint y;');
  assert.equal(t[0].kind, Tok.Directive);
  assert.equal(t[0].text, '#define X 1');
  assert.deepEqual(
    t.slice(1).map((x) => x.text),
    ['int', 'y', ';'],
  );
});

test('a directive may be indented and spaced after the #', () => {
  const t = tokens('int a;\n   #  include <ndis.h>\nint b;');
  const d = t.filter((x) => x.kind === Tok.Directive);
  assert.deepEqual(
    d.map((x) => x.text),
    ['#  include <ndis.h>'],
  );
  assert.equal(d[0].start, 10);
});

test('a directive after a comment at the line start is still a directive', () => {
  assert.deepEqual(texts('/* c */ #define X 1\n', Tok.Directive), ['#define X 1']);
});

test('a # that is not first on its line is punctuation, not a directive', () => {
  assert.deepEqual(texts('a # b; x; #define Y 1', Tok.Directive), []);
  assert.deepEqual(idents('a # b; x; #define Y 1'), ['a', 'b', 'x', 'define', 'Y']);
});

test('a # after a multi-line comment that started mid-line is not a directive', () => {
  assert.deepEqual(texts('x; /* a\n */ #define Y 1\n', Tok.Directive), []);
});

test('a directive continues over backslash-newline lines', () => {
  const t = tokens('#define M(a) \\\n  do { f(a); } \\\n  while (0)\nint z;');
  assert.equal(t[0].kind, Tok.Directive);
  assert.equal(t[0].text, '#define M(a) \\\n  do { f(a); } \\\n  while (0)');
  assert.deepEqual(
    t.slice(1).map((x) => x.text),
    ['int', 'z', ';'],
  );
});

test('a directive continues over backslash-CRLF lines', () => {
  const t = tokens('#define M(a) \\\r\n  f(a)\r\nint z;\r\n');
  assert.equal(t[0].kind, Tok.Directive);
  assert.equal(t[0].text.replace(/\r$/, ''), '#define M(a) \\\r\n  f(a)');
  assert.deepEqual(idents('#define M(a) \\\r\n  f(a)\r\nint z;\r\n'), ['int', 'z']);
});

test('a block comment inside a directive carries the directive over its lines', () => {
  const t = tokens('#define X 1 /* a\n b */\nint y;');
  assert.equal(t[0].kind, Tok.Directive);
  assert.equal(t[0].text, '#define X 1 /* a\n b */');
  assert.deepEqual(idents('#define X 1 /* a\n b */\nint y;'), ['int', 'y']);
});

test('a directive without a continuation ends at its line end', () => {
  const t = tokens('#define X 1 \nint y;');
  assert.equal(t[0].text.trimEnd(), '#define X 1');
  assert.equal(t[1].text, 'int');
});

test('CRLF text: directives are recognised on every line', () => {
  const text = '#include <a.h>\r\n#define X 1\r\nint y;\r\n#endif\r\n';
  assert.deepEqual(
    texts(text, Tok.Directive).map((d) => d.trimEnd()),
    ['#include <a.h>', '#define X 1', '#endif'],
  );
  assert.deepEqual(idents(text), ['int', 'y']);
});

test('a directive on the first line of the text is recognised', () => {
  assert.equal(tokens('#pragma once')[0].kind, Tok.Directive);
});

test('Latin-1 letters are not identifier characters', () => {
  assert.deepEqual(idents('caf\u00e9 = 1;'), ['caf']);
});
