/**
 * The mutation operators of the pack's rules that pair nothing: insertions into labelled callbacks
 * (context, IRQL and flags rules), a constant argument broken (`break-constant`), a pause callback made
 * to fail (`bad-pause-status`). Each edit, each expectation and each written exclusion, on a synthetic
 * driver; and the three through the real CLI on the pack's own cases, where each mutant must be killed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Label } from '../eval/labels.js';
import { type Mutant, applyEdits } from '../eval/mutant.js';
import { generateMutants } from '../eval/mutate.js';
import { OperatorContext, textFromMap } from '../eval/operators/context.js';
import { BREAK_CONSTANT, breakConstant, violating } from '../eval/operators/constants.js';
import {
  FREE_IN_SHUTDOWN,
  INSERTED_IRQL,
  INSERTED_LOCK,
  INSERT_OPERATORS,
  IRQL_IN_FLAGGED_CALLBACK,
  LOCK_AT_DEVICE_IRQL,
  PORTS_IN_CALLBACK,
  insertInCallback,
} from '../eval/operators/insert-in-callback.js';
import { BAD_PAUSE_STATUS, badPauseStatus } from '../eval/operators/returns.js';
import { DROP_TIMER_CANCEL, dropTimerCancel } from '../eval/operators/timers.js';
import { inIfZero } from '../eval/cfuncs.js';
import { readC } from '../eval/ctext.js';
import { judge } from '../eval/mutation-run.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { defined } from '../src/util/defined.js';
import { changedLines, exclusionKeys, expectedKeys, oneFileContext, syntheticLabel } from './support/operators.js';
import { scanTexts } from './support/ruleTester.js';

/** Line N of the array is line N + 1 of the file. */
const DRIVER = [
  '#include "drv.h"', //                                                               1
  'NDIS_STATUS Init(NDIS_HANDLE H, NDIS_HANDLE C, PVOID P)', //                        2
  '{', //                                                                              3
  '    NdisStallExecution(10);', //                                                    4
  '    return NDIS_STATUS_SUCCESS;', //                                                5
  '}', //                                                                              6
  'BOOLEAN Isr(NDIS_HANDLE C, PBOOLEAN Q, PULONG T)', //                               7
  '{', //                                                                              8
  '    return FALSE;', //                                                              9
  '}', //                                                                             10
  'VOID Send(NDIS_HANDLE C, PNET_BUFFER_LIST L, NDIS_PORT_NUMBER P, ULONG F)', //     11
  '{', //                                                                             12
  '    PVOID B = NdisAllocateMemoryWithTagPriority(C, 64, DRV_TAG, NormalPoolPriority);', // 13
  '}', //                                                                             14
  'NDIS_STATUS Pause(NDIS_HANDLE C, PVOID P)', //                                     15
  '{', //                                                                             16
  '    NDIS_STATUS Status = Drain(C);', //                                            17
  '    if (Status == NDIS_STATUS_PENDING)', //                                        18
  '        return (Status);', //                                                      19
  '#if 0', //                                                                         20
  '    NdisStallExecution(5);', //                                                    21
  '    return NDIS_STATUS_PENDING;', //                                               22
  '#endif', //                                                                        23
  '    return NDIS_STATUS_SUCCESS;', //                                               24
  '}', //                                                                             25
  'VOID Shutdown(NDIS_HANDLE C, NDIS_SHUTDOWN_ACTION A)', //                          26
  '{', //                                                                             27
  '}', //                                                                             28
  'VOID Reset(NDIS_HANDLE C)', //                                                     29
  '{', //                                                                             30
  '}', //                                                                             31
  '',
];

const CALLBACKS = [
  { name: 'Isr', file: 'drv.c', line: 7, role: 'isr' },
  { name: 'Send', file: 'drv.c', line: 11, role: 'send-net-buffer-lists' },
  { name: 'Pause', file: 'drv.c', line: 15, role: 'pause' },
  { name: 'Shutdown', file: 'drv.c', line: 26, role: 'shutdown' },
  { name: 'Reset', file: 'drv.c', line: 29, role: 'reset' },
];

