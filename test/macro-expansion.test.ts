/**
 * Macros expand as C expands them: a macro is not expanded again inside its
 * own expansion (its name stays a plain name there), chains of any length
 * are followed, and the work on one use is bounded, with a notice where the
 * bound stopped it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitNotices } from '../src/engine/limits.js';
import { scan } from '../src/engine/scan.js';
import { programOf } from './support/program.js';
import { defined } from '../src/util/defined.js';

const names = (xs: { name: string; viaMacros: string[] }[]) => xs.map((x) => [x.name, x.viaMacros]);

test('a self-referential macro leaves its own name: a call of the function of that name', () => {
  const p = programOf({
    'a.c': '#define Wrap(a) Wrap((a), 0)\nint Wrap(int a, int b) { return a; }\nint F(void) { return Wrap(1); }\n',
  });
  assert.deepEqual(names(p.expandName('a.c', 'Wrap')), [['Wrap', []]]);
  const q = programOf({ 'a.c': '#define MAP(a) MAP(a)\nint F(void) { return MAP(1); }\n' });
  assert.deepEqual(names(q.expandName('a.c', 'MAP')), [['MAP', ['MAP']]]);
});

test('mutually recursive macros: each leaves the other side unexpanded, whichever is expanded first', () => {
  const src = '#define PING(a) PONG(a)\n#define PONG(a) PING(a)\n';
  for (const order of [
    ['PING', 'PONG'],
    ['PONG', 'PING'],
  ]) {
    const p = programOf({ 'a.c': src });
    const got = order.map((n) => names(p.expandName('a.c', n)));
    const want = order.map((n) => [[n, [n, n === 'PING' ? 'PONG' : 'PING']]]);
    assert.deepEqual(got, want, order.join(' then '));
  }
});

test('a macro reached both inside and outside a cycle expands by its context each time', () => {
  // X is on the cycle X → Y → X; Z uses X from outside. C: Z → X → Y → X (left as X).
  const src = '#define X(a) Y(a)\n#define Y(a) X(a) + Leaf(a)\n#define Z(a) X(a)\n';
  const p = programOf({ 'a.c': src });
  assert.deepEqual(names(p.expandName('a.c', 'Y')), [
    ['Y', ['Y', 'X']],
    ['Leaf', ['Y']],
  ]);
  assert.deepEqual(names(p.expandName('a.c', 'Z')), [
    ['X', ['Z', 'X', 'Y']],
    ['Leaf', ['Z', 'X', 'Y']],
  ]);
});

test('a chain of 3,000 macros is followed to its end, without recursion', () => {
  const lines = ['#define M0(a) Bottom(a)'];
  for (let i = 1; i < 3000; i++) lines.push(`#define M${String(i)}(a) M${String(i - 1)}(a)`);
  const p = programOf({
    'a.c': lines.join('\n') + '\nint Bottom(int a) { return a; }\nint F(void) { return M2999(1); }\n',
  });
  const [only, ...rest] = p.expandName('a.c', 'M2999');
  assert.deepEqual(rest, []);
  assert.equal(only.name, 'Bottom');
  assert.equal(only.viaMacros.length, 3000);
  assert.equal(only.viaMacros[0], 'M2999');
  const f = defined(p.functions.find((fn) => fn.name === 'F'));
  assert.deepEqual(
    p.callees(f).map((e) => e.callee.name),
    ['Bottom'],
  );
  assert.deepEqual(limitNotices(p), []);
});

test('doubling macros (each level uses the one below twice) expand once per name: 2^60 uses, one answer', () => {
  const lines = ['#define E0(x) Step(x)'];
  for (let i = 1; i <= 60; i++) lines.push(`#define E${String(i)}(x) E${String(i - 1)}(x) + E${String(i - 1)}(x)`);
  const p = programOf({ 'a.c': lines.join('\n') + '\nint F(void) { return E60(1); }\n' });
  assert.deepEqual(
    p.expandName('a.c', 'E60').map((x) => x.name),
    ['Step'],
  );
  assert.deepEqual(limitNotices(p), []);
});

test('a clique of macros that all call each other stops at the work bound, with a budget notice at the macro', () => {
  const n = 12;
  const lines = Array.from(
    { length: n },
    (_, i) =>
      `#define K${String(i)}(x) ${Array.from({ length: n }, (_, j) => (j === i ? `Leaf${String(i)}(x)` : `K${String(j)}(x)`)).join(' + ')}`,
  );
  const p = programOf({ 'a.c': lines.join('\n') + '\nint F(void) { return K0(1); }\n' });
  const t0 = performance.now();
  const out = p.expandName('a.c', 'K0');
  assert.ok(performance.now() - t0 < 5000, 'bounded');
  assert.ok(out.some((x) => x.name === 'Leaf0'));
  const notices = limitNotices(p);
  assert.equal(notices.length, 1);
  assert.equal(notices[0].kind, 'budget');
  assert.equal(notices[0].withheld, true);
  assert.equal(notices[0].path, 'a.c');
  assert.equal(notices[0].line, 1);
  assert.match(notices[0].message, /K0/);
});

test('expansionCallsParameter: through nested macros that pass a parameter on', () => {
  const p = programOf({
    'a.c': '#define INNER(g, b) g(b)\n#define OUTER(f, a) INNER(f, a)\n#define PLAIN(a) Step(a)\n',
  });
  assert.equal(p.expansionCallsParameter('a.c', 'OUTER'), true);
  assert.equal(p.expansionCallsParameter('a.c', 'INNER'), true);
  assert.equal(p.expansionCallsParameter('a.c', 'PLAIN'), false);
});

/** p10's shape (a BAR loop unmapped in reverse on failure), the unmap written through a macro `chain` wrappers deep. */
function barLoop(unmapMacros: string, unmapUse: string): string {
  return `${unmapMacros}
typedef struct _BAR { PVOID Va; NDIS_PHYSICAL_ADDRESS Pa; ULONG Length; } BAR;
typedef struct _NIC { NDIS_HANDLE Handle; ULONG BarCount; BAR Bars[6]; } NIC, *PNIC;
MINIPORT_INITIALIZE NicInit;
MINIPORT_HALT NicHalt;
NDIS_STATUS NicInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)
{
    PNIC nic = (PNIC)c;
    NDIS_STATUS status;
    ULONG i;
    for (i = 0; i < nic->BarCount; i++) {
        status = NdisMMapIoSpace(&nic->Bars[i].Va, h, nic->Bars[i].Pa, nic->Bars[i].Length);
        if (status != NDIS_STATUS_SUCCESS) {
            while (i > 0) {
                i--;
                ${unmapUse};
            }
            return status;
        }
    }
    return NDIS_STATUS_SUCCESS;
}
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    PNIC nic = (PNIC)c;
    ULONG i;
    for (i = 0; i < nic->BarCount; i++) NdisMUnmapIoSpace(nic->Handle, nic->Bars[i].Va, nic->Bars[i].Length);
}
`;
}

