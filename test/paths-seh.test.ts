/**
 * Structured exception handling as drivers use it to clean up: `__leave` leaves the `__try` body,
 * and the `__finally` block runs after the body however it ended (wdk6001-rtlnwifi's send and
 * receive set-up free what they allocated there). The `__finally` block used to be dropped and
 * `__leave` read as nothing, so the walk went on through the rest of the body after a failure.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scanTexts, driverEntry, ADAPTER } from './support/ruleTester.js';

function driver(finallyReleases: boolean): string {
  return `${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
VOID Start(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = NDIS_STATUS_SUCCESS;
    a->H = h;
    a->Regs = NULL;
    __try
    {
        s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
        if (s != NDIS_STATUS_SUCCESS) { __leave; }
        s = Probe(a);
        if (s != NDIS_STATUS_SUCCESS)
        {
            __leave; /* LEAVE */
        }
        Start(a);
    }
    __finally
    {
        if (s != NDIS_STATUS_SUCCESS && a->Regs != NULL)
        {
            ${finallyReleases ? 'NdisMUnmapIoSpace(h, a->Regs, REGS_LEN);' : 'a->Len = 0;'}
            a->Regs = NULL;
        }
    }
    return s;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { PADAPTER a = (PADAPTER)c; NdisMUnmapIoSpace(a->H, a->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`;
}

const found = (r: { findings: { line: number; rule: string }[] }) =>
  r.findings.map((f) => `${String(f.line)} ${f.rule}`).sort();

test('a __finally block that releases on failure is run after __leave: no leak', async () => {
  const r = await scanTexts({ 'mp.c': driver(true) });
  assert.equal(r.complete, true, JSON.stringify(r.notices));
  assert.deepEqual(found(r), []);
});

test('a __finally block that does not release: the leak is reported at the __leave', async () => {
  const text = driver(false);
  const r = await scanTexts({ 'mp.c': text });
  const leave = text.split('\n').findIndex((l) => l.includes('/* LEAVE */')) + 1;
  assert.deepEqual(found(r), [`${String(leave)} ndis/unmap-on-failure`]);
});
