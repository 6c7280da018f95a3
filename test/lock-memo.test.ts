/**
 * The spin-lock rule's findings per callback, remembered across scans with a cache
 * (`DraftMemo`): a callback is walked again only when a file whose body its walk
 * reads changed, or the evidence of its role moved; every re-scan reports exactly
 * what a scan without a cache reports.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FactCache } from '../src/engine/cache.js';
import { scan, type SourceFile } from '../src/engine/scan.js';
import { driverEntry } from './support/ruleTester.js';

const HEADER = `#include <ndis.h>
typedef struct _NIC { NDIS_HANDLE Handle; NDIS_SPIN_LOCK Lock; ULONG Count; BOOLEAN Busy; } NIC, *PNIC;
VOID NicLock(PNIC nic);
NDIS_STATUS NicOid(NDIS_HANDLE c, PNDIS_OID_REQUEST r);
NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset);
`;

/** Three files: the OID and reset callbacks in their own files, the lock helper in a third. */
function driver(opts: {
  resetLeaks: boolean;
  helperTakes: boolean;
  entryPad: number;
  helperCounts?: boolean;
}): SourceFile[] {
  const files: Record<string, string> = {
    'nic.h': HEADER,
    'oid.c': `#include "nic.h"
/* NicOid: registered in init.c */
NDIS_STATUS NicOid(NDIS_HANDLE c, PNDIS_OID_REQUEST r)
{
    PNIC nic = (PNIC)c;
    NicLock(nic);
    nic->Count = 0;
    NdisReleaseSpinLock(&nic->Lock);
    return NDIS_STATUS_SUCCESS;
}
`,
    'reset.c': `#include "nic.h"
/* NicReset: registered in init.c */
NDIS_STATUS NicReset(NDIS_HANDLE c, PBOOLEAN AddressingReset)
{
    PNIC nic = (PNIC)c;
    NdisAcquireSpinLock(&nic->Lock);
    if (nic->Busy) {${opts.resetLeaks ? '' : '\n        NdisReleaseSpinLock(&nic->Lock);'}
        return NDIS_STATUS_RESET_IN_PROGRESS;
    }
    NdisReleaseSpinLock(&nic->Lock);
    return NDIS_STATUS_SUCCESS;
}
`,
    'lock.c': `#include "nic.h"
VOID NicLock(PNIC nic)
{
    ${opts.helperTakes ? 'NdisAcquireSpinLock(&nic->Lock);' : 'nic->Count++;'}${opts.helperCounts ? '\n    ULONG seen = nic->Count;' : ''}
}
`,
    'init.c': `#include "nic.h"
MINIPORT_INITIALIZE NicInitialize;
MINIPORT_HALT NicHalt;
NDIS_STATUS NicInitialize(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p) { return NDIS_STATUS_SUCCESS; }
VOID NicHalt(NDIS_HANDLE c, NDIS_HALT_ACTION a) { }
${'\n'.repeat(opts.entryPad)}${driverEntry('NicInitialize', 'NicHalt', { OidRequestHandler: 'NicOid', ResetHandlerEx: 'NicReset' })}`,
  };
  return Object.entries(files).map(([path, text]) => ({ path, bytes: Buffer.from(text) }));
}

/** The cache's per-callback memo, counting what it answered. */
function counted(cache: FactCache): { hits: number; misses: number; moved: number } {
  const n = { hits: 0, misses: 0, moved: 0 };
  const memo = cache.callbackDrafts;
  const get = memo.get.bind(memo);
  memo.get = (key: string) => {
    const v = get(key);
    if (v) n.hits++;
    else n.misses++;
    return v;
  };
  // The same callbacks by their functions' tokens (moved-analysis.test.ts): asked after a miss above.
  const moved = cache.movedDrafts;
  const getMoved = moved.get.bind(moved);
  moved.get = (key: string) => {
    const v = getMoved(key);
    if (v) n.moved++;
    return v;
  };
  return n;
}

const enable: string[] = [];
const locks = (r: Awaited<ReturnType<typeof scan>>) =>
  r.findings.filter((f) => f.rule === 'ndis/spinlock-balance').map((f) => `${f.path}:${String(f.line)} ${f.message}`);

