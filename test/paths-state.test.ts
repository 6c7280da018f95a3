/**
 * The facts the path analysis keeps in its state, tested on the analyzer
 * itself so that a rewrite must keep them: NULL and constant values, copies
 * sharing one value, flags in halt, and what merging paths must agree on.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PathAnalyzer, siteId } from '../src/engine/paths.js';
import {
  SeenStates,
  clone,
  detachSymbol,
  newState,
  stateHash,
  type Group,
  type State,
  type Val,
} from '../src/engine/pathstate.js';
import { foldElements } from '../src/engine/pathresource.js';
import { Analysis, type Exit } from '../src/engine/pathcontext.js';
import { mergeExits } from '../src/engine/pathmerge.js';
import type { Pos } from '../src/engine/ast.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import type { FnDef, Program } from '../src/engine/program.js';
import { programOf } from './support/program.js';
import { ADAPTER } from './support/ruleTester.js';
import { defined } from '../src/util/defined.js';

const pack = loadRulePack();
const mapping = pack.resources[Object.keys(pack.resources)[0]];

function analyzer(program: Program, width?: number): PathAnalyzer {
  return new PathAnalyzer(program, mapping, new Set(program.functions), false, width);
}
const fn = (program: Program, name: string): FnDef => defined(program.functions.find((f) => f.name === name));
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

test('merging paths at a join keeps apart states that will return different statuses (width 1)', () => {
  const text = `${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
BOOLEAN Verbose(PADAPTER a);
VOID Log(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = Probe(a);
    if (s != NDIS_STATUS_SUCCESS) {
        Log(a);
    }
    if (Verbose(a)) {
        Log(a);
    }
    return s;
}`;
  const program = programOf({ 'mp.c': text });
  const a = analyzer(program, 1).analyzeInit(fn(program, 'MpInit'));
  // Four paths meet before the return: two failing, two succeeding. Past the width, the
  // succeeding ones must not be merged into the failing ones (nor the other way round).
  assert.deepEqual([...new Set(a.leaks.map((l) => l.jump.p[0]))], [lineOf(text, '    return s;')]);
  assert.ok(a.kept.length >= 1, 'the success path survived the merge');
});

test('a pointer used on the path is not NULL there; a copy shares what is learned', () => {
  const text = `${ADAPTER}
typedef struct _HW { PVOID Regs; } HW, *PHW;
typedef struct _ADP { NDIS_HANDLE H; PHW Hw; } ADP, *PADP;
NDIS_STATUS Probe(PADP A);
VOID Free(PADP A)
{
    if (A != NULL && A->Hw != NULL && A->Hw->Regs != NULL) NdisMUnmapIoSpace(A->H, A->Hw->Regs, 16);
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADP A = (PADP)c;
    PHW Hw = A->Hw;
    NDIS_STATUS s = NdisMMapIoSpace(&Hw->Regs, h, Pa, 16);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = Probe(A);
    if (s != NDIS_STATUS_SUCCESS) Free(A);
    return s;
}`;
  const program = programOf({ 'mp.c': text });
  const a = analyzer(program).analyzeInit(fn(program, 'MpInit'));
  assert.deepEqual(a.leaks, [], 'no phantom NULL path skips the release');
  assert.equal(a.kept.length, 1);
});

test('a field set to an enum constant keeps its value until the path changes it', () => {
  const text = `${ADAPTER}
typedef enum _ST { StIdle, StReady, StResetting } ST;
typedef struct _DEV { NDIS_HANDLE H; PVOID Regs; ST State; } DEV, *PDEV;
NDIS_STATUS Probe(PDEV d);
VOID Free(PDEV d) { if (d->State != StResetting) NdisMUnmapIoSpace(d->H, d->Regs, 16); }
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PDEV d = (PDEV)c;
    NDIS_STATUS s;
    d->State = StIdle;
    s = NdisMMapIoSpace(&d->Regs, h, Pa, 16);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = Probe(d);
    if (s != NDIS_STATUS_SUCCESS) { Free(d); return s; }
    d->State = StResetting;
    s = Probe(d);
    if (s != NDIS_STATUS_SUCCESS) { Free(d); return s; }
    return s;
}`;
  const program = programOf({ 'mp.c': text });
  const a = analyzer(program).analyzeInit(fn(program, 'MpInit'));
  // The first failure exit releases (StIdle != StResetting); the second cannot (the state says resetting).
  const lines = text.split('\n');
  const second = lines.length - [...lines].reverse().findIndex((l) => l.includes('{ Free(d); return s; }'));
  assert.deepEqual(
    a.leaks.map((l) => l.jump.p[0]),
    [second],
  );
});

test('halt: a release its own flag skips is no release; a release under an unknown test is', () => {
  const text = `${ADAPTER}
#define HALTING 0x4
typedef struct _DEV { NDIS_HANDLE H; PVOID Regs; ULONG Flags; BOOLEAN Present; } DEV, *PDEV;
VOID Free(PDEV d) { if (!(d->Flags & HALTING) && d->Present) NdisMUnmapIoSpace(d->H, d->Regs, 16); }
VOID HaltA(PDEV d) { d->Flags |= HALTING; Free(d); }
VOID HaltB(PDEV d) { Free(d); }
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PDEV d = (PDEV)c;
    return NdisMMapIoSpace(&d->Regs, h, Pa, 16);
}`;
  const program = programOf({ 'mp.c': text });
  const an = analyzer(program);
  const init = an.analyzeInit(fn(program, 'MpInit'));
  const held = init.kept.map((k) => ({ id: siteId(k.site), site: k.site, names: ['DEV.Regs'] }));
  assert.equal(held.length, 1);
  assert.deepEqual([...an.analyzeRole(fn(program, 'HaltA'), held).released], []);
  assert.deepEqual([...an.analyzeRole(fn(program, 'HaltB'), held).released], [held[0].id]);
});

test('two gotos of a helper to one exit label stay two report sites after the caller merges (width 1)', () => {
  const text = `${ADAPTER}
NDIS_STATUS StepA(PADAPTER a);
NDIS_STATUS StepB(PADAPTER a);
NDIS_STATUS HwInit(PADAPTER a, NDIS_HANDLE h)
{
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) goto Exit;
    s = StepA(a);
    if (s != NDIS_STATUS_SUCCESS) goto Exit;
    s = StepB(a);
    if (s != NDIS_STATUS_SUCCESS) goto Exit;
Exit:
    return s;
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    do {
        s = HwInit(a, h);
        if (s != NDIS_STATUS_SUCCESS) { s = NDIS_STATUS_FAILURE; break; }
    } while (FALSE);
    return s;
}`;
  const program = programOf({ 'mp.c': text });
  const a = analyzer(program, 1).analyzeInit(fn(program, 'MpInit'));
  const lines = text.split('\n');
  const gotos = lines.flatMap((l, i) => (l.includes('goto Exit;') ? [i + 1] : [])).slice(1);
  assert.deepEqual(
    [...new Set(a.leaks.map((l) => l.jump.p[0]))].sort((x, y) => x - y),
    gotos,
  );
});

test("a helper's parameter is a copy: the helper using it makes the caller's pointer non-NULL", () => {
  const text = `${ADAPTER}
typedef struct _NIC { NDIS_HANDLE H; PVOID Csr; } NIC, *PNIC;
typedef struct _ADP { PNIC pNic; } ADP, *PADP;
NDIS_STATUS Probe(PADP A);
VOID NicFree(PNIC n) { if (n->Csr) NdisMUnmapIoSpace(n->H, n->Csr, 16); }
VOID AdpFree(PADP A) { if (A->pNic) NicFree(A->pNic); }
NDIS_STATUS MapNic(PNIC n) { return NdisMMapIoSpace(&n->Csr, n->H, Pa, 16); }
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADP A = (PADP)c;
    NDIS_STATUS s = MapNic(A->pNic);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = Probe(A);
    if (s != NDIS_STATUS_SUCCESS) AdpFree(A);
    return s;
}`;
  const program = programOf({ 'mp.c': text });
  assert.deepEqual(analyzer(program).analyzeInit(fn(program, 'MpInit')).leaks, []);
});

test("a helper that writes a field of some struct does not forget the caller's local variables", () => {
  const text = `${ADAPTER}
typedef struct _HW { PVOID Regs; struct _ADP *Adapter; } HW, *PHW;
typedef struct _ADP { NDIS_HANDLE H; PHW Hw; } ADP, *PADP;
NDIS_STATUS Alloc(PADP *Out);
NDIS_STATUS Probe(PADP A);
VOID Link(PHW hw, PADP Adapter) { hw->Adapter = Adapter; }
VOID Free(PADP Adapter) { if (Adapter->Hw && Adapter->Hw->Regs) NdisMUnmapIoSpace(Adapter->H, Adapter->Hw->Regs, 16); }
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADP Adapter = NULL;
    NDIS_STATUS s = Alloc(&Adapter);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = NdisMMapIoSpace(&Adapter->Hw->Regs, h, Pa, 16);
    if (s != NDIS_STATUS_SUCCESS) return s;
    Link(Adapter->Hw, Adapter);
    s = Probe(Adapter);
    if (s != NDIS_STATUS_SUCCESS) { if (Adapter) Free(Adapter); return s; }
    return s;
}`;
  const program = programOf({ 'mp.c': text });
  // Link writes the field `Adapter` of HW: the local variable of that name stays non-NULL.
  assert.deepEqual(analyzer(program).analyzeInit(fn(program, 'MpInit')).leaks, []);
});

test('merging keeps apart failing paths decided by different calls: each has its own report site (width 1)', () => {
  // Setup maps, then either its own port registration fails (reported at its return inside Setup)
  // or the device init it calls last fails (reported at Setup's last return, where that failure
  // is already decided). Both failures leave MpInit through one `break`, and a later branch makes
  // the last decision the same for both: merged at the join after it, one site was lost.
  const text = `${ADAPTER}
NDIS_STATUS RegisterPorts(PADAPTER a);
NDIS_STATUS DeviceInit(PADAPTER a);
VOID Cleanup(PADAPTER a);
BOOLEAN Verbose(PADAPTER a);
VOID Log(PADAPTER a);
NDIS_STATUS Setup(PADAPTER a)
{
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, a->H, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = RegisterPorts(a);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = DeviceInit(a);
    return s;
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    do {
        s = Setup(a);
        if (s != NDIS_STATUS_SUCCESS) break;
    } while (FALSE);
    if (s != NDIS_STATUS_SUCCESS) Cleanup(a);
    if (Verbose(a)) Log(a);
    if (Verbose(a)) Log(a);
    return s;
}`;
  const program = programOf({ 'mp.c': text });
  const a = analyzer(program, 1).analyzeInit(fn(program, 'MpInit'));
  assert.deepEqual(
    [...new Set(a.leaks.map((l) => l.jump.p[0]))].sort((x, y) => x - y),
    // The return after RegisterPorts' test, and Setup's last return.
    [lineOf(text, 's = RegisterPorts(a);') + 1, lineOf(text, 's = DeviceInit(a);') + 1],
  );
});

/** A held array element of call site `site`'s group `gid`, under `name`. */
function element(s: State, name: string, gid: string, g: Partial<Group>): void {
  const site = { file: 'mp.c', fn: 'Init', p: [3, 5, 3, 40] as Pos, key: name, text: 'a->Va[i]' };
  s.groups.set(gid, { st: 'held', site, acqStep: 1, frames: ['Init#0'], ...g });
  s.res.set(name, gid);
}

