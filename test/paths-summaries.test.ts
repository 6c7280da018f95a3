/**
 * Helper walks remembered within one analysis (`pathsummary.ts`): a helper reached again in a
 * state it cannot tell from an earlier one is replayed, not walked. A replay must give what a
 * fresh walk gives, so each shape here is analysed twice, remembering and walking every helper
 * afresh, and the two results must be the same; and each asserts that replays happened (or, where
 * the walk must not be replayed, the result is still the fresh one).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PathAnalyzer } from '../src/engine/paths.js';
import { Analysis } from '../src/engine/pathcontext.js';
import { clone, newState, type Birth, type Group, type Origin, type State, type Val } from '../src/engine/pathstate.js';
import { replay, summarise } from '../src/engine/pathsummary.js';
import type { Pos } from '../src/engine/ast.js';
import { footprintOf, shadowScopeOf, sightOf } from '../src/engine/pathfootprint.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import type { FnDef, Program } from '../src/engine/program.js';
import { programOf } from './support/program.js';
import { ADAPTER } from './support/ruleTester.js';
import { initShape, initWithSteps } from './support/init-walks.js';
import { defined } from '../src/util/defined.js';

const pack = loadRulePack();
const mapping = pack.resources[Object.keys(pack.resources)[0]];
const fn = (program: Program, name: string): FnDef => defined(program.functions.find((f) => f.name === name));

/** `MpInit`'s walk for `resource` (the mapping by default) with helper walks remembered, and without. */
function both(text: string, resource = mapping): { remembered: string; fresh: string; replays: number } {
  const program = programOf({ 'mp.c': text });
  const init = fn(program, 'MpInit');
  const on = new PathAnalyzer(program, resource, new Set(program.functions), false);
  const off = new PathAnalyzer(program, resource, new Set(program.functions), false).forgetHelpers();
  const remembered = initShape(on.analyzeInit(init));
  return { remembered, fresh: initShape(off.analyzeInit(init)), replays: on.replays };
}

/** `s = Probe(a, i)` for each `i` in [from, to), each failure going to `fail:`. */
function probes(from: number, to: number): string {
  const out: string[] = [];
  for (let i = from; i < to; i++)
    out.push(`    s = Probe(a, ${String(i)});\n    if (s != NDIS_STATUS_SUCCESS) goto fail;`);
  return out.join('\n');
}

/** `n` steps that can each fail, each failure going to the one cleanup call with its own status. */
function cleanupAfterEachStep(n: number, leakAt: number): string {
  return initWithSteps(
    `${ADAPTER}\nVOID FreeBuffers(PADAPTER a);`,
    `VOID Cleanup(PADAPTER a)
{
    if (a->Len) FreeBuffers(a);
    if (a->Regs) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); a->Regs = NULL; }
    if (a->Mapped) a->Mapped = FALSE;
}`,
    n,
    leakAt,
  );
}

test('a cleanup helper called from every failure path is replayed, with the fresh walk’s result', () => {
  const r = both(cleanupAfterEachStep(12, 7));
  assert.equal(r.remembered, r.fresh);
  assert.ok(r.replays >= 5, `replays: ${String(r.replays)}`);
  assert.match(r.remembered, /"complete":true/);
  assert.match(r.remembered, /a->Regs@mp\.c:/);
});

test('with no leak, replays find none either', () => {
  const r = both(cleanupAfterEachStep(12, -1));
  assert.equal(r.remembered, r.fresh);
  assert.ok(r.replays >= 5);
  assert.match(r.remembered, /"leaks":\[\]/);
});

