/** The scan pipeline: cache, workers, the parse closure, fingerprints, bad input. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { test } from 'node:test';
import { FactCache } from '../src/engine/cache.js';
import { loadFunctionDetail, parseBytes } from '../src/engine/filefacts.js';
import { onDemandParse } from '../src/engine/parseclock.js';
import { scan, ScanError, type SourceFile } from '../src/engine/scan.js';
import { repoRoot } from './support/paths.js';
import { ADAPTER, driverEntry } from './support/ruleTester.js';
import { defined } from '../src/util/defined.js';

const casesDir = join(repoRoot, '../shared/cases');

/** Every shared case as one repository, each in its own folder. */
function allCases(): SourceFile[] {
  const out: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.[ch]$/.test(n))
        out.push({ path: relative(casesDir, p).split(sep).join('/'), bytes: readFileSync(p) });
    }
  };
  walk(casesDir);
  return out;
}

const summary = (r: Awaited<ReturnType<typeof scan>>) =>
  r.findings.map((f) => `${f.path}:${String(f.line)}:${String(f.column)} ${f.rule} ${f.fingerprint}`);

test('a warm cache gives the same findings without lexing or parsing again', async () => {
  const files = allCases();
  const cache = new FactCache();
  const cold = await scan({ root: 'cases', files, cache, workers: 0 });
  assert.ok(cold.stats.parsed > 0);
  const warm = await scan({ root: 'cases', files, cache, workers: 0 });
  assert.equal(warm.stats.lexed, 0);
  assert.equal(warm.stats.parsed, 0);
  assert.deepEqual(summary(warm), summary(cold));
  assert.ok(cold.findings.length >= 20, `expected the cases' findings, got ${String(cold.findings.length)}`);
});

test('the stats time each rule that ran, and none when the output was remembered', async () => {
  const files = allCases();
  const cache = new FactCache();
  const cold = await scan({ root: 'cases', files, cache, workers: 0, enable: ['ndis/shared-memory'] });
  const timed = cold.stats.ruleMs ?? {};
  // Every rule on by default and the preview rule turned on; the other preview rules did not run.
  for (const id of ['ndis/mmap-context', 'ndis/unmap-on-failure', 'ndis/spinlock-balance', 'ndis/shared-memory'])
    assert.equal(typeof timed[id], 'number', id);
  assert.equal(timed['ndis/init-io-workitem'], undefined);
  const sum = Object.values(timed).reduce((a, b) => a + b, 0);
  assert.ok(
    sum <= cold.stats.ms.rules + 1,
    `${String(sum)} ms of rules within the stage's ${String(cold.stats.ms.rules)}`,
  );
  const warm = await scan({ root: 'cases', files, cache, workers: 0, enable: ['ndis/shared-memory'] });
  assert.equal(warm.stats.ruleMs, undefined);
});

test("the stats count the path walks' steps: the same on every cold scan, more with a pairing rule on, none when remembered", async () => {
  const files = allCases();
  const a = await scan({ root: 'cases', files, cache: null, workers: 0 });
  const b = await scan({ root: 'cases', files, cache: null, workers: 0 });
  const steps = defined(a.stats.walkSteps);
  assert.ok(steps > 100, `the cases' initialize and halt walks took ${String(steps)} steps`);
  assert.equal(b.stats.walkSteps, steps, 'a count, not a time: two scans of the same sources agree');
  // A driver that allocates shared memory in initialize: the preview rule walks it once more.
  const shared: SourceFile = {
    path: 'shm/mp.c',
    bytes: Buffer.from(`${ADAPTER}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_PHYSICAL_ADDRESS pa;
    NdisMAllocateSharedMemory(h, REGS_LEN, FALSE, &a->Regs2, &pa);
    if (a->Regs2 == NULL) return NDIS_STATUS_RESOURCES;
    return NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`),
  };
  const off = await scan({ root: 'shm', files: [shared], cache: null, workers: 0 });
  const on = await scan({ root: 'shm', files: [shared], cache: null, workers: 0, enable: ['ndis/shared-memory'] });
  assert.ok(defined(off.stats.walkSteps) > 0);
  assert.ok(defined(on.stats.walkSteps) > defined(off.stats.walkSteps), 'the shared-memory walks add theirs');
  const cache = new FactCache();
  await scan({ root: 'cases', files, cache, workers: 0 });
  const warm = await scan({ root: 'cases', files, cache, workers: 0 });
  assert.equal(warm.stats.walkSteps, undefined, 'a remembered output walked nothing');
});