test('an array element held beside an earlier one of the same call is one held element at a join', () => {
  const o = { at: 2, file: 'mp.c', p: [4, 9, 4, 20] as Pos, how: 'branch' as const, text: 'a->Va[i] == NULL is false' };
  // The second round: the earlier element held, the new one's test read the earlier one (undecided).
  const second = newState();
  element(second, 'A.Va[]~earlier', 'g~earlier', {});
  element(second, 'A.Va[]', 'g', { st: 'cond', sym: 'Init#0:3:5' });
  foldElements(second);
  assert.deepEqual([...second.res], [['A.Va[]', 'g']]);
  assert.equal(second.groups.get('g')?.st, 'held');
  // The first round, its element seen to succeed: the same state, its status kept for the trace.
  const first = newState();
  element(first, 'A.Va[]', 'g', { st: 'cond', sym: 'Init#0:3:5' });
  first.cons.set('Init#0:3:5', { z: true, o });
  foldElements(first);
  assert.equal(first.groups.get('g')?.st, 'held');
  assert.equal(first.groups.get('g')?.sym, 'Init#0:3:5');
  // A new element seen to fail beside an earlier one held: the earlier one still leaks, so nothing folds.
  const failed = newState();
  element(failed, 'A.Va[]~earlier', 'g~earlier', {});
  element(failed, 'A.Va[]', 'g', { st: 'cond', sym: 'Init#0:3:5' });
  failed.cons.set('Init#0:3:5', { z: false, o });
  foldElements(failed);
  assert.equal(failed.res.size, 2);
  assert.equal(failed.groups.get('g')?.st, 'cond');
});

