/**
 * The linker: callback roles (role types, _Function_class_, registrations,
 * handoff calls, DriverEntry, address-taken), name resolution with C
 * linkage and folder distance, and calls seen through macros.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { callArgsNamed, nearest, pathDistance, Program, type FnDef, type RoleEvidence } from '../src/engine/program.js';
import { programOf } from './support/program.js';

function fnIn(p: Program, file: string, name: string): FnDef {
  const fn = p.functions.find((f) => f.file === file && f.name === name);
  assert.ok(fn, `${file}: ${name} parsed`);
  return fn;
}

/** The only function of that name in the program. */
function fnNamed(p: Program, name: string): FnDef {
  const all = p.functions.filter((f) => f.name === name);
  assert.equal(all.length, 1, `one function ${name}`);
  return all[0];
}

const roles = (p: Program, name: string): Pick<RoleEvidence, 'role' | 'how'>[] =>
  p.rolesOf(fnNamed(p, name)).map((r) => ({ role: r.role, how: r.how }));

const files = (p: Program, from: string, name: string) =>
  p
    .resolve(from, name)
    .map((d) => d.file)
    .sort();

/** Line (1-based) of the first line containing `needle`. */
const lineOfText = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

// ---- roles ----

test('a callback registered through an alias macro gets its role in every #if branch of the alias', () => {
  // `#if OFFLOAD #define SendHandler MpOffloadSend #else #define SendHandler MpSend #endif`: each build
  // registers its own function; both are send callbacks (the pre-pass reads both branches).
  const h = '#if OFFLOAD\n#define SendHandler MpOffloadSend\n#else\n#define SendHandler MpSend\n#endif\n';
  const c = [
    '#include "mp.h"',
    'VOID MpSend(NDIS_HANDLE c, PPNDIS_PACKET p, UINT n) { }',
    'VOID MpOffloadSend(NDIS_HANDLE c, PPNDIS_PACKET p, UINT n) { }',
    'NTSTATUS DriverEntry(PVOID d, PVOID r)',
    '{',
    '    NDIS_MINIPORT_CHARACTERISTICS ch;',
    '    ch.SendPacketsHandler = SendHandler;',
    '    return NdisMRegisterMiniport(0, &ch, sizeof(ch));',
    '}',
    '',
  ].join('\n');
  const p = programOf({ 'mp.h': h, 'mp.c': c });
  assert.deepEqual(roles(p, 'MpSend'), [{ role: 'send', how: 'registration' }]);
  assert.deepEqual(roles(p, 'MpOffloadSend'), [{ role: 'send', how: 'registration' }]);
});

test('a role type declaration gives its function the role', () => {
  const src = 'MINIPORT_HALT MpHalt;\nVOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }\n';
  const p = programOf({ 'mp.c': src });
  const ev = p.rolesOf(fnNamed(p, 'MpHalt'));
  assert.deepEqual(
    ev.map((r) => [r.role, r.how, r.detail, r.path, r.line]),
    [['halt', 'role-type', 'MINIPORT_HALT', 'mp.c', 1]],
  );
});

test('a pointer to a role type or an unknown type declares no role', () => {
  const p = programOf({
    'mp.c': 'MINIPORT_HALT *MpHalt;\nFOO_TYPE MpOther;\nVOID MpHalt(VOID) { }\nVOID MpOther(VOID) { }\n',
  });
  assert.deepEqual(roles(p, 'MpHalt'), []);
  assert.deepEqual(roles(p, 'MpOther'), []);
});

test('a role type declared in a header reaches the definition in a .c file', () => {
  const p = programOf({
    'mp.h': 'MINIPORT_PAUSE MpPause;\n',
    'mp.c': 'NDIS_STATUS MpPause(NDIS_HANDLE c, PVOID p) { return 0; }\n',
  });
  assert.deepEqual(roles(p, 'MpPause'), [{ role: 'pause', how: 'role-type' }]);
});