test('parsing the rules asked for on first read is its own stage: the stages add up to the total', async () => {
  const files = allCases();
  const cache = new FactCache();
  const cold = await scan({ root: 'cases', files, cache, workers: 0 });
  const ms = cold.stats.ms;
  assert.ok(ms.bodies > 0, `bodies parsed on first read took ${String(ms.bodies)} ms`);
  const stages = ms.read + ms.lex + ms.parse + ms.link + ms.rules + ms.bodies;
  // Each figure is rounded to a tenth: six of them may be off by 0.3 ms in all.
  assert.ok(Math.abs(stages - ms.total) <= 0.35, `stages ${String(stages)} ms, total ${String(ms.total)} ms`);
  const warm = await scan({ root: 'cases', files, cache, workers: 0 });
  assert.equal(warm.stats.ms.bodies, 0, 'a remembered result parses nothing');
});

test('a body read again comes from the entry’s store and adds no parsing time', () => {
  const text = `VOID Helper(PVOID p)\n{\n    if (p) Free(p);\n}\n`;
  const bytes = Buffer.from(text);
  const entry = parseBytes(bytes);
  const fn = defined(entry.functions.find((f) => f.name === 'Helper'));
  const t0 = onDemandParse.ms;
  const first = loadFunctionDetail(bytes, entry, fn);
  const t1 = onDemandParse.ms;
  assert.ok(t1 > t0, 'the first read parsed the body');
  assert.equal(loadFunctionDetail(bytes, entry, fn), first);
  assert.equal(onDemandParse.ms, t1, 'the second read parsed nothing');
});

test('API call sites are counted only when asked, and a result remembered without them does not answer', async () => {
  const files = allCases();
  const cache = new FactCache();
  const plain = await scan({ root: 'cases', files, cache, workers: 0 });
  assert.equal(plain.stats.apiCalls, undefined, 'a scan that did not ask has no counts');
  // Same sources, same cache: the remembered result has no counts, so the rules run again to count.
  const counted = await scan({ root: 'cases', files, cache, workers: 0, countApis: true });
  const maps = defined(counted.stats.apiCalls?.NdisMMapIoSpace);
  assert.ok(maps.direct > 10, `NdisMMapIoSpace calls counted: ${String(maps.direct)}`);
  assert.equal(typeof counted.stats.ruleMs, 'object', 'the rules ran again');
  assert.deepEqual(counted.findings, plain.findings);
  // Now remembered with the counts: a later scan asking for them reads them back without the rules.
  const again = await scan({ root: 'cases', files, cache, workers: 0, countApis: true });
  assert.equal(again.stats.ruleMs, undefined);
  assert.deepEqual(again.stats.apiCalls, counted.stats.apiCalls);
});

test('one changed file is the only one lexed again, and moved or parsed again', async () => {
  const files = allCases();
  const cache = new FactCache();
  await scan({ root: 'cases', files, cache, workers: 0 });
  const i = files.findIndex((f) => f.path.endsWith('p02-goto-wrong-label/init.c'));
  const changed = files.slice();
  changed[i] = { path: files[i].path, bytes: Buffer.concat([Buffer.from('/* edited */\n'), files[i].bytes]) };
  const r = await scan({ root: 'cases', files: changed, cache, workers: 0 });
  assert.equal(r.stats.lexed, 1);
  // A comment keeps every token: the earlier facts are moved, not parsed (movedfacts.ts).
  assert.equal(r.stats.parsed, 0);
  assert.equal(r.stats.moved, 1);
  const f = defined(r.findings.find((x) => x.path.endsWith('p02-goto-wrong-label/init.c')));
  assert.equal(f.line, 64, 'the finding moved down one line with the inserted comment');
  // A token more: parsed.
  changed[i] = { path: files[i].path, bytes: Buffer.concat([Buffer.from(';\n'), files[i].bytes]) };
  const r2 = await scan({ root: 'cases', files: changed, cache, workers: 0 });
  assert.equal(r2.stats.lexed, 1);
  assert.equal(r2.stats.parsed, 1);
  assert.equal(r2.stats.moved, undefined);
});

test('the disk cache survives a new process-like cache object', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndis-review-cache-'));
  const files = allCases();
  const first = new FactCache({ dir });
  const a = await scan({ root: 'cases', files, cache: first, workers: 0 });
  await first.save();
  const second = new FactCache({ dir });
  const b = await scan({ root: 'cases', files, cache: second, workers: 0 });
  assert.equal(b.stats.parsed, 0);
  assert.deepEqual(summary(b), summary(a));
});

test('worker threads and the calling thread produce the same result', async () => {
  const files = allCases();
  const inThread = await scan({ root: 'cases', files, workers: 0 });
  const pooled = await scan({ root: 'cases', files, workers: 2 });
  assert.equal(pooled.stats.workers, 2);
  assert.deepEqual(summary(pooled), summary(inThread));
});

