/**
 * Hostile inputs: sources shaped to break a scanner (deep nesting, macros
 * that recurse or double, CR-only line ends, unreadable entries) and the
 * worst cases of the path analysis. Each generator takes a size and returns
 * one repository root to scan, with what a correct scan must say (findings
 * and notices at generated lines). The CI test (test/hostile.test.ts) runs
 * them small; `npm run bench:hostile` runs them at the issues' sizes and at
 * twice those.
 *
 *   node dist/bench/hostile.js [--size small|full|double|FACTOR] OUTDIR
 *
 * writes every input into OUTDIR/<name>/ (unreadable entries get mode 000).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MAX_MACRO_NESTING } from '../src/engine/macros.js';

export interface HostileFile {
  /** Relative to the input's root, forward slashes. */
  path: string;
  /** Text of a file; absent for a folder. */
  text?: string;
  /** Written with mode 000: nobody but root can read it. */
  unreadable?: boolean;
}

/** A finding a correct scan reports. */
export interface ExpectedFinding {
  rule: string;
  path: string;
  line: number;
}

/** A notice a correct scan gives: its kind, where, and whether it withholds a decision. */
export interface ExpectedNotice {
  kind: string;
  path: string;
  /** The exact line, or the range it falls in ([first, last], inclusive). */
  line?: number | [number, number];
  withheld?: boolean;
  /** Words the message contains. */
  says?: string;
}

export interface HostileInput {
  name: string;
  files: HostileFile[];
  findings: ExpectedFinding[];
  notices: ExpectedNotice[];
  /** Notice kinds that must not appear (besides those expected): e.g. a `budget` notice where the analysis must finish. */
  forbidden: string[];
}

/** Lines of a generated file, with named marks on the lines the expectations point at. */
class Lines {
  private readonly out: string[] = [];
  private readonly marks = new Map<string, number>();

  push(...lines: string[]): this {
    this.out.push(...lines);
    return this;
  }

  /** Pushes one line and remembers its 1-based number under `key`. */
  mark(key: string, line: string): this {
    this.out.push(line);
    this.marks.set(key, this.out.length);
    return this;
  }

  /** The next line's number. */
  get next(): number {
    return this.out.length + 1;
  }

  at(key: string): number {
    const n = this.marks.get(key);
    if (n === undefined) throw new Error(`no line marked ${key}`);
    return n;
  }

  text(eol = '\n'): string {
    return this.out.join(eol) + eol;
  }
}

const OK = 'NDIS_STATUS_SUCCESS';

/** A struct with a register window, an initialize declaration, and the head of its definition up to the mapping. */
function initHead(l: Lines, prefix: string): void {
  l.push(
    `typedef struct _${prefix.toUpperCase()} { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; } ${prefix.toUpperCase()}, *P${prefix.toUpperCase()};`,
    `MINIPORT_INITIALIZE ${prefix}Init;`,
  );
  l.mark('init', `NDIS_STATUS ${prefix}Init(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)`);
  l.push(
    '{',
    `    P${prefix.toUpperCase()} a = (P${prefix.toUpperCase()})c;`,
    `    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, 0x100);`,
    `    if (s != ${OK}) return s;`,
  );
}

/** The tail: a failure return holding the mapping (marked `leak`), then success. */
function initTail(l: Lines): void {
  l.mark('leak', `    if (s != ${OK}) return s;`);
  l.push(`    return ${OK};`, '}');
}

/** A small driver of its own beside each hostile input: its one finding must survive whatever the hostile file does. */
export function witness(): { file: HostileFile; finding: ExpectedFinding } {
  const l = new Lines();
  l.push(
    '/* A well-formed driver beside the hostile input: one leak on a failure path. */',
    'typedef struct _WIT { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; } WIT, *PWIT;',
    'MINIPORT_INITIALIZE WitInit;',
    'MINIPORT_HALT WitHalt;',
    'NDIS_STATUS WitInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)',
    '{',
    '    PWIT w = (PWIT)c;',
    `    NDIS_STATUS s = NdisMMapIoSpace(&w->Regs, h, w->Pa, 0x100);`,
    `    if (s != ${OK}) return s;`,
    '    s = WitStart(w);',
  );
  l.mark('leak', `    if (s != ${OK}) return s;`);
  l.push(
    `    return ${OK};`,
    '}',
    'VOID WitHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PWIT w = (PWIT)c; NdisMUnmapIoSpace(w->H, w->Regs, 0x100); }',
  );
  const path = 'witness/witness.c';
  return { file: { path, text: l.text() }, finding: { rule: 'ndis/unmap-on-failure', path, line: l.at('leak') } };
}