test('_Function_class_ gives the role to the function it precedes', () => {
  const src = [
    'VOID Before(VOID) { }',
    '_Function_class_(MINIPORT_RESET)',
    '_IRQL_requires_(DISPATCH_LEVEL)',
    'NDIS_STATUS',
    'MpReset(NDIS_HANDLE c, PBOOLEAN b) { return 0; }',
    'VOID After(VOID) { }',
    '',
  ].join('\n');
  const p = programOf({ 'mp.c': src });
  const ev = p.rolesOf(fnNamed(p, 'MpReset'));
  assert.deepEqual(
    ev.map((r) => [r.role, r.how, r.detail, r.line]),
    [['reset', 'function-class', '_Function_class_(MINIPORT_RESET)', 5]],
  );
  assert.deepEqual(roles(p, 'Before'), []);
  assert.deepEqual(roles(p, 'After'), []);
});

test('_Function_class_ of a type that is not a role gives no role', () => {
  const p = programOf({ 'mp.c': '_Function_class_(MY_OWN_TYPE)\nVOID MpX(VOID) { }\n' });
  assert.deepEqual(roles(p, 'MpX'), []);
});

const DRIVER = `
NTSTATUS DriverEntry(PDRIVER_OBJECT d, PUNICODE_STRING r)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS c;
    PNDIS_MINIPORT_DRIVER_CHARACTERISTICS pc = &c;
    NdisZeroMemory(&c, sizeof(c));
    c.InitializeHandlerEx = MpInit;
    pc->HaltHandlerEx = MpHalt;
    c.PauseHandler = (MINIPORT_PAUSE *)MpPause;
    c.RestartHandler = &MpRestart;
    c.NotARegistration = MpOther;
    return NdisMRegisterMiniportDriver(d, r, NULL, &c, &h);
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p) { return 0; }
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
NDIS_STATUS MpPause(NDIS_HANDLE c, PVOID p) { return 0; }
NDIS_STATUS MpRestart(NDIS_HANDLE c, PVOID p) { return 0; }
VOID MpOther(VOID) { }
`;

test('a registration by assignment gives the role, with the object and line', () => {
  const p = programOf({ 'mp.c': DRIVER });
  const [ev] = p.rolesOf(fnNamed(p, 'MpInit'));
  assert.equal(ev.role, 'initialize');
  assert.equal(ev.how, 'registration');
  assert.equal(ev.detail, 'c.InitializeHandlerEx');
  assert.equal(ev.line, lineOfText(DRIVER, 'c.InitializeHandlerEx'));
  assert.equal(ev.object, 'mp.c|DriverEntry|c');
});

test('a registration through a pointer to the characteristics', () => {
  const p = programOf({ 'mp.c': DRIVER });
  assert.deepEqual(roles(p, 'MpHalt'), [{ role: 'halt', how: 'registration' }]);
});

test('a registration through a cast or with &', () => {
  const p = programOf({ 'mp.c': DRIVER });
  assert.deepEqual(roles(p, 'MpPause'), [{ role: 'pause', how: 'registration' }]);
  assert.deepEqual(roles(p, 'MpRestart'), [{ role: 'restart', how: 'registration' }]);
});

test('an assignment to a field that is not a registration gives no callback role', () => {
  const p = programOf({ 'mp.c': DRIVER });
  assert.ok(!roles(p, 'MpOther').some((r) => r.how === 'registration'));
});

test('a registered function is not also of unknown context', () => {
  const p = programOf({ 'mp.c': DRIVER });
  for (const name of ['MpInit', 'MpHalt', 'MpPause', 'MpRestart'])
    assert.ok(!roles(p, name).some((r) => r.role === 'unknown'), name);
});

test('designated initializers register, at file scope, in a function and nested', () => {
  const src = `
static NDIS_MINIPORT_DRIVER_CHARACTERISTICS Chars = {
    .InitializeHandlerEx = MpInit,
    .HaltHandlerEx = (MINIPORT_HALT *)MpHalt,
};
static NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS Outer = { .Inner = { .InterruptHandler = MpIsr } };
VOID Setup(VOID)
{
    NDIS_TIMER_CHARACTERISTICS t = { .TimerFunction = MpTimer, .AllocationTag = 'pmxE' };
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p) { return 0; }
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
BOOLEAN MpIsr(PVOID c, PBOOLEAN q, PULONG t) { return 0; }
VOID MpTimer(PVOID a, PVOID b, PVOID c, PVOID d) { }
`;
  const p = programOf({ 'mp.c': src });
  assert.deepEqual(roles(p, 'MpInit'), [{ role: 'initialize', how: 'registration' }]);
  assert.deepEqual(roles(p, 'MpHalt'), [{ role: 'halt', how: 'registration' }]);
  assert.deepEqual(roles(p, 'MpIsr'), [{ role: 'interrupt', how: 'registration' }]);
  assert.deepEqual(roles(p, 'MpTimer'), [{ role: 'timer', how: 'registration' }]);
  assert.equal(p.rolesOf(fnNamed(p, 'MpInit'))[0].detail, 'Chars.InitializeHandlerEx');
});

