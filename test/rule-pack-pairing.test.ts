/**
 * The pairing rules as data: the loader's checks of a pairing rule, the SDV
 * rule names in `ndis-review rules` and in SARIF, the configuration
 * accepting the new ids, and the resource result kinds.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { main } from '../src/cli.js';
import { loadRulePack, ruleMeta, type PairingRule } from '../src/engine/rulepack.js';
import { formatSarif } from '../src/report/sarif.js';
import { parseConfig } from '../src/review/config.js';
import { repoRoot } from './support/paths.js';
import { ruleTester } from './support/ruleTester.js';

const pack = loadRulePack();
const PAIRING = [
  'ndis/init-register-interrupt',
  'ndis/init-register-sg',
  'ndis/init-io-workitem',
  'ndis/ioport-range',
  'ndis/shared-memory',
  'ndis/open-configuration',
];

describe('the pairing rules in the pack', () => {
  it('are loaded as kind pairing, each naming its SDV rules and distinct message ids per duty', () => {
    for (const id of PAIRING) {
      const r = pack.rules.find((x) => x.id === id);
      assert.ok(r?.kind === 'pairing', id);
      assert.ok(r.sdv && r.sdv.length > 0, `${id} names its SDV rules`);
      const d = r.duties;
      const ids = [d.onFailure?.messageId, d.inHalt?.messageId].filter(Boolean);
      assert.equal(new Set(ids).size, ids.length, `${id}: one message id per duty`);
    }
    const ports = pack.rules.find((x) => x.id === 'ndis/ioport-range') as PairingRule;
    // Initialize, add-device, and the WDI handlers Microsoft's WLAN component calls inside its initialize.
    assert.deepEqual(ports.duties.context?.allowedRoles, [
      'initialize',
      'add-device',
      'wdi-allocate-adapter',
      'wdi-open-adapter',
      'wdi-tal-txrx-initialize',
      'wdi-start-operation',
    ]);
    const shared = pack.rules.find((x) => x.id === 'ndis/shared-memory') as PairingRule;
    assert.deepEqual(shared.duties.context?.forbiddenRoles, ['shutdown']);
  });

  it('say what success means for each resource', () => {
    assert.equal(pack.resources['io-work-item'].acquire.result, 'non-null-return');
    assert.equal(pack.resources['shared-memory'].acquire.result, 'non-null-out');
    assert.equal(pack.resources['interrupt-registration'].acquire.result, 'status');
    assert.equal(pack.resources['interrupt-registration-ndis5'].release.handleIsOut, true);
  });

  it('are refused when a duty names a message the rule does not have, or a resource the pack does not know', () => {
    const dir = mkdtempSync(join(repoRoot, 'dist', 'pack-'));
    try {
      cpSync(join(repoRoot, 'rules'), dir, { recursive: true });
      const file = join(dir, 'ndis', 'init-register-sg.json');
      const rule = JSON.parse(readFileSync(file, 'utf8')) as PairingRule;
      writeFileSync(
        file,
        JSON.stringify({ ...rule, duties: { ...rule.duties, inHalt: { ...rule.duties.inHalt, messageId: 'nope' } } }),
      );
      assert.throws(() => loadRulePack(dir), /no message 'nope'/);
      writeFileSync(file, JSON.stringify({ ...rule, resources: ['no-such-thing'] }));
      assert.throws(() => loadRulePack(dir), /unknown resource 'no-such-thing'/);
      writeFileSync(file, JSON.stringify({ ...rule, duties: {} }));
      assert.throws(() => loadRulePack(dir), /at least one duty/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('are listed by `ndis-review rules` with the SDV rules they stand for; the others read as own', async () => {
    let out = '';
    const code = await main(['rules'], {
      stdout: (s) => {
        out += s;
      },
      stderr: () => undefined,
      env: {},
      cwd: repoRoot,
    });
    assert.equal(code, 0);
    const line = (id: string) => out.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';
    assert.match(line('ndis/init-register-interrupt'), /\sSDV Init_RegisterInterrupt, Init_DeRegisterInterrupt\s/);
    assert.match(line('ndis/shared-memory'), /\sSDV NdisMFreeSharedMemory\s/);
    assert.match(line('ndis/mmap-context'), /\sSDV NdisMMapIoSpace\s/);
    assert.match(line('ndis/unmap-length'), /\sown\s/);
  });

  it('carry their SDV rules in the SARIF rule properties', () => {
    const sarif = JSON.parse(
      formatSarif({
        version: '0.1.0',
        root: '/r',
        files: 1,
        complete: true,
        rules: pack.rules.map(ruleMeta),
        findings: [],
        notices: [],
      }),
    ) as { runs: { tool: { driver: { rules: { id: string; properties: { sdv?: string[] } }[] } } }[] };
    const rules = sarif.runs[0].tool.driver.rules;
    assert.deepEqual(rules.find((r) => r.id === 'ndis/init-register-sg')?.properties.sdv, ['Init_RegisterSG']);
    assert.equal(rules.find((r) => r.id === 'ndis/unmap-in-halt')?.properties.sdv, undefined);
  });

  it('can be turned off or given another severity in the configuration', () => {
    const ids = pack.rules.map((r) => r.id);
    const { config, errors } = parseConfig(
      { rules: { 'ndis/ioport-range': 'off', 'ndis/shared-memory': 'warning', 'ndis/init-io-workitem': false } },
      ids,
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(config.rules, {
      'ndis/ioport-range': 'off',
      'ndis/shared-memory': 'warning',
      'ndis/init-io-workitem': 'off',
    });
  });
});

const ADAPTER = `#include <ndis.h>
typedef struct _A { NDIS_HANDLE H; NDIS_HANDLE Wi; NDIS_HANDLE Intr; PVOID Va; NDIS_PHYSICAL_ADDRESS Pa; } A, *PA;
MINIPORT_INITIALIZE Init;
MINIPORT_HALT Halt;
NDIS_STATUS Probe(PA a);
extern NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS IC;
`;

const EVERY_RULE = pack.rules.map((r) => r.id);

/**
 * The end of an initialize whose acquisition (just before) leaves by `goto fail` when it fails, then a
 * probe whose failure (`// MARK`) goes to the same cleanup `cleanup(self)`, which halt calls too.
 */
