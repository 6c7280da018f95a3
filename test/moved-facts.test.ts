/**
 * A file's facts taken from its earlier version when an edit kept every token (`movedfacts.ts`):
 * they equal a fresh parse's, positions included; an edit that changes a token, the layout the
 * parse reads (a `}` that starts its line) or a file whose parse recovered from an error is parsed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fixtureAndCaseFiles } from './support/cfiles.js';
import type { ParsedFacts } from '../src/engine/ast.js';
import { FactCache } from '../src/engine/cache.js';
import { loadFunctionDetail, parseBytes, readingOf, type ParsedEntry } from '../src/engine/filefacts.js';
import { factsFromEarlier } from '../src/engine/movedfacts.js';
import { tokenDigestOf } from '../src/engine/factdigest.js';
import { scan, type SourceFile } from '../src/engine/scan.js';
import { tokenize } from '../src/engine/lexer.js';
import { defined } from '../src/util/defined.js';

const SOURCE = `#include <ndis.h>
typedef struct _NIC { PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; ULONG Count; } NIC, *PNIC;
static unsigned   long Table[4];
_Function_class_(MINIPORT_HALT)
VOID NicHalt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action);

NDIS_STATUS NicInit(NDIS_HANDLE h, NDIS_HANDLE d, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC nic = (PNIC) Alloc(h);
    NDIS_STATUS status = NdisMMapIoSpace(&nic->Regs, h, nic->Pa, 0x100);
    if (status != NDIS_STATUS_SUCCESS) {
        return status;
    }
    nic->Halt = NicHalt;
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
    PNIC nic = (PNIC)ctx;
    NdisMUnmapIoSpace(h, nic->Regs, 0x100);
}
`;

const strip = ({ details: _d, macroBodies: _m, ...rest }: ParsedEntry): ParsedFacts => rest;

function moved(before: string, after: string): ParsedEntry | undefined {
  const oldBytes = Buffer.from(before, 'latin1');
  return factsFromEarlier(
    { bytes: oldBytes, parsed: parseBytes(oldBytes) },
    Buffer.from(after, 'latin1'),
    '',
    readingOf,
  ).facts;
}

test('an edit that keeps every token gives the earlier facts, moved to where the tokens are now', () => {
  const edits = [
    `/* a comment */\n\n${SOURCE}`,
    SOURCE.replace('    if (status', '    // test it\n    if (status'),
    SOURCE.replace(/\n {4}/g, '\n\t'),
    SOURCE.replace('h, nic->Pa, 0x100)', 'h,   nic->Pa, /* bytes */ 0x100)'),
    SOURCE.replace(';\n', ';   \n'),
  ];
  for (const edited of edits) {
    const got = moved(SOURCE, edited);
    assert.ok(got, `moved: ${edited.slice(0, 40)}`);
    assert.deepEqual(strip(got), strip(parseBytes(Buffer.from(edited))));
  }
  // The positions did move: two lines above put every function two lines lower.
  const lower = moved(SOURCE, `\n\n${SOURCE}`);
  const fresh = parseBytes(Buffer.from(SOURCE));
  assert.deepEqual(
    lower?.functions.map((f) => f.p[0]),
    fresh.functions.map((f) => f.p[0] + 2),
  );
});

test('an edit that changes a token, or the layout the parse reads, is parsed', () => {
  // A token more.
  assert.equal(moved(SOURCE, SOURCE.replace('return status;', 'return status;;')), undefined);
  // A `}` moved to the start of its line (where the file's parse finds a body's end).
  assert.equal(moved(SOURCE, SOURCE.replace('    }\n    nic->Halt', '}\n    nic->Halt')), undefined);
  // A sign moved off its number: `-1` is one literal to tree-sitter, `- 1` a minus.
  assert.equal(moved(SOURCE, SOURCE.replace('return status;', 'return -1;')), undefined, 'a token changed');
  const signed = SOURCE.replace('return status;', 'return -1;');
  assert.equal(moved(signed, signed.replace('-1', '- 1')), undefined);
  assert.ok(moved(signed, `\n${signed}`));
  // A line split between two tokens that line-only facts stand for (a declaration's line).
  assert.equal(moved(SOURCE, SOURCE.replace('static unsigned   long', 'static\nunsigned long')), undefined);
});

test('an assignment the body scan places by its line alone is not moved when its line splits', () => {
  // Written at column 1, where a token of the line also starts: read by line or by token, the line
  // must move as one.
  // (Every name on that line is used above it, so no other fact stands for the line.)
  const text = 'VOID NicSet(PNIC a)\n{\n    Use(a, NicHalt);\na->Halt = NicHalt;\n}\n';
  const split = text.replace('a->Halt', 'a->\n   Halt');
  const fresh = parseBytes(Buffer.from(split));
  const got = moved(text, split);
  if (got) assert.deepEqual(strip(got), strip(fresh));
  assert.equal(got, undefined);
  assert.deepEqual(
    strip(defined(moved(text, `\n${text}`))).assigns.map((a) => [a.line, a.col]),
    parseBytes(Buffer.from(`\n${text}`)).assigns.map((a) => [a.line, a.col]),
  );
});

test('a file whose parse recovered from a syntax error is parsed again', () => {
  const broken = `${SOURCE}\nint Broken( { ;\n`;
  const facts = parseBytes(Buffer.from(broken));
  assert.equal(facts.recovered, true);
  assert.equal(moved(broken, `\n${broken}`), undefined);
});

test('a file with storage macros in front of its declarations reads cleanly, so its facts move', () => {
  // The DDK's ISDN samples: before the storage macros were read as noise, such a file recovered
  // (and was parsed whole on every edit of it).
  const noisy = `#define DBG_STATIC
DBG_STATIC ULONG g_Counter = 0;
DBG_STATIC void Destroy(PNIC nic);
${SOURCE}`;
  const facts = parseBytes(Buffer.from(noisy));
  assert.equal(facts.recovered, undefined);
  const edited = noisy.replace('    if (status', '    // test it\n    if (status');
  const got = moved(noisy, edited);
  assert.ok(got, 'moved');
  assert.deepEqual(strip(got), strip(parseBytes(Buffer.from(edited))));
});

test('comments and spacing inside what the facts spell do not change them', () => {
  // An else branch after a comment, a returned value after one, a cast type with one inside.
  const text = `int F(int a)
{
    if (a) a = 1;
    else // none
    { a = G(a); }
    return /* the value */ (PVOID /* cast */) a;
}
`;
  const bytes = Buffer.from(text);
  const entry = parseBytes(bytes);
  const body = loadFunctionDetail(bytes, entry, entry.functions[0]).body;
  const json = JSON.stringify(body);
  assert.match(json, /"n":"G"/, 'the else branch is read');
  assert.match(
    json,
    /"k":"ret","e":\{"t":"cast","ty":"PVOID"/,
    'the returned cast is read, its type without the comment',
  );
  const decl = parseBytes(Buffer.from('static unsigned /* u */\n   long Table[4];\n')).decls[0];
  assert.equal(decl.ty, 'unsigned long');
  const wide = parseBytes(Buffer.from('static DECLSPEC(x,\n   y) Z;\n')).decls[0];
  assert.doesNotMatch(wide.ty, /\n| {2}/);
});

test('fuzzed edits of spacing and comments between tokens: each moved file equals a fresh parse', () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  let movedCount = 0;
  let checked = 0;
  for (const file of fixtureAndCaseFiles()) {
    const text = readFileSync(file, 'latin1');
    const toks = tokenize(text);
    if (toks.count === 0) continue;
    for (let k = 0; k < 3; k++) {
      let edited = text;
      const at = [...new Set(Array.from({ length: 6 }, () => toks.start[rnd(toks.count)]))].sort((a, b) => b - a);
      // The third edit also breaks lines: most such edits are parsed (a line split), some move.
      const inserts = k < 2 ? ['/* f */ ', '\t', '  '] : ['/* f */ ', '\n', '  \n   '];
      for (const o of at) edited = edited.slice(0, o) + inserts[rnd(3)] + edited.slice(o);
      const got = moved(text, edited);
      checked++;
      if (!got) continue;
      movedCount++;
      assert.deepEqual(strip(got), strip(parseBytes(Buffer.from(edited, 'latin1'))), file);
    }
  }
  assert.ok(checked > 100, `checked ${String(checked)}`);
  assert.ok(movedCount > checked / 3, `moved ${String(movedCount)} of ${String(checked)}`);
});

test('a scan with a cache moves the edited file and reports what a fresh scan does', async () => {
  const cache = new FactCache();
  const files = (text: string): SourceFile[] => [{ path: 'nic.c', bytes: Buffer.from(text) }];
  await scan({ root: '/x', files: files(SOURCE), cache, workers: 0 });
  for (const edited of [`// top\n${SOURCE}`, `// top\n\n${SOURCE}`]) {
    const again = await scan({ root: '/x', files: files(edited), cache, workers: 0 });
    const fresh = await scan({ root: '/x', files: files(edited), cache: null, workers: 0 });
    assert.equal(again.stats.moved, 1);
    assert.equal(again.stats.parsed, 0);
    assert.deepEqual(again.findings, fresh.findings);
    assert.deepEqual(again.notices, fresh.notices);
  }
  // A token changed: parsed, not moved.
  const changed = await scan({
    root: '/x',
    files: files(SOURCE.replace('0x100);\n}', '0x200);\n}')),
    cache,
    workers: 0,
  });
  assert.equal(changed.stats.moved, undefined);
  assert.equal(changed.stats.parsed, 1);
});

