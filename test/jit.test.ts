/**
 * The tier-up budget (src/util/jit.ts) is set unless the process was
 * started with its own.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { INTERRUPT_BUDGET, jitFlag } from '../src/util/jit.js';

test('the budget is set when the command line gives none', () => {
  assert.equal(jitFlag([]), `--interrupt-budget=${String(INTERRUPT_BUDGET)}`);
  assert.equal(
    jitFlag(['--enable-source-maps', '--max-old-space-size=4096']),
    `--interrupt-budget=${String(INTERRUPT_BUDGET)}`,
  );
  // A flag that only starts with the same letters is someone else's.
  assert.equal(jitFlag(['--interrupt-budget-factor=2']), `--interrupt-budget=${String(INTERRUPT_BUDGET)}`);
});

test("a budget given on the command line is the operator's, in either spelling", () => {
  assert.equal(jitFlag(['--interrupt-budget=50000']), undefined);
  assert.equal(jitFlag(['--interrupt_budget=50000']), undefined);
  assert.equal(jitFlag(['--interrupt-budget']), undefined);
});
