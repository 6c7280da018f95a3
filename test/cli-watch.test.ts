/**
 * `scan --watch`: a full report first, then after each save only what
 * changed, through the real file system and `fs.watch`.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { main } from '../src/cli.js';
import { parseCommandLine } from '../src/cli/args.js';
import { runWatch } from '../src/cli/watch.js';
import { ADAPTER, driverEntry } from './support/ruleTester.js';

function driver(leak: boolean): string {
  return `${ADAPTER}
NDIS_STATUS Probe(PADAPTER a);
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    PADAPTER a = (PADAPTER)c;
    NDIS_STATUS s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
    if (Probe(a) != NDIS_STATUS_SUCCESS) {
${leak ? '' : '        NdisMUnmapIoSpace(h, a->Regs, REGS_LEN);\n'}        return NDIS_STATUS_FAILURE;
    }
    return NDIS_STATUS_SUCCESS;
}
VOID MpHalt(NDIS_HANDLE c, NDIS_HALT_ACTION x) { NdisMUnmapIoSpace(((PADAPTER)c)->H, ((PADAPTER)c)->Regs, REGS_LEN); }
${driverEntry('MpInit', 'MpHalt')}`;
}

test('scan --watch: the first report in full, then each save prints what is new and what is fixed', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ndis-review-watch-'));
  const file = path.join(dir, 'mp.c');
  writeFileSync(file, driver(false));
  let out = '';
  const stop = new AbortController();
  const scans: number[] = [];
  let waiter: (() => void) | undefined;
  const nextScan = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => {
        reject(new Error(`no scan ${String(n)} within 20 s; output so far:\n${out}`));
      }, 20_000);
      const check = () => {
        if (scans.includes(n)) {
          clearTimeout(timeout);
          resolve();
        } else waiter = check;
      };
      check();
    });
  const command = parseCommandLine(['scan', dir, '--watch']);
  assert.equal(command.kind, 'scan');
  const done = runWatch(
    command,
    { stdout: (s) => (out += s), stderr: (s) => (out += s), env: {}, cwd: process.cwd() },
    {
      signal: stop.signal,
      debounceMs: 50,
      onScan: (n) => {
        scans.push(n);
        waiter?.();
      },
    },
  );
  try {
    await nextScan(0);
    assert.match(out, /no findings in 1 file/);
    assert.match(out, /watching .* for changes/);
    const first = out.length;
    writeFileSync(file, driver(true));
    await nextScan(1);
    const second = out.slice(first);
    assert.match(second, /\] 1 new, 0 fixed/);
    assert.match(second, /mp\.c:\d+:\d+: error: .*\[ndis\/unmap-on-failure\]/);
    assert.match(second, /now 1 finding\n/);
    const third = out.length;
    writeFileSync(file, driver(false));
    await nextScan(2);
    const last = out.slice(third);
    assert.match(last, /\] 0 new, 1 fixed/);
    assert.match(last, /mp\.c:\d+:\d+: fixed: .*\[ndis\/unmap-on-failure\]/);
  } finally {
    stop.abort();
    await done;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan --watch refuses options that write or compare reports', async () => {
  for (const extra of [
    ['-o', 'x.json'],
    ['--sarif', 'x.sarif'],
    ['--format', 'json'],
    ['--baseline', 'b.json'],
  ]) {
    let err = '';
    const code = await main(['scan', '.', '--watch', ...extra], {
      stdout: () => undefined,
      stderr: (s) => (err += s),
      env: {},
      cwd: process.cwd(),
    });
    assert.equal(code, 2, extra.join(' '));
    assert.match(err, /--watch/);
  }
});
