/**
 * The rule pack in the evaluation: the pack's resources read from the rule
 * data, the two pairing operators on a synthetic driver (each edit, each
 * expectation, each written exclusion), pack labels, and the per-rule
 * figures (counts, precision, recall, mutation score, --compare).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareResults } from '../eval/drops.js';
import { type Label, LabelError, parsePackLabel, withPack } from '../eval/labels.js';
import { changedLines, exclusionKeys, expectedKeys, oneFileContext, syntheticLabel } from './support/operators.js';
import type { Mutant } from '../eval/mutant.js';
import { MAPPING_RULES, generateMutants } from '../eval/mutate.js';
import type { MutantResult } from '../eval/mutation-run.js';
import { OperatorContext, textFromMap } from '../eval/operators/context.js';
import { packResources } from '../eval/operators/pack.js';
import { exitStatusCall, handleKey, pairDropRelease, pairExitToReturn } from '../eval/operators/pairing.js';
import { pairDropClose } from '../eval/operators/opener.js';
import { lockDropRelease } from '../eval/operators/locks.js';
import { type Results, emptyResult, mutationByRule, totalsOf } from '../eval/results.js';
import { tokenize } from '../eval/ctext.js';
import { countsByRule, scoreFindings } from '../eval/score.js';
import { defined } from '../src/util/defined.js';

const IRQ = 'ndis/init-register-interrupt';
const SM = 'ndis/shared-memory';
const UNMAP_FAIL = 'ndis/unmap-on-failure';

/** Line N of the array is line N + 1 of the file. */
const DRIVER = [
  '#include "drv.h"', //                                                              1
  'static VOID FreeAll(PADAPTER A)', //                                                2
  '{', //                                                                             3
  '    NdisMFreeSharedMemory(A->Handle, 64, FALSE, A->Ring.Va, A->Ring.Pa);', //      4
  '}', //                                                                             5
  'NDIS_STATUS Init(NDIS_HANDLE H, NDIS_HANDLE C, PVOID P)', //                       6
  '{', //                                                                             7
  '    PADAPTER A = (PADAPTER)C;', //                                                 8
  '    NDIS_STATUS Status;', //                                                       9
  '    NdisMAllocateSharedMemory(H, 64, FALSE, &A->Ring.Va, &A->Ring.Pa);', //        10
  '    if (A->Ring.Va == NULL) goto fail;', //                                        11
  '    Status = NdisMRegisterInterruptEx(H, A, &A->Chars, &A->Irq);', //              12
  '    if (Status != NDIS_STATUS_SUCCESS) goto fail;', //                             13
  '    Status = Start(A);', //                                                        14
  '    if (Status != NDIS_STATUS_SUCCESS) goto deregister;', //                       15
  '    return NDIS_STATUS_SUCCESS;', //                                               16
  'deregister:', //                                                                   17
  '    NdisMDeregisterInterruptEx(A->Irq);', //                                       18
  'fail:', //                                                                         19
  '    FreeAll(A);', //                                                               20
  '    return Status;', //                                                            21
  '}', //                                                                             22
  'VOID Halt(NDIS_HANDLE C, NDIS_HALT_ACTION Action)', //                             23
  '{', //                                                                             24
  '    PADAPTER A = (PADAPTER)C;', //                                                 25
  '    NdisMDeregisterInterruptEx(A->Irq);', //                                       26
  '    FreeAll(A);', //                                                               27
  '}', //                                                                             28
  '',
];

function labelOf(extra: object = {}): Label {
  return syntheticLabel({
    initialize: [{ name: 'Init', file: 'drv.c', line: 6 }],
    halt: [{ name: 'Halt', file: 'drv.c', line: 23 }],
    ...extra,
  });
}

const ctxOf = (driver: string[] = DRIVER, label: Label = labelOf()): OperatorContext => oneFileContext(driver, label);
const changed = (m: Mutant, driver: string[] = DRIVER): string[] => changedLines(m, driver);
const keys = expectedKeys;
const exclusions = exclusionKeys;

