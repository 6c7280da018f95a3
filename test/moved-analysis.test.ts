/**
 * Analyses found again after an edit that only moved the code they read (`movedanalysis.ts`):
 * initialize's path analysis, halt's walk and a callback's lock findings are kept under the
 * tokens of the functions they read, so a comment, a blank line or an edit of a function they do
 * not read walks nothing again, with every position moved to where its token is now. Each
 * re-scan reports exactly what a scan without a cache reports; an edit of a read function's
 * tokens walks again.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FactCache } from '../src/engine/cache.js';
import { scan, type SourceFile } from '../src/engine/scan.js';
import type { ScanResult } from '../src/engine/types.js';
import { driverEntry } from './support/ruleTester.js';

const HEADER = `#include <ndis.h>
#define REGS_LEN 0x100
typedef struct _NIC { NDIS_HANDLE H; PVOID Regs; PVOID Regs2; NDIS_PHYSICAL_ADDRESS Pa; NDIS_SPIN_LOCK Lock; ULONG Count; BOOLEAN Busy; } NIC, *PNIC;
`;

/**
 * One file holding initialize (it maps twice, and leaks the first mapping when the second fails),
 * a helper it calls, halt (it releases only the second mapping), a callback that leaves a lock
 * held, and a function none of them reads. `edit` changes the text before it is scanned.
 */
function driver(edit: (text: string) => string = (t) => t): SourceFile[] {
  const main = `#include "nic.h"
MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
MINIPORT_RESET NicReset;

static NDIS_STATUS NicMapSecond(PNIC nic, NDIS_HANDLE h)
{
    return NdisMMapIoSpace(&nic->Regs2, h, nic->Pa, REGS_LEN);
}

NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC nic = (PNIC)c;
    NDIS_STATUS status;
    status = NdisMMapIoSpace(&nic->Regs, h, nic->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    status = NicMapSecond(nic, h);
    if (status != NDIS_STATUS_SUCCESS)
        goto fail;
    return NDIS_STATUS_SUCCESS;
fail:
    return status;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    PNIC nic = (PNIC)c;
    NdisMUnmapIoSpace(nic->H, nic->Regs2, REGS_LEN);
}

NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NdisAcquireSpinLock(&nic->Lock);
    if (nic->Busy)
        return NDIS_STATUS_RESET_IN_PROGRESS;
    NdisReleaseSpinLock(&nic->Lock);
    return NDIS_STATUS_SUCCESS;
}

ULONG NicStats(PNIC nic)
{
    return nic->Count;
}
${driverEntry('NicInitialize', 'NicHalt', { ResetHandlerEx: 'NicReset' })}`;
  return [
    { path: 'nic.h', bytes: Buffer.from(HEADER) },
    { path: 'nic.c', bytes: Buffer.from(edit(main)) },
  ];
}

/** How often each of the cache's memos of moved code answered. */
function counted(cache: FactCache): { analyses: number; drafts: number } {
  const n = { analyses: 0, drafts: 0 };
  const spy = (memo: { get(k: string): unknown }, field: keyof typeof n) => {
    const get = memo.get.bind(memo);
    memo.get = (k: string) => {
      const v = get(k);
      if (v) n[field]++;
      return v;
    };
  };
  spy(cache.movedAnalyses, 'analyses');
  spy(cache.movedDrafts, 'drafts');
  return n;
}

const shape = (r: ScanResult) => ({ findings: r.findings, notices: r.notices, health: r.stats.health });

/** Scans the edited driver with the cache and without: the two agree; returns the cached scan and the memos' answers. */
async function rescan(cache: FactCache, n: { analyses: number; drafts: number }, edit: (t: string) => string) {
  const before = { ...n };
  const files = driver(edit);
  const cached = await scan({ root: 'x', files, cache, workers: 0 });
  const fresh = await scan({ root: 'x', files, cache: null, workers: 0 });
  assert.deepEqual(shape(cached), shape(fresh), 'the re-scan reports what a fresh scan reports');
  return { cached, analyses: n.analyses - before.analyses, drafts: n.drafts - before.drafts };
}

const above = (line: string, insert: string) => (t: string) => t.replace(line, `${insert}\n${line}`);

test('the driver has what the edits move: two unmap findings and a lock finding', async () => {
  const r = await scan({ root: 'x', files: driver(), cache: null, workers: 0 });
  const rules = r.findings.map((f) => `${f.rule}:${String(f.line)}`).sort();
  assert.deepEqual(rules, ['ndis/spinlock-balance:37', 'ndis/unmap-in-halt:15', 'ndis/unmap-on-failure:20']);
  assert.ok((r.stats.walkSteps ?? 0) > 0);
});

test('a comment, a blank line or a comment inside a line walks nothing again, and every position moves', async () => {
  const cache = new FactCache();
  const n = counted(cache);
  const first = await rescan(cache, n, (t) => t);
  assert.ok((first.cached.stats.walkSteps ?? 0) > 0, 'the first scan walks');

  const edits: [string, (t: string) => string][] = [
    [
      'a comment line above the first mapping',
      above('    status = NdisMMapIoSpace(&nic->Regs', '    /* map the registers */'),
    ],
    ['blank lines at the top of the file', (t) => `\n\n${t}`],
    ['a comment inside a line', (t) => t.replace('    status = NicMapSecond', '    /* then */ status = NicMapSecond')],
    ['a line split in two', (t) => t.replace('    if (nic->Busy)\n', '    if (nic->Busy\n        )\n')],
  ];
  for (const [what, edit] of edits) {
    const r = await rescan(cache, n, edit);
    assert.equal(r.cached.stats.walkSteps, 0, `${what}: no path walked again`);
    assert.equal(r.analyses, 1, `${what}: initialize's analysis found under its tokens`);
    assert.equal(r.drafts, 1, `${what}: the callback's lock findings found under its tokens`);
  }
  // The positions did move: the comment line moves every report below it down by one.
  const moved = await rescan(cache, n, edits[0][1]);
  assert.deepEqual(moved.cached.findings.map((f) => `${f.rule}:${String(f.line)}`).sort(), [
    'ndis/spinlock-balance:38',
    'ndis/unmap-in-halt:16',
    'ndis/unmap-on-failure:21',
  ]);
});

