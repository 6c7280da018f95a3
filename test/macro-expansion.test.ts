/**
 * Macros expand as C expands them: a macro is not expanded again inside its
 * own expansion (its name stays a plain name there), chains of any length
 * are followed, and the work on one use is bounded, with a notice where the
 * bound stopped it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitNotices } from '../src/engine/limits.js';
import { programOf } from './support/program.js';

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
  for (let i = 1; i < 3000; i++) lines.push(`#define M${i}(a) M${i - 1}(a)`);
  const p = programOf({
    'a.c': lines.join('\n') + '\nint Bottom(int a) { return a; }\nint F(void) { return M2999(1); }\n',
  });
  const [only, ...rest] = p.expandName('a.c', 'M2999');
  assert.deepEqual(rest, []);
  assert.equal(only.name, 'Bottom');
  assert.equal(only.viaMacros.length, 3000);
  assert.equal(only.viaMacros[0], 'M2999');
  const f = p.functions.find((fn) => fn.name === 'F')!;
  assert.deepEqual(
    p.callees(f).map((e) => e.callee.name),
    ['Bottom'],
  );
  assert.deepEqual(limitNotices(p), []);
});

test('doubling macros (each level uses the one below twice) expand once per name: 2^60 uses, one answer', () => {
  const lines = ['#define E0(x) Step(x)'];
  for (let i = 1; i <= 60; i++) lines.push(`#define E${i}(x) E${i - 1}(x) + E${i - 1}(x)`);
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
      `#define K${i}(x) ${Array.from({ length: n }, (_, j) => (j === i ? `Leaf${i}(x)` : `K${j}(x)`)).join(' + ')}`,
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