test('a handoff call gives the role to the function at its callback argument', () => {
  const src = `
VOID Kick(NDIS_HANDLE h, PVOID ctx)
{
    NdisQueueIoWorkItem(h, MpWork, ctx);
    NdisMInitializeTimer(&t, h, (PNDIS_TIMER_FUNCTION)MpTick, ctx);
}
VOID MpWork(PVOID c, NDIS_HANDLE w) { }
VOID MpTick(PVOID a, PVOID b, PVOID c, PVOID d) { }
`;
  const p = programOf({ 'mp.c': src });
  const [ev] = p.rolesOf(fnNamed(p, 'MpWork'));
  assert.deepEqual(
    [ev.role, ev.how, ev.detail, ev.line],
    ['work-item', 'handoff', 'NdisQueueIoWorkItem', lineOfText(src, 'NdisQueueIoWorkItem')],
  );
  assert.deepEqual(roles(p, 'MpTick'), [{ role: 'timer', how: 'handoff' }]);
});

test('a function at another argument of a handoff call is not the callback', () => {
  const src =
    'VOID Kick(NDIS_HANDLE h) { NdisQueueIoWorkItem(h, MpWork, NotWork); }\nVOID MpWork(PVOID c, NDIS_HANDLE w) { }\nVOID NotWork(VOID) { }\n';
  const p = programOf({ 'mp.c': src });
  assert.ok(!roles(p, 'NotWork').some((r) => r.role === 'work-item'));
  assert.deepEqual(roles(p, 'MpWork'), [{ role: 'work-item', how: 'handoff' }]);
});

test('callArgsNamed: plain names at an argument, through casts and &', () => {
  const p = programOf({
    'mp.c': 'VOID K(VOID) { Api(a, F1); Api(b, (T *)&F2); Api(c, x + 1); Other(d, F3); Api(e); }\n',
  });
  assert.deepEqual(
    callArgsNamed(fnNamed(p, 'K').body, 'Api', 1).map((x) => x.arg),
    ['F1', 'F2'],
  );
});

test('DriverEntry has its role by name, other names do not', () => {
  const p = programOf({
    'mp.c': 'NTSTATUS DriverEntry(PVOID d, PVOID r) { return 0; }\nNTSTATUS DriverEntryEx(PVOID d) { return 0; }\n',
  });
  assert.deepEqual(roles(p, 'DriverEntry'), [{ role: 'driver-entry', how: 'name' }]);
  assert.deepEqual(roles(p, 'DriverEntryEx'), []);
});

test('a function whose address is taken, in a function or a file-scope table, has role unknown', () => {
  const src = `
PVOID Table[] = { MpFromTable };
VOID Setup(VOID) { gCallback = MpAddr; }
VOID MpAddr(VOID) { }
VOID MpFromTable(VOID) { }
`;
  const p = programOf({ 'mp.c': src });
  assert.deepEqual(roles(p, 'MpAddr'), [{ role: 'unknown', how: 'address-taken' }]);
  assert.deepEqual(roles(p, 'MpFromTable'), [{ role: 'unknown', how: 'address-taken' }]);
});

test('a function that is only called has no role', () => {
  const p = programOf({ 'mp.c': 'VOID Helper(int x) { }\nVOID Caller(VOID) { Helper(1); }\n' });
  assert.deepEqual(roles(p, 'Helper'), []);
  assert.deepEqual(roles(p, 'Caller'), []);
});

// ---- resolution ----