function input(
  name: string,
  files: HostileFile[],
  findings: ExpectedFinding[],
  notices: ExpectedNotice[],
  forbidden: string[] = [],
): HostileInput {
  const w = witness();
  return { name, files: [...files, w.file], findings: [...findings, w.finding], notices, forbidden };
}

const leakAt = (l: Lines, path = 'hostile.c'): ExpectedFinding => ({
  rule: 'ndis/unmap-on-failure',
  path,
  line: l.at('leak'),
});

// ------------------------------------------------------------- issue 7: bad input

/**
 * `#define MAP(a) MAP(a)` and a mutually recursive pair, each used `uses`
 * times in initialize. C expands each once (a macro is not re-expanded in
 * its own expansion): the uses are calls of unknown functions, and the
 * failure path after them leaks.
 */
export function selfMacro(uses: number): HostileInput {
  const l = new Lines();
  l.push('#define MAP(a) MAP(a)', '#define PING(a) PONG(a)', '#define PONG(a) PING(a)');
  initHead(l, 'Self');
  for (let i = 0; i < uses; i++) l.push('    s = MAP(a);', '    s = PING(a);');
  initTail(l);
  return input('self-macro', [{ path: 'hostile.c', text: l.text() }], [leakAt(l)], [], ['budget', 'skipped-file']);
}

/** `depth` nested blocks around a step of initialize, one brace a line. */
export function nestedBraces(depth: number): HostileInput {
  const l = new Lines();
  initHead(l, 'Brace');
  const first = l.next;
  for (let i = 0; i < depth; i++) l.push('    {');
  l.push('    s = BraceStep(a);');
  for (let i = 0; i < depth; i++) l.push('    }');
  const last = l.next - 1;
  initTail(l);
  return input(
    'nested-braces',
    [{ path: 'hostile.c', text: l.text() }],
    [],
    nestingNotices(l, 'BraceInit', first, last),
  );
}

/** What a scan says about a function nested past its limit: where the nesting was cut, and that its paths were not checked. */
function nestingNotices(l: Lines, init: string, first: number, last: number): ExpectedNotice[] {
  return [
    { kind: 'parse-recovered', path: 'hostile.c', line: [first, last], says: 'nest' },
    {
      kind: 'parse-recovered',
      path: 'hostile.c',
      line: l.at('init'),
      withheld: true,
      says: init,
    },
  ];
}

/** An `if` with `count` `else if`s in initialize. */
export function elseIfChain(count: number): HostileInput {
  const l = new Lines();
  initHead(l, 'Chain');
  const first = l.next;
  l.push('    if (p == 0) s = ChainStep(a, 0);');
  for (let i = 1; i <= count; i++) l.push(`    else if (p == (PVOID)${String(i)}) s = ChainStep(a, ${String(i)});`);
  const last = l.next - 1;
  initTail(l);
  return input(
    'else-if-chain',
    [{ path: 'hostile.c', text: l.text() }],
    [],
    nestingNotices(l, 'ChainInit', first, last),
  );
}

/** `depth` nested `#if`s around a step of initialize: the build that keeps them maps, steps and leaks. */
export function nestedIfdefs(depth: number): HostileInput {
  const l = new Lines();
  initHead(l, 'Ifdef');
  for (let i = 0; i < depth; i++) l.push(`#if defined(IFDEF_LEVEL_${String(i)})`);
  l.push('    s = IfdefStep(a);');
  for (let i = 0; i < depth; i++) l.push('#endif');
  initTail(l);
  return input('nested-ifdefs', [{ path: 'hostile.c', text: l.text() }], [leakAt(l)], [], ['budget']);
}

/**
 * A chain of `depth` function-like macros, each calling the one below, the
 * last one mapping: initialize maps through the top one (its failure path
 * leaks), and a timer callback maps through it too (outside initialize).
 */