function labelOf(extra: object = {}): Label {
  return syntheticLabel({ initialize: [{ name: 'Init', file: 'drv.c', line: 2 }], callbacks: CALLBACKS, ...extra });
}

const ctxOf = (driver: string[] = DRIVER, label: Label = labelOf()): OperatorContext => oneFileContext(driver, label);
const changed = (m: Mutant, driver: string[] = DRIVER): string[] => changedLines(m, driver);
const keys = expectedKeys;
const exclusions = exclusionKeys;
const operator = (id: string) => defined(INSERT_OPERATORS.find((op) => op.id === id));

describe('insertions into labelled callbacks', () => {
  it('takes a spin lock in the ISR only, expecting irql-synch-function at the brace line', () => {
    const out = insertInCallback(ctxOf(), operator(LOCK_AT_DEVICE_IRQL));
    assert.deepEqual(
      out.mutants.map((m) => [m.line, keys(m), m.rules]),
      [[8, ['ndis/irql-synch-function drv.c:8'], ['ndis/irql-synch-function']]],
    );
    assert.deepEqual(changed(out.mutants[0]), [`8: {${INSERTED_LOCK}`]);
    assert.deepEqual(out.excluded, []);
  });

  it('calls KeGetCurrentIrql in the send callback, frees shared memory in shutdown', () => {
    const irql = insertInCallback(ctxOf(), operator(IRQL_IN_FLAGGED_CALLBACK));
    assert.deepEqual(irql.mutants.map(keys), [['ndis/flags-irql drv.c:12']]);
    assert.deepEqual(changed(irql.mutants[0]), [`12: {${INSERTED_IRQL}`]);
    const free = insertInCallback(ctxOf(), operator(FREE_IN_SHUTDOWN));
    assert.deepEqual(free.mutants.map(keys), [['ndis/shared-memory drv.c:27']]);
  });

  it('registers ports in every callback outside initialize, excluding what initialize calls and the roles the rule allows', () => {
    const out = insertInCallback(ctxOf(), operator(PORTS_IN_CALLBACK));
    assert.deepEqual(
      out.mutants.map((m) => keys(m)[0]),
      [
        'ndis/ioport-range drv.c:8',
        'ndis/ioport-range drv.c:12',
        'ndis/ioport-range drv.c:16',
        'ndis/ioport-range drv.c:27',
        'ndis/ioport-range drv.c:30',
      ],
    );
    const called = DRIVER.map((l, i) => (i === 3 ? '    Reset(C);' : l));
    const label = labelOf({
      callbacks: [...CALLBACKS, { name: 'Isr', file: 'drv.c', line: 7, role: 'add-device' }].slice(1),
    });
    assert.deepEqual(exclusions(insertInCallback(ctxOf(called, label), operator(PORTS_IN_CALLBACK))), [
      '29 initialize calls the callback',
      '7 the rule allows the call in this role',
    ]);
  });

  it('excludes an ISR another function calls directly when nothing registers it by name (an #if 0 does not)', () => {
    const called = DRIVER.map((l, i) => (i === 3 ? '    Isr(C, NULL, NULL);' : l));
    assert.deepEqual(exclusions(insertInCallback(ctxOf(called), operator(LOCK_AT_DEVICE_IRQL))), [
      '7 another function calls the callback directly, and no registration or handoff names it',
    ]);
    const deadHandoff = called.map((l, i) => (i === 20 ? '    NdisMSynchronizeWithInterruptEx(I, 0, Isr, C);' : l));
    assert.equal(insertInCallback(ctxOf(deadHandoff), operator(LOCK_AT_DEVICE_IRQL)).mutants.length, 0);
    const handoff = called.map((l, i) => (i === 16 ? '    NdisMSynchronizeWithInterruptEx(I, 0, Isr, C);' : l));
    assert.equal(insertInCallback(ctxOf(handoff), operator(LOCK_AT_DEVICE_IRQL)).mutants.length, 1);
  });

  it('excludes a callback whose definition is not at its line', () => {
    const label = labelOf({ callbacks: [{ name: 'Isr', file: 'drv.c', line: 26, role: 'isr' }] });
    assert.deepEqual(exclusions(insertInCallback(ctxOf(DRIVER, label), operator(LOCK_AT_DEVICE_IRQL))), [
      '26 the callback definition is not found at its line',
    ]);
  });
});

