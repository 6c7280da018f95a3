/**
 * `npm run eval:equivalence -- CORPUS_DIR [--config FILE] [--only ID,...] [--kinds K,...]`
 *
 * For every driver folder of the corpus and every rewrite kind of
 * `eval/rewrites.ts`: a copy of the driver with every place of that kind
 * rewritten is scanned with the CLI (every rule on, as the evaluation scans),
 * and its findings (rule, file, line) are compared with the unchanged
 * driver's. The rewrites keep meaning and lines, so any difference is the
 * engine reading two spellings of one program differently. Prints one line
 * per driver and kind, then every difference; exits 1 if there is one.
 */

import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { codeTokens, readC } from './ctext.js';
import { applyEdits, placesOf, REWRITES } from './rewrites.js';
import { scanFolder } from './scanner.js';
import { ENGINE_SOURCE, listDriverFiles } from './tokens.js';
import { repoRoot } from './run.js';

interface Options {
  corpus: string;
  config: string;
  only?: string[];
  kinds: string[];
}

function parse(argv: string[]): Options {
  let corpus: string | undefined;
  let config = path.join(repoRoot, 'eval/ndis-review.yml');
  let only: string[] | undefined;
  let kinds = Object.keys(REWRITES);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i] as string | undefined;
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--config') config = path.resolve(value());
    else if (a === '--only') only = value().split(',');
    else if (a === '--kinds') {
      kinds = value().split(',');
      for (const k of kinds) if (!(k in REWRITES)) throw new Error(`unknown rewrite kind '${k}'`);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else corpus = path.resolve(a);
  }
  if (!corpus) throw new Error('usage: equivalence CORPUS_DIR [--config FILE] [--only ID,...] [--kinds K,...]');
  return { corpus, config, ...(only ? { only } : {}), kinds };
}

const keyOf = (f: { rule: string; path: string; line: number }) => `${f.rule} ${f.path}:${String(f.line)}`;

/** Rewrites every C file of `dir` in place with one kind; the number of places rewritten. */
export function rewriteDriver(dir: string, kind: string): number {
  let places = 0;
  for (const rel of listDriverFiles(dir)) {
    if (!ENGINE_SOURCE.test(rel)) continue;
    const file = path.join(dir, rel);
    const text = readFileSync(file, 'latin1');
    const c = readC(text);
    const edits = REWRITES[kind](c, codeTokens(c));
    if (edits.length === 0) continue;
    places += placesOf(edits);
    writeFileSync(file, applyEdits(text, edits), 'latin1');
  }
  return places;
}

async function main(): Promise<number> {
  const opts = parse(process.argv.slice(2));
  const cli = path.join(repoRoot, 'bin/ndis-review.js');
  const drivers = readdirSync(opts.corpus)
    .filter((d) => statSync(path.join(opts.corpus, d)).isDirectory())
    .filter((d) => !opts.only || opts.only.includes(d))
    .sort();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ndis-review-equivalence-'));
  const differences: string[] = [];
  const totals = new Map<string, { drivers: number; places: number; differ: number }>();
  try {
    for (const d of drivers) {
      const src = path.join(opts.corpus, d);
      const base = new Set((await scanFolder(src, { cli, config: opts.config })).findings.map(keyOf));
      for (const kind of opts.kinds) {
        const work = path.join(tmp, d);
        rmSync(work, { recursive: true, force: true });
        cpSync(src, work, { recursive: true });
        const places = rewriteDriver(work, kind);
        if (places === 0) continue;
        const now = new Set((await scanFolder(work, { cli, config: opts.config })).findings.map(keyOf));
        const gone = [...base].filter((k) => !now.has(k));
        const added = [...now].filter((k) => !base.has(k));
        const t = totals.get(kind) ?? { drivers: 0, places: 0, differ: 0 };
        t.drivers++;
        t.places += places;
        if (gone.length + added.length > 0) {
          t.differ++;
          differences.push(`${d} ${kind}:`, ...gone.map((k) => `  - ${k}`), ...added.map((k) => `  + ${k}`));
        }
        totals.set(kind, t);
        console.log(
          `${d} ${kind}: ${String(places)} places, ${gone.length + added.length ? 'findings differ' : 'same findings'}`,
        );
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  console.log('\nper kind: drivers rewritten, places, drivers whose findings differ');
  for (const [kind, t] of totals)
    console.log(
      `  ${kind.padEnd(14)} ${String(t.drivers).padStart(3)} ${String(t.places).padStart(7)} ${String(t.differ).padStart(3)}`,
    );
  if (differences.length) console.log(`\ndifferences:\n${differences.join('\n')}`);
  return differences.length ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`)
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(`equivalence: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(2);
    },
  );
