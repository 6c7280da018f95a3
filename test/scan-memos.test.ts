/**
 * What a cache keeps between scans of one repository besides facts and walks: the repository's macro
 * table (macrotable.ts `MacroTables`), each file's macro bodies (filefacts.ts), the API calls found in
 * bodies (sites.ts `SiteMemo`). Each is found again only where what it read is the same, and a scan
 * that finds them reports what a fresh scan does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FactCache } from '../src/engine/cache.js';
import { lexBytes, macroBodiesOf } from '../src/engine/filefacts.js';
import { MacroTables } from '../src/engine/macrotable.js';
import { FnDef } from '../src/engine/program.js';
import { scan, type SourceFile } from '../src/engine/scan.js';
import { functionEnv, siteLooks } from '../src/engine/sites.js';

const lexOf = (text: string) => lexBytes(Buffer.from(text)).lex;

test('the macro table is found again while no definition changes, with what each file read from it', () => {
  const tables = new MacroTables();
  const keep = new Set(['NdisMMapIoSpace']);
  const a = tables.of([lexOf('#define MAP(x) Map(x)\n#define ONE 1\n')], keep);
  const moved = tables.of([lexOf('// moved\n\n#define MAP(x) Map(x)\n#define ONE 1\n')], keep);
  assert.equal(moved, a, 'only the lines changed');
  const idents = new Set(['MAP']);
  assert.equal(moved.forFile(idents), a.forFile(idents));
  assert.deepEqual([...a.forFile(idents).table.keys()], ['MAP']);
  const changed = tables.of([lexOf('#define MAP(x) Map2(x)\n#define ONE 1\n')], keep);
  assert.notEqual(changed, a);
  assert.equal(changed.table.get('MAP')?.body, 'Map2(x)');
  assert.notEqual(tables.of([lexOf('#define MAP(x) Map2(x)\n#define ONE 1\n')], new Set()), changed, 'other seeds');
  // Who mentions what: every definition, by the words of its body.
  assert.deepEqual(changed.mentioning().get('Map2'), ['MAP']);
});

test('a file’s macro bodies are read once for the same definitions, at their lines now', () => {
  const text = '#define SET(a, f) ((a)->Flags |= (f))\n#define GET(a) Read((a)->Regs)\n';
  const first = macroBodiesOf(lexOf(text));
  const again = macroBodiesOf(lexOf(`\n\n${text}`));
  assert.equal(again.length, 2);
  assert.equal(again[0]?.body, first[0]?.body, 'the same reading');
  assert.deepEqual(
    again.map((b) => b?.line),
    first.map((b) => (b ? b.line + 2 : undefined)),
  );
  const other = macroBodiesOf(lexOf(text.replace('Read', 'Peek')));
  assert.notEqual(other[1]?.body, first[1]?.body);
});

test('a body kept from an earlier program is given the frame of its function’s number now', () => {
  const fact = {
    name: 'F',
    isStatic: false,
    p: [1, 1, 1, 2],
    endLine: 1,
    start: 0,
    bodyStart: 0,
    end: 1,
    calls: [],
    refs: [],
    refLines: [],
    indirectCalls: 0,
    returns: [],
    damaged: false,
    variant: 0,
  } satisfies ConstructorParameters<typeof FnDef>[2];
  const detail = { params: [], body: { k: 'blk' as const, b: [] } };
  assert.equal(functionEnv(new FnDef(3, 'a.c', fact, () => detail)).frame, 'F#3');
  assert.equal(functionEnv(new FnDef(5, 'a.c', fact, () => detail)).frame, 'F#5');
});

const INIT = `#include <ndis.h>
MINIPORT_INITIALIZE MPInitializeEx;
NDIS_STATUS MPInitializeEx(NDIS_HANDLE h, NDIS_HANDLE d, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PVOID regs;
    NDIS_STATUS s = NdisMMapIoSpace(&regs, h, Pa(p), 0x100);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (Setup(h) != NDIS_STATUS_SUCCESS) return NDIS_STATUS_FAILURE;
    return NDIS_STATUS_SUCCESS;
}
`;
const HELPER = `#include <ndis.h>
NDIS_STATUS Setup(NDIS_HANDLE h)
{
    NdisMUnmapIoSpace(h, Regs, 0x100);
    return NDIS_STATUS_SUCCESS;
}
`;

test('API calls found in the bodies of files an edit did not touch are not looked for again', async () => {
  const files = (init: string, helper: string): SourceFile[] => [
    { path: 'init.c', bytes: Buffer.from(init) },
    { path: 'helper.c', bytes: Buffer.from(helper) },
  ];
  const cache = new FactCache();
  const before = siteLooks.made;
  await scan({ root: '/x', files: files(INIT, HELPER), cache, workers: 0 });
  const first = siteLooks.made - before;
  assert.ok(first > 0);
  // A comment in helper.c: its body is new (moved), initialize's is the one kept.
  const edited = files(INIT, `/* edited */\n${HELPER}`);
  const mark = siteLooks.made;
  const again = await scan({ root: '/x', files: edited, cache, workers: 0 });
  const looked = siteLooks.made - mark;
  assert.ok(looked > 0 && looked < first, `looked again ${String(looked)} of ${String(first)}`);
  const fresh = await scan({ root: '/x', files: edited, cache: null, workers: 0 });
  assert.deepEqual(again.findings, fresh.findings);
  assert.deepEqual(again.notices, fresh.notices);
  // A function more changes what calls resolve to: every body is looked at again.
  const grown = files(`${INIT}\nVOID Extra(VOID) { }\n`, HELPER);
  const mark2 = siteLooks.made;
  await scan({ root: '/x', files: grown, cache, workers: 0 });
  assert.ok(siteLooks.made - mark2 >= first, 'a new link signature looks again');
});

test('a look stopped at the macro nesting limit says so again when it is found in the memo', async () => {
  // Each macro uses the next twice: 2^16 uses, past the look's budget of steps.
  const chain = Array.from(
    { length: 16 },
    (_, i) => `#define D${String(i)}(x) (D${String(i + 1)}(x), D${String(i + 1)}(x))`,
  ).join('\n');
  const deep = `${chain}\n#define D16(x) NdisMMapIoSpace(x, 0, 0, 4)\n${INIT.replace(
    'NDIS_STATUS s = NdisMMapIoSpace(&regs, h, Pa(p), 0x100);',
    'NDIS_STATUS s = D0(&regs);',
  )}`;
  const cache = new FactCache();
  const files = (helper: string): SourceFile[] => [
    { path: 'init.c', bytes: Buffer.from(deep) },
    { path: 'helper.c', bytes: Buffer.from(helper) },
  ];
  const first = await scan({ root: '/x', files: files(HELPER), cache, workers: 0 });
  const said = (r: typeof first) => r.notices.filter((n) => n.message.includes('looked for only partly'));
  assert.equal(said(first).length, 1);
  const again = await scan({ root: '/x', files: files(`// edited\n${HELPER}`), cache, workers: 0 });
  assert.deepEqual(said(again), said(first));
});
