/**
 * An expanded region's tokens (`tokensOfRegion`, lexer.ts): a function read
 * from a region the parse expanded takes its calls from the region's tokens,
 * lexed from a point before the region instead of lexing the whole file again
 * for each region. They must be the tokens a whole lexing of the expanded text
 * gives there: checked on every fixture and shared case, with regions that
 * begin anywhere (between tokens, inside a comment, a string or a directive,
 * right after a word) and replacement texts that open comments and strings.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { tokenize, tokensOfRegion, type Tokens } from '../src/engine/lexer.js';
import { regionRange } from '../src/engine/parse.js';
import { decodeSource, lineOf, lineStarts } from '../src/engine/text.js';
import { fixtureAndCaseFiles } from './support/cfiles.js';

/** The tokens that begin in [from, to), as text, one per line: `kind start end`. */
function listedIn(t: Tokens, from: number, to: number): string {
  const out: string[] = [];
  for (let i = 0; i < t.count; i++)
    if (t.start[i] >= from && t.start[i] < to)
      out.push(`${String(t.kind[i])} ${String(t.start[i])} ${String(t.end[i])}`);
  return out.join('\n');
}

function check(base: string, at: number, replacement: string, rest: string): void {
  const text = base.slice(0, at) + replacement + rest;
  const to = at + replacement.length;
  const expected = listedIn(tokenize(text), at, to);
  assert.equal(listedIn(tokensOfRegion(base, tokenize(base), text, at, to), at, to), expected, `at ${String(at)}`);
}

const texts = fixtureAndCaseFiles().map((f) => decodeSource(readFileSync(f)).text);

test('a region of every fixture and case, replaced by the text of another: the whole lexing’s tokens', () => {
  assert.ok(texts.length >= 40, `C files: ${String(texts.length)}`);
  fc.assert(
    fc.property(
      fc.nat(),
      fc.nat(),
      fc.nat(),
      fc.nat({ max: 400 }),
      fc.constantFrom('', '\n', ' ', 'x', '/*', '"', '#', '\\\n'),
      (fi, ri, at0, len, lead) => {
        const base = texts[fi % texts.length];
        const other = texts[ri % texts.length];
        const at = at0 % (base.length + 1);
        const from = Math.min(at0 % (other.length + 1), other.length);
        check(base, at, lead + other.slice(from, from + len), base.slice(at + 7));
      },
    ),
    { numRuns: 2000, seed: 25 },
  );
});

test('regions that begin right after a word, a punctuator or inside a comment read as the whole lexing', () => {
  const base = 'int a; /* open comment\n */ x->y = b<<=2; "str" abc\n#define X 1\nvoid f(void) { g(); }\n';
  for (let at = 0; at <= base.length; at++)
    for (const r of ['def', '=', '> 3;', '*/ h();', '"q"', '\n#if 1\n', ' k(1);']) check(base, at, r, base.slice(at));
});

test('an expanded region’s range: the points a pass over the whole spliced text gives', () => {
  const point = (starts: number[], o: number) => {
    const line = lineOf(starts, o);
    return { row: line - 1, column: o - starts[line - 1] };
  };
  fc.assert(
    fc.property(fc.nat(), fc.nat(), fc.nat({ max: 300 }), fc.nat(), fc.nat({ max: 200 }), (fi, at0, len, ri, cut) => {
      const base = texts[fi % texts.length];
      const at = at0 % (base.length + 1);
      const to = Math.min(base.length, at + cut);
      const other = texts[ri % texts.length];
      const replacement = other.slice(ri % (other.length + 1), (ri % (other.length + 1)) + len);
      const spliced = base.slice(0, at) + replacement + base.slice(to);
      const starts = lineStarts(spliced);
      const r = regionRange(lineStarts(base), { variant: 0, from: at, to, text: replacement, segs: [], uses: 1 });
      assert.deepEqual(r, {
        startIndex: at,
        endIndex: at + replacement.length,
        startPosition: point(starts, at),
        endPosition: point(starts, at + replacement.length),
      });
    }),
    { numRuns: 1000, seed: 25 },
  );
});
