/**
 * Bad input never costs the run. Every hostile input of bench/hostile.ts,
 * at a size that scans in well under two seconds, is scanned beside a real
 * acceptance case (p02, copied in at test time): the scan completes, the
 * acceptance case's finding is still reported, and the input gets what it
 * expects (its own findings, and a notice where the analysis stopped).
 * The full sizes are measured by `npm run bench:hostile`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { after, test } from 'node:test';
import { HOSTILE, judge, sizeFor, unlockInput, writeInput, type HostileKind } from '../bench/hostile.js';
import { scan, type SourceFile } from '../src/engine/scan.js';
import type { ScanResult } from '../src/engine/types.js';
import { repoRoot } from './support/paths.js';

const casesDir = join(repoRoot, '../shared/cases');
const p02 = join(casesDir, 'p02-goto-wrong-label', 'init.c');
/** The line of p02's expected finding, read from its EXPECT marker. */
const p02Line =
  readFileSync(p02, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes('EXPECT: ndis/unmap-on-failure')) + 1;

/** Writes a kind at its CI size into a fresh folder, with p02 beside it. */
function materialize(kind: HostileKind): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(os.tmpdir(), `ndis-hostile-${kind.name}-`));
  // Readable by an unprivileged scanner (see `scanAsUser`).
  chmodSync(dir, 0o755);
  const h = kind.make(sizeFor(kind, 'small'));
  writeInput(dir, h);
  mkdirSync(join(dir, 'p02'));
  copyFileSync(p02, join(dir, 'p02', 'init.c'));
  return {
    dir,
    cleanup: () => {
      // A locked folder cannot be listed, so not removed, by anyone but root.
      unlockInput(dir, h);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Scans with the CLI as an unprivileged user: root reads files whatever their
 * mode, so an unreadable entry can only be met as someone else. As any other
 * user the CLI runs as that user.
 */
function scanAsUser(dir: string): ScanResult & { exitCode: number | null } {
  const asRoot = process.getuid?.() === 0;
  // The child writes no coverage profile: it could not, as nobody, into the checkout.
  const env = { ...process.env };
  delete env.NODE_V8_COVERAGE;
  const r = spawnSync(
    process.execPath,
    [
      join(asRoot ? packageForNobody() : repoRoot, 'bin', 'ndis-review.js'),
      'scan',
      dir,
      '--format',
      'json',
      '--no-cache',
      '--fail-on',
      'never',
    ],
    { encoding: 'utf8', timeout: 30_000, env, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) },
  );
  // 3: the report is written but incomplete (a skipped file withholds decisions), as `--fail-on never` gives.
  assert.ok(r.status === 0 || r.status === 3, `the CLI failed (${String(r.status)}): ${r.stderr}`);
  return { ...(JSON.parse(r.stdout) as ScanResult), exitCode: r.status };
}

let nobodyPackage: string | undefined;

/**
 * The package where `nobody` can read it: the checkout itself when every folder above it lets
 * others through, else (a clone in a private temporary folder, as `mktemp -d` makes) a copy of
 * what the CLI loads in a world-readable one, hard-linked where the file system allows.
 */
function packageForNobody(): string {
  if (nobodyPackage !== undefined) return nobodyPackage;
  let open = true;
  for (let p = repoRoot; ; p = dirname(p)) {
    if ((statSync(p).mode & 0o001) === 0) open = false;
    if (dirname(p) === p) break;
  }
  if (open) return (nobodyPackage = repoRoot);
  const copy = mkdtempSync(join(os.tmpdir(), 'ndis-review-as-nobody-'));
  chmodSync(copy, 0o755);
  for (const part of ['bin', 'dist', 'node_modules', 'rules', 'package.json']) {
    const from = join(repoRoot, part);
    if (spawnSync('cp', ['-al', from, copy]).status !== 0)
      assert.equal(spawnSync('cp', ['-a', from, copy]).status, 0, `cannot copy ${from} for the unprivileged scan`);
  }
  after(() => {
    rmSync(copy, { recursive: true, force: true });
  });
  return (nobodyPackage = copy);
}

for (const kind of HOSTILE) {
  test(
    `hostile input ${kind.name} (size ${String(kind.small)}): the scan completes, other files keep their findings, the right notices`,
    {
      timeout: 30_000,
    },
    async () => {
      const { dir, cleanup } = materialize(kind);
      try {
        const h = kind.make(sizeFor(kind, 'small'));
        const result = kind.needsUnprivileged ? scanAsUser(dir) : await scan({ root: dir, workers: 0 });
        assert.ok(
          result.findings.some(
            (f) => f.rule === 'ndis/unmap-on-failure' && f.path === 'p02/init.c' && f.line === p02Line,
          ),
          `p02's finding at line ${String(p02Line)} is missing: ${JSON.stringify(result.findings.map((f) => `${f.path}:${String(f.line)}`))}`,
        );
        assert.deepEqual(judge(result, h), [], JSON.stringify(result.notices, null, 1));
        if (h.notices.some((n) => n.withheld))
          assert.equal(result.complete, false, 'a withheld decision makes the result incomplete');
      } finally {
        cleanup();
      }
    },
  );
}

/** Every shared case's sources, by case. */
function caseSources(): { name: string; files: SourceFile[] }[] {
  return readdirSync(casesDir)
    .filter((n) => statSync(join(casesDir, n)).isDirectory())
    .sort()
    .map((name) => {
      const files: SourceFile[] = [];
      const walk = (d: string) => {
        for (const e of readdirSync(d).sort()) {
          const p = join(d, e);
          if (statSync(p).isDirectory()) walk(p);
          else if (/\.[ch]$/.test(e))
            files.push({ path: relative(join(casesDir, name), p).split(sep).join('/'), bytes: readFileSync(p) });
        }
      };
      walk(join(casesDir, name));
      return { name, files };
    });
}

/** The same bytes with every line end (LF, CRLF or CR) rewritten as `eol`. */
function withLineEnds(files: SourceFile[], eol: string): SourceFile[] {
  return files.map((f) => ({
    path: f.path,
    bytes: Buffer.from(
      Buffer.from(f.bytes)
        .toString('latin1')
        .replace(/\r\n|\r|\n/g, eol),
      'latin1',
    ),
  }));
}

test('CR-only line ends: every shared case gives exactly the findings and notices of its LF copy', async () => {
  let compared = 0;
  for (const c of caseSources()) {
    const lf = await scan({ root: c.name, files: withLineEnds(c.files, '\n'), workers: 0 });
    const cr = await scan({ root: c.name, files: withLineEnds(c.files, '\r'), workers: 0 });
    assert.deepEqual(cr.findings, lf.findings, c.name);
    assert.deepEqual(cr.notices, lf.notices, c.name);
    compared += lf.findings.length;
  }
  // The comparison means something only where there are findings to compare.
  assert.ok(compared >= 20, `${String(compared)} findings compared`);
});