export function macroChain(depth: number): HostileInput {
  const l = new Lines();
  l.push('#define MACRO_0(a, h) NdisMMapIoSpace(&(a)->Regs, h, (a)->Pa, 0x100)');
  for (let i = 1; i < depth; i++) l.push(`#define MACRO_${String(i)}(a, h) MACRO_${String(i - 1)}(a, h)`);
  const top = `MACRO_${String(depth - 1)}`;
  l.push(
    'typedef struct _MC { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; } MC, *PMC;',
    'MINIPORT_INITIALIZE McInit;',
    'NDIS_TIMER_FUNCTION McTimer;',
  );
  l.mark('init', 'NDIS_STATUS McInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)');
  l.push('{', '    PMC a = (PMC)c;', `    NDIS_STATUS s = ${top}(a, h);`, `    if (s != ${OK}) return s;`);
  l.push('    s = McStep(a);');
  initTail(l);
  l.push('VOID McTimer(PVOID s1, PVOID ctx, PVOID s2, PVOID s3)', '{', '    PMC a = (PMC)ctx;');
  l.mark('timerMap', `    ${top}(a, a->H);`);
  l.push('}');
  return input(
    'macro-chain',
    [{ path: 'hostile.c', text: l.text() }],
    [leakAt(l), { rule: 'ndis/mmap-context', path: 'hostile.c', line: l.at('timerMap') }],
    [],
    ['budget'],
  );
}

/**
 * `levels` macros, each using the one below twice (`E1(x)` is
 * `E0(x) + E0(x)`): the top one expands to 2^levels calls. Initialize uses
 * it; the path analysis cannot afford the expansion and must say so.
 */
export function doublingMacros(levels: number): HostileInput {
  const l = new Lines();
  l.push('#define E0(x) DoubleStep(x)');
  for (let i = 1; i <= levels; i++) l.push(`#define E${String(i)}(x) E${String(i - 1)}(x) + E${String(i - 1)}(x)`);
  initHead(l, 'Double');
  l.push(`    s = E${String(levels)}(a);`);
  initTail(l);
  return input(
    'doubling-macros',
    [{ path: 'hostile.c', text: l.text() }],
    [],
    [{ kind: 'budget', path: 'hostile.c', line: l.at('init'), withheld: true, says: 'DoubleInit' }],
  );
}

/**
 * Statement macros that each use the one below twice, the last taking and releasing a statistics
 * lock: written out, `levels` levels are 2^levels lock pairs. The lock rule reads each use once (the
 * same inner use comes back at every level), so a check-for-hang callback that uses the top macro
 * and then returns with its own lock held is reported, and in time; reading each use anew took 16 s
 * at 22 levels and doubled with each level. Past the macro nesting limit the rule does not follow the
 * path (as a path analysis stops there): no finding, and the callback counts as not followed.
 */
export function doublingLockMacros(levels: number): HostileInput {
  const l = new Lines();
  l.push(
    'typedef struct _DBL { NDIS_SPIN_LOCK Lock; NDIS_SPIN_LOCK Stats; ULONG Count; } DBL, *PDBL;',
    '#define L0(d) { NdisAcquireSpinLock(&(d)->Stats); (d)->Count++; NdisReleaseSpinLock(&(d)->Stats); }',
  );
  for (let i = 1; i <= levels; i++) l.push(`#define L${String(i)}(d) { L${String(i - 1)}(d); L${String(i - 1)}(d); }`);
  l.push(
    'MINIPORT_CHECK_FOR_HANG DblCheck;',
    'BOOLEAN DblCheck(NDIS_HANDLE c)',
    '{',
    '    PDBL d = (PDBL)c;',
    '    NdisAcquireSpinLock(&d->Lock);',
    `    L${String(levels)}(d);`,
  );
  l.mark('held', '    return FALSE;');
  l.push('}');
  return input(
    'doubling-lock-macros',
    [{ path: 'hostile.c', text: l.text() }],
    levels < MAX_MACRO_NESTING ? [{ rule: 'ndis/spinlock-balance', path: 'hostile.c', line: l.at('held') }] : [],
    [],
    ['budget'],
  );
}

/**
 * A driver written with CR-only line ends (classic Mac OS): `steps` failure
 * gotos that leak, with comments, a macro and `#if` blocks, all of which
 * must read exactly as the LF copy does.
 */
