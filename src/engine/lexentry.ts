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
  /**
   * Digest of what the program reads from a file it does not parse (macros,
   * typedefs, structs): two contents with the same digest link the same.
   */
  linkSig: string;
}

export function lexBytes(bytes: Uint8Array): LexEntry {
  const { text, encoding } = decodeSource(bytes);
  const toks = tokenize(text);
  const starts = lineStarts(text);
  const lex = lexFacts(text, toks, (o) => lineOf(starts, o));
  const linkSig = createHash('sha1')
    .update(JSON.stringify([lex.macros, lex.typedefs, lex.structs, lex.enums]))
    .digest('hex');
  return { lex, encoding, lines: starts.length, linkSig };
}