test('a call made again leaves the storage holding its earlier result with what the path learned of it', () => {
  const o = {
    at: 2,
    file: 'mp.c',
    p: [4, 9, 4, 20] as Pos,
    how: 'branch' as const,
    text: 'a->Normal == NULL is false',
  };
  const s = newState();
  s.vals.set('TXINFO.pNormalVa', { k: 'sym', id: 'Init#0:8:15' });
  s.vals.set('Init#0:failed', { k: 'sym', id: '!Init#0:8:15' });
  s.vals.set('TXINFO.Other', { k: 'sym', id: 'Init#0:9:15' });
  s.cons.set('Init#0:8:15', { z: false, o });
  detachSymbol(s, 'Init#0:8:15');
  assert.deepEqual(s.vals.get('TXINFO.pNormalVa'), { k: 'NZ', o });
  assert.deepEqual(s.vals.get('Init#0:failed'), { k: 'Z', o });
  assert.deepEqual(s.vals.get('TXINFO.Other'), { k: 'sym', id: 'Init#0:9:15' });
  // Nothing learned of it: the old storage is unknown, not tied to the new result.
  const u = newState();
  u.vals.set('TXINFO.pNormalVa', { k: 'sym', id: 'Init#0:8:15' });
  detachSymbol(u, 'Init#0:8:15');
  assert.deepEqual(u.vals.get('TXINFO.pNormalVa'), { k: 'top' });
});