test('files that mention nothing the rules need are lexed, not parsed', async () => {
  const files: SourceFile[] = [
    {
      path: 'mp.c',
      bytes: Buffer.from(`${ADAPTER}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { PADAPTER a = (PADAPTER)c; return NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN); }
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`),
    },
    {
      path: 'crc.c',
      bytes: Buffer.from(
        'ULONG Crc32(const UCHAR *p, ULONG n) { ULONG c = 0; while (n--) c = (c >> 8) ^ *p++; return c; }\n',
      ),
    },
    { path: 'stats.c', bytes: Buffer.from('VOID StatsAdd(PULONG64 s, ULONG v) { *s += v; }\n') },
  ];
  const r = await scan({ root: 'x', files, workers: 0 });
  assert.equal(r.stats.files, 3);
  assert.equal(r.stats.needed, 1);
  assert.equal(r.findings.length, 0);
});

test('a helper in a file with no NDIS words is still followed (the closure grows)', async () => {
  const files: SourceFile[] = [
    {
      path: 'mp.c',
      bytes: Buffer.from(`${ADAPTER}
VOID Recover(PADAPTER a);
MINIPORT_INITIALIZE MpInit;
MINIPORT_RESET MpReset;
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
NDIS_STATUS MpReset(NDIS_HANDLE c, PBOOLEAN r) { Recover((PADAPTER)c); return NDIS_STATUS_SUCCESS; }
`),
    },
    {
      path: 'recover.c',
      bytes: Buffer.from(`${ADAPTER}
VOID Remap(PADAPTER a);
VOID Recover(PADAPTER a) { Remap(a); }
`),
    },
    {
      path: 'hw.c',
      bytes: Buffer.from(`${ADAPTER}
VOID Remap(PADAPTER a) { NdisMMapIoSpace(&a->Regs, a->H, a->Pa, REGS_LEN); }
`),
    },
  ];
  const r = await scan({ root: 'x', files, workers: 0 });
  assert.deepEqual(
    r.findings.map((f) => `${f.path}:${String(f.line)} ${f.rule}`),
    ['hw.c:6 ndis/mmap-context'],
  );
  assert.match(r.findings[0].message, /MpReset → Recover → Remap/);
});

test('fingerprints do not move with unrelated lines, and change with the finding', async () => {
  const p02 = readFileSync(join(casesDir, 'p02-goto-wrong-label/init.c'), 'latin1');
  const a = await scan({ root: 'x', files: [{ path: 'init.c', bytes: Buffer.from(p02, 'latin1') }], workers: 0 });
  const moved = p02.replace('#include <ndis.h>', '#include <ndis.h>\n\n/* a new comment */\n#define UNRELATED 1\n');
  const b = await scan({ root: 'x', files: [{ path: 'init.c', bytes: Buffer.from(moved, 'latin1') }], workers: 0 });
  assert.equal(b.findings[0].line, a.findings[0].line + 4);
  assert.equal(b.findings[0].fingerprint, a.findings[0].fingerprint);
  const other = p02.replace('goto err_unmap_csr; // EXPECT', 'goto err_free; // EXPECT');
  const c = await scan({ root: 'x', files: [{ path: 'init.c', bytes: Buffer.from(other, 'latin1') }], workers: 0 });
  assert.equal(c.findings.length, 1);
  assert.notEqual(c.findings[0].fingerprint, a.findings[0].fingerprint, 'leaking two mappings is another finding');
});

test('binary and oversized files are skipped with a notice; the rest is analysed', async () => {
  const r03 = readFileSync(join(casesDir, 'r03-crlf-line-endings/nic.c'));
  const r = await scan({
    root: 'x',
    files: [
      { path: 'nic.c', bytes: r03 },
      { path: 'blob.h', bytes: Buffer.from([0x23, 0x00, 0x01, 0x02]) },
      { path: 'huge.c', bytes: Buffer.alloc(5 * 1024 * 1024, 0x20) },
    ],
    workers: 0,
  });
  assert.deepEqual(
    r.notices
      .filter((n) => n.kind === 'skipped-file')
      .map((n) => n.path)
      .sort(),
    ['blob.h', 'huge.c'],
  );
  assert.deepEqual(
    r.findings.map((f) => `${String(f.line)}:${String(f.column)}`),
    ['34:10'],
    'CRLF and a tab: line 34, column 10',
  );
});

test('a directory that does not exist is a ScanError, not a crash', async () => {
  await assert.rejects(scan({ root: join(tmpdir(), 'no-such-dir-ndis-review') }), ScanError);
});