export function crOnly(steps: number): HostileInput {
  const l = new Lines();
  l.push(
    '// CR-only line ends: every line below ends with a lone carriage return.',
    '#define CR_LEN 0x100',
    '#define CR_STEP(a, i) CrStep((a), (i))',
    'typedef struct _CR { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; } CR, *PCR;',
    'MINIPORT_INITIALIZE CrInit;',
    'MINIPORT_HALT CrHalt;',
    '/* a block comment',
    '   over two lines */',
    'NDIS_STATUS CrInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)',
    '{',
    '    PCR a = (PCR)c;',
    '    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, CR_LEN);',
    `    if (s != ${OK}) return s;`,
  );
  const leaks: ExpectedFinding[] = [];
  for (let i = 0; i < steps; i++) {
    l.push(
      '#if DBG',
      `    DbgPrint("step ${String(i)}\\n"); // a comment`,
      '#endif',
      `    s = CR_STEP(a, ${String(i)});`,
    );
    l.mark(`goto${String(i)}`, `    if (s != ${OK}) goto Out;`);
    leaks.push({ rule: 'ndis/unmap-on-failure', path: 'hostile.c', line: l.at(`goto${String(i)}`) });
  }
  l.push(`    return ${OK};`, 'Out:', '    return s;', '}');
  l.push(
    'VOID CrHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PCR a = (PCR)c; NdisMUnmapIoSpace(a->H, a->Regs, CR_LEN); }',
  );
  return input(
    'cr-only',
    [{ path: 'hostile.c', text: l.text('\r') }],
    leaks,
    [],
    ['not-applicable', 'parse-recovered'],
  );
}

/**
 * `count` unreadable files and `count` unreadable folders (each holding a
 * source) beside readable code: each must be named in a `skipped-file`
 * notice, and the rest scanned. Mode 000 stops every user but root.
 */
export function unreadable(count: number): HostileInput {
  const files: HostileFile[] = [];
  const notices: ExpectedNotice[] = [];
  for (let i = 0; i < count; i++) {
    const file = `locked_${String(i)}.c`;
    files.push({ path: file, text: `int Locked${String(i)}(void) { return ${String(i)}; }\n`, unreadable: true });
    notices.push({ kind: 'skipped-file', path: file, withheld: true });
    const dir = `sealed_${String(i)}`;
    files.push({ path: dir, unreadable: true }, { path: `${dir}/inside.c`, text: 'int Inside(void) { return 0; }\n' });
    notices.push({ kind: 'skipped-file', path: dir, withheld: true });
  }
  return input('unreadable', files, [], notices);
}

// ------------------------------------------ found while fixing the ones above

/**
 * A mapping length written as a constant in `depth` parentheses: too deep to
 * evaluate, so the length is unknown (no length verdict), but the rest of
 * initialize is analysed and its leak found.
 */
export function deepConstant(depth: number): HostileInput {
  const l = new Lines();
  l.push(`#define DEEP_LEN ${'('.repeat(depth)}0x100${')'.repeat(depth)}`);
  l.push(
    'typedef struct _DC { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; } DC, *PDC;',
    'MINIPORT_INITIALIZE DcInit;',
    'MINIPORT_HALT DcHalt;',
  );
  l.mark('init', 'NDIS_STATUS DcInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)');
  l.push(
    '{',
    '    PDC a = (PDC)c;',
    '    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, DEEP_LEN);',
    `    if (s != ${OK}) return s;`,
    '    s = DcStep(a);',
  );
  initTail(l);
  l.push('VOID DcHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PDC a = (PDC)c; NdisMUnmapIoSpace(a->H, a->Regs, 0x200); }');
  return input('deep-constant', [{ path: 'hostile.c', text: l.text() }], [leakAt(l)], [], ['budget']);
}

/** `depth` struct bodies nested in one another before the driver's own struct: the driver is analysed as usual. */
export function nestedStructs(depth: number): HostileInput {
  const l = new Lines();
  l.push(
    Array.from({ length: depth }, (_, i) => `struct NEST${String(i)} { int F${String(i)}; `).join('') +
      ' };'.repeat(depth),
  );
  initHead(l, 'Nest');
  l.push('    s = NestStep(a);');
  initTail(l);
  return input('nested-structs', [{ path: 'hostile.c', text: l.text() }], [leakAt(l)], [], ['budget']);
}

