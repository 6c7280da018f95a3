/**
 * The plain count the engine's API call sites are checked against: identifier
 * tokens naming an API in the raw files of a driver, outside comments, string
 * and character literals and preprocessor directive lines. No macro is
 * expanded and no `#if` is evaluated, so a difference with what the engine
 * sees points at something the engine dropped, added or expanded.
 */

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { codeTokens, readC } from './ctext.js';

/** The files the engine reads (its own list, repeated here on purpose: a change there shows as a mismatch). */
export const ENGINE_SOURCE = /\.(?:c|h|inc|inl)$/i;
/** C++ sources and headers: the engine does not read them, but their calls are the driver's calls. */
export const OTHER_SOURCE = /\.(?:cpp|cxx|cc|hpp|hxx|hh)$/i;
const SKIP_DIRS = new Set(['.git', 'node_modules', '.svn', '.hg', 'obj', 'objfre', 'objchk']);

/** Relative paths (forward slashes, sorted) of the C and C++ files below `root`. */
export function listDriverFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) walk(full);
      } else if (e.isFile() && (ENGINE_SOURCE.test(e.name) || OTHER_SOURCE.test(e.name))) {
        out.push(path.relative(root, full).split(path.sep).join('/'));
      }
    }
  };
  walk(root);
  return out.sort();
}

/** How often each of `names` occurs as an identifier token in code (not comments, literals or directives). */
export function countTokens(text: string, names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = 0;
  const wanted = new Set(names);
  for (const token of codeTokens(readC(text))) {
    if (token.kind === 'id' && wanted.has(token.text)) counts[token.text]++;
  }
  return counts;
}

export interface RawApiCount {
  /** Tokens in the files the engine reads. */
  engineFiles: number;
  /** Tokens in C++ files, which the engine does not read. */
  otherFiles: number;
}

/** Raw token counts of each API over a driver's files. */
export function countDriverTokens(root: string, names: readonly string[]): Record<string, RawApiCount> {
  const result: Record<string, RawApiCount> = {};
  for (const name of names) result[name] = { engineFiles: 0, otherFiles: 0 };
  for (const file of listDriverFiles(root)) {
    const counts = countTokens(readFileSync(path.join(root, file), 'latin1'), names);
    const bucket = ENGINE_SOURCE.test(file) ? 'engineFiles' : 'otherFiles';
    for (const name of names) result[name][bucket] += counts[name];
  }
  return result;
}
