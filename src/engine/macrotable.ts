/**
 * The repository's macros, as the expander needs them: one definition per
 * name (of several in `#if` branches, the one that keeps the most: a debug
 * build's `x` over a release build's nothing), plus the common WDK macros of
 * `rules/wdk-macros.json` that the project does not define itself. Each file
 * gets the part of the table its identifiers can reach, and a digest of it
 * for cache keys: a header's macro edit re-parses the files that use it.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MacroDefinition, MacroTable } from './expand.js';
import type { LexFacts } from './lexfacts.js';
import { packageRoot } from './rulepack.js';
import { defined } from '../util/defined.js';

let wdk: MacroDefinition[] | undefined;

/** The WDK macro table shipped in the rule pack. */
export function wdkMacros(): MacroDefinition[] {
  if (!wdk) {
    const data = JSON.parse(readFileSync(join(packageRoot, 'rules/wdk-macros.json'), 'utf8')) as {
      macros: Record<string, { params: string[] | null; body: string }>;
    };
    wdk = Object.entries(data.macros).map(([name, m]) => ({ name, params: m.params, body: m.body }));
  }
  return wdk;
}

/**
 * One definition per macro name over the whole repository. `keep` names are
 * never expanded (the rule pack's APIs: expanding a project's redefinition
 * of one would hide the call the rules look for).
 */
export function repositoryMacros(files: Iterable<LexFacts>, keep: ReadonlySet<string>): Map<string, MacroDefinition> {
  const table = new Map<string, MacroDefinition>();
  for (const lex of files)
    for (const m of lex.macros) {
      if (keep.has(m.name)) continue;
      const had = table.get(m.name);
      if (!had || m.body.trim().length > had.body.trim().length)
        table.set(m.name, { name: m.name, params: m.params, body: m.body });
    }
  for (const m of wdkMacros()) if (!table.has(m.name) && !keep.has(m.name)) table.set(m.name, m);
  return table;
}

/** The macros a file's identifiers can reach (through other macros' bodies too), with their digest. */
export function macrosFor(
  idents: Iterable<string>,
  all: ReadonlyMap<string, MacroDefinition>,
): { table: MacroTable; digest: string } {
  const table = new Map<string, MacroDefinition>();
  const queue: string[] = [];
  for (const n of idents) if (all.has(n) && !table.has(n)) queue.push(n);
  for (let n = queue.pop(); n !== undefined; n = queue.pop()) {
    if (table.has(n)) continue;
    const m = defined(all.get(n), `macro ${n}`);
    table.set(n, m);
    for (const w of m.body.match(/[A-Za-z_]\w*/g) ?? []) if (all.has(w) && !table.has(w)) queue.push(w);
  }
  if (table.size === 0) return { table, digest: '' };
  const h = createHash('sha1');
  for (const [name, m] of [...table].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    h.update(`${name}(${m.params?.join(',') ?? '-'})=${m.body}\n`);
  }
  return { table, digest: h.digest('hex') };
}

/** Digests of each file's macro definitions (names, parameters, bodies; not where they are). */
const definitionDigests = new WeakMap<LexFacts, string>();
function definitionDigest(lex: LexFacts): string {
  let d = definitionDigests.get(lex);
  if (d === undefined) {
    const h = createHash('sha1');
    for (const m of lex.macros) h.update(`${m.name}(${m.params?.join(',') ?? '-'})=${m.body}\n`);
    d = lex.macros.length ? h.digest('hex') : '';
    definitionDigests.set(lex, d);
  }
  return d;
}

/** The repository's macro table of one scan, with what is read from it per file, made once each. */
export interface RepositoryMacros {
  table: ReadonlyMap<string, MacroDefinition>;
  /** `macrosFor` a file's identifiers (the same set object: the same answer). */
  forFile(idents: ReadonlySet<string>): { table: MacroTable; digest: string };
  /** Macro names by each word their bodies mention, over every definition of every file. */
  mentioning(): ReadonlyMap<string, string[]>;
}

/**
 * Keeps the last scan's macro table of a repository: an edit that changes no macro definition (the
 * bodies of functions, comments, lines moved) finds it again with what each unchanged file read
 * from it, instead of building it and walking every file's identifiers through it on every scan.
 */
export class MacroTables {
  private last: { key: string; macros: RepositoryMacros } | undefined;

  /** The table of these files' macros (in this order) without `keep`, as `repositoryMacros` makes it. */
  of(files: readonly LexFacts[], keep: ReadonlySet<string>): RepositoryMacros {
    const h = createHash('sha1');
    h.update([...keep].sort().join(','));
    for (const lex of files) {
      const d = definitionDigest(lex);
      if (d) h.update(`\n${d}`);
    }
    const key = h.digest('hex');
    if (this.last?.key === key) return this.last.macros;
    const macros = repositoryMacrosOf(files, keep);
    this.last = { key, macros };
    return macros;
  }
}

/** A fresh `RepositoryMacros` (no memory between scans). */
export function repositoryMacrosOf(files: readonly LexFacts[], keep: ReadonlySet<string>): RepositoryMacros {
  const table = repositoryMacros(files, keep);
  const perFile = new WeakMap<ReadonlySet<string>, { table: MacroTable; digest: string }>();
  let mentioning: Map<string, string[]> | undefined;
  return {
    table,
    forFile(idents) {
      let m = perFile.get(idents);
      if (!m) perFile.set(idents, (m = macrosFor(idents, table)));
      return m;
    },
    mentioning() {
      if (!mentioning) {
        mentioning = new Map();
        for (const lex of files)
          for (const m of lex.macros)
            for (const w of new Set(m.body.match(/[A-Za-z_]\w*/g) ?? [])) {
              const list = mentioning.get(w);
              if (list) list.push(m.name);
              else mentioning.set(w, [m.name]);
            }
      }
      return mentioning;
    },
  };
}