describe('the pack resources, read from rules/', () => {
  it('pairs every pairing rule with its resources, and the mapping with its two rules', () => {
    const byId = new Map(packResources().map((r) => [r.id, r]));
    assert.equal(byId.get('interrupt-registration')?.acquire, 'NdisMRegisterInterruptEx');
    assert.equal(byId.get('interrupt-registration')?.inHaltRule, IRQ);
    assert.equal(byId.get('interrupt-registration-ndis5')?.onFailureRule, IRQ);
    assert.equal(byId.get('io-work-item')?.acquireHandleArg, -1, 'the work item is the returned value');
    assert.equal(byId.get('configuration-handle')?.inOpenerRule, 'ndis/open-configuration');
    assert.equal(byId.get('configuration-handle')?.inHaltRule, undefined);
    const mapping = byId.get('io-space-mapping');
    assert.deepEqual(
      [mapping?.pairing, mapping?.onFailureRule, mapping?.inHaltRule],
      [false, UNMAP_FAIL, 'ndis/unmap-in-halt'],
    );
  });
});

describe('handleKey', () => {
  const key = (s: string): string | undefined => handleKey(tokenize(s));
  it('names a handle by its member path, whatever the base variable, cast or address-of', () => {
    assert.equal(key('&Adapter->Ring.Va'), '->Ring.Va');
    assert.equal(key('(PVOID)pAdapter->Ring.Va'), '->Ring.Va');
    assert.equal(key('&A->Rx[i].Va'), '->Rx[].Va');
    assert.equal(key('(A->Irq)'), '->Irq');
  });
  it('gives nothing for a variable or an expression it cannot read', () => {
    assert.equal(key('Va'), undefined);
    assert.equal(key('A->Va + 4'), undefined);
    assert.equal(key('Get(A)->Va'), undefined);
  });
});

describe('pair-drop-release', () => {
  it('deletes the release halt reaches, expecting leakInHalt at the acquire; a release initialize also reaches is excluded', () => {
    const out = pairDropRelease(ctxOf());
    assert.deepEqual(
      out.mutants.map((m) => [m.id, changed(m), keys(m)]),
      [['pair-drop-release@drv.c:26', ['26:     ;'], [`${IRQ} drv.c:12`]]],
    );
    assert.deepEqual(exclusions(out), ["4 initialize reaches the release's function (its failure paths change too)"]);
  });

  it('excludes when halt may still reach another release of the handle', () => {
    const twice = [...DRIVER];
    twice[26] = '    NdisMDeregisterInterruptEx(A->Irq); FreeAll(A);';
    const out = pairDropRelease(ctxOf(twice));
    assert.deepEqual(out.mutants, []);
    assert.deepEqual(
      exclusions(out).filter((e) => e.startsWith('2')),
      [
        '26 halt may still reach another release of the handle',
        '27 halt may still reach another release of the handle',
      ],
    );
    const other = [...DRIVER];
    other[25] = '    if (Flag) NdisMDeregisterInterruptEx(A->Irq); else NdisMDeregisterInterruptEx(A->Irq);';
    assert.ok(exclusions(pairDropRelease(ctxOf(other))).includes('26 several such calls on the line'));
  });

  it('excludes a release whose handle is a variable, and one no acquire of initialize names', () => {
    const local = [...DRIVER];
    local[25] = '    NdisMDeregisterInterruptEx(Irq);';
    assert.deepEqual(exclusions(pairDropRelease(ctxOf(local))), [
      "26 the release's handle is not a member (text cannot pair it)",
      "4 initialize reaches the release's function (its failure paths change too)",
    ]);
    const other = [...DRIVER];
    other[25] = '    NdisMDeregisterInterruptEx(A->OtherIrq);';
    assert.ok(
      exclusions(pairDropRelease(ctxOf(other))).includes("26 no acquire of the release's handle in initialize's reach"),
    );
  });

  it('excludes where the labels already say the site leaks in halt', () => {
    const label = labelOf({ expected: [{ rule: IRQ, file: 'drv.c', line: 12 }] });
    const out = pairDropRelease(ctxOf(DRIVER, label));
    assert.deepEqual(out.mutants, []);
    assert.ok(exclusions(out).includes('26 the labels say the site already leaks in halt'));
  });
});