test('a loop that releases through a chain of 40 wrapper macros is seen to release: no leak, no notice', async () => {
  const macros = ['#define UNMAP_0(h, v, l) NdisMUnmapIoSpace(h, v, l)'];
  for (let i = 1; i < 40; i++) macros.push(`#define UNMAP_${String(i)}(h, v, l) UNMAP_${String(i - 1)}(h, v, l)`);
  // The failure path releases in a loop the checker does not count: the loop's release keeps it from being skipped.
  const src = `${macros.join('\n')}
typedef struct _W { NDIS_HANDLE H; PVOID Regs; NDIS_PHYSICAL_ADDRESS Pa; ULONG Users; } W, *PW;
MINIPORT_INITIALIZE WInit;
NDIS_STATUS WInit(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p)
{
    PW w = (PW)c;
    NDIS_STATUS s = NdisMMapIoSpace(&w->Regs, h, w->Pa, 0x100);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = WStep(w);
    if (s != NDIS_STATUS_SUCCESS) {
        while (w->Users > 0) {
            w->Users--;
            UNMAP_39(h, w->Regs, 0x100);
        }
        return s;
    }
    return NDIS_STATUS_SUCCESS;
}
`;
  const r = await scan({ root: 'loop', files: [{ path: 'w.c', bytes: Buffer.from(src) }], workers: 0 });
  assert.deepEqual(r.findings, []);
  assert.deepEqual(r.notices, []);
});

test('a loop that releases through doubling macros: the path analysis stops with a budget notice, and reports nothing it cannot stand by', async () => {
  const macros = ['#define U0(h, v, l) NdisMUnmapIoSpace(h, v, l)'];
  for (let i = 1; i <= 24; i++)
    macros.push(`#define U${String(i)}(h, v, l) (U${String(i - 1)}(h, v, l), U${String(i - 1)}(h, v, l))`);
  const src = barLoop(macros.join('\n'), 'U24(h, nic->Bars[i].Va, nic->Bars[i].Length)');
  const r = await scan({ root: 'loop', files: [{ path: 'nic.c', bytes: Buffer.from(src) }], workers: 0 });
  assert.deepEqual(r.findings, []);
  const lines = src.split('\n');
  const initLine = lines.findIndex((l) => l.startsWith('NDIS_STATUS NicInit(')) + 1;
  const useLine = lines.findIndex((l) => l.includes('U24(h, nic')) + 1;
  const budget = r.notices.filter((n) => n.kind === 'budget' && n.withheld === true && n.path === 'nic.c');
  // Where the path analysis of initialize stopped, and where the look for unmap calls (lengths, counts) stopped.
  assert.deepEqual(
    budget.map((n) => [n.line, n.message.includes('NicInit')]),
    [
      [initLine, true],
      [useLine, true],
    ],
    JSON.stringify(r.notices),
  );
  assert.equal(r.complete, false);
});
