/**
 * The file-level parse of every C source under each driver folder of a corpus, two ways in one
 * process, alternating per file: the whole parse (every function body read with its file) and the
 * parse the scan uses, which leaves the bodies out (`src/engine/skeleton.ts`). Both with the
 * driver's own macros, as a scan gives them. Prints the sum of each way's time per round, their
 * ratio, and how many build variants the skeleton could not be trusted for (parsed whole).
 *
 * Run: npm run bench:parse -- --corpus DIR   (builds, then node dist/bench/parse-stage.js)
 * Options: --rounds N (default 3)
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { lexBytes } from '../src/engine/lexentry.js';
import { tokenize } from '../src/engine/lexer.js';
import { macrosFor, repositoryMacros } from '../src/engine/macrotable.js';
import { parseFacts } from '../src/engine/parse.js';
import { prepareSource, type Prepared } from '../src/engine/preprocess.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { seedWords } from '../src/engine/scan.js';
import { functionBodies } from '../src/engine/skeleton.js';
import { listSources } from '../src/engine/sources.js';
import { decodeSource } from '../src/engine/text.js';
import type { MacroTable } from '../src/engine/expand.js';
import { numberOption } from './options.js';

interface Unit {
  prepared: Prepared;
  macros: MacroTable;
}

/** Every source of one driver folder, prepared, with the macros a scan would give its parse. */
async function driverUnits(dir: string, keep: ReadonlySet<string>): Promise<Unit[]> {
  const paths = (await listSources(dir)).paths;
  const bytes = paths.map((p) => readFileSync(p));
  const lexes = bytes.map((b) => lexBytes(b));
  const all = repositoryMacros(
    lexes.map((l) => l.lex),
    keep,
  );
  return bytes.map((b, i) => {
    const { text } = decodeSource(b);
    return { prepared: prepareSource(text, tokenize(text)), macros: macrosFor(lexes[i].lex.idents, all).table };
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const at = argv.indexOf('--corpus');
  const corpus = at >= 0 ? argv[at + 1] : undefined;
  if (!corpus) throw new Error('usage: parse-stage --corpus DIR [--rounds N]');
  const rounds = numberOption('rounds', 3);
  const pack = loadRulePack();
  // The names a scan never expands (the pack's APIs and role words), as scan.ts keeps them.
  const keep = new Set(seedWords(pack));
  const units: Unit[] = [];
  for (const name of readdirSync(corpus).sort()) {
    const dir = join(corpus, name);
    if (statSync(dir).isDirectory()) units.push(...(await driverUnits(dir, keep)));
  }
  let variants = 0;
  let untrusted = 0;
  for (const u of units)
    for (const v of u.prepared.variants) {
      variants++;
      if (!functionBodies(v, tokenize(v))) untrusted++;
    }
  process.stdout.write(`${String(units.length)} files, ${String(variants)} build variants`);
  process.stdout.write(`; the skeleton not trusted for ${String(untrusted)} (parsed whole)\n`);
  for (let r = 0; r < rounds; r++) {
    let whole = 0;
    let skeleton = 0;
    for (const u of units) {
      // Alternating per file, so a drift of the machine's speed falls on both ways alike.
      const t0 = performance.now();
      parseFacts(u.prepared, u.macros, { skeleton: false });
      const t1 = performance.now();
      parseFacts(u.prepared, u.macros);
      skeleton += performance.now() - t1;
      whole += t1 - t0;
    }
    process.stdout.write(
      `round ${String(r + 1)}: whole parse ${whole.toFixed(0)} ms, bodies left out ${skeleton.toFixed(0)} ms, ratio ${(skeleton / whole).toFixed(3)}\n`,
    );
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`parse-stage: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(2);
});
