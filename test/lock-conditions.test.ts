/**
 * Which `if` decisions the lock walk remembers (locks.ts, `rememberedConditions`): those a later
 * `if` can read, because the text is tested twice or its one `if` lies on a cycle. Remembering the
 * others only kept apart paths that go on alike.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCfg } from '../src/engine/cfg.js';
import { exprText } from '../src/engine/extract.js';
import type { Expr } from '../src/engine/ast.js';
import { decisionsRead, rememberedConditions, staleDecisions, testedValue } from '../src/engine/rules/locks.js';
import { flagLocals } from '../src/engine/rules/lockflags.js';
import { storedOnce } from '../src/engine/rules/nonnull.js';
import { programOf } from './support/program.js';
import { defined } from '../src/util/defined.js';

function bodyOf(body: string) {
  const program = programOf({ 'mp.c': `VOID F(PNIC nic)\n{\n${body}\n}\n` });
  return defined(program.functions.find((f) => f.name === 'F')).body;
}

function remembered(body: string): string[] {
  const b = bodyOf(body);
  return [...rememberedConditions(buildCfg(b), b, exprText)].map(exprText).sort();
}

test('a condition tested twice is remembered; one tested once is not', () => {
  assert.deepEqual(
    remembered(`
    if (nic->State) NdisAcquireSpinLock(&nic->Lock);
    if (nic->Debug) Trace(1);
    if (nic->State) NdisReleaseSpinLock(&nic->Lock);`),
    ['nic->State', 'nic->State'],
  );
});

test('an if a loop or a backward goto comes back to is remembered', () => {
  assert.deepEqual(
    remembered(`
    ULONG i;
    if (nic->Debug) Trace(0);
    for (i = 0; i < 2; i++) {
        if (nic->First) NdisAcquireSpinLock(&nic->Lock);
    }
again:
    if (nic->Retry) goto again;
    while (nic->Busy) { if (nic->Spin) Trace(2); }
    do { if (nic->Once) Trace(3); } while (0);`),
    ['nic->First', 'nic->Once', 'nic->Retry', 'nic->Spin'],
  );
});

test('an if on a cycle is not remembered where the cycle stores into a variable it reads', () => {
  // The loop reads a new value into Events (and steps i) each time round; the Debug test reads
  // nothing the loop stores into, and a field written through the pointer (`nic->Busy = 0`) leaves
  // `nic` as it was.
  assert.deepEqual(
    remembered(`
    ULONG Events, i;
    while ((Events = NicRead(nic)) != 0) {
        if (Events & 1) Trace(1);
        if (nic->Debug) Trace(2);
        if (nic->Busy) nic->Busy = 0;
    }
    for (i = 0; i < 4; i++) { if (nic->Ring[i]) Trace(3); }
    do { PNIC next = nic->Next; if (next) Trace(4); } while (nic->More);
    do { if (Events & 2) Trace(5); NicPoll(&Events); } while (nic->More);`),
    ['nic->Busy', 'nic->Debug'],
  );
});

/** What `of` gives per node of a body (texts of remembered conditions), each node named by its text. */
function perNode(
  body: string,
  of: (cfg: ReturnType<typeof buildCfg>, kept: Set<Expr>) => Map<number, string[]>,
): string[] {
  const b = bodyOf(body);
  const cfg = buildCfg(b);
  const out: string[] = [];
  for (const [i, texts] of of(cfg, rememberedConditions(cfg, b, exprText))) {
    const n = cfg.nodes[i];
    const at = n.t === 'exp' || n.t === 'br' ? exprText(n.t === 'exp' ? n.e : n.c) : n.t;
    out.push(`${at}: ${texts.sort().join(', ')}`);
  }
  return out.sort();
}

test('a store into a variable a remembered condition reads makes its decision stale there', () => {
  assert.deepEqual(
    perNode(
      `
    NDIS_STATUS Status = NicProbe(nic);
    if (Status == 0) NdisAcquireSpinLock(&nic->Lock);
    nic->Count = 0;
    Status = NicProbe(nic);
    if (Status == 0) NdisReleaseSpinLock(&nic->Lock);
    NicPoll(&Status);
    if (nic->Count) Trace(1);`,
      (cfg, kept) => staleDecisions(cfg, kept, exprText),
    ),
    ['NicPoll(&Status): Status == 0', 'Status = NicProbe(nic): Status == 0', 'decl: Status == 0'],
  );
});

test('a decision is read from its ifs and from every node that can reach one of them, not after', () => {
  const b = bodyOf(`
    if (nic->State) NdisAcquireSpinLock(&nic->Lock);
    Trace(1);
    if (nic->State) NdisReleaseSpinLock(&nic->Lock);
    Trace(2);
    return;`);
  const cfg = buildCfg(b);
  const read = defined(decisionsRead(cfg, rememberedConditions(cfg, b, exprText), exprText).get('nic->State'));
  const at = (text: string) => cfg.nodes.findIndex((n) => n.t === 'exp' && exprText(n.e) === text);
  assert.equal(read[at('Trace(1)')], 1);
  assert.equal(read[at('Trace(2)')], 0);
  assert.equal(read[cfg.entry], 1);
});

test('two locals stored once with one test are one condition; a flag is its own', () => {
  const program = programOf({
    'mp.c': `VOID F(PNIC nic)
{
    BOOLEAN first = !!(nic->State == 1);
    BOOLEAN second = (BOOLEAN)(nic->State == 1);
    BOOLEAN locked = FALSE;
    if (first) { NdisAcquireSpinLock(&nic->Lock); locked = TRUE; }
    if (second) NdisReleaseSpinLock(&nic->Lock);
    BOOLEAN skip = !locked;
    if (skip) Trace(1);
    if (skip) Trace(2);
}
`,
  });
  const fn = defined(program.functions.find((f) => f.name === 'F'));
  const tested = testedValue(storedOnce(fn), flagLocals(fn.body, program, fn.file));
  const text = (c: Expr) => exprText(tested(c));
  const kept = [...rememberedConditions(buildCfg(fn.body), fn.body, text, tested)].map(text).sort();
  // `skip`, stored once with a test of the flag `locked`, is a flag of its own: read as itself.
  assert.deepEqual(kept, ['nic->State == 1', 'nic->State == 1', 'skip', 'skip']);
});

test('past its bound (distinct texts times nodes) no decision is forgotten', () => {
  const tests = (n: number) =>
    Array.from({ length: n }, (_, i) => `    if (nic->F${String(i)}) Trace(${String(i)});\n`).join('');
  const readOf = (n: number) => {
    const b = bodyOf(tests(n) + tests(n));
    const cfg = buildCfg(b);
    return decisionsRead(cfg, rememberedConditions(cfg, b, exprText), exprText);
  };
  // 40 texts in 161 nodes: each read up to its second test; 1,500 in 6,001 nodes (9 million): none.
  assert.equal(readOf(40).size, 40);
  assert.equal(readOf(1500).size, 0);
});
