/**
 * Traces a reader can follow on a real driver: where the mapping succeeded,
 * loop iterations, the decision after which initialize can only fail, and
 * the jump. Exact lines, so a change in wording or order is seen.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { scan } from '../src/engine/scan.js';
import { repoRoot } from './support/paths.js';
import { ADAPTER, driverEntry, scanTexts } from './support/ruleTester.js';

const traceLines = (f: { trace: { path: string; line: number; message: string }[] }) =>
  f.trace.map((t) => `${t.path}:${String(t.line)}: ${t.message}`);

test('q05: the leak out of do { } while (FALSE) is traced to the return, with the success and the decision', async () => {
  const r = await scan({ root: join(repoRoot, '../shared/cases/q05-break-then-return'), workers: 0 });
  const leak = r.findings.find((f) => f.rule === 'ndis/unmap-on-failure');
  assert.ok(leak);
  assert.deepEqual(traceLines(leak), [
    'init.c:12: DevInit maps Dev->Regs here',
    'init.c:13: NdisMMapIoSpace succeeded (Status != NDIS_STATUS_SUCCESS is false)',
    'init.c:15: Status != NDIS_STATUS_SUCCESS is true: DevInit can only fail from here',
    'init.c:17: return with Dev->Regs still mapped',
  ]);
});

/**
 * Initialize mapping `a->Regs`, then a loop whose round `probes` (a C condition over the flags
 * `flags` declares, all TRUE at first) probes and may fail to `Fail`; `after` ends each round.
 * The leak's trace, as lines, and where each needle's line is.
 */
async function loopLeak(flags: string[], probes: string, after: string) {
  const text = `${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
BOOLEAN More(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
${flags.map((f) => `    BOOLEAN ${f} = TRUE;`).join('\n')}
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    while (More(a)) {
        if (${probes}) {
            s = Probe(a);
            if (s != NDIS_STATUS_SUCCESS) goto Fail;
        }
${after}
    }
    return NDIS_STATUS_SUCCESS;
Fail:
    return s;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { NdisMUnmapIoSpace(((PADAPTER)c)->H, ((PADAPTER)c)->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`;
  const r = await scanTexts({ 'mp.c': text });
  const lines = text.split('\n');
  const at = (needle: string) => `mp.c:${String(lines.findIndex((l) => l.includes(needle)) + 1)}`;
  const leaks = r.findings.filter((f) => f.rule === 'ndis/unmap-on-failure');
  assert.equal(leaks.length, 1, JSON.stringify(r.findings));
  const loop = at('while (More(a))');
  return {
    trace: traceLines(leaks[0]),
    mapped: [
      `${at('s = NdisMMapIoSpace')}: MpInit maps a->Regs here`,
      `${at('if (s != NDIS_STATUS_SUCCESS) return s;')}: NdisMMapIoSpace succeeded (s != NDIS_STATUS_SUCCESS is false)`,
    ],
    loop: { at: loop, line: loop.split(':')[1] },
    // The decision and the jump share a line: one step says both.
    failed: [
      `${at('goto Fail;')}: goto with a->Regs still mapped`,
      `mp.c:${String(Number(at('Fail:').split(':')[1]) + 1)}: MpInit returns the failure here`,
    ],
  };
}

test('a leak that needs a second pass round a loop names the iteration', async () => {
  const r = await loopLeak(['first'], '!first', '        first = FALSE;');
  assert.deepEqual(r.trace, [
    ...r.mapped,
    `${r.loop.at}: next iteration of the loop at line ${r.loop.line}`,
    ...r.failed,
  ]);
});

test('rounds of one loop in a row are one step of the trace, with their number', async () => {
  const r = await loopLeak(
    ['first', 'second'],
    '!first && !second',
    '        if (!first) second = FALSE;\n        first = FALSE;',
  );
  assert.deepEqual(r.trace, [
    ...r.mapped,
    `${r.loop.at}: 2 more iterations of the loop at line ${r.loop.line}`,
    ...r.failed,
  ]);
});

