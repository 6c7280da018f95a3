/**
 * The mutation operators on a small synthetic driver: the exact text each
 * produces and the findings it expects, and each written exclusion rule.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type Label, parseLabel } from '../eval/labels.js';
import { applyEdits, type Mutant, type OperatorOutput } from '../eval/mutant.js';
import { CPLUSPLUS_RULE, generateMutants } from '../eval/mutate.js';
import { changeLength } from '../eval/operators/change-length.js';
import { OperatorContext, textFromMap } from '../eval/operators/context.js';
import { deleteUnmap } from '../eval/operators/delete-unmap.js';
import { dropHaltCall } from '../eval/operators/drop-halt-call.js';
import { exitToReturn } from '../eval/operators/exit-to-return.js';
import { guardRelease } from '../eval/operators/guard-release.js';
import { INSERTED_MAPPING, mapInCallback } from '../eval/operators/insert-in-callback.js';
import { defined } from '../src/util/defined.js';

const HEADER = [
  'typedef struct _ADAPTER {',
  '    NDIS_HANDLE Handle;',
  '    PVOID Regs;',
  '    NDIS_PHYSICAL_ADDRESS RegsPa;',
  '} ADAPTER, *PADAPTER;',
  '',
];

/** Line N of the array is line N + 1 of the file. */
const DRIVER = [
  '#include "drv.h"', //                                            1
  '#define REGS_LEN 0x100', //                                      2
  'static VOID FreeAdapter(PADAPTER A)', //                          3
  '{', //                                                           4
  '    if (A->Regs)', //                                            5
  '        NdisMUnmapIoSpace(A->Handle, A->Regs, REGS_LEN);', //    6
  '}', //                                                           7
  'NDIS_STATUS Init(NDIS_HANDLE H, NDIS_HANDLE C, PVOID P)', //     8
  '{', //                                                           9
  '    PADAPTER A = (PADAPTER)C;', //                               10
  '    NDIS_STATUS Status;', //                                     11
  '    do {', //                                                    12
  '        Status = NdisMMapIoSpace(&A->Regs, H, A->RegsPa, REGS_LEN);', // 13
  '        if (Status != NDIS_STATUS_SUCCESS) break;', //           14
  '        Status = Probe(A);', //                                  15
  '        if (Status != NDIS_STATUS_SUCCESS) { break; }', //       16
  '        Status = Start(A);', //                                  17
  '        if (Status != NDIS_STATUS_SUCCESS) goto fail;', //       18
  '    } while (FALSE);', //                                        19
  '    if (Status != NDIS_STATUS_SUCCESS) FreeAdapter(A);', //      20
  '    return Status;', //                                          21
  'fail:', //                                                       22
  '    FreeAdapter(A);', //                                         23
  '    return Status;', //                                          24
  '}', //                                                           25
  'VOID Halt(NDIS_HANDLE C, NDIS_HALT_ACTION Action)', //           26
  '{', //                                                           27
  '    PADAPTER A = (PADAPTER)C;', //                               28
  '    FreeAdapter(A);', //                                         29
  '}', //                                                           30
  'VOID Reset(NDIS_HANDLE C)', //                                   31
  '{', //                                                           32
  '    Poke(C);', //                                                33
  '}', //                                                           34
  '',
];

function site(overrides: object = {}): object {
  return {
    id: 's1',
    file: 'drv.c',
    line: 13,
    function: 'Init',
    handle: 'A->Regs',
    length: 'REGS_LEN',
    lengthValue: 256,
    context: { verdict: 'ok', chain: 'Init' },
    onFailure: {
      verdict: 'ok',
      exits: [
        { file: 'drv.c', line: 16, kind: 'break', releasedAt: { file: 'drv.c', line: 6 } },
        { file: 'drv.c', line: 18, kind: 'goto', releasedAt: { file: 'drv.c', line: 6 } },
      ],
      leaks: [],
    },
    inHalt: {
      verdict: 'released',
      chain: [
        { file: 'drv.c', line: 29, call: 'FreeAdapter' },
        { file: 'drv.c', line: 6, call: 'NdisMUnmapIoSpace' },
      ],
    },
    releases: [{ file: 'drv.c', line: 6, length: 'REGS_LEN', verdict: 'same' }],
    ...overrides,
  };
}