test('a directory scan reads C sources and headers, with paths relative to the root', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndis-review-tree-'));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'a.c'), readFileSync(join(casesDir, 'c03-restart-violation/miniport.c')));
  writeFileSync(join(dir, 'README.md'), '# not a source');
  const r = await scan({ root: dir });
  assert.equal(r.files, 1);
  assert.deepEqual(
    r.findings.map((f) => `${f.path}:${String(f.line)}`),
    ['sub/a.c:76'],
  );
});

test('remembered rule results never outlive a change the rules can see', async () => {
  const mp = `${ADAPTER.replace('#define REGS_LEN 0x100', '#include "len.h"')}
#define HALT_LEN 0x100
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { PADAPTER a = (PADAPTER)c; return NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN); }
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, HALT_LEN); }
${driverEntry('MpInit', 'MpHalt')}`;
  const cache = new FactCache();
  const files = (len: string, comment = ''): SourceFile[] => [
    { path: 'mp.c', bytes: Buffer.from(mp) },
    { path: 'len.h', bytes: Buffer.from(`${comment}#define REGS_LEN ${len}\n`) },
    { path: 'crc.c', bytes: Buffer.from(`ULONG Crc(ULONG x) { return x ^ 0xEDB88320; } ${comment}\n`) },
  ];
  const a = await scan({ root: 'x', files: files('0x100'), cache, workers: 0 });
  assert.equal(a.findings.length, 0);
  assert.equal(a.stats.needed, 1, 'len.h and crc.c are lexed only');
  const b = await scan({ root: 'x', files: files('0x200'), cache, workers: 0 });
  assert.deepEqual(
    b.findings.map((f) => f.rule),
    ['ndis/unmap-length'],
    'a new length in an unparsed header is seen',
  );
  const c = await scan({ root: 'x', files: files('0x200', '/* touched */ '), cache, workers: 0 });
  assert.deepEqual(
    c.findings.map((f) => f.fingerprint),
    b.findings.map((f) => f.fingerprint),
    'a comment changes nothing',
  );
});

test('remembered path analyses follow edits in their own driver, and only there', async () => {
  const driver = (prefix: string, cleanup: boolean) => `${ADAPTER}
NDIS_STATUS ${prefix}Probe(PADAPTER a);
NDIS_STATUS ${prefix}Init(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (${prefix}Probe(a) != NDIS_STATUS_SUCCESS) {
        ${cleanup ? 'NdisMUnmapIoSpace(h, a->Regs, REGS_LEN);' : ''}
        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}
VOID ${prefix}Halt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
${driverEntry(`${prefix}Init`, `${prefix}Halt`)}`;
  const cache = new FactCache();
  const files = (aClean: boolean) => [
    { path: 'a/a.c', bytes: Buffer.from(driver('A', aClean)) },
    { path: 'b/b.c', bytes: Buffer.from(driver('B', false)) },
  ];
  const first = await scan({ root: 'x', files: files(true), cache, workers: 0 });
  assert.deepEqual(
    first.findings.map((f) => `${f.path} ${f.rule}`),
    ['b/b.c ndis/unmap-on-failure'],
  );
  const second = await scan({ root: 'x', files: files(false), cache, workers: 0 });
  assert.deepEqual(
    second.findings.map((f) => `${f.path} ${f.rule}`),
    ['a/a.c ndis/unmap-on-failure', 'b/b.c ndis/unmap-on-failure'],
  );
  const third = await scan({ root: 'x', files: files(true), cache, workers: 0 });
  assert.deepEqual(
    third.findings.map((f) => f.fingerprint),
    first.findings.map((f) => f.fingerprint),
  );
});

test('a UTF-16 source (Visual Studio\'s "Unicode" encoding, CRLF) gets the same findings, on the same lines, as its UTF-8 copy', async () => {
  const dir = join(casesDir, 'p02-goto-wrong-label');
  const files = readdirSync(dir).filter((f) => f.endsWith('.c') || f.endsWith('.h'));
  const utf8 = files.map((f) => ({ path: f, bytes: readFileSync(join(dir, f)) }));
  const utf16 = utf8.map((f) => ({
    path: f.path,
    bytes: Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(f.bytes.toString('utf8').replace(/\r?\n/g, '\r\n'), 'utf16le'),
    ]),
  }));
  const a = await scan({ root: 'utf8', files: utf8, workers: 0 });
  const b = await scan({ root: 'utf16', files: utf16, workers: 0 });
  assert.ok(a.findings.length > 0);
  assert.deepEqual(
    b.findings.map((f) => `${f.rule} ${f.path}:${String(f.line)}`),
    a.findings.map((f) => `${f.rule} ${f.path}:${String(f.line)}`),
  );
  assert.deepEqual(
    b.notices.filter((n) => n.kind === 'skipped-file'),
    [],
  );
});