// ------------------------------------------------------- issue 10: worst cases

/** `count` mappings in one initialize, each checked with a goto to one exit; halt releases them all. */
export function manyMappings(count: number): HostileInput {
  const l = new Lines();
  const fields = Array.from({ length: count }, (_, i) => `PVOID R${String(i)};`).join(' ');
  l.push(
    `typedef struct _MANY { NDIS_HANDLE H; NDIS_PHYSICAL_ADDRESS Pa; ${fields} } MANY, *PMANY;`,
    'MINIPORT_INITIALIZE ManyInit;',
    'MINIPORT_HALT ManyHalt;',
    'NDIS_STATUS ManyInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)',
    '{',
    '    PMANY a = (PMANY)c;',
    '    NDIS_STATUS s;',
  );
  const leaks: ExpectedFinding[] = [];
  for (let i = 0; i < count; i++) {
    l.push(`    s = NdisMMapIoSpace(&a->R${String(i)}, h, a->Pa, 0x100);`);
    l.mark(`goto${String(i)}`, `    if (s != ${OK}) goto Fail;`);
    // The first goto leaves with nothing mapped (its own mapping failed); every later one leaks.
    if (i > 0) leaks.push({ rule: 'ndis/unmap-on-failure', path: 'hostile.c', line: l.at(`goto${String(i)}`) });
  }
  l.push(`    return ${OK};`, 'Fail:', '    return s;', '}', 'VOID ManyHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x)', '{');
  l.push('    PMANY a = (PMANY)c;');
  for (let i = 0; i < count; i++) l.push(`    NdisMUnmapIoSpace(a->H, a->R${String(i)}, 0x100);`);
  l.push('}');
  return input('many-mappings', [{ path: 'hostile.c', text: l.text() }], leaks, []);
}

/** `count` helpers that call each other in a ring (and skip ahead), one of them mapping; initialize enters the ring. */
export function mutualRecursion(count: number): HostileInput {
  const l = new Lines();
  l.push('typedef struct _RING { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; } RING, *PRING;');
  for (let i = 0; i < count; i++) l.push(`NDIS_STATUS Ring${String(i)}(PRING a, ULONG d);`);
  for (let i = 0; i < count; i++) {
    const next = (i + 1) % count;
    const skip = (i * 7 + 3) % count;
    l.push(
      `NDIS_STATUS Ring${String(i)}(PRING a, ULONG d)`,
      '{',
      '    NDIS_STATUS s;',
      i === 0 ? '    if (d == 0) return NdisMMapIoSpace(&a->Regs, a->H, a->Pa, 0x100);' : '',
      `    s = Ring${String(next)}(a, d - 1);`,
      `    if (s != ${OK}) return s;`,
      `    return Ring${String(skip)}(a, d / 2);`,
      '}',
    );
  }
  l.push('MINIPORT_INITIALIZE RingInit;');
  l.mark('init', 'NDIS_STATUS RingInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)');
  l.push('{', '    PRING a = (PRING)c;', '    NDIS_STATUS s = Ring0(a, 8);', `    if (s != ${OK}) return s;`);
  l.push('    s = RingStep(a);');
  initTail(l);
  // What a correct analysis finds here depends on how far it follows the ring; only a crash is wrong.
  return input('mutual-recursion', [{ path: 'hostile.c', text: l.text() }], [], []);
}

/** One mapping, then `count` status checks that each leave through a goto holding it. */
export function statusChecks(count: number): HostileInput {
  const l = new Lines();
  initHead(l, 'Checks');
  const leaks: ExpectedFinding[] = [];
  for (let i = 0; i < count; i++) {
    l.push(`    s = CheckStep${String(i)}(a);`);
    l.mark(`goto${String(i)}`, `    if (s != ${OK}) goto Out;`);
    leaks.push({ rule: 'ndis/unmap-on-failure', path: 'hostile.c', line: l.at(`goto${String(i)}`) });
  }
  l.push(`    return ${OK};`, 'Out:', '    return s;', '}');
  return input('status-checks', [{ path: 'hostile.c', text: l.text() }], leaks, []);
}

