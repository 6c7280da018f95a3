/**
 * `npm run eval:roles -- CORPUS_DIR [--labels DIR] [--corpus FILE]`
 *
 * Which of the callbacks the labels list (each driver's initialize, halt and `callbacks`, with the role
 * a reader gave each) the engine knows as a callback: a function the engine gives no role runs in a
 * context it cannot name, so the rules that walk callbacks (`ndis/spinlock-balance`) or judge them by
 * role skip it, silently. Each driver is read as a scan reads it (the same files, lexed and parsed by
 * the engine's own stages, linked with the pack's role tables), without the macro expansions a scan
 * makes for regions that do not parse. Prints the figure and the callbacks it lacks, by the labels'
 * role.
 */

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { lexBytes, parseBytes } from '../src/engine/filefacts.js';
import { Program } from '../src/engine/program.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { type Label, readLabel } from './labels.js';
import { readManifest } from './manifest.js';
import { repoRoot } from './run.js';
import { ENGINE_SOURCE, listDriverFiles } from './tokens.js';
import { runAsCommand } from './script.js';

export interface MissingCallback {
  driver: string;
  name: string;
  file: string;
  line: number;
  /** The role the label gives it. */
  role: string;
}

export interface RoleRecall {
  /** Labelled callbacks whose definition the engine found. */
  callbacks: number;
  /** Of those, the ones it gives a role. */
  known: number;
  missing: MissingCallback[];
}

/** The labelled callbacks of the driver at `root` and which of them the engine gives a role. */
export function roleRecall(root: string, label: Label): RoleRecall {
  const files = listDriverFiles(root)
    .filter((f) => ENGINE_SOURCE.test(f))
    .map((file) => {
      const bytes = readFileSync(path.join(root, file));
      return { path: file, lex: lexBytes(bytes).lex, parsed: parseBytes(bytes), bytes };
    });
  const program = new Program(files, loadRulePack().roles);
  const labelled = [
    ...label.initialize.map((r) => ({ ...r, role: 'initialize' })),
    ...label.halt.map((r) => ({ ...r, role: 'halt' })),
    ...label.callbacks,
  ];
  const seen = new Set<string>();
  const out: RoleRecall = { callbacks: 0, known: 0, missing: [] };
  for (const cb of labelled) {
    const key = `${cb.file}:${cb.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const defs = program.functions.filter((f) => f.name === cb.name && f.file === cb.file);
    if (defs.length === 0) continue;
    out.callbacks++;
    if (defs.some((f) => program.rolesOf(f).some((r) => r.role !== 'unknown'))) out.known++;
    else out.missing.push({ driver: label.driver, name: cb.name, file: cb.file, line: cb.line, role: cb.role });
  }
  return out;
}

function main(argv: string[]): number {
  let corpus: string | undefined;
  let labels = path.join(repoRoot, 'eval', 'labels');
  let manifest = path.join(repoRoot, 'eval', 'corpus.json');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--labels') labels = path.resolve(argv[++i]);
    else if (argv[i] === '--corpus') manifest = path.resolve(argv[++i]);
    else if (argv[i].startsWith('--')) throw new Error(`unknown option ${argv[i]}`);
    else corpus = path.resolve(argv[i]);
  }
  if (!corpus) {
    process.stderr.write('usage: eval:roles CORPUS_DIR [--labels DIR] [--corpus FILE]\n');
    return 2;
  }
  const total: RoleRecall = { callbacks: 0, known: 0, missing: [] };
  let drivers = 0;
  for (const d of readManifest(manifest)) {
    const file = path.join(labels, `${d.id}.json`);
    const root = path.join(corpus, d.id, d.folder);
    if (!existsSync(file) || !existsSync(root)) continue;
    const r = roleRecall(root, readLabel(file));
    drivers++;
    total.callbacks += r.callbacks;
    total.known += r.known;
    total.missing.push(...r.missing);
  }
  const share = total.callbacks ? ((100 * total.known) / total.callbacks).toFixed(1) : 'n/a';
  process.stdout.write(
    `callbacks the labels list: ${String(total.callbacks)} over ${String(drivers)} drivers; ` +
      `the engine gives a role to ${String(total.known)} (${share} %)\n`,
  );
  const byRole = new Map<string, MissingCallback[]>();
  for (const m of total.missing) byRole.set(m.role, [...(byRole.get(m.role) ?? []), m]);
  for (const [role, list] of [...byRole].sort((a, b) => b[1].length - a[1].length))
    process.stdout.write(
      `  ${String(list.length).padStart(4)} ${role}: ${list
        .slice(0, 3)
        .map((m) => `${m.driver} ${m.file}:${String(m.line)} ${m.name}`)
        .join(', ')}\n`,
    );
  return 0;
}

runAsCommand(import.meta.url, 'eval:roles', main);