describe('pair-exit-to-return', () => {
  it("turns each later exit into a failure return, expecting every held resource's rule there; the acquire's own check is excluded", () => {
    const out = pairExitToReturn(ctxOf());
    assert.deepEqual(
      out.mutants.map((m) => [m.id, changed(m), keys(m)]),
      [
        [
          'pair-exit-to-return@drv.c:15',
          ['15:     if (Status != NDIS_STATUS_SUCCESS) return NDIS_STATUS_FAILURE;'],
          [`${IRQ} drv.c:15`, `${SM} drv.c:15`],
        ],
      ],
    );
    assert.deepEqual(exclusions(out), [
      "11 the first exit after an acquire (it may be the acquire's own failure)",
      "13 the first exit after an acquire (it may be the acquire's own failure)",
    ]);
  });

  it('adds the mapping to the expectation when initialize holds it too', () => {
    const mapped = [...DRIVER];
    mapped[9] =
      '    NdisMMapIoSpace(&A->Regs, H, A->Pa, 64); NdisMAllocateSharedMemory(H, 64, FALSE, &A->Ring.Va, &A->Ring.Pa);';
    const m = pairExitToReturn(ctxOf(mapped)).mutants.find((x) => x.line === 15);
    assert.deepEqual(m && keys(m), [`${IRQ} drv.c:15`, `${SM} drv.c:15`, `${UNMAP_FAIL} drv.c:15`]);
  });

  it('excludes an exit where a lock or a configuration handle may be held, or an acquire in a block it is not in', () => {
    const locked = [...DRIVER];
    locked[13] = '    NdisAcquireSpinLock(&A->Lock); Status = Start(A);';
    assert.ok(exclusions(pairExitToReturn(ctxOf(locked))).includes('15 a spin lock may be held at the exit'));
    const config = [...DRIVER];
    config[13] = '    NdisOpenConfigurationEx(&A->Obj, &A->Cfg); Status = Start(A);';
    assert.ok(
      exclusions(pairExitToReturn(ctxOf(config))).includes('15 a configuration handle may be open at the exit'),
    );
    const nested = [...DRIVER];
    nested[11] = '    if (A->UseIrq) { Status = NdisMRegisterInterruptEx(H, A, &A->Chars, &A->Irq); }';
    assert.ok(exclusions(pairExitToReturn(ctxOf(nested))).includes('15 an acquire is in a block the exit is not in'));
  });

  it('excludes an exit the labels already say leaks', () => {
    const label = labelOf({ expected: [{ rule: SM, file: 'drv.c', line: 15 }] });
    assert.deepEqual(exclusions(pairExitToReturn(ctxOf(DRIVER, label))).slice(-1), [
      '15 the labels say the exit already leaks',
    ]);
  });

  it('excludes an exit where the labels judge a finding false: the tool reports it already, the mutant cannot add it', () => {
    const label = labelOf({ falseAlarms: [{ rule: IRQ, file: 'drv.c', line: 15, why: 'x' }] });
    const out = pairExitToReturn(ctxOf(DRIVER, label));
    assert.deepEqual(out.mutants, []);
    assert.deepEqual(exclusions(out).slice(-1), [
      '15 the labels judge a finding at the exit false (it is reported already)',
    ]);
    const site = labelOf({ falseAlarms: [{ rule: IRQ, file: 'drv.c', line: 12, why: 'x' }] });
    assert.ok(
      exclusions(pairDropRelease(ctxOf(DRIVER, site))).includes(
        '26 the labels judge a finding at the site false (it is reported already)',
      ),
    );
  });

  it('excludes an exit taken only when a function that returns only success fails (it cannot be taken)', () => {
    const succeeds = [
      ...DRIVER.slice(0, -1),
      'NDIS_STATUS Start(PADAPTER A) { Go(A); return (NDIS_STATUS_SUCCESS); }',
      '',
    ];
    const out = pairExitToReturn(ctxOf(succeeds));
    assert.deepEqual(out.mutants, []);
    assert.ok(
      exclusions(out).includes('15 the exit is taken only on the failure of a function that returns only success'),
      exclusions(out).join('; '),
    );
    const mayFail = [
      ...DRIVER.slice(0, -1),
      'NDIS_STATUS Start(PADAPTER A) { if (Go(A)) return NDIS_STATUS_FAILURE; return NDIS_STATUS_SUCCESS; }',
      '',
    ];
    assert.deepEqual(
      pairExitToReturn(ctxOf(mayFail)).mutants.map((m) => m.line),
      [15],
    );
  });

  it('generateMutants judges the mapping operators on the mapping rules only, the pairing ones on every rule', () => {
    const g = generateMutants(labelOf(), textFromMap(new Map([['drv.c', DRIVER.join('\n')]])), { seed: 1 });
    assert.deepEqual(
      g.mutants.map((m) => [m.operator, m.rules]),
      [
        ['pair-drop-release', undefined],
        ['pair-exit-to-return', undefined],
      ],
    );
    const only = generateMutants(labelOf(), textFromMap(new Map([['drv.c', DRIVER.join('\n')]])), {
      seed: 1,
      operators: ['pair-exit-to-return'],
    });
    assert.deepEqual(
      only.mutants.map((m) => m.operator),
      ['pair-exit-to-return'],
    );
    assert.deepEqual(MAPPING_RULES, ['ndis/mmap-context', UNMAP_FAIL, 'ndis/unmap-in-halt', 'ndis/unmap-length']);
  });
});