const ACQUIRED_THEN_PROBE = (self: string, cleanup: string, type: string) => `    if (s != NDIS_STATUS_SUCCESS)
        goto fail;
    s = Probe((PA)${self});
    if (s != NDIS_STATUS_SUCCESS)
        goto fail; // MARK
    return NDIS_STATUS_SUCCESS;
fail:
    ${cleanup}(${self});
    return s;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    ${cleanup}((${type})c);
}`;

ruleTester('pairing: what success means', [
  {
    rules: EVERY_RULE,
    name: 'a work item never stored is not tracked (nothing names it)',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PA a = (PA)c;
    NdisAllocateIoWorkItem(h);
    return Probe(a);
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { }`,
    },
  },
  {
    rules: EVERY_RULE,
    name: 'on the path where the work item is NULL nothing is held',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PA a = (PA)c;
    a->Wi = NdisAllocateIoWorkItem(h);
    if (a->Wi == NULL)
        return NDIS_STATUS_RESOURCES;
    if (Probe(a) != NDIS_STATUS_SUCCESS) {
        NdisFreeIoWorkItem(a->Wi);
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { NdisFreeIoWorkItem(((PA)c)->Wi); }`,
    },
  },
  {
    rules: EVERY_RULE,
    name: 'a work item allocated through a project macro is held as the call written out is',
    files: {
      'mp.c': `${ADAPTER}
#define MP_ALLOC_WORKITEM(h) (NDIS_HANDLE)NdisAllocateIoWorkItem(h)
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PA a = (PA)c;
    a->Wi = MP_ALLOC_WORKITEM(h);
    if (a->Wi == NULL)
        return NDIS_STATUS_RESOURCES;
    if (Probe(a) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/init-io-workitem:leakOnFailure
    return NDIS_STATUS_SUCCESS;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { NdisFreeIoWorkItem(((PA)c)->Wi); }`,
    },
  },
  {
    rules: EVERY_RULE,
    name: 'shared memory whose address was never tested is held on the failure path',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PA a = (PA)c;
    NdisMAllocateSharedMemory(h, 64, FALSE, &a->Va, &a->Pa);
    if (Probe(a) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_FAILURE; // EXPECT: ndis/shared-memory
    return NDIS_STATUS_SUCCESS;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PA a = (PA)c; NdisMFreeSharedMemory(a->H, 64, FALSE, a->Va, a->Pa); }`,
    },
  },
  {
    rules: EVERY_RULE,
    name: 'an interrupt whose registration status failed is not deregistered on that path',
    files: {
      'mp.c': `${ADAPTER}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PA a = (PA)c;
    NDIS_STATUS s = NdisMRegisterInterruptEx(h, a, &IC, &a->Intr);
    if (s != NDIS_STATUS_SUCCESS)
        return s;
    return NDIS_STATUS_SUCCESS;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { NdisMDeregisterInterruptEx(((PA)c)->Intr); }`,
    },
  },
]);

ruleTester('pairing: flag macros in a header that names nothing tracked (e100 shape, reproducer)', [
  {
    rules: EVERY_RULE,
    name: 'a body without its last `;` before them does not hide MP_SET_FLAG and MP_TEST_FLAG',
    files: {
      'flags.h': `#define INIT_LIST(_L, _B) { ASSERT(_L); (_L)->Chain = _B }
#define MP_SET_FLAG(_M, _F) ((_M)->Flags |= (_F))
#define MP_TEST_FLAG(_M, _F) (((_M)->Flags & (_F)) != 0)
#define fINTR 0x8
`,
      'mp.c': `${ADAPTER}
#include "flags.h"
typedef struct _B { NDIS_HANDLE H; NDIS_HANDLE Intr; ULONG Flags; } B, *PB;
NDIS_STATUS Test(PB b);
VOID FreeB(PB b)
{
    if (MP_TEST_FLAG(b, fINTR))
        NdisMDeregisterInterruptEx(b->Intr);
}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PB b = (PB)c;
    NDIS_STATUS s;
    do {
        s = NdisMRegisterInterruptEx(h, b, &IC, &b->Intr);
        if (s != NDIS_STATUS_SUCCESS)
            break;
        MP_SET_FLAG(b, fINTR);
        s = Test(b);
    } while (FALSE);
    if (s != NDIS_STATUS_SUCCESS)
        FreeB(b);
    return s;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { FreeB((PB)c); }`,
    },
  },
]);

ruleTester('pairing: one resource guarded by another (rtl8139 shape, reproducer)', [
  {
    rules: EVERY_RULE,
    name: 'shared memory freed only when the port range is registered: freed on paths after its success',
    files: {
      'mp.c': `${ADAPTER}
typedef struct _R { NDIS_HANDLE H; PVOID Buf; NDIS_PHYSICAL_ADDRESS BufPa; PVOID IoBase; } R, *PR;
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PR r = (PR)c;
    if (r->IoBase != NULL) {
        if (r->Buf != NULL)
            NdisMFreeSharedMemory(r->H, 64, FALSE, r->Buf, r->BufPa);
        NdisMDeregisterIoPortRange(r->H, 0x300, 0x20, r->IoBase);
    }
}
NDIS_STATUS PowerOn(PR r);
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PR r = (PR)c;
    NDIS_STATUS s;
    NdisMAllocateSharedMemory(h, 64, FALSE, &r->Buf, &r->BufPa);
    if (r->Buf == NULL)
        return NDIS_STATUS_RESOURCES;
    s = NdisMRegisterIoPortRange(&r->IoBase, h, 0x300, 0x20);
    if (s != NDIS_STATUS_SUCCESS)
        goto fail; // EXPECT: ndis/shared-memory
    s = PowerOn(r);
    if (s != NDIS_STATUS_SUCCESS)
        goto fail;
    return NDIS_STATUS_SUCCESS;
fail:
    Halt(r, NdisHaltDeviceInitializationFailed);
    return s;
}`,
    },
  },
]);

ruleTester('pairing: a handle cast to its type without a star (nscirda shape, reproducer)', [
  {
    rules: EVERY_RULE,
    name: '(PNDIS_MINIPORT_INTERRUPT)&Dev->Intr reads as the cast of an address, not as a bitwise AND',
    files: {
      'mp.c': `${ADAPTER}