test('a static function shadows an external one of the same name in its own file only', () => {
  const p = programOf({
    'drv/a.c': 'static VOID Helper(VOID) { }\nVOID A(VOID) { Helper(); }\n',
    'drv/b.c': 'VOID Helper(VOID) { }\n',
    'drv/c.c': 'VOID C(VOID) { Helper(); }\n',
  });
  assert.deepEqual(files(p, 'drv/a.c', 'Helper'), ['drv/a.c']);
  assert.deepEqual(files(p, 'drv/c.c', 'Helper'), ['drv/b.c']);
  assert.equal(fnIn(p, 'drv/a.c', 'Helper').fact.isStatic, true);
});

test('a static function is invisible from other files', () => {
  const p = programOf({ 'a.c': 'static VOID Hidden(VOID) { }\n', 'b.c': 'VOID B(VOID) { Hidden(); }\n' });
  assert.deepEqual(files(p, 'b.c', 'Hidden'), []);
  assert.deepEqual(files(p, 'a.c', 'Hidden'), ['a.c']);
});

test('a static prototype makes a later definition without static file-local', () => {
  const p = programOf({
    'a.c': 'static VOID Helper(VOID);\nVOID Helper(VOID) { }\n',
    'b.c': 'VOID Helper(VOID) { }\nVOID B(VOID) { Helper(); }\n',
    'c.c': 'VOID C(VOID) { Helper(); }\n',
  });
  assert.deepEqual(files(p, 'c.c', 'Helper'), ['b.c']);
  assert.deepEqual(files(p, 'a.c', 'Helper'), ['a.c']);
});

test('two drivers in sibling folders: each call resolves to its own driver', () => {
  const p = programOf({
    'drivers/alpha/init.c': 'VOID Init(VOID) { HwReset(); }\n',
    'drivers/alpha/hw.c': 'VOID HwReset(VOID) { }\n',
    'drivers/beta/init.c': 'VOID Init2(VOID) { HwReset(); }\n',
    'drivers/beta/hw.c': 'VOID HwReset(VOID) { }\n',
  });
  assert.deepEqual(files(p, 'drivers/alpha/init.c', 'HwReset'), ['drivers/alpha/hw.c']);
  assert.deepEqual(files(p, 'drivers/beta/init.c', 'HwReset'), ['drivers/beta/hw.c']);
});

test('two build variants side by side: a call from x5.c resolves to x5.c, from common.c to both', () => {
  const p = programOf({
    'drv/x5.c': 'VOID MapRegs(VOID) { }\nVOID Init5(VOID) { MapRegs(); }\n',
    'drv/x6.c': 'VOID MapRegs(VOID) { }\nVOID Init6(VOID) { MapRegs(); }\n',
    'drv/common.c': 'VOID Common(VOID) { MapRegs(); }\n',
  });
  assert.deepEqual(files(p, 'drv/x5.c', 'MapRegs'), ['drv/x5.c']);
  assert.deepEqual(files(p, 'drv/x6.c', 'MapRegs'), ['drv/x6.c']);
  assert.deepEqual(files(p, 'drv/common.c', 'MapRegs'), ['drv/x5.c', 'drv/x6.c']);
  assert.deepEqual(
    p
      .callees(fnIn(p, 'drv/common.c', 'Common'))
      .map((e) => e.callee.file)
      .sort(),
    ['drv/x5.c', 'drv/x6.c'],
  );
  assert.deepEqual(
    p.callees(fnIn(p, 'drv/x5.c', 'Init5')).map((e) => e.callee.file),
    ['drv/x5.c'],
  );
});

test('a single external definition is found from anywhere', () => {
  const p = programOf({ 'lib/deep/util.c': 'VOID Util(VOID) { }\n', 'other/x.c': 'VOID X(VOID) { Util(); }\n' });
  assert.deepEqual(files(p, 'other/x.c', 'Util'), ['lib/deep/util.c']);
});

test('an unknown name resolves to nothing', () => {
  const p = programOf({ 'a.c': 'VOID A(VOID) { NdisMMapIoSpace(0, 0, 0, 0); }\n' });
  assert.deepEqual(p.resolve('a.c', 'NdisMMapIoSpace'), []);
  assert.deepEqual(p.callees(fnNamed(p, 'A')), []);
});