describe('pair-drop-close', () => {
  /** Line N of the array is line N + 1 of the file. */
  const READER = [
    '#include "drv.h"', //                                                              1
    'NDIS_STATUS ReadRegistry(PADAPTER A)', //                                          2
    '{', //                                                                             3
    '    NDIS_HANDLE Config;', //                                                       4
    '    NDIS_STATUS Status;', //                                                       5
    '    Status = NdisOpenConfigurationEx(&A->ConfigObject, &Config);', //              6
    '    if (Status != NDIS_STATUS_SUCCESS) {', //                                      7
    '        return Status;', //                                                        8
    '    }', //                                                                         9
    '    for (i = 0; i < 4; i++) Read(Config, i);', //                                  10
    '    NdisCloseConfiguration(Config);', //                                           11
    '    return Status;', //                                                            12
    '}', //                                                                            13
    'VOID ReadMore(PADAPTER A)', //                                                     14
    '{', //                                                                            15
    '    NDIS_HANDLE Config;', //                                                       16
    '    if (NdisOpenConfigurationEx(&A->ConfigObject, &Config) != NDIS_STATUS_SUCCESS)', // 17
    '        return;', //                                                               18
    '    Read(Config, 0);', //                                                          19
    '    NdisCloseConfiguration(Config);', //                                           20
    '}', //                                                                            21
    '',
  ];
  const ctx = (lines: string[]): OperatorContext => oneFileContext(lines, labelOf());

  it('deletes the close of the function that opened the handle, expecting the finding at its one return after, or at the open when it falls off its end', () => {
    const out = pairDropClose(ctx(READER));
    assert.deepEqual(
      out.mutants.map((m) => [m.line, keys(m), m.rules]),
      [
        [11, ['ndis/open-configuration drv.c:12'], ['ndis/open-configuration']],
        [20, ['ndis/open-configuration drv.c:17'], ['ndis/open-configuration']],
      ],
    );
    assert.deepEqual(changed(out.mutants[0], READER), ['11:     ;']);
    assert.deepEqual(out.excluded, []);
  });

  it('excludes by a stated rule: an exit between, a handle that leaves, a second exit after the close', () => {
    const exitBetween = READER.map((l, i) => (i === 9 ? '    if (Read(Config, 0)) goto out;' : l));
    assert.deepEqual(exclusions(pairDropClose(ctx(exitBetween))), ['11 an exit between the acquire and the release']);
    const leaves = READER.map((l, i) => (i === 9 ? '    A->Config = Config;' : l));
    assert.deepEqual(exclusions(pairDropClose(ctx(leaves))), ['11 the handle leaves the function']);
    const twoAfter = READER.map((l, i) => (i === 11 ? '    if (Status) return Status; return 0;' : l));
    assert.deepEqual(exclusions(pairDropClose(ctx(twoAfter))), ['11 more than one exit after the release']);
    const field = READER.map((l, i) =>
      i === 5 ? '    Status = NdisOpenConfigurationEx(&A->ConfigObject, &A->Config);' : l,
    );
    assert.deepEqual(exclusions(pairDropClose(ctx(field))), ['11 the handle is not a local variable of the function']);
  });
});

