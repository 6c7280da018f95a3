/**
 * Which `if` decisions the lock walk remembers (locks.ts, `rememberedConditions`): those a later
 * `if` can read, because the text is tested twice or its one `if` lies on a cycle. Remembering the
 * others only kept apart paths that go on alike.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildCfg } from '../src/engine/cfg.js';
import { exprText } from '../src/engine/extract.js';
import { rememberedConditions } from '../src/engine/rules/locks.js';
import { programOf } from './support/program.js';
import { defined } from '../src/util/defined.js';

function remembered(body: string): string[] {
  const program = programOf({ 'mp.c': `VOID F(PNIC nic)\n{\n${body}\n}\n` });
  const fn = defined(program.functions.find((f) => f.name === 'F'));
  return [...rememberedConditions(buildCfg(fn.body), fn.body, exprText)].map(exprText).sort();
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