/** Initialize calls C0, which calls C1, … down to C(length-1), which maps; a timer enters the chain halfway. */
export function callChain(length: number): HostileInput {
  const l = new Lines();
  l.push('typedef struct _CC { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; } CC, *PCC;');
  for (let i = 0; i < length; i++) l.push(`NDIS_STATUS Cc${String(i)}(PCC a);`);
  for (let i = 0; i < length - 1; i++) l.push(`NDIS_STATUS Cc${String(i)}(PCC a) { return Cc${String(i + 1)}(a); }`);
  l.push(`NDIS_STATUS Cc${String(length - 1)}(PCC a)`, '{');
  l.mark('map', '    return NdisMMapIoSpace(&a->Regs, a->H, a->Pa, 0x100);');
  l.push('}');
  l.push('MINIPORT_INITIALIZE CcInit;', 'NDIS_TIMER_FUNCTION CcTimer;');
  l.push('NDIS_STATUS CcInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p) { return Cc0((PCC)c); }');
  l.push(`VOID CcTimer(PVOID s1, PVOID ctx, PVOID s2, PVOID s3) { Cc${String(length >> 1)}((PCC)ctx); }`);
  return input(
    'call-chain',
    [{ path: 'hostile.c', text: l.text() }],
    [{ rule: 'ndis/mmap-context', path: 'hostile.c', line: l.at('map') }],
    [],
  );
}

/**
 * One mapping, then `count` independent branches (each a call's result deciding whether a field of
 * its own is set), then a failure return that leaks: paths that differ only in what no test reads
 * again must merge, or `count` branches are 2^count paths.
 */
export function independentBranches(count: number): HostileInput {
  const l = new Lines();
  initHead(l, 'Branch');
  for (let i = 0; i < count; i++)
    l.push(`    if (BranchReady${String(i)}(a))`, `        a->Seen${String(i)} = ${String(i + 1)};`);
  l.push('    s = BranchStart(a);');
  initTail(l);
  return input('independent-branches', [{ path: 'hostile.c', text: l.text() }], [leakAt(l)], [], ['budget']);
}

/** `count` retry loops written as backward gotos after the mapping, then a failure return that leaks. */
export function backwardGotos(count: number): HostileInput {
  const l = new Lines();
  initHead(l, 'Back');
  for (let i = 0; i < count; i++) {
    l.push(
      `Retry${String(i)}:`,
      `    s = BackStep(a, ${String(i)});`,
      `    if (s == NDIS_STATUS_PENDING) goto Retry${String(i >> 1)};`,
    );
  }
  initTail(l);
  // Whether the analysis finishes within its budget is the path rewrite's business; only a crash is wrong.
  return input('backward-gotos', [{ path: 'hostile.c', text: l.text() }], [], []);
}

// --------------------------------------------------------------- judging

/** What a scan reported, as the JSON report and the engine's result both carry it. */
export interface Reported {
  findings: { rule: string; path: string; line: number }[];
  notices: { kind: string; path?: string; line?: number; withheld?: boolean; message: string }[];
}

/** Each way a scan's report departs from what the input expects; empty when it is right. */
export function judge(r: Reported, h: HostileInput): string[] {
  const problems: string[] = [];
  for (const f of h.findings)
    if (!r.findings.some((x) => x.rule === f.rule && x.path === f.path && x.line === f.line))
      problems.push(`missing finding ${f.rule} at ${f.path}:${String(f.line)}`);
  const matched = new Set<object>();
  for (const n of h.notices) {
    const hit = r.notices.find((x) => noticeMatches(x, n));
    if (hit) matched.add(hit);
    else
      problems.push(
        `missing ${n.kind} notice at ${n.path}${n.line === undefined ? '' : `:${String(Array.isArray(n.line) ? n.line.join('-') : n.line)}`}${n.says ? ` saying "${n.says}"` : ''}`,
      );
  }
  for (const x of r.notices)
    if (!matched.has(x) && h.forbidden.includes(x.kind))
      problems.push(`unexpected ${x.kind} notice at ${x.path ?? '?'}:${String(x.line ?? '?')}: ${x.message}`);
  return problems;
}

function noticeMatches(x: Reported['notices'][number], n: ExpectedNotice): boolean {
  if (x.kind !== n.kind || x.path !== n.path) return false;
  if (n.withheld !== undefined && (x.withheld === true) !== n.withheld) return false;
  if (n.says !== undefined && !x.message.includes(n.says)) return false;
  if (n.line === undefined) return true;
  if (x.line === undefined) return false;
  return Array.isArray(n.line) ? x.line >= n.line[0] && x.line <= n.line[1] : x.line === n.line;
}