describe('pair-drop-lock-release', () => {
  /** Line N of the array is line N + 1 of the file. */
  const HANG = [
    '#include "drv.h"', //                                                              1
    'BOOLEAN Hang(NDIS_HANDLE C)', //                                                    2
    '{', //                                                                             3
    '    PADAPTER A = (PADAPTER)C;', //                                                 4
    '    BOOLEAN Stuck;', //                                                            5
    '    NdisAcquireSpinLock(&A->Lock);', //                                            6
    '    Stuck = A->Pending > 3;', //                                                   7
    '    NdisReleaseSpinLock(&A->Lock);', //                                            8
    '    return Stuck;', //                                                             9
    '}', //                                                                            10
    'VOID Dpc(PVOID S, PADAPTER Ad, PVOID A1, PVOID A2)', //                                11
    '{', //                                                                            12
    '    NdisDprAcquireSpinLock(&Ad->Lock);', //                             13
    '    Count++;', //                                                                  14
    '    NdisDprReleaseSpinLock(&Ad->Lock);', //                             15
    '}', //                                                                            16
    '',
  ];
  const callbacks = [
    { name: 'Hang', file: 'drv.c', line: 2, role: 'check-for-hang' },
    { name: 'Dpc', file: 'drv.c', line: 11, role: 'dpc' },
  ];
  const ctx = (lines: string[]): OperatorContext => oneFileContext(lines, labelOf({ callbacks }));

  it('deletes the release of a callback that takes one lock once, expecting heldAtReturn at its return or closing brace', () => {
    const out = lockDropRelease(ctx(HANG));
    assert.deepEqual(
      out.mutants.map((m) => [m.line, keys(m), m.rules]),
      [
        [8, ['ndis/spinlock-balance drv.c:9'], ['ndis/spinlock-balance']],
        [15, ['ndis/spinlock-balance drv.c:16'], ['ndis/spinlock-balance']],
      ],
    );
    assert.deepEqual(changed(out.mutants[0], HANG), ['8:     ;']);
  });

  it('excludes by a stated rule: an exit between, another lock call, a caller, a loop', () => {
    const exitBetween = HANG.map((l, i) => (i === 6 ? '    if (!A) return FALSE;' : l));
    assert.deepEqual(exclusions(lockDropRelease(ctx(exitBetween))).slice(0, 1), [
      '6 an exit between the take and the release',
    ]);
    const twoLocks = HANG.map((l, i) => (i === 6 ? '    NdisAcquireSpinLock(&A->Other);' : l));
    assert.ok(
      exclusions(lockDropRelease(ctx(twoLocks))).includes(
        '6 the callback makes other lock calls than one take and its release',
      ),
    );
    const called = HANG.map((l, i) => (i === 13 ? '    Hang(C);' : l));
    assert.ok(
      exclusions(lockDropRelease(ctx(called))).includes('6 another function calls the callback (its paths change too)'),
    );
    const looped = HANG.map((l, i) =>
      i === 5
        ? '    while (A->Busy) { NdisAcquireSpinLock(&A->Lock);'
        : i === 7
          ? '    NdisReleaseSpinLock(&A->Lock); }'
          : l,
    );
    assert.ok(
      exclusions(lockDropRelease(ctx(looped))).includes(
        '6 the take and the release are not in one block outside any loop or switch',
      ),
    );
  });

  it('writes a mutant beside a helper or macro that locks only its own lock; excludes one that may reach this one', () => {
    const helpers = [
      'VOID Audit(PADAPTER A) { NdisAcquireSpinLock(&A->AuditLock); A->N++; NdisReleaseSpinLock(&A->AuditLock); }',
      '#define STAT(a) { NdisAcquireSpinLock(&(a)->StatLock); (a)->S++; NdisReleaseSpinLock(&(a)->StatLock); }',
      'VOID Kick(PADAPTER A) { NdisReleaseSpinLock(&A->Lock); NdisAcquireSpinLock(&A->Lock); }',
      'VOID Take(PNDIS_SPIN_LOCK L) { NdisAcquireSpinLock(L); }',
    ];
    const withCall = (call: string) => [...HANG.slice(0, 7), `    ${call}`, ...HANG.slice(7), ...helpers];
    // HANG's lines 8 on move one down: the release is at 9, the return at 10.
    for (const call of ['Audit(A);', 'STAT(A);']) {
      const out = lockDropRelease(ctx(withCall(call)));
      assert.deepEqual(
        out.mutants.map((m) => [m.line, keys(m)]),
        [
          [9, ['ndis/spinlock-balance drv.c:10']],
          [16, ['ndis/spinlock-balance drv.c:17']],
        ],
        call,
      );
    }
    for (const call of ['Kick(A);', 'Take(&A->Lock);'])
      assert.ok(
        exclusions(lockDropRelease(ctx(withCall(call)))).includes(
          '6 the callback calls a function or macro that may take or release this lock',
        ),
        call,
      );
  });

  it('excludes a callback whose helper that may take a lock calls through a pointer (the rule does not follow it)', () => {
    const post = [
      'VOID Post(PADAPTER A) { NdisAcquireSpinLock(&A->QLock); A->Ops->Send(A); NdisReleaseSpinLock(&A->QLock); }',
    ];
    const withPost = [...HANG.slice(0, 7), '    Post(A);', ...HANG.slice(7), ...post];
    assert.ok(
      exclusions(lockDropRelease(ctx(withPost))).includes(
        '6 a helper the callback calls that may take a lock calls through a pointer',
      ),
    );
    // The same helper without the pointer call stands beside the mutant (it locks only its own lock).
    const plain = withPost.map((l) => l.replace(' A->Ops->Send(A);', ''));
    assert.deepEqual(
      lockDropRelease(ctx(plain)).mutants.map((m) => m.line),
      [9, 16],
    );
  });
});