test("a failure a call returned before the mapping is reported at the mapping helper's own return", async () => {
  // The status of ReadRegistry is tested only after the helper that maps returned: on the path where
  // ReadRegistry failed, initialize can only fail from the helper's `return`, so the leak is reported
  // there (the acquisition stack), and the trace names the call that failed, not the later test.
  const text = `${ADAPTER}
NDIS_STATUS ReadRegistry(PADAPTER a);
BOOLEAN MapFuse(PADAPTER a)
{
    BOOLEAN ok = TRUE;
    if (NdisMMapIoSpace(&a->Regs2, a->H, a->Pa, 16) != NDIS_STATUS_SUCCESS)
        ok = FALSE;
    return ok;
}
NDIS_STATUS ReadInfo(PADAPTER a)
{
    NDIS_STATUS s = ReadRegistry(a);
    if (!MapFuse(a))
        return NDIS_STATUS_FAILURE;
    return s;
}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = ReadInfo(a);
    if (s != NDIS_STATUS_SUCCESS)
        goto Fail;
    return NDIS_STATUS_SUCCESS;
Fail:
    return s;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { NdisMUnmapIoSpace(((PADAPTER)c)->H, ((PADAPTER)c)->Regs2, 16); }
${driverEntry('MpInit', 'MpHalt')}`;
  const r = await scanTexts({ 'mp.c': text });
  const lines = text.split('\n');
  const at = (needle: string) => `mp.c:${String(lines.findIndex((l) => l.includes(needle)) + 1)}`;
  const leaks = r.findings.filter((f) => f.rule === 'ndis/unmap-on-failure');
  assert.deepEqual(
    leaks.map((f) => `mp.c:${String(f.line)}`),
    [at('return ok;')],
    JSON.stringify(r.findings),
  );
  assert.deepEqual(traceLines(leaks[0]), [
    `${at('NdisMMapIoSpace(&a->Regs2')}: MapFuse maps a->Regs2 here`,
    // In the order the path runs: the registry read failed before the mapping was made.
    `${at('ReadRegistry(a);')}: ReadRegistry fails here (s != NDIS_STATUS_SUCCESS is true at ${at('if (s != NDIS_STATUS_SUCCESS)')}): MpInit can only fail from here`,
    `${at('NdisMMapIoSpace(&a->Regs2')}: NdisMMapIoSpace succeeded (NdisMMapIoSpace(&a->Regs2, a->H, a->Pa, 16) != NDIS_STATUS_SUCCESS is false)`,
    `${at('return ok;')}: return with a->Regs2 still mapped`,
    `${at('Fail:').replace(/\d+$/, (n) => String(Number(n) + 1))}: MpInit returns the failure here`,
  ]);
});

test('two mappings that leak through one goto are named in one message, with both places', async () => {
  const text = `${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    s = NdisMMapIoSpace(&a->Regs2, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) goto Fail;
    s = Probe(a);
    if (s != NDIS_STATUS_SUCCESS) goto Fail;
    return NDIS_STATUS_SUCCESS;
Fail:
    return s;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x)
{
    NdisMUnmapIoSpace(((PADAPTER)c)->H, ((PADAPTER)c)->Regs, REGS_LEN);
    NdisMUnmapIoSpace(((PADAPTER)c)->H, ((PADAPTER)c)->Regs2, REGS_LEN);
}
${driverEntry('MpInit', 'MpHalt')}`;
  const r = await scanTexts({ 'mp.c': text });
  const lines = text.split('\n');
  const at = (needle: string, from = 0) => lines.findIndex((l, i) => i >= from && l.includes(needle)) + 1;
  const second = at('goto Fail;', at('s = Probe(a);'));
  const leaks = r.findings.filter((f) => f.rule === 'ndis/unmap-on-failure');
  const both = leaks.find((f) => f.line === second);
  assert.ok(both, JSON.stringify(leaks.map((f) => [f.line, f.message])));
  assert.match(
    both.message,
    new RegExp(
      `^a->Regs and a->Regs2 \\(mapped at mp\\.c:${String(at('&a->Regs,'))} and :${String(at('&a->Regs2,'))}\\) are still mapped when MpInit fails through this goto`,
    ),
  );
});