test('a symbol the path decided is, to identity, the zero or non-zero it was decided to be', () => {
  const o = { at: 2, file: 'mp.c', p: [4, 9, 4, 20] as Pos, how: 'branch' as const, text: 'a->Pkts != NULL is false' };
  // `if (a->Pkts) { Free(a->Pkts); a->Pkts = NULL; }`: NULL written on one arm, tested NULL on the other.
  const written = newState();
  written.vals.set('ADP.Pkts', { k: 'Z' });
  const tested = newState();
  tested.vals.set('ADP.Pkts', { k: 'sym', id: 'Init#0:8:15' });
  tested.cons.set('Init#0:8:15', { z: true, o });
  const negated = newState();
  negated.vals.set('ADP.Pkts', { k: 'sym', id: '!Init#0:8:15' });
  negated.cons.set('Init#0:8:15', { z: false, o });
  const undecided = newState();
  undecided.vals.set('ADP.Pkts', { k: 'sym', id: 'Init#0:8:15' });
  const nonZero = newState();
  nonZero.vals.set('ADP.Pkts', { k: 'sym', id: 'Init#0:8:15' });
  nonZero.cons.set('Init#0:8:15', { z: false, o });
  const seen = new SeenStates();
  const add = (s: State) => seen.add(stateHash(s), '', s);
  assert.equal(add(written), true);
  assert.equal(add(tested), false, 'tested NULL is the NULL written');
  assert.equal(add(negated), false, 'the negation of a symbol decided non-zero is zero');
  assert.equal(stateHash(tested), stateHash(written));
  assert.equal(add(undecided), true, 'an undecided symbol is not zero');
  assert.equal(add(nonZero), true, 'a symbol decided non-zero is not zero');
  // A status a group is held on (no value holds it any more) keeps what was decided of it.
  const group = (z: boolean): State => {
    const s = newState();
    s.res.set('ADP.Regs', 'g');
    s.groups.set('g', { st: 'cond', sym: 'Init#0:5:9', site: undefined, frames: [] } as unknown as Group);
    s.cons.set('Init#0:5:9', { z, o });
    return s;
  };
  const held = new SeenStates();
  assert.equal(held.add(stateHash(group(true)), '', group(true)), true);
  assert.equal(held.add(stateHash(group(true)), '', group(true)), false);
  assert.equal(held.add(stateHash(group(false)), '', group(false)), true, 'failed and succeeded statuses stay apart');
});

