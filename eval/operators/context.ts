/**
 * What an operator reads: the label and the driver's text, parsed lazily and
 * once (masked text, tokens, the coarse function graph).
 */

import { type CText, type Token, codeTokens, readC } from '../ctext.js';
import { type DriverGraph, type FunctionDef, buildGraph, findFunction, functionAt } from '../cfuncs.js';
import type { FunctionRef, Label, Place } from '../labels.js';
import type { Exclusion } from '../mutant.js';

/** The driver's files by path relative to the scan root (forward slashes), as latin1 text. */
export interface DriverText {
  paths(): readonly string[];
  read(file: string): string | undefined;
}

export function textFromMap(files: ReadonlyMap<string, string>): DriverText {
  return { paths: () => [...files.keys()].sort(), read: (file) => files.get(file) };
}

export class OperatorContext {
  private readonly parsed = new Map<string, CText | undefined>();
  private readonly tokenCache = new Map<string, Token[]>();
  private graphCache: DriverGraph | undefined;

  constructor(
    readonly label: Label,
    private readonly driver: DriverText,
  ) {}

  /** Every file of the driver. */
  files(): readonly string[] {
    return this.driver.paths();
  }

  c(file: string): CText | undefined {
    if (!this.parsed.has(file)) {
      const text = this.driver.read(file);
      this.parsed.set(file, text === undefined ? undefined : readC(text));
    }
    return this.parsed.get(file);
  }

  /** Code tokens of a file (directives left out). */
  tokens(file: string): Token[] {
    let tokens = this.tokenCache.get(file);
    if (!tokens) {
      const c = this.c(file);
      tokens = c ? codeTokens(c) : [];
      this.tokenCache.set(file, tokens);
    }
    return tokens;
  }

  graph(): DriverGraph {
    if (!this.graphCache) {
      const files = new Map<string, CText>();
      for (const path of this.driver.paths()) {
        const c = this.c(path);
        if (c) files.set(path, c);
      }
      this.graphCache = buildGraph(files);
    }
    return this.graphCache;
  }

  /** The definition a label entry points at. */
  definition(ref: FunctionRef): FunctionDef | undefined {
    const c = this.c(ref.file);
    if (!c) return undefined;
    return findFunction(
      this.graph().defs.filter((d) => d.file === ref.file),
      c,
      ref.name,
      ref.line,
    );
  }

  /** The definition holding a place. */
  enclosing(place: Place): FunctionDef | undefined {
    const c = this.c(place.file);
    return c ? functionAt(this.graph(), c, place.file, place.line) : undefined;
  }

  exclusion(operator: string, rule: string, place: Place, detail: string): Exclusion {
    return { operator, rule, file: place.file, line: place.line, detail };
  }
}

/** Same file and line. */
export function samePlace(a: Place, b: Place): boolean {
  return a.file === b.file && a.line === b.line;
}

export function placeKey(p: Place): string {
  return `${p.file}:${String(p.line)}`;
}