test("a callback's lock findings are reused while nothing its walk reads changed, and match a fresh scan each time", async () => {
  const cache = new FactCache();
  const n = counted(cache);
  const step = async (opts: Parameters<typeof driver>[0]) => {
    const before = { ...n };
    const files = driver(opts);
    const cached = await scan({ root: 'x', files, cache, workers: 0, enable });
    const fresh = await scan({ root: 'x', files, cache: null, workers: 0, enable });
    assert.deepEqual(cached.findings, fresh.findings, 'the re-scan reports what a fresh scan reports');
    return {
      hits: n.hits - before.hits,
      misses: n.misses - before.misses,
      moved: n.moved - before.moved,
      findings: locks(cached),
    };
  };

  const first = await step({ resetLeaks: false, helperTakes: true, entryPad: 0 });
  assert.deepEqual(first, { hits: 0, misses: 2, moved: 0, findings: [] }, 'both callbacks walked; both balanced');

  // reset.c changes: NicReset is walked again, NicOid (which reads oid.c and lock.c) is not.
  const second = await step({ resetLeaks: true, helperTakes: true, entryPad: 0 });
  assert.equal(second.hits, 1);
  assert.equal(second.misses, 1);
  assert.equal(second.findings.length, 1, second.findings.join('\n'));
  assert.match(second.findings[0], /^reset\.c:8 NicReset .* returns with NIC\.Lock still held/);

  // lock.c changes, calling and assigning what it did (a local read, not a field written): NicOid,
  // whose walk reads the helper, is walked again; NicReset, which reads nothing of lock.c, is reused.
  const third = await step({ resetLeaks: true, helperTakes: true, entryPad: 0, helperCounts: true });
  assert.deepEqual({ hits: third.hits, misses: third.misses }, { hits: 1, misses: 1 });
  assert.deepEqual(third.findings, second.findings);

  // The helper stops taking the lock: what calls what changed (the link context every key holds),
  // so both are walked again, and NicOid now releases what it does not hold.
  const fourth = await step({ resetLeaks: true, helperTakes: false, entryPad: 0 });
  assert.deepEqual({ hits: fourth.hits, misses: fourth.misses }, { hits: 0, misses: 2 });
  assert.equal(fourth.findings.length, 2, fourth.findings.join('\n'));
  assert.ok(
    fourth.findings.some((f) => f.startsWith('oid.c:8 ')),
    fourth.findings.join('\n'),
  );

  // Lines added above the registrations, the only evidence of both roles: it moved (a trace gives where
  // the role was found), so neither is remembered as it was, though no file they read changed; both are
  // found under their functions' tokens, and worded again with the evidence where it is now.
  const fifth = await step({ resetLeaks: true, helperTakes: false, entryPad: 3 });
  assert.deepEqual({ hits: fifth.hits, misses: fifth.misses, moved: fifth.moved }, { hits: 0, misses: 2, moved: 2 });

  // Nothing changed: everything is reused (the whole run's result, not even the memo, is asked).
  const sixth = await step({ resetLeaks: true, helperTakes: false, entryPad: 3 });
  assert.equal(sixth.misses, 0);
});

test('a callback reused from the memo reports the damage its walk found in a helper, as a fresh scan does', async () => {
  const files = (pad: number): SourceFile[] =>
    Object.entries({
      'nic.h': HEADER,
      'oid.c': `#include "nic.h"\nMINIPORT_OID_REQUEST NicOid;\nNDIS_STATUS NicOid(NDIS_HANDLE c, PNDIS_OID_REQUEST r)\n{\n    PNIC nic = (PNIC)c;\n    NicLock(nic);\n    NdisReleaseSpinLock(&nic->Lock);\n    return NDIS_STATUS_SUCCESS;\n}\n`,
      // The helper's body does not read as C: its damage is known once a rule reads it.
      'lock.c': `#include "nic.h"\nVOID NicLock(PNIC nic)\n{\n    NdisAcquireSpinLock(&nic->Lock);\n    nic->Count = 1 NicRead(nic) 2;\n}\n`,
      'other.c': `#include "nic.h"\nVOID NicOther(PNIC nic) { NdisStallExecution(${String(10 + pad)}); }\n`,
    }).map(([path, text]) => ({ path, bytes: Buffer.from(text) }));
  const cache = new FactCache();
  const n = counted(cache);
  for (const pad of [0, 2]) {
    const cached = await scan({ root: 'x', files: files(pad), cache, workers: 0, enable });
    const fresh = await scan({ root: 'x', files: files(pad), cache: null, workers: 0, enable });
    assert.deepEqual(cached.notices, fresh.notices, `notices, edit ${String(pad)}`);
    assert.deepEqual(cached.stats.health, fresh.stats.health, `health, edit ${String(pad)}`);
    assert.deepEqual(cached.findings, fresh.findings, `findings, edit ${String(pad)}`);
  }
  assert.ok(n.hits >= 1, `the second scan reused the callback (${JSON.stringify(n)})`);
  assert.ok(
    (await scan({ root: 'x', files: files(0), cache: null, workers: 0, enable })).notices.some(
      (x) => x.kind === 'parse-recovered' && x.path === 'lock.c',
    ),
    'a fresh scan notes the damage (the comparison is about something)',
  );
});