test('pathDistance: steps up from one folder and down to the other', () => {
  assert.equal(pathDistance('a.c', 'a.c'), -1);
  assert.equal(pathDistance('x/a.c', 'x/b.c'), 0);
  assert.equal(pathDistance('a/b/c.c', 'a/d/e.c'), 2);
  assert.equal(pathDistance('a.c', 'x/y/b.c'), 2);
  assert.equal(pathDistance('x/y/b.c', 'a.c'), 2);
  assert.equal(pathDistance('./x/a.c', 'x/b.c'), 0);
});

test('nearest keeps every candidate at the smallest distance', () => {
  const items = ['d/x5.c', 'd/x6.c', 'e/x7.c'];
  assert.deepEqual(
    nearest('d/common.c', items, (s) => s),
    ['d/x5.c', 'd/x6.c'],
  );
  assert.deepEqual(
    nearest('d/x6.c', items, (s) => s),
    ['d/x6.c'],
  );
  assert.deepEqual(
    nearest('e/z.c', items, (s) => s),
    ['e/x7.c'],
  );
  assert.deepEqual(
    nearest('e/z.c', [], (s: string) => s),
    [],
  );
});

// ---- macros ----

test('callees see through a function-like macro, with the macro named', () => {
  const p = programOf({
    'a.c': '#define HW_RESET(a) HwReset((a), 1)\nVOID HwReset(PVOID a, int x) { }\nVOID F(PVOID a) { HW_RESET(a); }\n',
  });
  const edges = p.callees(fnNamed(p, 'F'));
  assert.deepEqual(
    edges.map((e) => [e.callee.name, e.viaMacros, e.siteName]),
    [['HwReset', ['HW_RESET'], 'HW_RESET']],
  );
});

test('callees see through nested macros, outermost first', () => {
  const src =
    '#define INNER(a) HwReset(a)\n#define OUTER(a) do { INNER(a); } while (0)\nVOID HwReset(PVOID a) { }\nVOID F(PVOID a) { OUTER(a); }\n';
  const p = programOf({ 'a.c': src });
  assert.deepEqual(
    p.callees(fnNamed(p, 'F')).map((e) => [e.callee.name, e.viaMacros]),
    [['HwReset', ['OUTER', 'INNER']]],
  );
});

test('a macro parameter called in the body is not a callee', () => {
  const p = programOf({ 'a.c': '#define CALL(f, x) f(x)\nVOID f(int x) { }\nVOID G(VOID) { CALL(Other, 1); }\n' });
  assert.deepEqual(p.callees(fnNamed(p, 'G')), []);
});

test('a direct call is an edge without macros; taking an address is not a call', () => {
  const p = programOf({ 'a.c': 'VOID H(VOID) { }\nVOID F(VOID) { H(); }\nVOID G(VOID) { gp = H; }\n' });
  assert.deepEqual(
    p.callees(fnNamed(p, 'F')).map((e) => [e.callee.name, e.viaMacros, e.siteName]),
    [['H', [], 'H']],
  );
  assert.deepEqual(p.callees(fnNamed(p, 'G')), []);
});

test('a self-recursive macro does not loop', () => {
  const p = programOf({ 'a.c': '#define LOOP(a) LOOP(a)\nVOID F(VOID) { LOOP(1); }\n' });
  assert.deepEqual(p.callees(fnNamed(p, 'F')), []);
});

test('callsApi: direct, through a macro, and not at all', () => {
  const p = programOf({
    'a.c':
      '#define MAP_IT(a) NdisMMapIoSpace(&(a)->Regs, (a)->H, (a)->Pa, 16)\nVOID D(PA a) { NdisMMapIoSpace(&a->Regs, a->H, a->Pa, 16); }\nVOID M(PA a) { MAP_IT(a); }\nVOID N(PA a) { NdisMUnmapIoSpace(a->H, a->Regs, 16); }\n',
  });
  assert.equal(p.callsApi(fnNamed(p, 'D'), 'NdisMMapIoSpace'), true);
  assert.equal(p.callsApi(fnNamed(p, 'M'), 'NdisMMapIoSpace'), true);
  assert.equal(p.callsApi(fnNamed(p, 'N'), 'NdisMMapIoSpace'), false);
});