describe('break-constant', () => {
  it('replaces each checked argument by a value the rule forbids, read from the rule data', () => {
    const out = breakConstant(ctxOf());
    assert.deepEqual(
      out.mutants.map((m) => [keys(m), changed(m), m.rules]),
      [
        [['ndis/stall-execution-delay drv.c:4'], ['4:     NdisStallExecution(1000);'], ['ndis/stall-execution-delay']],
        [
          ['ndis/allocate-memory-tag drv.c:13'],
          ['13:     PVOID B = NdisAllocateMemoryWithTagPriority(C, 64, 0, NormalPoolPriority);'],
          ['ndis/allocate-memory-tag'],
        ],
      ],
    );
    assert.deepEqual(exclusions(out), ['21 the call is in an #if 0 branch (never compiled)']);
  });

  it('excludes a call the labels already judge, and keeps the lines of an argument over several', () => {
    const label = labelOf({
      expected: [{ rule: 'ndis/stall-execution-delay', file: 'drv.c', line: 4, why: 'a long stall' }],
    });
    assert.ok(
      exclusions(breakConstant(ctxOf(DRIVER, label))).includes(
        '4 the labels already place a finding of the rule at the call',
      ),
    );
    const split = DRIVER.map((l, i) =>
      i === 3 ? '    NdisStallExecution(DELAY_A +' : i === 4 ? '        DELAY_B); return 0;' : l,
    );
    const m = defined(breakConstant(ctxOf(split)).mutants.find((x) => x.line === 4));
    assert.deepEqual(changed(m, split), ['4:     NdisStallExecution(1000', '5: ); return 0;']);
  });

  it('excludes a C++ header, whose calls the engine does not read', () => {
    const header = [
      'class Pool {',
      '  void *operator new(size_t n, NDIS_HANDLE h) {',
      '    return NdisAllocateMemoryWithTagPriority(h, (UINT)n, TAG, NormalPoolPriority);',
      '  }',
      '};',
      '',
    ];
    const ctx = new OperatorContext(labelOf(), textFromMap(new Map([['pool.h', header.join('\n')]])));
    assert.deepEqual(exclusions(breakConstant(ctx)), [
      '3 the file is C++ (a class, template, namespace or ::), which the engine does not read',
    ]);
  });

  it('forbids by the comparison: over, under, equal, unequal', () => {
    assert.deepEqual(
      (['>', '>=', '<', '<=', '==', '!='] as const).map((c) => violating(c, 50)),
      [1000, 1000, -1000, -1000, 50, 51],
    );
  });
});