test('the identity hash kept by symbol equals the one summed value by value, through sets, deletes and copies', () => {
  // A small generator of states: values set, replaced and deleted over a few keys, symbols decided
  // either way, copies taken mid-way and changed apart (a copy shares its original's sums).
  let seed = 7;
  const next = (n: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const keys = ['Init#0:s', 'Init#0:t', 'ADP.Regs', 'ADP.Pkts', 'ADP.Flags&4'];
  const syms = ['Init#0:3:5', 'Init#0:4:9', 'Init#0:7:2'];
  const value = (): Val => {
    const r = next(5);
    if (r === 0) return { k: 'Z' };
    if (r === 1) return { k: 'NZ' };
    if (r === 2) return { k: 'top' };
    return { k: 'sym', id: `${r === 3 ? '' : '!'}${syms[next(syms.length)]}` };
  };
  const o = { at: 1, file: 'mp.c', p: [1, 1, 1, 2] as Pos, how: 'branch' as const, text: 'x' };
  // The same sum, value by value, with each value as identity sees it.
  const bruteHash = (s: State) => {
    const t = newState();
    for (const [k, v] of s.vals) {
      const neg = v.k === 'sym' && v.id.startsWith('!');
      const c = v.k === 'sym' ? s.cons.get(neg ? v.id.slice(1) : v.id) : undefined;
      t.vals.set(k, c ? (c.z !== neg ? { k: 'Z' } : { k: 'NZ' }) : v);
    }
    return stateHash(t);
  };
  const states = [newState()];
  for (let i = 0; i < 3000; i++) {
    const s = states[next(states.length)];
    const r = next(10);
    if (r < 5) s.vals.set(keys[next(keys.length)], value());
    else if (r < 7) s.vals.delete(keys[next(keys.length)]);
    else if (r < 9) {
      const sym = syms[next(syms.length)];
      if (s.cons.has(sym)) s.cons.delete(sym);
      else s.cons.set(sym, { z: next(2) === 0, o });
    } else if (states.length < 12) states.push(clone(s));
    for (const x of states) assert.equal(stateHash(x), bruteHash(x), `step ${String(i)}`);
  }
});

test('a loop counter that selects keeps its value across rounds; one that only counts does not', () => {
  const text = (cleanupRound: number) => `${ADAPTER}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    int q;
    for (q = 1; q <= 2; q++) {
        if (q == 1)
            s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
        else
            s = NdisMMapIoSpace(&a->Regs2, h, a->Pa, REGS_LEN);
        if (s != NDIS_STATUS_SUCCESS)
            goto fail;
    }
    return NDIS_STATUS_SUCCESS;
fail:
    if (q == ${String(cleanupRound)})
        NdisMUnmapIoSpace(h, a->Regs, REGS_LEN);
    return s;
}`;
  // Only the second round can fail with the first mapping held, and there `q` is 2.
  const right = programOf({ 'mp.c': text(2) });
  assert.deepEqual(analyzer(right).analyzeInit(fn(right, 'MpInit')).leaks, []);
  const wrong = programOf({ 'mp.c': text(1) });
  const leaks = analyzer(wrong).analyzeInit(fn(wrong, 'MpInit')).leaks;
  // Reported at the `goto` of the second round, after which initialize can only fail.
  assert.deepEqual(
    leaks.map((l) => [l.site.text, l.jump.p[0]]),
    [['a->Regs', lineOf(text(1), 'goto fail;')]],
  );
});

test('the rounds of a selecting counter stay apart at the loop head, so the last round is reached', () => {
  // Rounds 2 and 3 reach the head in states that differ only in `q` (state identity does not
  // compare exact integers): merged, no path would reach round 3, where the mapping is made, and
  // its leak on the probe's failure would be missed.
  const text = `${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    int q;
    for (q = 0; q <= 3; q++) {
        if (q == 3) {
            s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
            if (s != NDIS_STATUS_SUCCESS)
                return s;
        }
    }
    s = Probe(a);
    if (s != NDIS_STATUS_SUCCESS)
        return s; // leaks
    return NDIS_STATUS_SUCCESS;
}`;
  const program = programOf({ 'mp.c': text });
  // At width 1 every second arrival at a join is merged by what is held: the counter must still count.
  for (const width of [undefined, 1]) {
    const leaks = analyzer(program, width).analyzeInit(fn(program, 'MpInit')).leaks;
    assert.deepEqual(
      leaks.map((l) => [l.site.text, l.jump.p[0]]),
      [['a->Regs', lineOf(text, '// leaks')]],
      `width ${String(width)}`,
    );
  }
});

test('a helper’s exits that differ only in how a released acquisition went are one exit past the width', () => {
  // rtlnwifi's send engine: a cleanup frees what each failed round allocated, and each round's
  // allocation status stayed in the state of a group that holds nothing (428 exits, now 110).
  const program = programOf({ 'mp.c': `${ADAPTER}\nVOID Nothing(VOID) { }\n` });
  const an = new Analysis(program, mapping, new Set(program.functions), false, 1, []);
  const o = { at: 2, file: 'mp.c', p: [4, 9, 4, 20] as Pos, how: 'branch' as const, text: 'a->Va[i] == NULL' };
  const exitWith = (st: Group['st'], z: boolean, other: boolean): Exit => {
    const s = newState();
    element(s, 'A.Va[]', 'g', { st, sym: 'Init#0:3:5' });
    s.cons.set('Init#0:3:5', { z, o });
    // A second state apart from the group, so the exits are distinct states and reach the coarse merge.
    s.vals.set('Init#0:k', other ? { k: 'Z' } : { k: 'NZ' });
    return { state: s, ret: { k: 'NZ' } };
  };
  const released = mergeExits(an, [exitWith('released', true, false), exitWith('released', false, true)], 0, 'Init#0');
  assert.equal(released.length, 1, 'released either way: one exit');
  const cond = mergeExits(an, [exitWith('cond', true, false), exitWith('cond', false, true)], 0, 'Init#0');
  assert.equal(cond.length, 2, 'held on success only: the caller tells them apart');
});