test('a helper that tests what the caller learned from an earlier call is replayed, decided where that call returned', () => {
  // `Check` tests `a->Len`, which the caller set from a call made before it: what the branch decides
  // was fixed when that call returned, a different step on the paths that warmed up first. A replay
  // takes that step from its own arrival (before, such a walk was never remembered).
  const text = `${ADAPTER}
ULONG ReadLen(PADAPTER a);
VOID Warm(PADAPTER a);
NDIS_STATUS Probe(PADAPTER a, ULONG i);
VOID Check(PADAPTER a)
{
    if (a->Len) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); a->Regs = NULL; }
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    a->H = h;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (a->Fast) { Warm(a); Warm(a); Warm(a); }
    a->Len = ReadLen(a);
${probes(1, 4)}
    return NDIS_STATUS_SUCCESS;
fail:
    Check(a);
    return s;
}`;
  const r = both(text);
  assert.equal(r.remembered, r.fresh);
  assert.ok(r.replays >= 2, `replays: ${String(r.replays)}`);
  assert.match(r.remembered, /"leaks":\["a->Regs@/);
});

test('an arrival whose last jump lies in a helper the walk goes through is walked afresh', () => {
  // The path that falls through to \`fail\` last returned from \`Touch\`, which \`Cleanup\` walks too:
  // inside that walk its joins would tell that arrival's paths apart by a jump of its own.
  const text = `${ADAPTER}
NDIS_STATUS Probe(PADAPTER a, ULONG i);
VOID Touch(PADAPTER a)
{
    if (!a->Mapped) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
    return;
}
VOID Cleanup(PADAPTER a)
{
    Touch(a);
    if (a->Mapped) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); a->Mapped = FALSE; }
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    a->H = h;
    a->Mapped = FALSE;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    a->Mapped = TRUE;
    s = Probe(a, 1);
    if (s != NDIS_STATUS_SUCCESS) goto fail;
    s = Probe(a, 2);
    if (s != NDIS_STATUS_SUCCESS) goto fail;
    s = Probe(a, 3);
    if (s == NDIS_STATUS_SUCCESS) return NDIS_STATUS_SUCCESS;
    Touch(a);
fail:
    Cleanup(a);
    return s;
}`;
  const r = both(text);
  assert.equal(r.remembered, r.fresh);
  assert.match(r.remembered, /"leaks":\[\]/);
  assert.equal(r.replays, 1, 'the two arrivals by goto share one walk; the one from Touch is walked afresh');
});

test('a helper that maps the next element of an array, called in a loop, is replayed when it keeps the earlier one apart', () => {
  // ti-am33x-cpsw3g's shape: one receive channel's buffers per round, a round's failure ignored.
  // Each round's walk moves the element still held to a name of its own; that group was acquired
  // before the call, and such a walk used to be walked afresh on every arrival.
  const r = both(`${ADAPTER}
typedef struct _B { NDIS_HANDLE H; PVOID Va[8]; NDIS_PHYSICAL_ADDRESS Pa[8]; ULONG Mask; } B, *PB;
NDIS_STATUS Probe(PB b);
NDIS_STATUS MapOne(PB b, ULONG i)
{
    NDIS_STATUS s = NdisMMapIoSpace(&b->Va[i], b->H, b->Pa[i], 64);
    if (s != NDIS_STATUS_SUCCESS)
        return s;
    if (Probe(b) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_FAILURE;
    if (Probe(b) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_RESOURCES;
    if (Probe(b) != NDIS_STATUS_SUCCESS)
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    return NDIS_STATUS_SUCCESS;
}
VOID MapAll(PB b)
{
    ULONG ch;
    for (ch = 0; ch < 8; ch++)
        if (b->Mask & (1 << ch))
            if (MapOne(b, ch) != NDIS_STATUS_SUCCESS)
                DbgPrint("failed");
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PB b = (PB)c;
    MapAll(b);
    return Probe(b);
}`);
  assert.equal(r.remembered, r.fresh);
  assert.ok(r.replays >= 10, `replays: ${String(r.replays)}`);
});

/**
 * `n` steps that each record how far initialize got in `a->Stage` (or, with `ring`, in a struct
 * behind a pointer, `a->Ring->Count`) and then can fail, each failure going to the one `fail:`
 * label: every arrival at `Cleanup` holds another value there.
 */
function stagedInit(cleanup: string, n: number, ring = false): string {
  const field = ring ? 'a->Ring->Count' : 'a->Stage';
  return initWithSteps(
    `${ADAPTER}
typedef struct _RING { ULONG Count; } RING, *PRING;
typedef struct _STAGED { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; ULONG Stage; PRING Ring; } STAGED, *PSTAGED;
NDIS_STATUS Probe(PSTAGED a, ULONG i);`,
    cleanup,
    n,
    -1,
    {
      type: 'PSTAGED',
      step: (i) => `    ${field} = ${String(i + 1)};\n    s = Probe(a, ${String(i)});`,
      // Read after the call, so the walk keeps what each path stored there.
      afterCleanup: `    if (${field} == 0) s = NDIS_STATUS_FAILURE;`,
    },
  );
}

test('arrivals that differ only in storage the helper cannot name share one walk', () => {
  // Each goto reaches `fail` with its own `a->Stage`: a state of its own, a walk of its own, until
  // the key left out what `Cleanup` (which never names `Stage`) cannot read.
  const r = both(
    stagedInit(
      `VOID Cleanup(PSTAGED a)
{
    if (a->Regs) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); a->Regs = NULL; }
}`,
      8,
    ),
  );
  assert.equal(r.remembered, r.fresh);
  assert.match(r.remembered, /"leaks":\[\]/);
  assert.ok(r.replays >= 6, `replays: ${String(r.replays)}`);
});

test('a helper that reads the storage the arrivals differ in is walked for each, with the fresh result', () => {
  const r = both(
    stagedInit(
      `VOID Cleanup(PSTAGED a)
{
    if (a->Stage > 4) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); a->Regs = NULL; }
}`,
      8,
    ),
  );
  assert.equal(r.remembered, r.fresh);
  assert.match(r.remembered, /"leaks":\["a->Regs@/);
  assert.equal(r.replays, 0);
});

test('a helper whose walk forgets storage it does not name is not replayed onto other arrivals', () => {
  // A wait on the device forgets what the path knew of memory the device may share (`RING.Count`,
  // a struct no handle is kept in): a change outside the helper's footprint, so its walk is not
  // remembered under a key that leaves that storage out.
  const r = both(
    stagedInit(
      `VOID Cleanup(PSTAGED a)
{
    NdisStallExecution(10);
    if (a->Regs) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); a->Regs = NULL; }
}`,
      8,
      true,
    ),
  );
  assert.equal(r.remembered, r.fresh);
  assert.match(r.remembered, /"leaks":\[\]/);
  assert.equal(r.replays, 0);
});

test('a footprint: the names of the helper, of what it steps into and of its macros; none through a pointer', () => {
  const program = programOf({
    'mp.c': `${ADAPTER}
typedef struct _OPS { VOID (*Free)(PADAPTER a); } OPS;
#define UNMAP_REGS(a) NdisMUnmapIoSpace((a)->H, (a)->Regs2, REGS_LEN)
#define VIA_OPS(a) (a)->Ops->Free(a)
#define CALL_ARG(f, a) f(a)
#define VIA_DEREF(a) (*(a)->Handler)(a)
#define DEREF_AT_END(a) (*((a)->Handler))
#define STORE_THROUGH(a, v) (*((PVOID *)&(a)->Reserved) = (v))
VOID Inner(PADAPTER a) { if (a->Mapped) UNMAP_REGS(a); }
VOID Plain(PADAPTER a) { if (a->Regs) NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); Inner(a); }
VOID ByMember(PADAPTER a) { a->Ops->Free(a); }
VOID ByMacro(PADAPTER a) { VIA_OPS(a); }
VOID ByArgument(PADAPTER a) { CALL_ARG(a->Free, a); }
VOID ByDeref(PADAPTER a) { VIA_DEREF(a); }
VOID ByDerefAtEnd(PADAPTER a) { DEREF_AT_END(a)(a); }
VOID Stores(PADAPTER a) { STORE_THROUGH(a, NULL); }`,
  });
  const an = new Analysis(program, mapping, new Set(program.functions), false, 4, []);
  const names = defined(footprintOf(an, fn(program, 'Plain')));
  // Its own body, the helper it steps into, and the macro that helper uses.
  for (const n of ['Regs', 'Mapped', 'Regs2', 'H']) assert.ok(names.has(n), n);
  assert.ok(!names.has('Len'), 'a field no function of it names');
  for (const f of ['ByMember', 'ByMacro', 'ByArgument', 'ByDeref', 'ByDerefAtEnd'])
    assert.equal(footprintOf(an, fn(program, f)), undefined, f);
  // A macro that only stores through a cast dereference calls nothing: the helper has a footprint.
  assert.ok(defined(footprintOf(an, fn(program, 'Stores'))).has('Reserved'));
  // A key of a field it names is in sight, one it does not name is not; a variable always is.
  const sight = defined(sightOf(an, fn(program, 'Plain'), [], () => false));
  assert.equal(sight('ADAPTER.Regs2'), true);
  assert.equal(sight('ADAPTER.Len'), false);
  assert.equal(sight('ADAPTER.Flags&4'), false);
  assert.equal(sight('G:Global'), true);
  // What an argument was handed as is in sight whatever its name.
  const handed = defined(sightOf(an, fn(program, 'Plain'), [{ key: 'ADAPTER.Len' }], () => false));
  assert.equal(handed('ADAPTER.Len'), true);
});

test('a footprint spans at most 64 functions: a longer chain of helpers keys by the whole state', () => {
  const chain = (n: number) => {
    const fns = Array.from({ length: n }, (_, i) =>
      i === n - 1
        ? `VOID H${String(i)}(PADAPTER a) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }`
        : `VOID H${String(i)}(PADAPTER a) { a->Len = ${String(i)}; H${String(i + 1)}(a); }`,
    );
    const program = programOf({ 'mp.c': `${ADAPTER}\n${[...fns].reverse().join('\n')}` });
    return footprintOf(new Analysis(program, mapping, new Set(program.functions), false, 4, []), fn(program, 'H0'));
  };
  assert.ok(chain(64)?.has('Regs'), 'a chain of 64 has a footprint');
  assert.equal(chain(65), undefined);
});

/** A state at `step` (see `summarise`): storage, names, groups and conditions as given. */
function stateAt(
  step: number,
  parts: {
    vals?: [string, Val][];
    res?: [string, string][];
    groups?: [string, Group][];
    cons?: [string, { z: boolean; o: Origin }][];
  },
): State {
  const s = newState();
  s.step = step;
  for (const [k, v] of parts.vals ?? []) s.vals.set(k, v);
  for (const [k, g] of parts.res ?? []) s.res.set(k, g);
  for (const [k, g] of parts.groups ?? []) s.groups.set(k, g);
  for (const [k, c] of parts.cons ?? []) s.cons.set(k, c);
  return s;
}

const counters = { splits: 0, openSplits: 0, splitBase: 0, walkSteps: 1 };
const branch = (at: number, decided?: Birth): Origin => ({
  at,
  file: 'mp.c',
  p: [at, 1, at, 2],
  how: 'branch',
  text: 't',
  ...(decided ? { decided } : {}),
});
/** In sight: the adapter's fields; out of sight: the receive ring's. */
const sight = (k: string) => k.startsWith('ADAPTER.');

test('a walk that forgets what the path knew of a symbol nothing holds is remembered; one held out of sight is not', () => {
  // `Step#1:5:9` is the status an earlier invocation of the helper returned, tested and let go: the
  // walk's own call at that place replaces it.
  const known: [string, { z: boolean; o: Origin }] = ['Step#1:5:9', { z: false, o: branch(4) }];
  const pristine = stateAt(10, { cons: [known] });
  const exit = clone(pristine);
  exit.step = 14;
  exit.cons.delete('Step#1:5:9');
  assert.ok(summarise(pristine, [], [], [{ state: exit, ret: { k: 'top' } }], counters, [], sight));
  // Held by the receive ring (out of sight): a later arrival's own, which the walk must leave alone.
  const held = stateAt(10, { vals: [['RING.Status', { k: 'sym', id: 'Step#1:5:9' }]], cons: [known] });
  const exit2 = clone(held);
  exit2.step = 14;
  exit2.cons.delete('Step#1:5:9');
  assert.equal(summarise(held, [], [], [{ state: exit2, ret: { k: 'top' } }], counters, [], sight), undefined);
});

test('a walk that moves an element acquired before the call to a name of its own finds it by its site, not by the object', () => {
  const site = { file: 'mp.c', fn: 'MapOne', p: [7, 5, 7, 40] as Pos, key: 'ADAPTER.Va[]', text: 'a->Va[i]' };
  const group = (acqStep: number, s = site): Group => ({ st: 'held', site: s, acqStep, frames: ['MpInit#0'] });
  const arrival = (acqStep: number) => stateAt(20, { res: [['ADAPTER.Va[]', 'g']], groups: [['g', group(acqStep)]] });
  const pristine = arrival(6);
  const exit = clone(pristine);
  exit.step = 25;
  // The walk keeps the earlier element under a name of its own, with a copy of its site.
  exit.res.set('ADAPTER.Va[]~earlier', 'g~earlier');
  exit.groups.set('g~earlier', group(6, { ...site }));
  const sum = summarise(pristine, [], [], [{ state: exit, ret: { k: 'top' } }], counters, [], sight);
  assert.ok(sum, 'remembered');
  // Replayed onto an arrival that acquired it at another step: the moved element keeps that step.
  const an = { splits: 0, openSplits: 0 } as unknown as Analysis;
  const out = replay(an, sum, arrival(9), []);
  assert.equal(out?.[0].state.groups.get('g~earlier')?.acqStep, 9);
});

test('a condition learned of what the arrival decided earlier is replayed decided where that arrival decided it', () => {
  const born = (at: number): Birth => ({ at, file: 'mp.c', p: [3, 9, 3, 20] });
  const arrival = (at: number, step: number) =>
    stateAt(step, { vals: [['ADAPTER.Len', { k: 'sym', id: 'MpInit#0:3:9', b: born(at) }]] });
  const pristine = arrival(5, 20);
  const exit = clone(pristine);
  exit.step = 24;
  exit.cons.set('MpInit#0:3:9', { z: false, o: branch(22, born(5)) });
  const sum = summarise(pristine, [], [], [{ state: exit, ret: { k: 'top' } }], counters, [], sight);
  assert.ok(sum, 'remembered');
  const an = { splits: 0, openSplits: 0 } as unknown as Analysis;
  const out = replay(an, sum, arrival(11, 24), []);
  const learned = out?.[0].state.cons.get('MpInit#0:3:9');
  assert.equal(learned?.o.decided?.at, 11, 'decided at the arrival’s own step');
  assert.equal(learned.o.at, 26, 'learned at the replay’s step');
  // Two holders that disagree on where it was born: no birth to take, so the walk is not remembered.
  const torn = stateAt(20, {
    vals: [
      ['ADAPTER.Len', { k: 'sym', id: 'MpInit#0:3:9', b: born(5) }],
      ['ADAPTER.Max', { k: 'sym', id: 'MpInit#0:3:9', b: born(6) }],
    ],
  });
  const exit2 = clone(torn);
  exit2.step = 24;
  exit2.cons.set('MpInit#0:3:9', { z: false, o: branch(22, born(5)) });
  assert.equal(summarise(torn, [], [], [{ state: exit2, ret: { k: 'top' } }], counters, [], sight), undefined);
});

const sharedMemory = defined(
  Object.values(pack.allResources ?? pack.resources).find((r) => r.acquire.call === 'NdisMAllocateSharedMemory'),
);

/**
 * Initialize allocating `a->Va`, then steps that can fail to `fail:`, and halfway `a->Aux` too: the
 * arrivals at `Cleanup` before it hold nothing `Cleanup` cannot name, those after it hold `Aux`.
 */
function auxAfterHalf(cleanup: string): { remembered: string; fresh: string; replays: number } {
  return both(
    `${ADAPTER}
typedef struct _DUAL { NDIS_HANDLE H; PVOID Va; NDIS_PHYSICAL_ADDRESS VaPa; PVOID Aux; NDIS_PHYSICAL_ADDRESS AuxPa; struct _DUAL *Self; } DUAL, *PDUAL;
NDIS_STATUS Probe(PDUAL a, ULONG i);
${cleanup}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PDUAL a = (PDUAL)c;
    NDIS_STATUS s;
    a->H = h;
    NdisMAllocateSharedMemory(h, 64, FALSE, &a->Va, &a->VaPa);
    if (a->Va == NULL) return NDIS_STATUS_RESOURCES;
${probes(0, 3)}
    NdisMAllocateSharedMemory(h, 64, FALSE, &a->Aux, &a->AuxPa);
    if (a->Aux == NULL) { s = NDIS_STATUS_RESOURCES; goto fail; }
${probes(3, 6)}
    return NDIS_STATUS_SUCCESS;
fail:
    Cleanup(a);
    return s;
}`,
    sharedMemory,
  );
}

test('arrivals that differ only in memory held out of sight share a walk when no step of the helper asks about it', () => {
  // `Aux` is out of `Cleanup`'s sight; only a step that reads everything held (a NULL stored into a
  // field pointing to a struct that holds it, a zeroing call, a device wait, a pointer stepped over
  // it) could tell the arrivals apart, and `Cleanup` takes none.
  const r = auxAfterHalf(`VOID Cleanup(PDUAL a)
{
    if (a->Va) { NdisMFreeSharedMemory(a->H, 64, FALSE, a->Va, a->VaPa); a->Va = NULL; }
}`);
  assert.equal(r.remembered, r.fresh);
  assert.match(r.remembered, /"leaks":\["a->Aux@/);
  assert.equal(r.replays, 6, 'seven arrivals, one walk');
});

test('a helper that stores NULL into a field pointing to the struct holding it keeps those arrivals apart', () => {
  // `a->Self = NULL` asks whether a `DUAL` still holds something (`hidesHeldResource`): `Aux` or not.
  const r = auxAfterHalf(`VOID Cleanup(PDUAL a)
{
    if (a->Va) { NdisMFreeSharedMemory(a->H, 64, FALSE, a->Va, a->VaPa); a->Va = NULL; }
    a->Self = NULL;
}`);
  assert.equal(r.remembered, r.fresh);
  assert.ok(r.replays < 6, `replays: ${String(r.replays)}`);
});

test('what a helper may ask of storage out of its sight, from its text', () => {
  const program = programOf({
    'mp.c': `${ADAPTER}
typedef struct _DUAL { NDIS_HANDLE H; PVOID Regs; PVOID Aux; struct _DUAL *Self; } DUAL, *PDUAL;
typedef struct _DESC { PVOID Va; } DESC, *PDESC;
VOID Plain(PDUAL a) { if (a->Regs) NdisMUnmapIoSpace(a->H, a->Regs, 64); }
VOID Unlink(PDUAL a) { a->Self = NULL; }
VOID Wipe(PDUAL a) { NdisZeroMemory(a, sizeof(DUAL)); }
VOID Wait(PDUAL a) { NdisStallExecution(10); }
VOID Walk(PDESC d, ULONG n) { while (n--) { d->Va = NULL; d++; } }
VOID Mystery(PDUAL a) { q++; }
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return 0; }`,
  });
  const an = new Analysis(program, sharedMemory, new Set(program.functions), false, 4, []);
  const scope = (name: string) => {
    const s = defined(shadowScopeOf(an, fn(program, name), []));
    const set = (x: ReadonlySet<string> | 'all') => (x === 'all' ? 'all' : [...x].sort().join(','));
    return `${s.holders ? 'holders ' : ''}held:${set(s.held)} gone:${set(s.gone)}`;
  };
  assert.equal(scope('Plain'), 'held: gone:');
  assert.equal(scope('Unlink'), 'held:DUAL gone:');
  assert.equal(scope('Wipe'), 'held:all gone:');
  assert.equal(scope('Wait'), 'holders held: gone:');
  assert.match(scope('Walk'), / gone:DESC$/);
  assert.equal(scope('Mystery'), 'held: gone:all', 'a stepped name declared nowhere: any struct');
});

test('a walk that drops or changes a group is replayed only onto arrivals that name that group alike', () => {
  // The walk frees `a->Va` and forgets the name: nothing else named the group, so it is gone. An
  // arrival whose caller keeps the same memory in a variable of its own (out of the helper's sight)
  // would keep the group named: a fresh walk, not this replay.
  const site = { file: 'mp.c', fn: 'MpInit', p: [9, 5, 9, 60] as Pos, key: 'DUAL.Va', text: 'a->Va' };
  const held: Group = { st: 'held', site, acqStep: 3, frames: ['MpInit#0'] };
  const arrival = (extra: [string, string][]) =>
    stateAt(20, { res: [['DUAL.Va', 'g'], ...extra], groups: [['g', held]] });
  const pristine = arrival([]);
  const exit = clone(pristine);
  exit.step = 25;
  exit.res.delete('DUAL.Va');
  exit.groups.delete('g');
  const dual = (k: string) => k.startsWith('DUAL.');
  const sum = defined(summarise(pristine, [], [], [{ state: exit, ret: { k: 'top' } }], counters, [], dual));
  const an = { splits: 0, openSplits: 0 } as unknown as Analysis;
  assert.ok(replay(an, sum, arrival([]), []), 'the same names: replayed');
  assert.equal(replay(an, sum, arrival([['MpInit#0:keep', 'g']]), []), undefined, 'named by the caller too: walked');
});