function labelOf(sites: object[] = [site()], extra: object = {}): Label {
  return parseLabel(
    {
      driver: 'synthetic',
      initialize: [{ name: 'Init', file: 'drv.c', line: 8 }],
      halt: [{ name: 'Halt', file: 'drv.c', line: 26 }],
      callbacks: [{ role: 'reset', name: 'Reset', file: 'drv.c', line: 31 }],
      sites,
      expected: [],
      debatable: [],
      ...extra,
    },
    'synthetic label',
  );
}

function files(driver: string[] = DRIVER, more: Record<string, string> = {}): Map<string, string> {
  return new Map(Object.entries({ 'drv.h': HEADER.join('\n'), 'drv.c': driver.join('\n'), ...more }));
}

function run(op: (ctx: OperatorContext) => OperatorOutput, label = labelOf(), texts = files()): OperatorOutput {
  return op(new OperatorContext(label, textFromMap(texts)));
}

/** The mutated lines that differ from the original, as `file:line: text`. */
function changedLines(mutant: Mutant, texts = files()): string[] {
  const out: string[] = [];
  for (const file of new Set(mutant.edits.map((e) => e.file))) {
    const before = defined(texts.get(file)).split('\n');
    const after = applyEdits(
      defined(texts.get(file)),
      mutant.edits.filter((e) => e.file === file),
    ).split('\n');
    assert.equal(after.length, before.length, `${mutant.id} changed the number of lines of ${file}`);
    after.forEach((line, i) => {
      if (line !== before[i]) out.push(`${file}:${String(i + 1)}: ${line}`);
    });
  }
  return out.sort();
}

function findings(m: Mutant): string[] {
  return m.expected.map((f) => `${f.rule} ${f.file}:${String(f.line)}`).sort();
}

function exclusions(out: OperatorOutput): string[] {
  return out.excluded.map((e) => `${e.file}:${String(e.line)} ${e.rule}`);
}

describe('drop-halt-call', () => {
  it("deletes halt's first call of the chain; the site must get unmap-in-halt", () => {
    const out = run(dropHaltCall);
    assert.deepEqual(exclusions(out), []);
    assert.equal(out.mutants.length, 1);
    assert.deepEqual(changedLines(out.mutants[0]), ['drv.c:29:     ;']);
    assert.deepEqual(findings(out.mutants[0]), ['ndis/unmap-in-halt drv.c:13']);
  });

  it('is excluded when initialize calls halt', () => {
    const driver = [...DRIVER];
    driver[22] = '    Halt(A, 0);';
    const out = run(dropHaltCall, labelOf(), files(driver));
    assert.deepEqual(exclusions(out), ['drv.c:29 initialize calls halt']);
  });

  it('is excluded when halt may still reach another release of the site', () => {
    const driver = [...DRIVER];
    driver[32] = '    NdisMUnmapIoSpace(C, C, 1);';
    driver[28] = '    FreeAdapter(A); Reset(C);';
    const other = site({
      releases: [
        { file: 'drv.c', line: 6, length: 'REGS_LEN', verdict: 'same' },
        { file: 'drv.c', line: 33, length: '1', verdict: 'undecidable' },
      ],
    });
    const out = run(dropHaltCall, labelOf([other]), files(driver));
    assert.deepEqual(exclusions(out), ['drv.c:29 halt may still reach a release another way']);
  });

  it('is excluded when halt releases directly (delete-unmap covers it)', () => {
    const direct = site({
      inHalt: { verdict: 'released', chain: [{ file: 'drv.c', line: 6, call: 'NdisMUnmapIoSpace' }] },
    });
    assert.deepEqual(exclusions(run(dropHaltCall, labelOf([direct]))), [
      'drv.c:6 halt releases directly (delete-unmap covers it)',
    ]);
  });
});