test('aliasOf: an object-like alias macro names what it stands for', () => {
  const p = programOf({
    'a.c': '#define MAP_IT NdisMMapIoSpace\n#define MAP_AGAIN MAP_IT\n#define LEN 16\nVOID F(VOID) { }\n',
  });
  assert.equal(p.aliasOf('a.c', 'MAP_AGAIN'), 'NdisMMapIoSpace');
  assert.equal(p.aliasOf('a.c', 'LEN'), 'LEN', 'a number is not a name');
  assert.equal(p.aliasOf('a.c', 'F'), 'F');
  assert.equal(p.aliasOf('a.c', 'Unknown'), 'Unknown');
});

test('macro: the nearest definition wins', () => {
  const p = programOf({ 'drvA/hw.h': '#define REGS_LEN 0x100\n', 'drvB/hw.h': '#define REGS_LEN 0x200\n' });
  assert.equal(p.macro('drvA/init.c', 'REGS_LEN')?.body, '0x100');
  assert.equal(p.macro('drvB/sub/init.c', 'REGS_LEN')?.body, '0x200');
  assert.equal(p.macro('drvA/init.c', 'NOPE'), undefined);
});

test('a function defined in both #if branches is one function per distinct body', () => {
  const src = 'VOID F(VOID)\n{\n#ifdef X5\n    Map5();\n#else\n    Map6();\n#endif\n}\n';
  const p = programOf({ 'a.c': src });
  const defs = p.functions.filter((f) => f.name === 'F');
  assert.equal(defs.length, 2);
  assert.deepEqual(defs.map((d) => d.fact.calls).sort(), [['Map5'], ['Map6']]);
});

test('a completion routine is a callback of its own: by __drv_functionClass and by IoSetCompletionRoutine', () => {
  const src = [
    '__drv_functionClass(IO_COMPLETION_ROUTINE)',
    'static NTSTATUS QueryDone(PDEVICE_OBJECT d, PIRP i, PVOID c) { return STATUS_SUCCESS; }',
    'NTSTATUS ResetDone(PDEVICE_OBJECT d, PIRP i, PVOID c) { return STATUS_SUCCESS; }',
    'VOID Send(PIRP Irp, PVOID c) { IoSetCompletionRoutine(Irp, ResetDone, c, TRUE, TRUE, TRUE); }',
    '',
  ].join('\n');
  const p = programOf({ 'mp.c': src });
  assert.deepEqual(roles(p, 'QueryDone'), [{ role: 'completion-routine', how: 'function-class' }]);
  assert.deepEqual(roles(p, 'ResetDone'), [{ role: 'completion-routine', how: 'handoff' }]);
});

test('a KMDF continuous reader hands over its read completion routine (WDF_USB_CONTINUOUS_READER_CONFIG_INIT)', () => {
  const src = [
    'VOID ReadDone(WDFUSBPIPE Pipe, WDFMEMORY Buffer, size_t NumBytes, WDFCONTEXT Context) { }',
    'VOID Setup(PNIC Nic) { WDF_USB_CONTINUOUS_READER_CONFIG config;',
    '  WDF_USB_CONTINUOUS_READER_CONFIG_INIT(&config, ReadDone, Nic, 2048); }',
    '',
  ].join('\n');
  assert.deepEqual(roles(programOf({ 'usb.c': src }), 'ReadDone'), [{ role: 'completion-routine', how: 'handoff' }]);
});

test('an address taken in only one #if branch of a function is still taken', () => {
  // Both builds define Setup at the same place with the same calls; only the #else build hands
  // Dtor over. The definition is kept once, with the references of both.
  const src = [
    'VOID Ctor(PVOID p);',
    'VOID Dtor(PVOID p);',
    'VOID Setup(PVOID pool)',
    '{',
    '    PoolInit(pool,',
    '#if INLINE',
    '        Ctor, NULL);',
    '#else',
    '        Ctor, Dtor);',
    '#endif',
    '}',
    'VOID Ctor(PVOID p) { }',
    'VOID Dtor(PVOID p) { }',
    '',
  ].join('\n');
  const p = programOf({ 'mp.c': src });
  assert.deepEqual(roles(p, 'Dtor'), [{ role: 'unknown', how: 'address-taken' }]);
});
