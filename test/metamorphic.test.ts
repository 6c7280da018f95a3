/**
 * Metamorphic fuzzing (fast-check): damage confined to a new function
 * changes nothing else. Each run takes a shared case (or a small driver of
 * our own) and inserts, at a top-level point of one of its C files (between
 * definitions and declarations: outside every function, typedef, struct,
 * initializer and #define), a NEW function that no callback reaches and that
 * holds no registration, its body random damage: garbage tokens, unbalanced
 * brackets and braces, half-written statements, unterminated literals.
 *
 * - Any damage: no finding is invented and none moves to a wrong line (rule,
 *   file, line, lines after the insertion moved down by those inserted).
 * - Damage with its brackets balanced: the findings are exactly those of the
 *   undamaged sources.
 *
 * A failure shrinks to a short damage and prints the whole damaged C file.
 * Fixed seed and number of runs, so CI sees the same inputs every time.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { scan, type SourceFile } from '../src/engine/scan.js';
import type { Finding } from '../src/engine/types.js';
import { repoRoot } from './support/paths.js';
import { sourceFolder } from './support/cfiles.js';

const casesDir = join(repoRoot, '../shared/cases');
const SEED = 20261205;
const RUNS = 150;

/** A small driver of our own: a leak on a failure path, a mapping at the wrong level, a halt that forgets one. */
const OWN_DRIVER = `#include <ndis.h>
typedef struct _AD { PVOID Regs; PVOID Extra; NDIS_PHYSICAL_ADDRESS Pa; } AD, *PAD;
MINIPORT_INITIALIZE OwnInit;
MINIPORT_HALT OwnHalt;
MINIPORT_RESTART OwnRestart;

static NDIS_STATUS OwnSetup(PAD a);

NDIS_STATUS OwnInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PAD a = (PAD)c;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, 0x1000);
    if (s != NDIS_STATUS_SUCCESS)
        return s;
    s = NdisMMapIoSpace(&a->Extra, h, a->Pa, 0x2000);
    if (s != NDIS_STATUS_SUCCESS)
        return s;
    s = OwnSetup(a);
    if (s != NDIS_STATUS_SUCCESS) {
        NdisMUnmapIoSpace(h, a->Regs, 0x1000);
        return s;
    }
    return NDIS_STATUS_SUCCESS;
}

VOID OwnHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PAD a = (PAD)c;
    NdisMUnmapIoSpace(0, a->Regs, 0x1000);
}

NDIS_STATUS OwnRestart(NDIS_HANDLE c, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    PAD a = (PAD)c;
    return NdisMMapIoSpace(&a->Extra, 0, a->Pa, 0x2000);
}

static NDIS_STATUS OwnSetup(PAD a)
{
    return a->Regs ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}
`;

interface Corpus {
  name: string;
  files: SourceFile[];
}

function readCase(name: string): Corpus {
  return { name, files: sourceFolder(join(casesDir, name)) };
}

const corpora: Corpus[] = [
  { name: 'own-driver', files: [{ path: 'own.c', bytes: Buffer.from(OWN_DRIVER) }] },
  ...[
    'p02-goto-wrong-label',
    'c03-restart-violation',
    'c04-shared-helper-violation',
    'p06-halt-missing-unmap',
    'p07-length-mismatch',
    'p09-helper-acquires-leak',
    'q06-project-debug-macros',
    'r03-crlf-line-endings',
    'r04-ifdef-branches',
  ].map(readCase),
];

/**
 * Line numbers (0-based) before which a top-level definition can go: not in
 * a comment, literal or directive, every bracket closed, and the text before
 * ends a declaration (`;`) or a function body (a `}` whose `{` followed `)`).
 */
export function topLevelSlots(text: string): number[] {
  const slots: number[] = [];
  let depth = 0;
  let last = ';'; // the last significant character outside comments and directives
  let bodyOpen = false; // the depth-0 `{` open now followed `)`
  let lastClosedBody = false;
  let i = 0;
  let lineStart = true;
  let line = 0;
  const n = text.length;
  while (i < n) {
    if (lineStart) {
      if (depth === 0 && (last === ';' || (last === '}' && lastClosedBody))) slots.push(line);
      lineStart = false;
      // A directive, with its continuations.
      let j = i;
      while (j < n && (text[j] === ' ' || text[j] === '\t')) j++;
      if (text[j] === '#') {
        while (j < n && text[j] !== '\n') {
          if (text[j] === '\\' && (text[j + 1] === '\n' || (text[j + 1] === '\r' && text[j + 2] === '\n'))) {
            j = text.indexOf('\n', j) + 1;
            line++;
            continue;
          }
          j++;
        }
        i = j;
        continue;
      }
    }
    const c = text[i];
    if (c === '\n') {
      line++;
      lineStart = true;
      i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (text[k] === '\n') line++;
      // A comment that ends mid-line leaves the rest of that line; a slot needs a fresh line.
      i = stop;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      i++;
      while (i < n && text[i] !== c && text[i] !== '\n') i += text[i] === '\\' ? 2 : 1;
      i++;
      last = c;
    } else if (c === '{' || c === '(' || c === '[') {
      if (c === '{' && depth === 0) bodyOpen = last === ')';
      depth++;
      last = c;
      i++;
    } else if (c === '}' || c === ')' || c === ']') {
      depth = Math.max(0, depth - 1);
      if (c === '}' && depth === 0) lastClosedBody = bodyOpen;
      last = c;
      i++;
    } else {
      if (!/\s/.test(c)) last = c;
      i++;
    }
  }
  if (lineStart && depth === 0 && (last === ';' || (last === '}' && lastClosedBody))) slots.push(line);
  return slots;
}