typedef struct _D { NDIS_HANDLE H; NDIS_MINIPORT_INTERRUPT Intr; PVOID Io; } D, *PD;
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PD d = (PD)c;
    NDIS_STATUS s;
    s = NdisMRegisterInterrupt((PNDIS_MINIPORT_INTERRUPT)&d->Intr, h, 5, 5, TRUE, TRUE, NdisInterruptLatched);
    if (s != NDIS_STATUS_SUCCESS)
        return s;
    s = Probe(d);
    if (s != NDIS_STATUS_SUCCESS)
        return s; // EXPECT: ndis/init-register-interrupt
    return NDIS_STATUS_SUCCESS;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PD d = (PD)c;
    NdisMDeregisterInterrupt(&d->Intr);
}`,
    },
  },
]);

/** NDIS 5 cleanup guarded by the field NdisMRegisterInterrupt sets when it connects (netkvm, coisdn, nvnet shape). */
const GUARDED_CLEANUP = (guard: string, vector = '5') => `${ADAPTER}
typedef struct _D { NDIS_HANDLE H; NDIS_MINIPORT_INTERRUPT Intr; ULONG Other; ULONG Vector; } D, *PD;
VOID Cleanup(PD d)
{
    if (${guard})
        NdisMDeregisterInterrupt(&d->Intr);
}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PD d = (PD)c;
    NDIS_STATUS s;
    s = NdisMRegisterInterrupt(&d->Intr, h, ${vector}, 5, TRUE, TRUE, NdisInterruptLatched);
${ACQUIRED_THEN_PROBE('d', 'Cleanup', 'PD')}`;

ruleTester('pairing: a release guarded by a field the acquire sets on success (successFields)', [
  {
    rules: EVERY_RULE,
    name: 'Interrupt.InterruptObject is set exactly when NdisMRegisterInterrupt succeeded: the guarded cleanup deregisters',
    files: { 'mp.c': GUARDED_CLEANUP('d->Intr.InterruptObject') },
  },
  {
    rules: EVERY_RULE,
    name: 'a guard on a field the registration does not set leaves the leak reported',
    files: { 'mp.c': GUARDED_CLEANUP('d->Other').replace('// MARK', '// EXPECT: ndis/init-register-interrupt') },
  },
]);

ruleTester('pairing: a release guarded by the vector the registration was given (nonZeroArgs, TI EMAC shape)', [
  {
    rules: EVERY_RULE,
    name: 'the interrupt vector is non-zero where NdisMRegisterInterrupt succeeded: `if (d->Vector)` deregisters',
    files: { 'mp.c': GUARDED_CLEANUP('d->Vector', 'd->Vector') },
  },
  {
    rules: EVERY_RULE,
    name: 'a guard on a vector field the registration was not given leaves the leak reported',
    files: {
      'mp.c': GUARDED_CLEANUP('d->Vector', '(ULONG)d->Other').replace(
        '// MARK',
        '// EXPECT: ndis/init-register-interrupt',
      ),
    },
  },
]);

/** tbatm155's shape: cleanup deregisters under `HW_TEST_FLAG`, which compares the masked word with the bit. */
const BIT_EQUALITY = (setAfterSetup: boolean) => `${ADAPTER}
#define fREG 0x00000004
#define HW_TEST_FLAG(x, f)  (((x)->Flags & (f)) == (f))
#define HW_SET_FLAG(x, f)   ((x)->Flags |= (f))
typedef struct _HW { ULONG Flags; NDIS_MINIPORT_INTERRUPT Interrupt; } HW, *PHW;
typedef struct _B { NDIS_HANDLE H; PHW Hw; } B, *PB;
NDIS_STATUS Setup(PB b);
VOID FreeRes(PB b)
{
    PHW w = b->Hw;
    if (HW_TEST_FLAG(w, fREG))
        NdisMDeregisterInterrupt(&w->Interrupt);
}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PB b = (PB)c;
    PHW w = b->Hw;
    NDIS_STATUS s;
    do {
        s = NdisMRegisterInterrupt(&w->Interrupt, h, 5, 5, TRUE, TRUE, NdisInterruptLevelSensitive);
        if (s != NDIS_STATUS_SUCCESS)
            break;
${setAfterSetup ? '' : '        HW_SET_FLAG(w, fREG);\n'}        s = Setup(b);
        if (s != NDIS_STATUS_SUCCESS)
            break; // MARK
${setAfterSetup ? '        HW_SET_FLAG(w, fREG);\n' : ''}    } while (FALSE);
    if (s != NDIS_STATUS_SUCCESS)
        FreeRes(b);
    return s;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    FreeRes((PB)c);
}`;

ruleTester('pairing: a one-bit flag tested as (x & BIT) == BIT (tbatm155 shape, reproducer)', [
  {
    rules: ['ndis/init-register-interrupt'],
    name: 'the bit set right after the registration: the cleanup deregisters on every failure after it',
    files: { 'mp.c': BIT_EQUALITY(false) },
  },
  {
    rules: ['ndis/init-register-interrupt'],
    name: 'the bit set only after a later step: a failure of that step leaks',
    // Reported at initialize's return, as the engine reports a break out of `do { } while (FALSE)`
    // whose status is tested after the loop.
    files: {
      'mp.c': BIT_EQUALITY(true).replace(
        '    return s;\n}\nVOID Halt',
        '    return s; // EXPECT: ndis/init-register-interrupt\n}\nVOID Halt',
      ),
    },
  },
]);

/** softether's shape: the open's status tested through the driver's own macros, defined in a header nothing else needs. */
const MACRO_TESTED_OPEN = (close: string) => ({
  'neo.h': `#define OK(val) ((val) == STATUS_SUCCESS)
