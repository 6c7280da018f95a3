/**
 * Lexical facts of a file (every file gets them): apart from the parse
 * (filefacts.ts), so a run that finds every file cached loads no parser code.
 */
import { createHash } from 'node:crypto';
import { lexFacts, type LexFacts } from './lexfacts.js';
import { tokenize } from './lexer.js';
import { decodeSource, lineOf, lineStarts, type DecodedText } from './text.js';

export interface LexEntry {
  lex: LexFacts;
  encoding: DecodedText['encoding'];
  lines: number;
}

export function lexBytes(bytes: Uint8Array): LexEntry {
  const { text, encoding } = decodeSource(bytes);
  const toks = tokenize(text);
  const starts = lineStarts(text);
  const lex = lexFacts(text, toks, (o) => lineOf(starts, o));
  return { lex, encoding, lines: starts.length };
}

const linkSigs = new WeakMap<LexFacts, string>();
const placeFreeSigs = new WeakMap<LexFacts, string>();

/**
 * Digest of what the program reads from a file it does not parse (macros, typedefs, structs, enums):
 * two contents with the same digest link the same. Only a scan with a cache asks (its keys).
 * `lines: false` leaves out the lines the macros are defined at, for keys that must survive an edit
 * that only moves code (`movedanalysis.ts`).
 */
export function linkSigOf(entry: LexEntry, opts: { lines?: boolean } = {}): string {
  const lines = opts.lines ?? true;
  const memo = lines ? linkSigs : placeFreeSigs;
  let sig = memo.get(entry.lex);
  if (sig === undefined) {
    const { lex } = entry;
    const macros = lines ? lex.macros : lex.macros.map((m) => [m.name, m.params, m.body]);
    sig = createHash('sha1')
      .update(JSON.stringify([macros, lex.typedefs, lex.structs, lex.enums]))
      .digest('hex');
    memo.set(lex, sig);
  }
  return sig;
}