describe('bad-pause-status', () => {
  it('makes each return of the pause callback fail, whatever it returned; #if 0 excluded', () => {
    const out = badPauseStatus(ctxOf());
    assert.deepEqual(
      out.mutants.map((m) => [keys(m), changed(m)]),
      [
        [['ndis/pause-return drv.c:19'], ['19:         return NDIS_STATUS_FAILURE;']],
        [['ndis/pause-return drv.c:24'], ['24:     return NDIS_STATUS_FAILURE;']],
      ],
    );
    assert.deepEqual(exclusions(out), ['22 the return is in an #if 0 branch (never compiled)']);
  });

  it('excludes a return only a NULL test of what NDIS passed leads to (the rule reads it as dead)', () => {
    const guarded = DRIVER.map((l, i) =>
      i === 16 ? '    PADAPTER A = (PADAPTER)C; NDIS_STATUS Status = Drain(A);' : i === 17 ? '    if (!A)' : l,
    );
    assert.ok(
      exclusions(badPauseStatus(ctxOf(guarded))).includes(
        '19 the return is taken only when NDIS passed NULL, which it never does',
      ),
    );
    const other = DRIVER.map((l, i) => (i === 17 ? '    if (Status == NULL)' : l));
    assert.equal(
      badPauseStatus(ctxOf(other)).mutants.length,
      2,
      'a NULL test of a local NDIS did not give is no guard',
    );
  });

  it('excludes a return without a value and one the labels judge', () => {
    const bare = DRIVER.map((l, i) => (i === 18 ? '        return;' : l));
    const label = labelOf({ expected: [{ rule: 'ndis/pause-return', file: 'drv.c', line: 24, why: 'fails' }] });
    assert.deepEqual(exclusions(badPauseStatus(ctxOf(bare, label))), [
      '19 the return has no value',
      '22 the return is in an #if 0 branch (never compiled)',
      '24 the labels already place a finding of the rule at the return',
    ]);
  });
});

describe('inIfZero', () => {
  it('is true in the first branch of #if 0 and what nests in it, false after #else or #endif', () => {
    const c = readC(['#if 0', 'a', '#ifdef X', 'b', '#else', 'c', '#endif', '#else', 'd', '#endif', 'e'].join('\n'));
    const at = (s: string) => c.text.indexOf(`\n${s}`) + 1;
    assert.deepEqual(
      ['a', 'b', 'c', 'd', 'e'].map((s) => inIfZero(c, at(s))),
      [true, true, true, false, false],
    );
  });
});

describe('the generator', () => {
  it('lists the new operators and judges each on its one rule', () => {
    const generated = generateMutants(labelOf(), textFromMap(new Map([['drv.c', DRIVER.join('\n')]])), {
      seed: 1,
      operators: [BREAK_CONSTANT, BAD_PAUSE_STATUS, LOCK_AT_DEVICE_IRQL],
    });
    assert.deepEqual(
      generated.mutants.map((m) => `${m.operator} ${String(m.rules)}`),
      [
        'lock-at-device-irql ndis/irql-synch-function',
        'break-constant ndis/stall-execution-delay',
        'break-constant ndis/allocate-memory-tag',
        'bad-pause-status ndis/pause-return',
        'bad-pause-status ndis/pause-return',
      ],
    );
  });
});