/** Pieces of damage. None starts a directive, a comment or a line continuation, so none can leave the function's text. */
const GARBAGE = fc.constantFrom(
  'zq',
  '42',
  '0x',
  '@',
  '$',
  '`',
  '+',
  '*',
  '->',
  '.',
  '::',
  '?',
  ':',
  '=',
  ',',
  '~',
  'int',
  'struct',
  'else',
);
const BRACE = fc.constantFrom('{', '}', '(', ')', '[', ']');
const HALF = fc.constantFrom(
  'if (zq',
  'zq = ',
  'return',
  'for (;;',
  'while (',
  'do {',
  'switch (zq) { case',
  'goto',
  'zq(1, ',
  'PVOID zq =',
  'struct { int',
  'zq: ',
  'else {',
  '"unterminated',
  "'x",
);
/**
 * The function's body, braces balanced within it: a `}` never closes more
 * than the body opened and every `{` is closed before the function's own `}`,
 * so the damage stays in the function as C reads it. Parentheses, brackets
 * and literals are left unbalanced. (Braces that escape the function are the
 * second property below.)
 */
const CLOSER: Record<string, string> = { '{': '}', '(': ')', '[': ']' };
const balanceBrackets = (lines: string[][]): string[][] => {
  const open: string[] = [];
  const out = lines.map((tokens) =>
    tokens.map((t) => {
      let kept = '';
      for (const ch of t) {
        if (ch in CLOSER) open.push(CLOSER[ch]);
        else if (ch === '}' || ch === ')' || ch === ']') {
          // A closer that does not match the innermost opener becomes garbage.
          if (open.at(-1) !== ch) {
            kept += 'zq';
            continue;
          }
          open.pop();
        }
        kept += ch;
      }
      return kept;
    }),
  );
  return open.length > 0 ? [...out, open.reverse()] : out;
};
const BODY = fc.array(fc.array(fc.oneof(GARBAGE, BRACE, HALF), { minLength: 1, maxLength: 6 }), {
  minLength: 1,
  maxLength: 6,
});

const key = (f: Pick<Finding, 'rule' | 'path' | 'line'>) => `${f.path}:${String(f.line)} ${f.rule}`;

async function findings(files: SourceFile[]): Promise<string[]> {
  const r = await scan({ root: 'metamorphic', files, workers: 0 });
  return r.findings.map(key).sort();
}

interface Target {
  corpus: Corpus;
  fileIndex: number;
  slots: number[];
}

let expectedMemo: Map<string, string[]> | undefined;
async function expectedFindings(): Promise<Map<string, string[]>> {
  if (!expectedMemo) {
    expectedMemo = new Map();
    for (const c of corpora) expectedMemo.set(c.name, await findings(c.files));
  }
  return expectedMemo;
}

function targets(): Target[] {
  return corpora.flatMap((c) =>
    c.files
      .map((f, fileIndex) => ({ corpus: c, fileIndex, slots: topLevelSlots(Buffer.from(f.bytes).toString('latin1')) }))
      .filter((t) => t.corpus.files[t.fileIndex].path.endsWith('.c') && t.slots.length > 0),
  );
}

/**
 * Runs `relation` (expected findings, moved for the inserted lines, against
 * the damaged sources' findings) over `runs` damaged inputs; on failure,
 * prints the shrunk damaged file and fails with it.
 */
