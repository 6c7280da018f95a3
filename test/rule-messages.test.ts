/** Rule messages are data (each rule's `messages`): every finding names the template it was made from. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatMessage, loadRulePack } from '../src/engine/rulepack.js';
import { scan } from '../src/engine/scan.js';
import { repoRoot } from './support/paths.js';
import { plural, withArticle } from '../src/util/words.js';

const pack = loadRulePack();

test('every rule has messages, and formatting fills every placeholder or fails', () => {
  for (const rule of pack.rules) {
    assert.ok(Object.keys(rule.messages).length > 0, `${rule.id} has messages`);
    for (const [id, template] of Object.entries(rule.messages)) {
      const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const data = Object.fromEntries(names.map((n) => [n, `<${n}>`]));
      const text = formatMessage(rule, id, data);
      assert.ok(!/\{\w+\}/.test(text), `${rule.id}:${id} leaves no placeholder`);
      if (names.length) assert.throws(() => formatMessage(rule, id, {}), /no value/);
    }
    assert.throws(() => formatMessage(rule, 'no-such-message', {}), /has no message/);
  }
});

test('each finding on the shared cases carries its message id and reads as that template says', async () => {
  const cases = join(repoRoot, '../shared/cases');
  let seen = 0;
  for (const name of readdirSync(cases).filter((n) => !n.includes('.'))) {
    const r = await scan({ root: join(cases, name), workers: 0 });
    for (const f of r.findings) {
      const rule = pack.rules.find((x) => x.id === f.rule);
      if (!rule) continue;
      assert.ok(f.messageId && f.messageId in rule.messages, `${name}: ${f.rule} has a message id`);
      // The template's fixed words appear in the message, in order.
      const parts = rule.messages[f.messageId].split(/\{\w+\}/).filter((p) => p.trim().length > 2);
      let at = 0;
      for (const p of parts) {
        const i = f.message.indexOf(p, at);
        assert.ok(i >= 0, `${name}: "${p}" in ${f.message}`);
        at = i + p.length;
      }
      seen++;
    }
  }
  assert.ok(seen >= 20, `findings checked: ${String(seen)}`);
});

test('a jump that leaks many mappings names the first eight and counts the rest', async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const n = 11;
  const maps = Array.from(
    { length: n },
    (_, i) =>
      `    s = NdisMMapIoSpace(&a->R${String(i)}, h, a->Pa, 16);\n    if (s != NDIS_STATUS_SUCCESS) goto Fail${i === n - 1 ? 'Last' : ''};`,
  );
  const text = `#include <ndis.h>
typedef struct _A { NDIS_HANDLE H; ${Array.from({ length: n }, (_, i) => `PVOID R${String(i)};`).join(' ')} NDIS_PHYSICAL_ADDRESS Pa; } A, *PA;
MINIPORT_INITIALIZE Init;
NDIS_STATUS Probe(PA a);
NDIS_STATUS Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PA a = (PA)c;
    NDIS_STATUS s;
${maps.join('\n')}
    s = Probe(a);
    if (s != NDIS_STATUS_SUCCESS) return s;
    return NDIS_STATUS_SUCCESS;
Fail:
    return s;
FailLast:
    return s;
}`;
  const dir = mkdtempSync(join(tmpdir(), 'ndis-listed-'));
  try {
    writeFileSync(join(dir, 'mp.c'), text);
    const r = await scan({ root: dir, cache: null, workers: 0 });
    const line = text.split('\n').findIndex((l) => l.includes('s = Probe(a);')) + 2;
    const f = r.findings.find((x) => x.rule === 'ndis/unmap-on-failure' && x.line === line);
    assert.ok(f, `a leak at the probe's return: ${r.findings.map((x) => `${x.rule}:${String(x.line)}`).join(' ')}`);
    // Eleven mappings leak there: eight are named, three counted.
    assert.match(
      f.message,
      /^a->R0, a->R1, a->R2, a->R3, a->R4, a->R5, a->R6, a->R7 and 3 more \(mapped at mp\.c:9, :11, .* :23 and 3 more\) are still mapped/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("a resource's noun in a notice takes its article: an I/O work item, an interrupt registration, a mapping", () => {
  const pack = loadRulePack();
  const nouns = Object.values(pack.resources).map((r) => withArticle(r.noun));
  assert.ok(nouns.includes('an I/O work item'), nouns.join(', '));
  assert.ok(nouns.includes('an interrupt registration'), nouns.join(', '));
  assert.ok(nouns.includes('a mapping'), nouns.join(', '));
  assert.ok(nouns.includes('a shared memory block'), nouns.join(', '));
  assert.equal(plural(1, 'call site'), '1 call site');
  assert.equal(plural(3, 'call site'), '3 call sites');
  assert.equal(plural(0, 'finding'), '0 findings');
});
