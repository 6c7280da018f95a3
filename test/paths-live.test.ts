/**
 * Dead locals at join points (`pathlive.ts`): a local nothing reads again is
 * no part of an arrival's identity there, so the rounds of a loop that leave
 * only its counter and cursor different are walked on as one. What is
 * compared is only what a later statement can read.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCfg } from '../src/engine/cfg.js';
import { livenessOf } from '../src/engine/pathlive.js';
import { Analysis } from '../src/engine/pathcontext.js';
import { JoinPoints } from '../src/engine/pathmerge.js';
import { newState, type Val } from '../src/engine/pathstate.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { functionNamed, programOf } from './support/program.js';

/** The mapping resource (the pack's first). */
const mapping = Object.values(loadRulePack().resources)[0];

/** A helper that frees a packet list, then the mapping; `kept` is read at its end, `shared` by address. */
const PROBE = `#include <ndis.h>
#define REGS_LEN 0x100
typedef struct _ADAPTER { NDIS_HANDLE H; PVOID Regs; PVOID RxPkts; ULONG NumRx; } ADAPTER, *PADAPTER;
VOID FreePacket(PVOID p);
VOID Log(ULONG n);
VOID Fill(PULONG n);
VOID Probe(PADAPTER a)
{
    ULONG i;
    ULONG kept;
    ULONG shared;
    PVOID next = a->RxPkts;
    kept = a->NumRx;
    Fill(&shared);
    for (i = 0; i < a->NumRx; i++) { FreePacket(next); next = NULL; }
    if (a->Regs) { NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
    Log(kept);
}`;

test('liveness: a local is live where a later statement reads it, dead past its last read, live everywhere once its address is taken', () => {
  const text = PROBE;
  const program = programOf({ 'mp.c': text });
  const probe = functionNamed(program, 'Probe');
  const cfg = buildCfg(probe.body);
  const live = livenessOf(cfg, probe);
  const lines = text.split('\n');
  const nodeAt = (needle: string, t: string) => {
    const line = lines.findIndex((l) => l.includes(needle)) + 1;
    const i = cfg.nodes.findIndex((n) => n.t === t && 'p' in n && n.p[0] === line);
    assert.ok(i >= 0, `a ${t} node at line ${String(line)}`);
    return i;
  };
  const loop = nodeAt('for (i = 0', 'br');
  const regs = nodeAt('if (a->Regs)', 'br');
  assert.equal(live.live(loop, 'i'), true, 'the loop test reads the counter');
  assert.equal(live.live(loop, 'next'), true, 'the body reads the cursor');
  assert.equal(live.live(regs, 'i'), false, 'nothing reads the counter after the loop');
  assert.equal(live.live(regs, 'next'), false, 'nor the cursor');
  assert.equal(live.live(regs, 'kept'), true, 'the last call reads it');
  assert.equal(live.live(regs, 'a'), true);
  assert.equal(live.locals.has('shared'), false, 'an address-taken local is never told dead');
  assert.equal(live.live(regs, 'shared'), true);
  // Before its first write a local holds nothing anyone reads.
  assert.equal(live.live(nodeAt('kept = a->NumRx', 'exp'), 'kept'), false);
});

test('at a join, arrivals differing only in dead locals are one; in a live local, two', () => {
  const program = programOf({ 'mp.c': PROBE });
  const probe = functionNamed(program, 'Probe');
  const cfg = buildCfg(probe.body);
  const frame = 'Probe#0';
  const an = new Analysis(program, mapping, new Set(program.functions), false, 4, []);
  const joins = new JoinPoints(an, cfg, { frame, vars: new Map() }, probe);
  // The statement after the mapping's `if`: both arms meet there; `i` and `next` are dead, `kept` live.
  const line = PROBE.split('\n').findIndex((l) => l.includes('Log(kept)')) + 1;
  const join = cfg.nodes.findIndex((n) => n.t === 'exp' && n.p[0] === line);
  assert.equal(cfg.joins[join], 1);
  const arrival = (i: Val, next: Val, kept: Val) => {
    const s = newState();
    s.vals.set(`${frame}:i`, i);
    s.vals.set(`${frame}:next`, next);
    s.vals.set(`${frame}:kept`, kept);
    return s;
  };
  assert.equal(joins.admit(join, arrival({ k: 'Z' }, { k: 'NZ' }, { k: 'NZ' })), true);
  assert.equal(joins.admit(join, arrival({ k: 'NZ' }, { k: 'top' }, { k: 'NZ' })), false, 'only dead locals differ');
  assert.equal(joins.admit(join, arrival({ k: 'Z' }, { k: 'NZ' }, { k: 'Z' })), true, 'the live local differs');
});