#define NG(val) (!OK(val))
`,
  'mp.c': `${ADAPTER}#include "neo.h"
BOOLEAN LoadRegistry(NDIS_HANDLE h)
{
    NDIS_HANDLE config;
    NDIS_CONFIGURATION_OBJECT obj;
    NDIS_STATUS ret;
    ret = NdisOpenConfigurationEx(&obj, &config);
    if (NG(ret))
    {
        return FALSE;
    }
    ${close}
    return TRUE;
}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    return LoadRegistry(h) ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { }
`,
});

ruleTester("pairing: a status tested through the driver's own macros (softether shape, reproducer)", [
  {
    rules: ['ndis/open-configuration'],
    name: 'NG(ret) failing means nothing was opened: no finding on that return',
    files: MACRO_TESTED_OPEN('NdisCloseConfiguration(config);'),
  },
  {
    rules: ['ndis/open-configuration'],
    name: 'the handle not closed after NG(ret) is false: reported at the return that keeps it',
    files: {
      ...MACRO_TESTED_OPEN(''),
      'mp.c': MACRO_TESTED_OPEN('')['mp.c'].replace(
        '    return TRUE;',
        '    return TRUE; // EXPECT: ndis/open-configuration',
      ),
    },
  },
]);

/** wds netvmini's shape: work items of entries on a list, freed by walking the list when its head is set. */
const LISTED_WORK_ITEMS = (initList: boolean) => `${ADAPTER}
typedef struct _DPC { LIST_ENTRY Entry; NDIS_HANDLE WorkItem; } DPC, *PDPC;
typedef struct _B { NDIS_HANDLE H; LIST_ENTRY DpcList; } B, *PB;
VOID FreeDpc(PDPC d)
{
    if (d->WorkItem)
        NdisFreeIoWorkItem(d->WorkItem);
    NdisFreeMemory(d, sizeof(DPC), 0);
}
VOID FreeAdapter(PB a)
{
    PLIST_ENTRY e;
    if (a->DpcList.Flink) {
        while (!IsListEmpty(&a->DpcList)) {
            e = RemoveHeadList(&a->DpcList);
            FreeDpc(CONTAINING_RECORD(e, DPC, Entry));
        }
    }
}
NDIS_STATUS AllocDpc(PB a)
{
    PDPC d = NdisAllocateMemoryWithTagPriority(a->H, sizeof(DPC), 'x', NormalPoolPriority);
    if (!d)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(d, sizeof(DPC));
    d->WorkItem = NdisAllocateIoWorkItem(a->H);
    if (!d->WorkItem) {
        NdisFreeMemory(d, sizeof(DPC), 0);
        return NDIS_STATUS_RESOURCES;
    }
    InsertTailList(&a->DpcList, &d->Entry);
    return NDIS_STATUS_SUCCESS;
}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PB a = (PB)c;
    NDIS_STATUS s;
    NdisZeroMemory(a, sizeof(B));
