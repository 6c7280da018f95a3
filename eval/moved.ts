/**
 * `npm run eval:moved -- CORPUS_DIR [--bodies N]`
 *
 * The check behind moved facts (`src/engine/movedfacts.ts`) on real code: every C file of the corpus
 * is edited seven ways that keep its tokens (a comment line at the top, a `//` line in the middle,
 * a space after each line-end `;`, leading spaces as a tab, comments or blanks at random token
 * starts, blank or comment lines at random places, the same with line breaks), and wherever the
 * engine moves the earlier facts instead of parsing, they must equal a fresh parse's, positions
 * included. With `--bodies N`, the bodies of every function of every N-th file are compared too:
 * moved from the earlier version where they can be (`moveddetail.ts`) against a fresh parse's.
 * Prints moved / parsed per edit and every difference; exits 1 if there is one.
 */

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { loadFunctionDetail, parseBytes, readingOf, type ParsedEntry } from '../src/engine/filefacts.js';
import { tokenize } from '../src/engine/lexer.js';
import { factsFromEarlier } from '../src/engine/movedfacts.js';
import { seeded, seedFor } from './random.js';
import { ENGINE_SOURCE, listDriverFiles } from './tokens.js';
import { runAsCommand } from './script.js';

/** One way of editing a text that keeps its tokens (a random source for the ones that place at random). */
type Edit = (text: string, random: () => number) => string;

/** `n` token starts of `text` picked at random, last first (so inserting at one leaves the others' offsets). */
function tokenStarts(text: string, n: number, random: () => number): number[] {
  const toks = tokenize(text);
  const picked = new Set<number>();
  for (let k = 0; k < n && toks.count > 0; k++) picked.add(toks.start[Math.floor(random() * toks.count)]);
  return [...picked].sort((a, b) => b - a);
}

function insertAt(text: string, offsets: number[], pick: () => string): string {
  let out = text;
  for (const o of offsets) out = out.slice(0, o) + pick() + out.slice(o);
  return out;
}

export const MOVED_EDITS: Record<string, Edit> = {
  'top comment': (t) => `/* moved */\n${t}`,
  'middle line': (t) => {
    const lines = t.split('\n');
    lines.splice(Math.floor(lines.length / 2), 0, '// middle');
    return lines.join('\n');
  },
  'space after ;': (t) => t.replace(/;(\r?\n)/g, '; $1'),
  tabs: (t) => t.replace(/^ {4}/gm, '\t'),
  'at token starts': (t, r) => {
    const inserts = ['/* f */ ', '\t', '  '];
    return insertAt(t, tokenStarts(t, 8, r), () => inserts[Math.floor(r() * inserts.length)]);
  },
  'random lines': (t, r) => {
    const lines = t.split('\n');
    for (let k = 0; k < 5; k++) lines.splice(Math.floor(r() * (lines.length + 1)), 0, r() < 0.5 ? '' : '   // c');
    return lines.join('\n');
  },
  'line breaks': (t, r) => {
    const inserts = ['/* f */ ', '\n', '  \n   '];
    return insertAt(t, tokenStarts(t, 6, r), () => inserts[Math.floor(r() * inserts.length)]);
  },
};

export interface MovedReport {
  files: number;
  /** Per edit: files whose facts moved, and files parsed instead. */
  byEdit: Record<string, { moved: number; parsed: number }>;
  bodies: number;
  differences: string[];
}

const factsOf = ({ details: _d, macroBodies: _m, ...facts }: ParsedEntry) => facts;

/** Runs the check over every C file below `corpus` (`bodiesEvery`: compare bodies of every N-th file; 0: none). */
export function checkMoved(corpus: string, bodiesEvery = 0, seed = 1): MovedReport {
  const report: MovedReport = { files: 0, byEdit: {}, bodies: 0, differences: [] };
  for (const name of Object.keys(MOVED_EDITS)) report.byEdit[name] = { moved: 0, parsed: 0 };
  const files = listDriverFiles(corpus).filter((f) => ENGINE_SOURCE.test(f));
  for (const [index, rel] of files.entries()) {
    const bytes = new Uint8Array(readFileSync(path.join(corpus, rel)));
    const text = Buffer.from(bytes).toString('latin1');
    let old: ParsedEntry;
    try {
      old = parseBytes(bytes);
    } catch {
      continue;
    }
    report.files++;
    const withBodies = bodiesEvery > 0 && index % bodiesEvery === 0;
    if (withBodies) for (const f of old.functions) loadFunctionDetail(bytes, old, f);
    const random = seeded(seedFor(rel, seed));
    for (const [name, edit] of Object.entries(MOVED_EDITS)) {
      const edited = new Uint8Array(Buffer.from(edit(text, random), 'latin1'));
      const moved = factsFromEarlier({ bytes, parsed: old }, edited, old.macroDigest, readingOf).facts;
      const tally = report.byEdit[name];
      if (!moved) {
        tally.parsed++;
        continue;
      }
      tally.moved++;
      const fresh = parseBytes(edited);
      if (!isDeepStrictEqual(factsOf(moved), factsOf(fresh))) {
        report.differences.push(`${rel} (${name}): moved facts differ from a fresh parse`);
        continue;
      }
      if (!withBodies) continue;
      for (const [i, f] of moved.functions.entries()) {
        const a = loadFunctionDetail(edited, moved, f, undefined, { bytes, parsed: old });
        const b = loadFunctionDetail(edited, fresh, fresh.functions[i]);
        report.bodies++;
        if (!isDeepStrictEqual(a, b)) report.differences.push(`${rel} (${name}): the body of ${f.name} differs`);
      }
    }
  }
  return report;
}

function main(argv: string[]): number {
  let corpus: string | undefined;
  let bodies = 0;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--bodies') bodies = Number(argv[++i]);
    else if (argv[i].startsWith('--')) throw new Error(`unknown option ${argv[i]}`);
    else corpus = path.resolve(argv[i]);
  }
  if (!corpus || !Number.isInteger(bodies) || bodies < 0) {
    process.stderr.write('usage: eval:moved CORPUS_DIR [--bodies N]\n');
    return 2;
  }
  const r = checkMoved(corpus, bodies);
  process.stdout.write(`moved facts: ${String(r.files)} C files under ${corpus}\n`);
  for (const [name, t] of Object.entries(r.byEdit))
    process.stdout.write(
      `  ${name.padEnd(16)} moved ${String(t.moved).padStart(6)}  parsed ${String(t.parsed).padStart(6)}\n`,
    );
  if (bodies) process.stdout.write(`  bodies compared: ${String(r.bodies)}\n`);
  for (const d of r.differences) process.stdout.write(`DIFFERENCE ${d}\n`);
  process.stdout.write(`${String(r.differences.length)} difference(s)\n`);
  return r.differences.length ? 1 : 0;
}

runAsCommand(import.meta.url, 'eval:moved', main);
