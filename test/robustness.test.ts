/**
 * Bad input never crashes the scan and never hangs it: every shared case,
 * cut at many points (half-written code) and with garbage spliced in
 * (bytes of any value), is scanned; the scan must return a result whose
 * findings point into the files scanned, at lines they have, for rules that
 * ran, and a re-scan from the cached facts must agree.
 * Seeded, so every run sees the same inputs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { FactCache } from '../src/engine/cache.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { scan, type SourceFile } from '../src/engine/scan.js';
import type { Finding } from '../src/engine/types.js';
import { BUILTIN_RULES } from '../src/review/builtin-rules.js';
import { mulberry32 } from '../bench/rng.js';
import { repoRoot } from './support/paths.js';

const casesDir = join(repoRoot, '../shared/cases');

function caseFiles(): SourceFile[][] {
  return readdirSync(casesDir)
    .filter((n) => statSync(join(casesDir, n)).isDirectory())
    .sort()
    .map((n) => {
      const out: SourceFile[] = [];
      const walk = (dir: string) => {
        for (const e of readdirSync(dir)) {
          const p = join(dir, e);
          if (statSync(p).isDirectory()) walk(p);
          else if (/\.[ch]$/.test(e))
            out.push({ path: relative(join(casesDir, n), p).split(sep).join('/'), bytes: readFileSync(p) });
        }
      };
      walk(join(casesDir, n));
      return out;
    });
}

const GARBAGE = [
  '{',
  '}',
  '(',
  ')',
  '#if 0\n',
  '#else\n',
  '#endif\n',
  '/*',
  '*/',
  '"',
  "'",
  '\\\n',
  'goto ',
  'return',
  ';;',
  '\0',
  '\xff\xfe',
  'NdisMMapIoSpace(',
  '_In_(',
  '#define X(',
  'case 1:',
];

const key = (f: Finding) => `${f.path}:${String(f.line)}:${String(f.column)} ${f.rule}`;

test('cut and corrupted sources still give a result, with findings inside the files, the same when re-scanned', async () => {
  const rules = new Set([...loadRulePack().rules.map((r) => r.id), ...BUILTIN_RULES.map((r) => r.id)]);
  const random = mulberry32(20261122);
  let scans = 0;
  for (const files of caseFiles()) {
    for (let round = 0; round < 6; round++) {
      const mutated = files.map((f) => {
        const text = Buffer.from(f.bytes);
        const cut = Math.floor(random() * text.length);
        if (round % 2 === 0) return { path: f.path, bytes: text.subarray(0, cut) };
        const junk = Buffer.from(GARBAGE[Math.floor(random() * GARBAGE.length)], 'latin1');
        return { path: f.path, bytes: Buffer.concat([text.subarray(0, cut), junk, text.subarray(cut)]) };
      });
      const cache = new FactCache();
      const r = await scan({ root: 'fuzz', files: mutated, cache, workers: 0 });
      assert.ok(Array.isArray(r.findings) && Array.isArray(r.notices));
      const lineCount = new Map(mutated.map((f) => [f.path, f.bytes.toString('latin1').split('\n').length]));
      for (const f of r.findings) {
        assert.ok(f.line >= 1 && f.column >= 1 && f.trace.length >= 1);
        // A finding points into a file that was scanned, at a line it has, for a rule that ran.
        const lines = lineCount.get(f.path);
        assert.ok(lines !== undefined, `finding in ${f.path}, not an input`);
        assert.ok(f.line <= lines, `${f.path}:${String(f.line)} past its ${String(lines)} lines`);
        assert.ok(rules.has(f.rule), f.rule);
        for (const step of f.trace) if (step.path === f.path) assert.ok(step.line >= 1 && step.line <= lines);
      }
      // Damaged input is still read the same way twice: a re-scan from the facts just cached agrees.
      const again = await scan({ root: 'fuzz', files: mutated, cache, workers: 0 });
      assert.deepEqual(again.findings.map(key), r.findings.map(key));
      scans++;
    }
  }
  assert.ok(scans >= 160, `${String(scans)} scans`);
});

test('pathological shapes terminate: deep nesting, a huge switch, a long goto chain', async () => {
  const deep = `MINIPORT_INITIALIZE I;\nNDIS_STATUS I(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p) { PVOID r; ${'if (F()) { '.repeat(300)}NdisMMapIoSpace(&r, h, 0, 4);${' }'.repeat(300)} return 0; }\n`;
  const cases = Array.from(
    { length: 400 },
    (_, i) => `case ${String(i)}: s = G${String(i)}(); if (s) goto e${String(i % 7)}; break;`,
  ).join('\n');
  const labels = Array.from({ length: 7 }, (_, i) => `e${String(i)}: Log${String(i)}();`).join('\n');
  const wide = `MINIPORT_INITIALIZE J;\nMINIPORT_HALT K;\ntypedef struct _A { PVOID R; } A, *PA;\nNDIS_STATUS J(NDIS_HANDLE h, NDIS_HANDLE c, PVOID p) { PA a = (PA)c; NDIS_STATUS s = NdisMMapIoSpace(&a->R, h, 0, 4); if (s) return s;\nswitch (X()) {\n${cases}\n}\nreturn 0;\n${labels}\nreturn s; }\nVOID K(NDIS_HANDLE c, ULONG x) { PA a = (PA)c; NdisMUnmapIoSpace(0, a->R, 4); }\n`;
  const r = await scan({
    root: 'x',
    files: [
      { path: 'deep.c', bytes: Buffer.from(deep) },
      { path: 'wide.c', bytes: Buffer.from(wide) },
    ],
    workers: 0,
  });
  // Every failing case leaks the mapping at its goto; merging at busy labels may drop some
  // (a miss, never a false alarm), but what is reported must be a goto of a failing case.
  const leaks = r.findings.filter((f) => f.rule === 'ndis/unmap-on-failure');
  assert.ok(leaks.length >= 7, `${String(leaks.length)} leaks reported`);
  const lines = wide.split('\n');
  for (const f of leaks) assert.match(lines[f.line - 1], /^case \d+: s = G\d+\(\); if \(s\) goto e\d;/);
});