describe('pair-drop-lock-release through lock macros', () => {
  /** The ndislwf sample's lock macros: an audited debug build and an either-form release build. */
  const FILTER = [
    '#include "drv.h"', //                                                              1
    '#if DBG_SPIN_LOCK', //                                                             2
    '#define F_LOCK(l, d) filterAcquireSpinLock(l, __LINE__, d)', //                     3
    '#define F_UNLOCK(l, d) filterReleaseSpinLock(l, __LINE__, d)', //                   4
    '#else', //                                                                         5
    '#define F_LOCK(l, d) { if (d) NdisDprAcquireSpinLock(l); else NdisAcquireSpinLock(l); }', // 6
    '#define F_UNLOCK(l, d) { if (d) NdisDprReleaseSpinLock(l); else NdisReleaseSpinLock(l); }', // 7
    '#define D_LOCK(l) NdisDprAcquireSpinLock((l))', //                                   8
    '#define MIXED(l) { NdisAcquireSpinLock(l); NdisReleaseSpinLock(l); }', //            9
    '#endif', //                                                                       10
    'VOID Pause(PFILTER F)', //                                                         11
    '{', //                                                                            12
    '    F_LOCK(&F->Lock, FALSE);', //                                                 13
    '    F->State = 2;', //                                                            14
    '    F_UNLOCK(&F->Lock, FALSE);', //                                               15
    '}', //                                                                            16
    '',
  ];
  const ctx = (lines: string[]): OperatorContext =>
    oneFileContext(lines, labelOf({ callbacks: [{ name: 'Pause', file: 'drv.c', line: 11, role: 'pause' }] }));

  it('deletes the release macro of a callback that takes and releases one lock through a pair of lock macros', () => {
    const out = lockDropRelease(ctx(FILTER));
    assert.deepEqual(
      out.mutants.map((m) => [m.line, keys(m)]),
      [[15, ['ndis/spinlock-balance drv.c:16']]],
    );
    assert.deepEqual(changed(out.mutants[0], FILTER), ['15:     ;']);
  });

  it('pairs a take macro only with a release macro of the same forms; a macro that takes and releases is none', () => {
    const dprOnly = FILTER.map((l, i) => (i === 12 ? '    D_LOCK(&F->Lock);' : l));
    assert.deepEqual(exclusions(lockDropRelease(ctx(dprOnly))), [
      '13 the callback makes other lock calls than one take and its release',
    ]);
    const mixed = FILTER.map((l, i) => (i === 13 ? '    MIXED(&F->Lock);' : l));
    assert.deepEqual(exclusions(lockDropRelease(ctx(mixed))), [
      '13 the callback calls a function or macro that may take or release this lock',
    ]);
  });
});