describe('exit-to-return', () => {
  it('turns each listed break or goto into a failure return at the same line', () => {
    const out = run(exitToReturn);
    assert.deepEqual(exclusions(out), []);
    assert.deepEqual(
      out.mutants.map((m) => [changedLines(m), findings(m)]),
      [
        [
          ['drv.c:16:         if (Status != NDIS_STATUS_SUCCESS) { return NDIS_STATUS_FAILURE; }'],
          ['ndis/unmap-on-failure drv.c:16'],
        ],
        [
          ['drv.c:18:         if (Status != NDIS_STATUS_SUCCESS) return NDIS_STATUS_FAILURE;'],
          ['ndis/unmap-on-failure drv.c:18'],
        ],
      ],
    );
  });

  it('expects one finding at the exit however many sites it leaks', () => {
    const second = site({ id: 's2', line: 15, function: 'Init' });
    const out = run(exitToReturn, labelOf([site(), second]));
    assert.equal(out.mutants.length, 2);
    assert.deepEqual(findings(out.mutants[0]), ['ndis/unmap-on-failure drv.c:16']);
  });

  it('is excluded when a macro stands where the jump should be, or the exit already leaks', () => {
    const driver = [...DRIVER];
    driver[15] = '        CHECK_OR_BAIL(Status);';
    const leaking = site({
      onFailure: {
        verdict: 'leak',
        exits: [
          { file: 'drv.c', line: 16, kind: 'break', releasedAt: { file: 'drv.c', line: 6 } },
          { file: 'drv.c', line: 18, kind: 'goto', releasedAt: null },
        ],
      },
    });
    assert.deepEqual(exclusions(run(exitToReturn, labelOf([leaking]), files(driver))), [
      'drv.c:16 no such jump at the line (macro in the way)',
      'drv.c:18 the exit already leaks',
    ]);
  });

  it('is excluded at an exit the label marks infeasible (no run reaches it)', () => {
    const unreachable = site({
      onFailure: {
        verdict: 'ok',
        exits: [
          { file: 'drv.c', line: 16, kind: 'break', releasedAt: { file: 'drv.c', line: 6 } },
          { file: 'drv.c', line: 18, kind: 'goto', releasedAt: { file: 'drv.c', line: 6 }, infeasible: true },
        ],
      },
    });
    const out = run(exitToReturn, labelOf([unreachable]));
    assert.deepEqual(exclusions(out), ['drv.c:18 no run reaches the exit (an equivalent mutant)']);
    assert.deepEqual(
      out.mutants.map((m) => m.line),
      [16],
    );
  });

  it('is excluded for the first exit after initialize calls the helper that maps', () => {
    const driver = [...DRIVER];
    driver[12] = '        Status = MapRegs(A, H);';
    const inHelper = site({ function: 'MapRegs', context: { verdict: 'ok', chain: 'Init -> MapRegs' } });
    const out = run(exitToReturn, labelOf([inHelper]), files(driver));
    assert.deepEqual(exclusions(out), ['drv.c:16 the failure may be decided inside the mapping helper']);
    assert.deepEqual(
      out.mutants.map((m) => m.line),
      [18],
    );
  });
});

describe('delete-unmap', () => {
  it('deletes the unmap; the findings follow from the labels, a break reported at the return after the loop', () => {
    const out = run(deleteUnmap);
    assert.deepEqual(exclusions(out), []);
    assert.equal(out.mutants.length, 1);
    assert.deepEqual(changedLines(out.mutants[0]), ['drv.c:6:         ;']);
    assert.deepEqual(findings(out.mutants[0]), [
      'ndis/unmap-in-halt drv.c:13',
      'ndis/unmap-on-failure drv.c:18',
      'ndis/unmap-on-failure drv.c:21',
    ]);
  });

  it('expects no failure finding where the labels already expect one (another mapping leaks there)', () => {
    const label = labelOf([site()], {
      expected: [{ rule: 'ndis/unmap-on-failure', file: 'drv.c', line: 21, site: 's2', why: 'another BAR' }],
    });
    const out = run(deleteUnmap, label);
    assert.deepEqual(findings(defined(out.mutants[0])), [
      'ndis/unmap-in-halt drv.c:13',
      'ndis/unmap-on-failure drv.c:18',
    ]);
  });

  it('is excluded when a break does not leave do { } while (FALSE)', () => {
    const driver = [...DRIVER];
    driver[11] = '    while (1) {';
    driver[18] = '    }';
    assert.deepEqual(exclusions(run(deleteUnmap, labelOf(), files(driver))), [
      "drv.c:6 cannot tell where a break's leak is reported",
    ]);
  });

  it('is excluded when nothing follows from the labels', () => {
    const elsewhere = site({
      context: { verdict: 'violation', chain: 'Reset' },
      onFailure: { verdict: 'n/a', exits: [] },
      inHalt: { verdict: 'n/a', chain: [] },
    });
    assert.deepEqual(exclusions(run(deleteUnmap, labelOf([elsewhere]))), [
      'drv.c:6 no finding follows from the labels',
    ]);
  });

  it('is excluded when initialize calls halt (its failure paths release through halt too)', () => {
    const driver = [...DRIVER];
    driver[19] = '    if (Status != NDIS_STATUS_SUCCESS) Halt(C, 0);';
    assert.deepEqual(exclusions(run(deleteUnmap, labelOf(), files(driver))), ['drv.c:6 initialize calls halt']);
  });

  it('is excluded when the unmap comes from a macro', () => {
    const driver = [...DRIVER];
    driver[5] = '        UNMAP_REGS(A);';
    assert.deepEqual(exclusions(run(deleteUnmap, labelOf(), files(driver))), [
      'drv.c:6 no such call at the line (macro in the way)',
    ]);
  });
});

