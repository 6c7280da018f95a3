/**
 * A macro use the walk expands (`expandHere`, `pathmacro.ts`) is expanded once per analysis and
 * context and handed out again on every later path: the same expression objects (so what the walk
 * remembers by expression is found again), each time charged the steps a fresh expansion costs, and
 * stopped at the step budget exactly where a fresh expansion would stop.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Expr, Stmt } from '../src/engine/ast.js';
import { Analysis, BudgetExceeded, MAX_STEPS, type Ctx } from '../src/engine/pathcontext.js';
import { expandHere } from '../src/engine/pathmacro.js';
import { walkExprs, walkStmts } from '../src/engine/program.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { functionEnv } from '../src/engine/sites.js';
import { defined } from '../src/util/defined.js';
import { functionNamed, programOf } from './support/program.js';

const mapping = Object.values(loadRulePack().resources)[0];

// A chain of three wrappers: expanding one use puts three bodies in (three steps).
const TEXT = `
#include <ndis.h>
typedef struct _A { ULONG Flags; } A, *PA;
#define TEST_FLAG(a, f) ((a)->Flags & (f))
#define IS_READY(a) TEST_FLAG(a, 4)
#define READY(a) IS_READY(a)
VOID Probe(PA a)
{
    if (READY(a)) a->Flags = 0;
}
`;

function setUp() {
  const program = programOf({ 'mp.c': TEXT });
  const probe = functionNamed(program, 'Probe');
  let use: Extract<Expr, { t: 'call' }> | undefined;
  walkStmts(probe.body, (s: Stmt) => {
    if (s.k === 'if')
      walkExprs({ k: 'exp', e: s.c, p: s.p }, (x) => {
        if (x.t === 'call' && x.f.t === 'id' && x.f.n === 'READY') use = x;
      });
  });
  const ctx: Ctx = { fn: probe, env: functionEnv(probe), depth: 0, stack: [probe], frames: [], p: probe.fact.p };
  const macro = defined(program.macroBody('mp.c', 'READY'));
  const an = new Analysis(program, mapping, new Set(program.functions), false, 4, []);
  return { an, use: defined(use), ctx, macro };
}

test('a macro use expanded again gives the same expressions, charged the same steps', () => {
  const { an, use, ctx, macro } = setUp();
  const first = expandHere(an, use, macro, 'READY', ctx);
  const charged = an.steps;
  assert.equal(charged, 3, 'READY, IS_READY and TEST_FLAG put in');
  const again = expandHere(an, use, macro, 'READY', ctx);
  assert.equal(an.steps, 2 * charged, 'the second expansion is charged as the first');
  assert.equal(again.exprs.length, 1);
  assert.equal(again.exprs[0], first.exprs[0], 'the same expression object');
  assert.deepEqual(again.ctx.macros, first.ctx.macros);
  assert.deepEqual(first.ctx.macros?.painted, ['READY', 'IS_READY', 'TEST_FLAG']);
  // Inside another macro's expansion the context differs: expanded afresh for it.
  const inner = expandHere(an, use, macro, 'READY', { ...ctx, macros: { painted: ['OUTER'], depth: 1 } });
  assert.notEqual(inner.exprs[0], first.exprs[0]);
  assert.deepEqual(inner.ctx.macros?.painted, ['OUTER', 'READY', 'IS_READY', 'TEST_FLAG']);
});

test('a remembered expansion stops at the step budget where a fresh one stops', () => {
  for (const left of [1, 2, 3, 4]) {
    // Fresh: the analysis has `left` steps left when it expands the use.
    const fresh = setUp();
    fresh.an.steps = MAX_STEPS - left;
    const freshThrew = throws(() => expandHere(fresh.an, fresh.use, fresh.macro, 'READY', fresh.ctx));
    // Remembered: expanded once with the budget untouched, then again with `left` steps left.
    const kept = setUp();
    expandHere(kept.an, kept.use, kept.macro, 'READY', kept.ctx);
    kept.an.steps = MAX_STEPS - left;
    const keptThrew = throws(() => expandHere(kept.an, kept.use, kept.macro, 'READY', kept.ctx));
    assert.equal(keptThrew, freshThrew, `with ${String(left)} steps left`);
    if (!freshThrew) assert.equal(kept.an.steps, fresh.an.steps, `steps charged with ${String(left)} left`);
  }
  // Three bodies need three steps: with two left the expansion stops, with three it goes through.
  const tight = setUp();
  tight.an.steps = MAX_STEPS - 2;
  assert.equal(
    throws(() => expandHere(tight.an, tight.use, tight.macro, 'READY', tight.ctx)),
    true,
  );
});

function throws(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (e instanceof BudgetExceeded) return true;
    throw e;
  }
}