describe('exitStatusCall', () => {
  /** The function whose status decides the exit `goto e;` of `body`, read as a function's body. */
  const tested = (body: string): string | undefined => {
    const tokens = tokenize(`{ ${body} }`);
    const k = tokens.findIndex((t) => t.text === 'goto');
    return exitStatusCall(tokens, 0, k);
  };
  it('reads the status an if tests, inline or from its last assignment', () => {
    assert.equal(tested('S = F(a); if (S != NDIS_STATUS_SUCCESS) goto e;'), 'F');
    assert.equal(tested('S = (NDIS_STATUS)F(a); if (NDIS_STATUS_SUCCESS != S) { Log(S); goto e; }'), 'F');
    assert.equal(tested('if ((S = F(a, b)) != NDIS_STATUS_SUCCESS) { goto e; }'), 'F');
    assert.equal(tested('if (F(a) != STATUS_SUCCESS) goto e;'), 'F');
    assert.equal(tested('S = G(); S = F(a); if (!NT_SUCCESS(S)) goto e;'), 'F');
  });
  it('gives nothing where something else may decide the exit', () => {
    assert.equal(tested('S = F(a); Q(&S); if (S != NDIS_STATUS_SUCCESS) goto e;'), undefined);
    assert.equal(tested('S = F(a); if (S != NDIS_STATUS_SUCCESS && x) goto e;'), undefined);
    assert.equal(tested('S = F(a); if (S == NDIS_STATUS_SUCCESS) { x(); } else { goto e; }'), undefined);
    assert.equal(tested('S = F(a) + 1; if (S != NDIS_STATUS_SUCCESS) goto e;'), undefined);
    assert.equal(tested('while (S != NDIS_STATUS_SUCCESS) goto e;'), undefined);
    assert.equal(tested('if (S != NDIS_STATUS_SUCCESS) goto e;'), undefined);
    assert.equal(tested('goto e;'), undefined);
  });
});

describe('pack labels', () => {
  const pack = (value: object) => parsePackLabel({ driver: 'synthetic', ...value }, 'pack.json');

  it('merges judged places into the label: expected, debatable, and false alarms', () => {
    const merged = withPack(
      labelOf({ expected: [{ rule: UNMAP_FAIL, file: 'drv.c', line: 3 }] }),
      pack({
        expected: [{ rule: IRQ, file: 'drv.c', line: 12, why: 'never deregistered' }],
        falseAlarms: [{ rule: SM, file: 'drv.c', line: 15, why: 'freed through an alias' }],
        debatable: [{ rule: SM, file: 'drv.c', line: 11, why: 'not read to the end' }],
      }),
      'pack.json',
    );
    assert.deepEqual(
      merged.expected.map((e) => e.rule),
      [UNMAP_FAIL, IRQ],
    );
    assert.equal(merged.falseAlarms.length, 1);
    assert.equal(merged.debatable.length, 1);
  });

  it('rejects an entry without a reason, a place judged twice, and another driver', () => {
    assert.throws(() => pack({ expected: [{ rule: IRQ, file: 'a.c', line: 1 }] }), /why must say why/);
    assert.throws(
      () =>
        pack({
          expected: [{ rule: IRQ, file: 'a.c', line: 1, why: 'x' }],
          falseAlarms: [{ rule: IRQ, file: 'a.c', line: 1, why: 'y' }],
        }),
      /judged twice/,
    );
    assert.throws(() => withPack(labelOf(), { ...pack({}), driver: 'other' }, 'p.json'), LabelError);
  });
});