test('an edit of a function no walk reads keeps every analysis, moved', async () => {
  const cache = new FactCache();
  const n = counted(cache);
  await rescan(cache, n, (t) => t);
  const r = await rescan(cache, n, (t) =>
    t.replace('    return nic->Count;', '    ULONG c = nic->Count;\n    c += 1;\n    return c;'),
  );
  assert.equal(r.cached.stats.walkSteps, 0);
  assert.equal(r.analyses, 1);
  assert.equal(r.drafts, 1);
});

test('an edit of the tokens a walk reads walks again', async () => {
  const cache = new FactCache();
  const n = counted(cache);
  await rescan(cache, n, (t) => t);
  // A statement added to initialize: its analysis and halt's walk are made again; the lock callback is not.
  const init = await rescan(cache, n, above('    status = NicMapSecond', '    nic->Count = 0;'));
  assert.ok((init.cached.stats.walkSteps ?? 0) > 0, 'initialize walked again');
  assert.equal(init.analyses, 0);
  assert.equal(init.drafts, 1);
  // The helper's status test changes: what it returns is read by initialize's walk.
  const helper = await rescan(cache, n, (t) =>
    t.replace('return NdisMMapIoSpace(&nic->Regs2', 'return  NdisMMapIoSpace ( &nic->Regs2'),
  );
  assert.equal(helper.cached.stats.walkSteps, 0, 'only spacing changed in the helper: nothing walked again');
  const released = await rescan(cache, n, (t) =>
    t.replace(
      '    NdisMUnmapIoSpace(nic->H, nic->Regs2, REGS_LEN);',
      '    NdisMUnmapIoSpace(nic->H, nic->Regs2, REGS_LEN);\n    NdisMUnmapIoSpace(nic->H, nic->Regs, REGS_LEN);',
    ),
  );
  assert.ok((released.cached.stats.walkSteps ?? 0) > 0, 'halt walked again');
  assert.deepEqual(
    released.cached.findings.map((f) => f.rule).sort(),
    ['ndis/spinlock-balance', 'ndis/unmap-on-failure'],
    'halt now releases both',
  );
});

test('a function read from a macro expansion is kept under the tokens of the region it was expanded from', async () => {
  // `DBG_FUNC("...")` with no `;` after it (isdnwan's style) does not read as written; a declaration
  // with no `;` at file scope keeps the file from being read with its bodies left out, so the region
  // is read with its macros expanded, and initialize's definition with it.
  const header = `${HEADER}#define DBG_FUNC(name) static const char __FUNC__[] = name;\n`;
  const files = (pad: string): SourceFile[] => [
    { path: 'nic.h', bytes: Buffer.from(header) },
    {
      path: 'nic.c',
      bytes: Buffer.from(`#include "nic.h"
MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
static ULONG NicLoads = 1
${pad}NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    DBG_FUNC("NicInitialize")
    PNIC nic = (PNIC)c;
    NDIS_STATUS status = NdisMMapIoSpace(&nic->Regs, h, nic->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    status = NdisMMapIoSpace(&nic->Regs2, h, nic->Pa, REGS_LEN);
    if (status != NDIS_STATUS_SUCCESS)
        return status;
    return NDIS_STATUS_SUCCESS;
}

VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a)
{
    PNIC nic = (PNIC)c;
    NdisMUnmapIoSpace(nic->H, nic->Regs, REGS_LEN);
    NdisMUnmapIoSpace(nic->H, nic->Regs2, REGS_LEN);
}
${driverEntry('NicInitialize', 'NicHalt')}`),
    },
  ];
  const fresh0 = await scan({ root: 'x', files: files(''), cache: null, workers: 0 });
  assert.deepEqual(
    fresh0.findings.map((f) => `${f.rule}:${String(f.line)}`),
    ['ndis/unmap-on-failure:14'],
    'the expanded initialize is analysed',
  );
  const cache = new FactCache();
  const n = counted(cache);
  await scan({ root: 'x', files: files(''), cache, workers: 0 });
  const cached = await scan({ root: 'x', files: files('/* initialize */\n'), cache, workers: 0 });
  const fresh = await scan({ root: 'x', files: files('/* initialize */\n'), cache: null, workers: 0 });
  assert.deepEqual(shape(cached), shape(fresh));
  assert.equal(cached.findings[0]?.line, 15);
  assert.equal(n.analyses, 1, 'found under the region tokens');
  assert.equal(cached.stats.walkSteps, 0);
});

test('a cache that does not remember walks (the CLI, one scan per process) walks again, and says the same', async () => {
  const cache = new FactCache({ walks: false });
  assert.equal(cache.remembersWalks, false);
  assert.equal(new FactCache().remembersWalks, true);
  const n = counted(cache);
  await rescan(cache, n, (t) => t);
  const r = await rescan(cache, n, (t) => `\n${t}`);
  assert.ok((r.cached.stats.walkSteps ?? 0) > 0);
  assert.deepEqual({ analyses: r.analyses, drafts: r.drafts }, { analyses: 0, drafts: 0 });
  // Nothing changed at all: the whole result is remembered still (that is not a walk kept).
  const same = await rescan(cache, n, (t) => `\n${t}`);
  assert.equal(same.cached.stats.ms.rules, 0);
});