async function checkDamage(
  damage: fc.Arbitrary<string[][]>,
  relation: (want: string[], got: string[]) => boolean,
  runs: number,
): Promise<void> {
  const expected = await expectedFindings();
  // The property needs findings to keep: most corpora have some.
  assert.ok(corpora.filter((c) => (expected.get(c.name) ?? []).length > 0).length >= 8);
  const all = targets();
  assert.ok(all.length >= 10, `${String(all.length)} files to damage`);
  let count = 0;
  const outcome = await fc.check(
    fc.asyncProperty(
      fc.nat({ max: all.length - 1 }),
      fc.nat(),
      fc.nat({ max: 999 }),
      damage,
      async (targetIndex, slotPick, id, body) => {
        count++;
        const { corpus, fileIndex, slots } = all[targetIndex];
        const file = corpus.files[fileIndex];
        const text = Buffer.from(file.bytes).toString('latin1');
        const crlf = text.includes('\r\n');
        const lines = text.split('\n');
        const at = slots[slotPick % slots.length];
        const inserted = [
          '',
          `static void ndis_review_fuzz_${String(id)}(void)`,
          '{',
          ...body.map((tokens) => `    ${tokens.join(' ')}`),
          '}',
          '',
        ].map((l) => (crlf ? `${l}\r` : l));
        const damaged = [...lines.slice(0, at), ...inserted, ...lines.slice(at)].join('\n');
        const files = corpus.files.map((f, i) =>
          i === fileIndex ? { path: f.path, bytes: Buffer.from(damaged, 'latin1') } : f,
        );
        const want = (expected.get(corpus.name) ?? []).map((k) => {
          const m = /^(.*):(\d+) (.*)$/.exec(k);
          if (!m) return k;
          const line = Number(m[2]);
          return m[1] === file.path && line > at ? `${m[1]}:${String(line + inserted.length)} ${m[3]}` : k;
        });
        const got = await findings(files);
        if (!relation(want.sort(), got)) {
          throw new Error(
            `${corpus.name}/${file.path}: ${String(inserted.length)} lines inserted before line ${String(at + 1)}\n` +
              `expected ${JSON.stringify(want)}\ngot      ${JSON.stringify(got)}\n` +
              `---- the damaged ${file.path} ----\n${damaged}\n---- end ----`,
          );
        }
      },
    ),
    // Shrinking stops after a few seconds: the counterexample is short by then.
    { seed: SEED, numRuns: runs, plugins: [fc.interruptAfterTimeLimit(8000)] },
  );
  if (outcome.failed) {
    // The shrunk counterexample's message holds the whole damaged file: print it, then fail with it.
    const why = outcome.errorInstance instanceof Error ? outcome.errorInstance.message : String(outcome.errorInstance);
    console.log(why);
    assert.fail(
      `counterexample ${JSON.stringify(outcome.counterexample)} (seed ${String(SEED)}, path ${String(outcome.counterexamplePath)})\n${why}`,
    );
  }
  // A machine so loaded that the time limit cut the runs short still has to have run a good part of them.
  assert.ok(count >= (outcome.interrupted ? runs / 3 : runs), `${String(count)} runs`);
}

const sameFindings = (want: string[], got: string[]) => JSON.stringify(got) === JSON.stringify(want);
/** A miss, never a false alarm: every finding of the damaged sources is one of the undamaged, at its moved line. */
const noFindingInvented = (want: string[], got: string[]) => got.every((k) => want.includes(k));

test('damage in a new, unreached function invents no finding and moves none to a wrong line', () =>
  checkDamage(BODY, noFindingInvented, RUNS));

test('damage with its brackets balanced, in a new unreached function, changes no finding at all', () =>
  checkDamage(BODY.map(balanceBrackets), sameFindings, RUNS));

/**
 * Counterexamples the properties found with more runs (1,500) than CI
 * gives them: the engine lost every finding of the file, silently (the
 * report was complete and said no initialize callback was found). Fixed in
 * the parse stage (stray statements at file scope join the damaged region;
 * a file whose whole parse failed is read in pieces); kept as regressions.
 */
const KNOWN_GAPS: { name: string; at: number; body: string[] }[] = [
  // A surplus `}` ends the new function early; the rest is damage at file level.
  { name: 'a surplus } then a stray return at file level', at: 7, body: ['}', 'return ]'] },
  // Brackets balanced, all inside the function.
  {
    name: 'a half-written switch, brackets balanced',
    at: 0,
    body: ['switch (zq) { case goto zq =', '[ , goto :', '] }'],
  },
];

for (const gap of KNOWN_GAPS) {
  test(`once lost the whole file: ${gap.name}`, async () => {
    const own = corpora[0];
    const lines = Buffer.from(own.files[0].bytes).toString('latin1').split('\n');
    const inserted = ['', 'static void ndis_review_fuzz_0(void)', '{', ...gap.body.map((l) => `    ${l}`), '}', ''];
    const damaged = [...lines.slice(0, gap.at), ...inserted, ...lines.slice(gap.at)].join('\n');
    const want = ((await expectedFindings()).get(own.name) ?? []).map((k) => {
      const m = /^(.*):(\d+) (.*)$/.exec(k);
      return m && Number(m[2]) > gap.at ? `${m[1]}:${String(Number(m[2]) + inserted.length)} ${m[3]}` : k;
    });
    const got = await findings([{ path: 'own.c', bytes: Buffer.from(damaged, 'latin1') }]);
    assert.deepEqual(got, want.sort(), damaged);
  });
}

test('the top-level slots avoid functions, typedefs, initializers, comments and #defines', () => {
  const text = [
    '#define A(x) \\', //  0
    '    x', //           1
    'typedef struct _S {', // 2
    '    int a;', //      3
    '} S,', //           4
    '  *PS;', //         5
    'int f(void)', //     6
    '{', //               7
    '    return 0;', //   8
    '}', //               9
    'int t[] = {', //     10
    '    1,', //          11
    '};', //             12
    '/* a', //            13
    '   b */', //        14
    '_Use_decl_annotations_', // 15
    'int', //             16
    'g(void) { return 1; }', // 17
    '', //                18
  ].join('\n');
  assert.deepEqual(topLevelSlots(text), [0, 2, 6, 10, 13, 15, 18]);
});