test('a clean file with a body tree-sitter recovered in moves; that body is parsed again, the others move', () => {
  const text = `${SOURCE}
VOID NicOdd(PNIC nic)
{
    DBG_CODE(if (nic) nic->Count = 1);
    nic->Count++;
}
`;
  const oldBytes = Buffer.from(text);
  const old = parseBytes(oldBytes);
  for (const f of old.functions) loadFunctionDetail(oldBytes, old, f);
  assert.equal(Object.values(old.details ?? {}).filter((d) => d.recovered).length, 1);
  const bytes = Buffer.from(`// moved\n${text}`);
  const got = factsFromEarlier({ bytes: oldBytes, parsed: old }, bytes, '', readingOf).facts;
  assert.ok(got, 'the file’s facts move');
  const fresh = parseBytes(Buffer.from(bytes));
  for (const [i, f] of got.functions.entries()) {
    const moved = loadFunctionDetail(bytes, got, f, undefined, { bytes: oldBytes, parsed: old });
    assert.deepEqual(moved, loadFunctionDetail(Buffer.from(bytes), fresh, fresh.functions[i]), f.name);
  }
});

test('moved facts keep the token digests of the facts they were moved from', () => {
  const oldBytes = Buffer.from(SOURCE);
  const old = parseBytes(oldBytes);
  const digests = old.functions.map((f, i) => tokenDigestOf(f, () => `digest ${String(i)}`));
  const got = moved(SOURCE, `\n${SOURCE}`);
  assert.ok(got);
  const again = factsFromEarlier({ bytes: oldBytes, parsed: old }, Buffer.from(`\n${SOURCE}`), '', readingOf).facts;
  assert.deepEqual(
    again?.functions.map((f) =>
      tokenDigestOf(f, () => {
        throw new Error('lexed again');
      }),
    ),
    digests,
  );
});
