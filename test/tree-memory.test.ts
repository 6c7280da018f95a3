/**
 * tree-sitter's trees live in C memory that V8 does not see: a scan must
 * free the trees it dropped itself (src/engine/trees.ts), or a long-lived
 * process (the app's analysis threads) grows by every tree it ever parsed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scan } from '../src/engine/scan.js';
import { setTreeBytesBound, treeBytesPending, treeReleases } from '../src/engine/trees.js';

/** 40 files of a table and a mapping (so each is parsed), 0.5 MB in all; `round` makes every file's bytes new. */
function files(round: number): { path: string; bytes: Buffer }[] {
  return Array.from({ length: 40 }, (_, i) => {
    const rows = Array.from(
      { length: 400 },
      (_, k) =>
        `    { ${String(k)}, ${String(k + round)}, ${String(i)}, 0x${(k * 7).toString(16)}, ${String(k % 3)} },`,
    ).join('\n');
    return {
      path: `drv/f${String(i)}.c`,
      bytes: Buffer.from(
        `static const ROW Table${String(i)}[] = {\n${rows}\n};\n` +
          `NDIS_STATUS Map${String(i)}(PVOID *p, NDIS_HANDLE h, NDIS_PHYSICAL_ADDRESS pa)\n{\n` +
          `    return NdisMMapIoSpace(p, h, pa, 0x100);\n}\n`,
      ),
    };
  });
}

test('scan after scan of new bytes, the process keeps no dropped syntax trees: memory stays flat', async () => {
  const bound = 16 * 1024 * 1024;
  const before = setTreeBytesBound(bound);
  try {
    const rss = () => process.memoryUsage.rss();
    const releases = treeReleases();
    const first = await scan({ root: 'r0', files: files(0), cache: null, workers: 0 });
    assert.equal(first.stats.parsed, 40);
    const start = rss();
    // Each round's trees weigh about 50 MB of C memory, which used to stay until V8 happened to
    // collect (it has no reason to, for memory it cannot see): measured, these 8 rounds grew the
    // process by 418 MB, and on; with the trees released past 16 MiB, by about 50 MB, then no more.
    for (let round = 1; round <= 8; round++)
      await scan({ root: `r${String(round)}`, files: files(round), cache: null, workers: 0 });
    const grown = (rss() - start) / (1024 * 1024);
    assert.ok(grown < 150, `the process grew by ${grown.toFixed(0)} MiB over 8 scans`);
    assert.ok(treeReleases() > releases, 'the scans released their trees');
    assert.ok(treeBytesPending() <= bound, `${String(treeBytesPending())} bytes of trees left pending`);
  } finally {
    setTreeBytesBound(before);
  }
});
