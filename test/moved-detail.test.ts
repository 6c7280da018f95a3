/**
 * A body taken from the file's earlier version when an edit left the function's tokens as they were
 * (`moveddetail.ts`): it equals the body a fresh parse of the edited file gives, positions included;
 * a function whose tokens changed is parsed again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FunctionDetail } from '../src/engine/ast.js';
import { loadFunctionDetail, parseBytes, variantText, type ParsedEntry } from '../src/engine/filefacts.js';
import { detailFromEarlier } from '../src/engine/moveddetail.js';

const SOURCE = `#include <ndis.h>
typedef struct _NIC { PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; ULONG Count; } NIC, *PNIC;

NDIS_STATUS NicMap(PNIC nic, NDIS_HANDLE h)
{
    NDIS_STATUS status = NdisMMapIoSpace(&nic->Regs, h, nic->Pa, 0x100);
    if (status != NDIS_STATUS_SUCCESS) {
        return status;
    }
    for (nic->Count = 0; nic->Count < 4; nic->Count++)
        NdisStallExecution(Delay(nic, 10));
    switch (nic->Count) { case 1: break; default: return Check(nic) ? 1 : 0; }
    return NDIS_STATUS_SUCCESS;
}

VOID NicCount(PNIC nic)
{
    nic->Count++;
}
`;

/** Every function's body read into the entry, as the rules would have read them. */
function readAll(bytes: Uint8Array): ParsedEntry {
  const entry = parseBytes(bytes);
  for (const f of entry.functions) loadFunctionDetail(bytes, entry, f);
  return entry;
}

/** The bodies of the edited text: taken from the earlier version where they can be, and a fresh parse's. */
function bodies(edited: string) {
  const oldBytes = Buffer.from(SOURCE);
  const earlier = { bytes: oldBytes, parsed: readAll(oldBytes) };
  const bytes = Buffer.from(edited);
  const entry = parseBytes(bytes);
  const fresh = readAll(Buffer.from(edited));
  const out: { name: string; moved: FunctionDetail | undefined; loaded: FunctionDetail; fresh: FunctionDetail }[] = [];
  for (const [i, f] of entry.functions.entries()) {
    const text = variantText(bytes, f.variant) ?? '';
    const moved = detailFromEarlier(
      { ...earlier.parsed, bytes: oldBytes, variant: (v) => variantText(oldBytes, v) },
      bytes,
      text,
      f,
      entry.macroDigest,
    );
    const loaded = loadFunctionDetail(bytes, entry, f, undefined, earlier);
    out.push({ name: f.name, moved, loaded, fresh: loadFunctionDetail(bytes, fresh, fresh.functions[i]) });
  }
  return out;
}

test('an edit that only moves a function gives it the earlier body, moved to where its tokens are now', () => {
  const edits = [
    `/* a comment */\n\n${SOURCE}`,
    SOURCE.replace('    if (status', '    /* test it */\n    if (status'),
    SOURCE.replace(/\n {4}/g, '\n\t'),
    SOURCE.replace('h, nic->Pa, 0x100)', 'h,\n        nic->Pa,   0x100 /* bytes */)'),
  ];
  for (const edited of edits) {
    const got = bodies(edited);
    assert.equal(got.length, 2);
    for (const b of got) {
      assert.ok(b.moved, `${b.name}: taken from the earlier version`);
      assert.deepEqual(b.moved, b.fresh, `${b.name}: as a fresh parse reads it`);
      assert.deepEqual(b.loaded, b.fresh, `${b.name}: loaded`);
    }
  }
  // The positions did move: the first statement of NicMap is a line lower after a line above it.
  const [first] = bodies(`\n${SOURCE}`);
  const stmt = first.fresh.body.k === 'blk' ? first.fresh.body.b[0] : undefined;
  assert.equal(stmt && 'p' in stmt ? stmt.p[0] : 0, 7);
});

