/** Rule messages are data (each rule's `messages`): every finding names the template it was made from. */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { formatMessage, loadRulePack } from '../src/engine/rulepack.js';
import { scan } from '../src/engine/scan.js';
import { repoRoot } from './support/paths.js';

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
