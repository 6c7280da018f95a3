/**
 * Runs one mutant: a temporary copy of the driver with the mutant's edits,
 * scanned by the CLI, judged against the unmutated driver's findings. The
 * copy hard-links every file it does not edit (falling back to a copy), so a
 * large driver costs little per mutant; edited files are new files, so the
 * corpus is never written.
 */

import { copyFileSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Mutant, applyEdits, shiftFindings } from './mutant.js';
import { type ScanOptions, scanFolder } from './scanner.js';
import { type FindingKey, addedFindings, sameFindings } from './score.js';

export interface MutantResult {
  id: string;
  operator: string;
  file: string;
  line: number;
  description: string;
  expected: FindingKey[];
  /** What the mutant added over the unmutated driver's findings (in the mutant's lines). */
  got: FindingKey[];
  killed: boolean;
  /** The scan of the mutant withheld some decision. */
  complete: boolean;
  error?: string;
  wallMs: number;
}

/** Writes the mutated copy of `root` into a new temporary folder and returns it. */
export function writeMutant(root: string, files: readonly string[], mutant: Mutant): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ndis-review-mutant-'));
  const edited = new Set(mutant.edits.map((e) => e.file));
  for (const file of files) {
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    if (edited.has(file)) continue;
    try {
      linkSync(path.join(root, file), target);
    } catch {
      copyFileSync(path.join(root, file), target);
    }
  }
  for (const file of edited) {
    const text = readFileSync(path.join(root, file), 'latin1');
    const target = path.join(dir, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(
      target,
      applyEdits(
        text,
        mutant.edits.filter((e) => e.file === file),
      ),
      'latin1',
    );
  }
  return dir;
}

/** Killed when the findings added over `base` are exactly the expected ones: right rule, file and line, nothing extra. */
export function judge(
  mutant: Mutant,
  base: readonly FindingKey[],
  found: readonly FindingKey[],
  texts: ReadonlyMap<string, string>,
): { got: FindingKey[]; killed: boolean } {
  const got = addedFindings(shiftFindings(base, texts, mutant.edits), found);
  return { got, killed: sameFindings(got, mutant.expected) };
}

export interface DriverCopy {
  root: string;
  /** The driver's C and C++ files, relative to `root`. */
  files: readonly string[];
  /** Their text (latin1), for shifting the unmutated findings. */
  texts: ReadonlyMap<string, string>;
}

export async function runMutant(
  driver: DriverCopy,
  mutant: Mutant,
  base: readonly FindingKey[],
  rules: ReadonlySet<string>,
  scan: ScanOptions,
): Promise<MutantResult> {
  const dir = writeMutant(driver.root, driver.files, mutant);
  const result: MutantResult = {
    id: mutant.id,
    operator: mutant.operator,
    file: mutant.file,
    line: mutant.line,
    description: mutant.description,
    expected: mutant.expected,
    got: [],
    killed: false,
    complete: true,
    wallMs: 0,
  };
  try {
    const output = await scanFolder(dir, scan);
    const judged = mutant.rules === undefined ? rules : new Set(mutant.rules.filter((r) => rules.has(r)));
    const found = output.findings
      .filter((f) => judged.has(f.rule))
      .map((f) => ({ rule: f.rule, file: f.path, line: f.line }));
    const baseJudged = base.filter((f) => judged.has(f.rule));
    Object.assign(result, judge(mutant, baseJudged, found, driver.texts), {
      complete: output.complete,
      wallMs: output.wallMs,
    });
  } catch (error) {
    result.error = error instanceof Error ? error.message : String(error);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return result;
}