${initList ? '    NdisInitializeListHead(&a->DpcList);\n' : ''}    s = AllocDpc(a);
${ACQUIRED_THEN_PROBE('a', 'FreeAdapter', 'PB')}`;

ruleTester('pairing: a list head NdisInitializeListHead set up is not NULL (netvmini shape)', [
  {
    rules: EVERY_RULE,
    name: 'the list was initialised: the cleanup that tests its Flink walks it and frees the work items',
    files: { 'mp.c': LISTED_WORK_ITEMS(true) },
  },
  {
    rules: ['ndis/init-io-workitem'],
    name: 'the zeroed list was never initialised: the cleanup skips it and the work item leaks',
    files: { 'mp.c': LISTED_WORK_ITEMS(false).replace('// MARK', '// EXPECT: ndis/init-io-workitem') },
  },
]);

/** wdk7600 xframeii's shape: halt frees blocks through a pointer stepped along an array until a NULL one. */
const STEPPED_FREE = (step: string, free: boolean) => `${ADAPTER}
typedef struct _BLK { PVOID va; NDIS_PHYSICAL_ADDRESS pa; } BLK, *PBLK;
typedef struct _R { NDIS_HANDLE H; PBLK Blocks; } R, *PR;
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PR r = (PR)c;
    NdisMAllocateSharedMemory(h, PAGE_SIZE, TRUE, &r->Blocks[0].va, &r->Blocks[0].pa); // MARK
    if (r->Blocks[0].va == NULL)
        return NDIS_STATUS_RESOURCES;
    return NDIS_STATUS_SUCCESS;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PR r = (PR)c;
    PBLK blk = r->Blocks;
    while (blk->va) {
${free ? '        NdisMFreeSharedMemory(r->H, PAGE_SIZE, TRUE, blk->va, blk->pa);\n' : ''}        ${step};
    }
}`;

ruleTester('pairing: halt frees through a pointer stepped along an array (xframeii shape)', [
  {
    rules: EVERY_RULE,
    name: '`blk++` after each free: the loop ends on the next element, and halt frees the memory',
    files: { 'mp.c': STEPPED_FREE('blk++', true) },
  },
  {
    rules: EVERY_RULE,
    name: '`++blk` steps it as well',
    files: { 'mp.c': STEPPED_FREE('++blk', true) },
  },
  {
    rules: EVERY_RULE,
    name: '`blk += 1` steps it as well',
    files: { 'mp.c': STEPPED_FREE('blk += 1', true) },
  },
  {
    rules: ['ndis/shared-memory'],
    name: 'a stepping loop that frees nothing leaves the memory reported',
    files: { 'mp.c': STEPPED_FREE('blk++', false).replace('// MARK', '// EXPECT: ndis/shared-memory') },
  },
]);

/** wdk7600 xframeii's shape: the flag test is a macro that only masks (`bit(f, v) ((f) & (v))`). */
const MASK_MACRO = (setAfterProbe: boolean) => `${ADAPTER}
#define F_INTR 0x2
#define bit(_flg, _val) ((_flg) & (_val))
#define bis(_flg, _val) ((_flg) |= (_val))
#define bic(_flg, _val) ((_flg) &= (~(_val)))
typedef struct _N { NDIS_HANDLE H; NDIS_HANDLE Intr; ULONG Flags; } N, *PN;
VOID NicFree(PN n)
{
    if (bit(n->Flags, F_INTR)) {
        NdisMDeregisterInterruptEx(n->Intr);
        bic(n->Flags, F_INTR);
    }
    NdisFreeMemory(n, sizeof(N), 0);
}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PN n;
    NDIS_STATUS s;
    n = NdisAllocateMemoryWithTagPriority(h, sizeof(N), 'x', NormalPoolPriority);
    if (!n)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(n, sizeof(N));
    do {
        s = NdisMRegisterInterruptEx(h, n, &IC, &n->Intr);
        if (s != NDIS_STATUS_SUCCESS)
            break;
${setAfterProbe ? '' : '        bis(n->Flags, F_INTR);\n'}        s = Probe((PA)n);
        if (s != NDIS_STATUS_SUCCESS)
            break;
${setAfterProbe ? '        bis(n->Flags, F_INTR);\n' : ''}    } while (0);
    if (s != NDIS_STATUS_SUCCESS)
        NicFree(n);
    return s;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    NicFree((PN)c);
}`;

ruleTester('pairing: a flag tested through a macro that only masks (xframeii shape)', [
  {
    rules: EVERY_RULE,
    name: 'the flag set right after the registration: the cleanup deregisters on every failure after it',
    files: { 'mp.c': MASK_MACRO(false) },
  },
  {
    rules: ['ndis/init-register-interrupt'],
    name: 'the flag set only after the probe: a failed probe leaks the registration',
    files: {
      'mp.c': MASK_MACRO(true).replace(
        '    return s;\n}\nVOID Halt',
        '    return s; // EXPECT: ndis/init-register-interrupt\n}\nVOID Halt',
      ),
    },
  },
]);

/** wdk7600 athwifi's shape: two call sites fill one field of the elements of two queues' arrays. */
const TWO_QUEUES = (cleanup: boolean) => `${ADAPTER}
typedef struct _M { PVOID BufferVa; NDIS_PHYSICAL_ADDRESS BufferPa; } M, *PM;
typedef struct _Q { PM Arr; ULONG N; } Q, *PQ;
typedef struct _HW { NDIS_HANDLE H; Q Queue[2]; } HW, *PHW;
VOID FreeAll(PHW hw)
{
    ULONG i, j;
    PM m;
    for (j = 0; j < 2; j++)
        for (i = 0; i < hw->Queue[j].N; i++) {
            m = &hw->Queue[j].Arr[i];
            if (m->BufferVa != NULL)
                NdisMFreeSharedMemory(hw->H, 64, FALSE, m->BufferVa, m->BufferPa);
        }
}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PHW hw = (PHW)c;
    PM m;
    ULONG i;
    NDIS_STATUS s = NDIS_STATUS_SUCCESS;
    do {
        for (i = 0; i < hw->Queue[0].N; i++) {
            m = &hw->Queue[0].Arr[i];
            NdisMAllocateSharedMemory(h, 64, FALSE, &m->BufferVa, &m->BufferPa);
            if (m->BufferVa == NULL) {
                s = NDIS_STATUS_RESOURCES;
                break;
            }
        }
        if (s != NDIS_STATUS_SUCCESS)
            break;
        for (i = 0; i < hw->Queue[1].N; i++) {
            m = &hw->Queue[1].Arr[i];
            NdisMAllocateSharedMemory(h, 64, FALSE, &m->BufferVa, &m->BufferPa);
            if (m->BufferVa == NULL) {
                s = NDIS_STATUS_RESOURCES;
                break;
            }
        }
    } while (FALSE);