describe('change-length', () => {
  it('gives the unmap another integer length', () => {
    const out = run(changeLength);
    assert.equal(out.mutants.length, 1);
    assert.deepEqual(changedLines(out.mutants[0]), ['drv.c:6:         NdisMUnmapIoSpace(A->Handle, A->Regs, 0x200);']);
    assert.deepEqual(findings(out.mutants[0]), ['ndis/unmap-length drv.c:6']);
  });

  it('is excluded when the mapped length is not a known integer, or already differs', () => {
    assert.deepEqual(exclusions(run(changeLength, labelOf([site({ lengthValue: null })]))), [
      'drv.c:6 the mapped length is not a known integer',
    ]);
    const mismatch = site({ releases: [{ file: 'drv.c', line: 6, length: '0x80', verdict: 'mismatch' }] });
    assert.deepEqual(exclusions(run(changeLength, labelOf([mismatch]))), [
      'drv.c:6 the release already unmaps another length',
    ]);
  });
});

describe('map-in-callback', () => {
  it('puts a self-contained mapping after the opening brace of each other callback', () => {
    const out = run(mapInCallback);
    assert.equal(out.mutants.length, 1);
    assert.deepEqual(changedLines(out.mutants[0]), [`drv.c:32: {${INSERTED_MAPPING}`]);
    assert.deepEqual(findings(out.mutants[0]), ['ndis/mmap-context drv.c:32']);
  });

  it('is excluded when initialize calls the callback, or it is not defined where the label says', () => {
    const driver = [...DRIVER];
    driver[14] = '        Status = Probe(A); Reset(C);';
    const label = labelOf([site()], {
      callbacks: [
        { role: 'reset', name: 'Reset', file: 'drv.c', line: 31 },
        { role: 'isr', name: 'Isr', file: 'drv.c', line: 33 },
      ],
    });
    assert.deepEqual(exclusions(run(mapInCallback, label, files(driver))), [
      'drv.c:31 initialize calls the callback',
      'drv.c:33 the callback definition is not found at its line',
    ]);
  });
});

describe('map-in-callback, roles the rule allows', () => {
  it('is excluded in a callback whose role the rule lets map (WDI allocate-adapter runs inside initialize)', () => {
    const label = labelOf([site()], {
      callbacks: [{ role: 'wdi-allocate-adapter', name: 'Reset', file: 'drv.c', line: 31 }],
    });
    const out = run(mapInCallback, label);
    assert.deepEqual(exclusions(out), ['drv.c:31 the rule allows the call in this role']);
    assert.equal(out.mutants.length, 0);
  });
});