describe('per-rule figures', () => {
  const reported = (rule: string, line: number) => ({ rule, file: 'a.c', line, message: '' });
  const label = labelOf({
    expected: [
      { rule: IRQ, file: 'a.c', line: 1 },
      { rule: IRQ, file: 'a.c', line: 2 },
      { rule: SM, file: 'a.c', line: 3 },
    ],
    falseAlarms: [{ rule: SM, file: 'a.c', line: 4, why: 'x' }],
  });
  const rules = [IRQ, SM, 'ndis/spinlock-balance'];
  const score = scoreFindings([reported(IRQ, 1), reported(SM, 4), reported(SM, 5)], label, rules);

  it('splits the score by rule, marking false positives a label judged false', () => {
    const byRule = countsByRule(score, label, rules);
    assert.deepEqual(byRule[IRQ], {
      truePositives: 1,
      falsePositives: 0,
      falseNegatives: 1,
      debatableReported: 0,
      debatableSilent: 0,
      knownFalse: 0,
      labelled: 2,
    });
    assert.deepEqual(
      [byRule[SM].truePositives, byRule[SM].falsePositives, byRule[SM].knownFalse, byRule[SM].falseNegatives],
      [0, 2, 1, 1],
    );
    assert.equal(byRule['ndis/spinlock-balance'].labelled, 0, 'every compared rule is listed');
  });

  it('gives precision and recall per rule in the totals, and mutation scores by the rules mutants expect', () => {
    const d = emptyResult({ id: 'd', folder: 'f', repo: 'r', commit: 'c' });
    d.byRule = countsByRule(score, label, rules);
    const result = (killed: boolean, ...expected: string[]): MutantResult => ({
      id: 'm',
      operator: 'op',
      file: 'a.c',
      line: 1,
      description: '',
      expected: expected.map((rule) => ({ rule, file: 'a.c', line: 1 })),
      got: [],
      killed,
      complete: true,
      wallMs: 0,
    });
    const byRule = mutationByRule([result(true, IRQ, SM), result(false, IRQ), result(true, IRQ, IRQ)]);
    assert.deepEqual(byRule[IRQ], { mutants: 3, killed: 2, score: 2 / 3 });
    assert.deepEqual(byRule[SM], { mutants: 1, killed: 1, score: 1 });
    d.mutation = {
      mutants: 3,
      killed: 2,
      score: 2 / 3,
      wallMs: 0,
      byOperator: {},
      byRule,
      excludedByRule: {},
      exclusions: [],
      survivors: [],
      results: [],
    };
    const t = totalsOf([d]);
    assert.equal(t.byRule[IRQ].precision, 1);
    assert.equal(t.byRule[IRQ].recall, 0.5);
    assert.equal(t.byRule[SM].precision, 0);
    assert.equal(t.byRule['ndis/spinlock-balance'].recall, null);
    assert.equal(t.mutation.byRule[IRQ].killed, 2);

    const results = (x: typeof d): Results => ({
      format: 1,
      cli: 'x',
      corpus: 'c',
      labels: 'l',
      rules,
      seed: 1,
      mutants: 'all',
      drivers: [x],
      totals: totalsOf([x]),
    });
    const worse = structuredClone(d);
    worse.byRule[IRQ].falsePositives = 1;
    defined(worse.mutation, 'worse.mutation').byRule = mutationByRule([result(false, IRQ), result(false, SM)]);
    const figures = compareResults(results(d), results(worse)).drops.map((x) => x.figure);
    assert.ok(figures.includes(`${IRQ} precision`), figures.join(', '));
    assert.ok(figures.includes(`${IRQ} false positives`));
    assert.ok(figures.includes(`mutation score ${IRQ}`));
    assert.ok(figures.includes(`mutation score ${SM}`));
  });
});