${cleanup ? '    if (s != NDIS_STATUS_SUCCESS)\n        FreeAll(hw);\n' : ''}    return s; // MARK
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    FreeAll((PHW)c);
}`;

ruleTester('pairing: two call sites fill one field of different elements (athwifi shape)', [
  {
    rules: EVERY_RULE,
    name: "the cleanup frees the field of every element: the first site's buffers are not left nameless",
    files: { 'mp.c': TWO_QUEUES(true) },
  },
  {
    rules: ['ndis/shared-memory'],
    name: "without the cleanup, a failure of the second queue leaks the first queue's buffers",
    files: { 'mp.c': TWO_QUEUES(false).replace('// MARK', '// EXPECT: ndis/shared-memory') },
  },
]);

/** gplpv xennet's shape: one page cut into buffers; each piece's address is stored, the piece at offset 0 is freed. */
const CUT_PAGE = (store: string) => `${ADAPTER}
typedef struct _CB { PVOID virtual; NDIS_PHYSICAL_ADDRESS logical; } CB, *PCB;
typedef struct _X { NDIS_HANDLE H; CB cbs[16]; } X, *PX;
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PX xi = (PX)c;
    ULONG i, j;
    for (i = 0; i < 4; i++) {
        PVOID virtual;
        NDIS_PHYSICAL_ADDRESS logical;
        NdisMAllocateSharedMemory(h, PAGE_SIZE, TRUE, &virtual, &logical); // MARK
        if (virtual == NULL)
            break;
        for (j = 0; j < 4; j++)
            xi->cbs[i * 4 + j].virtual = ${store};
    }
    return NDIS_STATUS_SUCCESS;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PX xi = (PX)c;
    ULONG i;
    for (i = 0; i < 16; i++)
        if (((ULONG_PTR)xi->cbs[i].virtual & (PAGE_SIZE - 1)) == 0)
            NdisMFreeSharedMemory(xi->H, PAGE_SIZE, TRUE, xi->cbs[i].virtual, xi->cbs[i].logical);
}`;

ruleTester('pairing: a block stored as pointers into it, freed through the one at offset 0 (xennet shape)', [
  {
    rules: EVERY_RULE,
    name: '`(PUCHAR)virtual + j * 256` names the block: halt frees it',
    files: { 'mp.c': CUT_PAGE('(PUCHAR)virtual + j * 256') },
  },
  {
    rules: ['ndis/shared-memory'],
    name: 'a pointer that is not computed from the block leaves it unfreed in halt',
    files: { 'mp.c': CUT_PAGE('(PUCHAR)xi->H + j * 256').replace('// MARK', '// EXPECT: ndis/shared-memory') },
  },
]);

/**
 * wdk6001 rtlnwifi's shape: two queues' buffers through a local pointer to each queue's array field
 * (`va = &TxInfo.pNormalVa`), picked by a loop counter, in the routine that allocates and in the one
 * that frees; later failures of initialize free the queues through the same routine.
 */
const QUEUES = (lastQueue: string) => `#include <ndis.h>
#define NORMAL_QUEUE 1
#define HIGH_QUEUE 2
typedef struct _TXINFO { PUCHAR *pNormalVa; PUCHAR *pHighVa; NDIS_PHYSICAL_ADDRESS *pNormalPa; NDIS_PHYSICAL_ADDRESS *pHighPa; ULONG Num[3]; } TXINFO;
typedef struct _DESC { ULONG Flags; } DESC, *PDESC;
typedef struct _NIC { NDIS_HANDLE H; TXINFO TxInfo; PDESC Desc; NDIS_PHYSICAL_ADDRESS DescPa; } NIC, *PNIC;
NDIS_STATUS Probe(PNIC n);
MINIPORT_INITIALIZE Init;
MINIPORT_HALT Halt;
VOID TerminateSend(PNIC pNic)
{
    int i, q;
    PUCHAR **va;
    NDIS_PHYSICAL_ADDRESS **pa;
    for (q = NORMAL_QUEUE; q <= ${lastQueue}; q++) {
        if (q == NORMAL_QUEUE) {
            va = &pNic->TxInfo.pNormalVa;
            pa = &pNic->TxInfo.pNormalPa;
        } else {
            va = &pNic->TxInfo.pHighVa;
            pa = &pNic->TxInfo.pHighPa;
        }
        if (*va != NULL) {
            for (i = 0; i < pNic->TxInfo.Num[q]; i++)
                if ((*va)[i] != NULL)
                    NdisMFreeSharedMemory(pNic->H, 2048, FALSE, (*va)[i], (*pa)[i]);
            NdisFreeMemory(*va, 0, 0);
        }
    }
}
NDIS_STATUS InitializeSend(PNIC pNic)
{
    int i, q;
    NDIS_STATUS Status = NDIS_STATUS_SUCCESS;
    for (q = NORMAL_QUEUE; q <= HIGH_QUEUE; q++) {
        PUCHAR **va;
        NDIS_PHYSICAL_ADDRESS **pa;
        if (q == NORMAL_QUEUE) {
            va = &pNic->TxInfo.pNormalVa;
            pa = &pNic->TxInfo.pNormalPa;
        } else {
            va = &pNic->TxInfo.pHighVa;
            pa = &pNic->TxInfo.pHighPa;
        }
        *va = NdisAllocateMemoryWithTagPriority(pNic->H, sizeof(PUCHAR) * pNic->TxInfo.Num[q], 'x', NormalPoolPriority);
        if (*va == NULL) {
            Status = NDIS_STATUS_RESOURCES;
            break;
        }
        NdisZeroMemory(*va, sizeof(PUCHAR) * pNic->TxInfo.Num[q]);
        *pa = NdisAllocateMemoryWithTagPriority(pNic->H, sizeof(NDIS_PHYSICAL_ADDRESS) * pNic->TxInfo.Num[q], 'x', NormalPoolPriority);
        if (*pa == NULL) {
            Status = NDIS_STATUS_RESOURCES;
            NdisFreeMemory(*va, 0, 0);
            *va = NULL;
            break;
        }
        for (i = 0; i < pNic->TxInfo.Num[q]; i++) {
            NdisMAllocateSharedMemory(pNic->H, 2048, FALSE, (PVOID *)&((*va)[i]), &((*pa)[i]));
            if ((*va)[i] == NULL) {
                Status = NDIS_STATUS_RESOURCES;
                break;
            }
        }
        if (Status != NDIS_STATUS_SUCCESS)
            break;
    }
    if (Status != NDIS_STATUS_SUCCESS)
        TerminateSend(pNic);
    return Status;
}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PNIC n = (PNIC)c;
    NDIS_STATUS Status = InitializeSend(n);
    if (Status != NDIS_STATUS_SUCCESS)
        return Status;
    NdisMAllocateSharedMemory(n->H, sizeof(DESC), FALSE, (PVOID *)&n->Desc, &n->DescPa);
    if (n->Desc == NULL) {
        TerminateSend(n);
        return NDIS_STATUS_RESOURCES;
    }
    n->Desc->Flags = 0;
    Status = Probe(n);
    if (Status != NDIS_STATUS_SUCCESS) {
        NdisMFreeSharedMemory(n->H, sizeof(DESC), FALSE, n->Desc, n->DescPa);
        TerminateSend(n);
    }
    return Status;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PNIC n = (PNIC)c;
    NdisMFreeSharedMemory(n->H, sizeof(DESC), FALSE, n->Desc, n->DescPa);
    TerminateSend(n);
}`;

ruleTester("pairing: buffers reached through a local pointer to a queue's field (rtlnwifi shape)", [
  {
    rules: EVERY_RULE,
    name: 'the cleanup frees both queues through `*va`: nothing leaks, on failure or in halt',
    files: { 'mp.c': QUEUES('HIGH_QUEUE') },
  },
  {
    rules: EVERY_RULE,
    name: 'the same with the queue picked through a project macro (if (IS_QUEUE(q, NORMAL_QUEUE))): a counter still',
    files: {
      'mp.c': QUEUES('HIGH_QUEUE')
        .replace('#define HIGH_QUEUE 2', '#define HIGH_QUEUE 2\n#define IS_QUEUE(q, n) ((q) == (n))')
        .replaceAll('if (q == NORMAL_QUEUE)', 'if (IS_QUEUE(q, NORMAL_QUEUE))'),
    },
  },
  {
    rules: ['ndis/shared-memory'],
    name: 'a cleanup that frees the normal queue only leaks the high queue, on the later failures and in halt',
    files: {
      'mp.c': QUEUES('NORMAL_QUEUE')
        .replace(
          'NdisMAllocateSharedMemory(pNic->H, 2048, FALSE, (PVOID *)&((*va)[i]), &((*pa)[i]));',
          'NdisMAllocateSharedMemory(pNic->H, 2048, FALSE, (PVOID *)&((*va)[i]), &((*pa)[i])); // EXPECT: ndis/shared-memory',
        )
        .replace(
          '        TerminateSend(n);\n        return NDIS_STATUS_RESOURCES;',
          '        TerminateSend(n);\n        return NDIS_STATUS_RESOURCES; // EXPECT: ndis/shared-memory',
        )
        .replace(
          '        TerminateSend(n);\n    }\n    return Status;',
          '        TerminateSend(n);\n    }\n    return Status; // EXPECT: ndis/shared-memory',
        ),
    },
  },
]);

/** A port write may start the device, as a store into mapped registers may; a store into shared memory does not. */
const DEVICE_WRITE = (write: string) => `#include <ndis.h>
typedef struct _HW { ULONG State; PVOID Desc; NDIS_PHYSICAL_ADDRESS DescPa; } HW, *PHW;
typedef struct _A { NDIS_HANDLE H; PVOID Port; PHW Hw; } A, *PA;
MINIPORT_INITIALIZE Init;
NDIS_STATUS Probe(PA a);
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PA a = (PA)c;
    NDIS_STATUS s = NdisMRegisterIoPortRange(&a->Port, h, 0x300, 16);
    if (s != NDIS_STATUS_SUCCESS)
        return s;
    a->Hw->State = 1;
    ${write};
    s = Probe(a);
    if (s != NDIS_STATUS_SUCCESS) {
        if (a->Hw->State == 1)
            NdisMDeregisterIoPortRange(h, 0x300, 16, a->Port);
        return s; // MARK
    }
    return NDIS_STATUS_SUCCESS;
}`;

ruleTester('pairing: what a device may write after a register write (deviceRegisters)', [
  {
    rules: ['ndis/ioport-range'],
    name: 'after a write to the registered ports, the device may have changed HW.State: the guarded release may not run',
    files: {
      'mp.c': DEVICE_WRITE('NdisRawWritePortUlong((ULONG_PTR)a->Port + 4, 1)').replace(
        '// MARK',
        '// EXPECT: ndis/ioport-range',
      ),
    },
  },
  {
    rules: ['ndis/ioport-range'],
    name: "a store into the driver's own memory starts nothing: the guard still reads 1 and the release runs",
    files: { 'mp.c': DEVICE_WRITE('a->Hw->Desc = NULL') },
  },
]);

/**
 * wdk7600 athwifi's shape: initialize allocates two ports, each with a VNIC holding a work item. The
 * second port's allocation writes NULL into `PORT.VNic` (zeroed block, `*ppVNic = NULL`), the key
 * every port's VNIC pointer shares; the first port's cleanup tests that pointer.
 */
const TWO_PORTS = (cleanup: string) => `${ADAPTER}
typedef struct _VNIC { NDIS_HANDLE WorkItem; } VNIC, *PVNIC;
typedef struct _PORT { PVNIC VNic; ULONG Type; } PORT, *PPORT;
typedef struct _AD { NDIS_HANDLE H; PPORT Helper; PPORT Station; } AD, *PAD;
NDIS_STATUS VNicAllocate(NDIS_HANDLE h, PVNIC *ppVNic)
{
    PVNIC v = NULL;
    NDIS_HANDLE w;
    *ppVNic = NULL;
    NdisAllocateMemoryWithTag((PVOID *)&v, sizeof(VNIC), 'cinV');
    if (v == NULL)
        return NDIS_STATUS_RESOURCES;
    w = NdisAllocateIoWorkItem(h);
    if (w == NULL) {
        NdisFreeMemory(v, 0, 0);
        return NDIS_STATUS_RESOURCES;
    }
    v->WorkItem = w;
    *ppVNic = v;
    return NDIS_STATUS_SUCCESS;
}
VOID VNicFree(PVNIC v)
{
    if (v->WorkItem != NULL)
        NdisFreeIoWorkItem(v->WorkItem);
    NdisFreeMemory(v, 0, 0);
}
VOID PortFree(PPORT p)
{
    if (p->VNic != NULL)
        VNicFree(p->VNic);
    NdisFreeMemory(p, 0, 0);
}
NDIS_STATUS PortAllocate(NDIS_HANDLE h, PPORT *Port)
{
    PPORT p = NULL;
    NDIS_STATUS s;
    *Port = NULL;
    NdisAllocateMemoryWithTag((PVOID *)&p, sizeof(PORT), 'troP');
    if (p == NULL)
        return NDIS_STATUS_RESOURCES;
    NdisZeroMemory(p, sizeof(PORT));
    s = VNicAllocate(h, &p->VNic);
    if (s != NDIS_STATUS_SUCCESS) {
        PortFree(p);
        return s;
    }
    *Port = p;
    return s;
}
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PAD a = (PAD)c;
    NDIS_STATUS s;
    s = PortAllocate(h, &a->Helper);
    if (s != NDIS_STATUS_SUCCESS)
        return s;
    s = PortAllocate(h, &a->Station);
    if (s != NDIS_STATUS_SUCCESS) {
${cleanup}        return s; // MARK
    }
    return NDIS_STATUS_SUCCESS;
}
VOID Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PAD a = (PAD)c;
    PortFree(a->Station);
    PortFree(a->Helper);
}`;

ruleTester('pairing: a second instance of a struct clears the pointer the first frees through (athwifi shape)', [
  {
    rules: EVERY_RULE,
    name: "the station port's NULLs are not the helper port's: its cleanup still frees the helper's work item",
    files: { 'mp.c': TWO_PORTS('        PortFree(a->Helper);\n') },
  },
  {
    rules: ['ndis/init-io-workitem'],
    name: "without that cleanup, the helper port's work item leaks when the station port fails",
    files: { 'mp.c': TWO_PORTS('').replace('// MARK', '// EXPECT: ndis/init-io-workitem') },
  },
]);

/** A miniport whose initialize the scan does not see (registered in a file not scanned): nothing walks initialize or halt. */
const NO_INIT = `#include <ndis.h>
typedef struct _F { NDIS_HANDLE H; PVOID Ports; } F, *PF;
MINIPORT_RESTART Restart;
MINIPORT_SHUTDOWN Shutdown;
`;

ruleTester('pairing: the duties that need no initialize callback', [
  {
    rules: EVERY_RULE,
    name: 'the context and opener duties still decide where no initialize callback is found',
    files: {
      'mp.c': `${NO_INIT}
NDIS_STATUS Restart(NDIS_HANDLE c, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    PF f = (PF)c;
    NDIS_HANDLE Config;
    NDIS_CONFIGURATION_OBJECT Obj;
    NDIS_STATUS s = NdisOpenConfigurationEx(&Obj, &Config);
    if (s != NDIS_STATUS_SUCCESS)
        return s;
    NdisMRegisterIoPortRange(&f->Ports, f->H, 0x300, 0x20); // EXPECT: ndis/ioport-range:wrongContext
    return NDIS_STATUS_SUCCESS; // EXPECT: ndis/open-configuration
}
VOID Shutdown(NDIS_HANDLE c, NDIS_SHUTDOWN_ACTION a)
{
    NDIS_PHYSICAL_ADDRESS pa;
    pa.QuadPart = 0;
    NdisMFreeSharedMemory(((PF)c)->H, 64, FALSE, NULL, pa); // EXPECT: ndis/shared-memory
}`,
    },
    check: (result) => {
      const notice = result.notices.find((n) => n.kind === 'not-applicable');
      assert.match(notice?.message ?? '', /ndis\/ioport-range \(its initialize and halt duties\)/);
      assert.doesNotMatch(notice?.message ?? '', /ndis\/open-configuration/);
    },
  },
]);