// ------------------------------------------------------------------- the set

export interface HostileKind {
  name: string;
  /** The issue that names this input (with the size it names), or none: found while fixing those. */
  issue?: 7 | 10;
  full: number;
  /** A size the CI test runs in well under two seconds that still has the input's shape. */
  small: number;
  make: (size: number) => HostileInput;
  /** Folders that must be unreadable to the scanning user: the bench runs such inputs as an unprivileged user when it is root. */
  needsUnprivileged?: boolean;
}

export const HOSTILE: HostileKind[] = [
  { name: 'self-macro', issue: 7, full: 1, small: 1, make: selfMacro },
  { name: 'nested-braces', issue: 7, full: 1500, small: 1500, make: nestedBraces },
  { name: 'else-if-chain', issue: 7, full: 4000, small: 4000, make: elseIfChain },
  { name: 'nested-ifdefs', issue: 7, full: 8000, small: 8000, make: nestedIfdefs },
  { name: 'macro-chain', issue: 7, full: 1000, small: 1000, make: macroChain },
  { name: 'doubling-macros', issue: 7, full: 21, small: 21, make: doublingMacros },
  { name: 'doubling-lock-macros', issue: 7, full: 31, small: 26, make: doublingLockMacros },
  { name: 'cr-only', issue: 7, full: 200, small: 20, make: crOnly },
  { name: 'unreadable', issue: 7, full: 50, small: 2, make: unreadable, needsUnprivileged: true },
  { name: 'deep-constant', full: 5000, small: 5000, make: deepConstant },
  { name: 'nested-structs', full: 5000, small: 5000, make: nestedStructs },
  { name: 'many-mappings', issue: 10, full: 1000, small: 20, make: manyMappings },
  { name: 'mutual-recursion', issue: 10, full: 500, small: 20, make: mutualRecursion },
  { name: 'status-checks', issue: 10, full: 2000, small: 50, make: statusChecks },
  { name: 'call-chain', issue: 10, full: 10000, small: 200, make: callChain },
  { name: 'backward-gotos', issue: 10, full: 5000, small: 50, make: backwardGotos },
];

/** The size of a kind for `small`, `full`, `double` or a factor of full. */
export function sizeFor(kind: HostileKind, size: string): number {
  if (size === 'small') return kind.small;
  if (size === 'full') return kind.full;
  if (size === 'double') return kind.full * 2;
  const factor = Number(size);
  if (!Number.isFinite(factor) || factor <= 0)
    throw new Error(`--size: expected small, full, double or a factor, got ${size}`);
  return Math.max(1, Math.round(kind.full * factor));
}

/** Writes one input under `dir`; unreadable entries are locked last, so their contents can be written first. */
export function writeInput(dir: string, h: HostileInput): void {
  for (const f of h.files) {
    const p = join(dir, f.path);
    if (f.text === undefined) mkdirSync(p, { recursive: true });
    else {
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, f.text, 'latin1');
    }
  }
  for (const f of h.files) if (f.unreadable) chmodSync(join(dir, f.path), 0o000);
}

/** Gives the locked entries their modes back, so that the folder can be removed (a locked folder cannot be listed). */
export function unlockInput(dir: string, h: HostileInput): void {
  for (const f of h.files) if (f.unreadable) chmodSync(join(dir, f.path), f.text === undefined ? 0o755 : 0o644);
}

function main(argv: string[]): number {
  let size = 'full';
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--size') size = argv[++i] ?? '';
    else if (argv[i].startsWith('--size=')) size = argv[i].slice('--size='.length);
    else rest.push(argv[i]);
  }
  if (rest.length !== 1) {
    process.stderr.write('usage: node dist/bench/hostile.js [--size small|full|double|FACTOR] OUTDIR\n');
    return 2;
  }
  const out = rest[0];
  for (const kind of HOSTILE) {
    const n = sizeFor(kind, size);
    writeInput(join(out, kind.name), kind.make(n));
    process.stdout.write(`${kind.name}\t${String(n)}\t${join(out, kind.name)}\n`);
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href)
  process.exitCode = main(process.argv.slice(2));