describe('drop-timer-cancel', () => {
  /** Line N of the array is line N + 1 of the file. */
  const TIMERS = [
    '#include "drv.h"', //                                                             1
    'NDIS_STATUS Init(NDIS_HANDLE H, NDIS_HANDLE C, PVOID P)', //                      2
    '{', //                                                                            3
    '    PADAPTER A = (PADAPTER)C;', //                                                4
    '    NdisSetTimerObject(A->Watchdog, Due, 2000, NULL);', //                         5
    '    NdisSetTimerObject(A->Link, Due, 0, NULL);', //                               6
    '    return NDIS_STATUS_SUCCESS;', //                                              7
    '}', //                                                                            8
    'static VOID StopTimers(PADAPTER A)', //                                           9
    '{', //                                                                           10
    '    NdisCancelTimerObject(A->Watchdog);', //                                     11
    '    NdisCancelTimerObject(A->Link);', //                                         12
    '}', //                                                                           13
    'VOID Halt(NDIS_HANDLE C, NDIS_HALT_ACTION X)', //                                14
    '{', //                                                                           15
    '    StopTimers((PADAPTER)C);', //                                                16
    '}', //                                                                           17
    '',
  ];
  const label = () => labelOf({ halt: [{ name: 'Halt', file: 'drv.c', line: 14 }], callbacks: [] });

  it("deletes a cancel on halt's way, expecting the rule at every set of that timer", () => {
    const out = dropTimerCancel(ctxOf(TIMERS, label()));
    assert.deepEqual(
      out.mutants.map((m) => [m.line, keys(m), changed(m, TIMERS)]),
      [
        [11, ['ndis/cancel-timer-object drv.c:5'], ['11:     ;']],
        [12, ['ndis/cancel-timer-object drv.c:6'], ['12:     ;']],
      ],
    );
  });

  it('expects only the periodic sets when halt waits, and excludes what the text cannot tell', () => {
    const waits = TIMERS.map((l, i) => (i === 15 ? '    StopTimers((PADAPTER)C); NdisMSleep(100);' : l));
    const out = dropTimerCancel(ctxOf(waits, label()));
    assert.deepEqual(out.mutants.map(keys), [['ndis/cancel-timer-object drv.c:5']]);
    assert.deepEqual(exclusions(out), ['12 halt or pause waits, and no periodic set of the timer']);
    const twice = TIMERS.map((l, i) =>
      i === 15 ? '    StopTimers((PADAPTER)C); NdisFreeTimerObject(((PADAPTER)C)->Link);' : l,
    );
    assert.ok(
      exclusions(dropTimerCancel(ctxOf(twice, label()))).includes(
        '12 halt or pause may cancel or free the timer by another call',
      ),
    );
    const byVariable = TIMERS.map((l, i) => (i === 5 ? '    NdisSetTimerObject(T, Due, 0, NULL);' : l));
    assert.ok(
      exclusions(dropTimerCancel(ctxOf(byVariable, label()))).includes(
        '11 a call sets a timer named by no member path',
      ),
    );
  });
});

describe('the mutants, scanned', () => {
  /** The registrations that give the synthetic driver's callbacks their roles, in a file of its own. */
  const ENTRY = `#include <ndis.h>
MINIPORT_INITIALIZE Init;
MINIPORT_ISR Isr;
MINIPORT_SEND_NET_BUFFER_LISTS Send;
MINIPORT_PAUSE Pause;
MINIPORT_SHUTDOWN Shutdown;
MINIPORT_RESET Reset;
`;
  it('each is killed by the engine: the rule it expects is added where it expects it, nothing else', async () => {
    const files = new Map([
      ['drv.c', DRIVER.join('\n')],
      ['entry.c', ENTRY],
    ]);
    const generated = generateMutants(labelOf(), textFromMap(files), {
      seed: 1,
      operators: [
        BREAK_CONSTANT,
        BAD_PAUSE_STATUS,
        LOCK_AT_DEVICE_IRQL,
        IRQL_IN_FLAGGED_CALLBACK,
        FREE_IN_SHUTDOWN,
        PORTS_IN_CALLBACK,
        DROP_TIMER_CANCEL,
      ],
    });
    assert.equal(generated.mutants.length, 12);
    const every = loadRulePack().rules.map((r) => r.id);
    const keysOf = (findings: { rule: string; path: string; line: number }[]) =>
      findings.map((f) => ({ rule: f.rule, file: f.path, line: f.line }));
    const base = keysOf((await scanTexts(Object.fromEntries(files), every)).findings);
    for (const m of generated.mutants) {
      const edited = new Map(files);
      for (const e of m.edits) edited.set(e.file, applyEdits(defined(edited.get(e.file)), [e]));
      const found = keysOf((await scanTexts(Object.fromEntries(edited), every)).findings).filter((f) =>
        defined(m.rules).includes(f.rule),
      );
      const verdict = judge(
        m,
        base.filter((f) => defined(m.rules).includes(f.rule)),
        found,
        files,
      );
      assert.ok(
        verdict.killed,
        `${m.id} survived: expected ${JSON.stringify(m.expected)}, got ${JSON.stringify(verdict.got)}`,
      );
    }
  });
});