test('a function whose tokens changed is parsed again; the others still move', () => {
  const got = bodies(SOURCE.replace('nic->Count++;', 'nic->Count += 2;'));
  const count = got.find((b) => b.name === 'NicCount');
  const map = got.find((b) => b.name === 'NicMap');
  assert.equal(count?.moved, undefined, 'NicCount changed: not taken from before');
  assert.deepEqual(count?.loaded, count?.fresh);
  assert.ok(map?.moved, 'NicMap is as it was');
  assert.deepEqual(map.moved, map.fresh);
});

test('a body the earlier version never read, or read with other macros, is not taken', () => {
  const oldBytes = Buffer.from(SOURCE);
  const unread = parseBytes(oldBytes);
  const bytes = Buffer.from(`\n${SOURCE}`);
  const entry = parseBytes(bytes);
  const f = entry.functions[0];
  const text = variantText(bytes, f.variant) ?? '';
  const earlier = { ...unread, bytes: oldBytes, variant: (v: number) => variantText(oldBytes, v) };
  assert.equal(detailFromEarlier(earlier, bytes, text, f, entry.macroDigest), undefined, 'never read');
  const read = readAll(oldBytes);
  const withRead = { ...read, bytes: oldBytes, variant: (v: number) => variantText(oldBytes, v) };
  assert.ok(detailFromEarlier(withRead, bytes, text, f, entry.macroDigest));
  assert.equal(detailFromEarlier(withRead, bytes, text, f, 'other macros'), undefined, 'other macros');
});

test('a __leave label, named by where its __try starts, moves with it', () => {
  const seh = `VOID NicTry(PNIC nic)
{
    __try {
        if (!nic) __leave;
        nic->Count++;
    } __finally {
        nic->Count--;
    }
}
`;
  const oldBytes = Buffer.from(seh);
  const earlier = { bytes: oldBytes, parsed: readAll(oldBytes) };
  const bytes = Buffer.from(`// above\n\n${seh.replace('    __try', '  __try')}`);
  const entry = parseBytes(bytes);
  const loaded = loadFunctionDetail(bytes, entry, entry.functions[0], undefined, earlier);
  const fresh = readAll(Buffer.from(bytes)).details;
  assert.deepEqual(loaded, Object.values(fresh ?? {})[0]);
  assert.match(JSON.stringify(loaded), /__leave@5:3/);
});

test('a body tree-sitter recovered from an error in is never taken: its reading can turn on spacing', () => {
  const text = `VOID NicOdd(PNIC nic)
{
    ASSERT(nic)
    nic->Count++;
}
`;
  const oldBytes = Buffer.from(text);
  const earlier = readAll(oldBytes);
  const [detail] = Object.values(earlier.details ?? {});
  assert.equal(detail.recovered, true);
  const bytes = Buffer.from(`\n${text}`);
  const entry = parseBytes(bytes);
  const f = entry.functions[0];
  const withRead = { ...earlier, bytes: oldBytes, variant: (v: number) => variantText(oldBytes, v) };
  assert.equal(detailFromEarlier(withRead, bytes, variantText(bytes, 0) ?? '', f, entry.macroDigest), undefined);
});

test('a sign moved off its number is not the same tokens: tree-sitter reads `-1` as one literal', () => {
  const text = `int NicSign(PNIC nic)
{
    if (!nic) return -1;
    return 0;
}
`;
  const oldBytes = Buffer.from(text);
  const earlier = readAll(oldBytes);
  const withRead = { ...earlier, bytes: oldBytes, variant: (v: number) => variantText(oldBytes, v) };
  const spaced = Buffer.from(text.replace('-1', '- 1'));
  const entry = parseBytes(spaced);
  const f = entry.functions[0];
  assert.equal(detailFromEarlier(withRead, spaced, variantText(spaced, 0) ?? '', f, entry.macroDigest), undefined);
  const moved = Buffer.from(`\n${text}`);
  const entry2 = parseBytes(moved);
  assert.ok(detailFromEarlier(withRead, moved, variantText(moved, 0) ?? '', entry2.functions[0], entry2.macroDigest));
});