describe('guard-release', () => {
  it('clears a flag before the mapping, sets it in halt before the chain, and skips the unmap when it is set', () => {
    const out = run(guardRelease);
    assert.deepEqual(exclusions(out), []);
    assert.equal(out.mutants.length, 1);
    assert.deepEqual(changedLines(out.mutants[0]), [
      'drv.c:13:         A->NdisReviewGuard = 0; Status = NdisMMapIoSpace(&A->Regs, H, A->RegsPa, REGS_LEN);',
      'drv.c:29:     A->NdisReviewGuard |= 0x1; FreeAdapter(A);',
      'drv.c:6:         if (!(A->NdisReviewGuard & 0x1)) NdisMUnmapIoSpace(A->Handle, A->Regs, REGS_LEN);',
      'drv.h:1: typedef struct _ADAPTER { ULONG NdisReviewGuard;',
    ]);
    assert.deepEqual(findings(out.mutants[0]), ['ndis/unmap-in-halt drv.c:13']);
  });

  it('sets the flag before the guarded unmap when halt unmaps directly', () => {
    const driver = [...DRIVER];
    driver[28] = '    NdisMUnmapIoSpace(A->Handle, A->Regs, REGS_LEN);';
    const direct = site({
      inHalt: { verdict: 'released', chain: [{ file: 'drv.c', line: 29, call: 'NdisMUnmapIoSpace' }] },
      releases: [
        { file: 'drv.c', line: 6, length: 'REGS_LEN', verdict: 'same' },
        { file: 'drv.c', line: 29, length: 'REGS_LEN', verdict: 'same' },
      ],
    });
    const texts = files(driver);
    const out = run(guardRelease, labelOf([direct]), texts);
    assert.deepEqual(changedLines(out.mutants[0], texts), [
      'drv.c:13:         A->NdisReviewGuard = 0; Status = NdisMMapIoSpace(&A->Regs, H, A->RegsPa, REGS_LEN);',
      'drv.c:29:     A->NdisReviewGuard |= 0x1; if (!(A->NdisReviewGuard & 0x1)) NdisMUnmapIoSpace(A->Handle, A->Regs, REGS_LEN);',
      'drv.h:1: typedef struct _ADAPTER { ULONG NdisReviewGuard;',
    ]);
  });

  it('is excluded when halt has no pointer to the struct, or the field is declared twice', () => {
    const driver = [...DRIVER];
    driver[27] = '    FreeAdapter((PADAPTER)C);';
    assert.deepEqual(exclusions(run(guardRelease, labelOf(), files(driver))), [
      'drv.c:6 halt has no pointer to the struct',
    ]);
    const twice = files(DRIVER, { 'other.h': 'struct _OTHER { PVOID Regs; };' });
    assert.deepEqual(exclusions(run(guardRelease, labelOf(), twice)), ['drv.c:6 several structs declare the field']);
  });

  it('is excluded when an else follows the unmap', () => {
    const driver = [...DRIVER];
    driver[5] = '        NdisMUnmapIoSpace(A->Handle, A->Regs, REGS_LEN); else Poke(A);';
    assert.deepEqual(exclusions(run(guardRelease, labelOf(), files(driver))), ['drv.c:6 an else follows the unmap']);
  });
});

describe('generateMutants', () => {
  it('runs every operator, samples with a seed, and excludes edits of C++ files', () => {
    const all = generateMutants(labelOf(), textFromMap(files()), { seed: 1 });
    assert.deepEqual(all.mutants.map((m) => m.operator).sort(), [
      'change-length',
      'delete-unmap',
      'drop-halt-call',
      'exit-to-return',
      'exit-to-return',
      'guard-release',
      'map-in-callback',
      'ports-in-callback',
    ]);
    const sampled = generateMutants(labelOf(), textFromMap(files()), { seed: 7, limit: 1 });
    assert.equal(sampled.mutants.filter((m) => m.operator === 'exit-to-return').length, 1);
    assert.equal(sampled.sampledOut['exit-to-return'], 1);
    const again = generateMutants(labelOf(), textFromMap(files()), { seed: 7, limit: 1 });
    assert.deepEqual(
      again.mutants.map((m) => m.id),
      sampled.mutants.map((m) => m.id),
    );

    const cpp = new Map([...files()].map(([name, text]) => [name.replace(/\.c$/, '.cpp'), text]));
    const label = parseLabel(JSON.parse(JSON.stringify(labelOf()).replaceAll('drv.c', 'drv.cpp')), 'cpp label');
    const generated = generateMutants(label, textFromMap(cpp), { seed: 1 });
    assert.deepEqual(
      generated.mutants.map((m) => m.operator),
      [],
    );
    assert.equal(generated.excluded.filter((e) => e.rule === CPLUSPLUS_RULE).length, 8);
  });
});
