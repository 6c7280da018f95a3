/**
 * A small C tokenizer. It is the cheap pass every file gets (an order of
 * magnitude faster than a tree-sitter parse): it feeds the identifier index
 * that decides which files need a parse, the macro and typedef tables, and
 * the annotation neutraliser. Comments and string contents never produce
 * identifiers; preprocessor lines come out as one token each.
 */

export const enum Tok {
  Ident = 1,
  Number = 2,
  String = 3,
  Punct = 4,
  Directive = 5,
}

export interface Tokens {
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  count: number;
}

// One sticky pattern; the group that matched tells the kind. Order matters:
// comments before punctuation, directives only at a line start (checked below).
const TOKEN = new RegExp(
  [
    /(\s+)/.source, // 1 whitespace
    /(\/\*[\s\S]*?(?:\*\/|$)|\/\/(?:[^\n\\]|\\\r?\n?|\\.)*)/.source, // 2 comment
    /([A-Za-z_$][\w$]*)/.source, // 3 identifier (may be a string prefix, handled below)
    /(\.?\d(?:[eEpP][+-]|[\w.])*)/.source, // 4 pp-number
    /("(?:[^"\\\n]|\\[\s\S])*"?|'(?:[^'\\\n]|\\[\s\S])*'?)/.source, // 5 string / char
    /(->|\+\+|--|<<=|>>=|<<|>>|<=|>=|==|!=|&&|\|\||\+=|-=|\*=|\/=|%=|&=|\^=|\|=|##|\.\.\.|[\s\S])/.source, // 6 punct
  ].join('|'),
  'y',
);

const DIRECTIVE_END = /(?:[^\n\\/]|\\\r?\n|\\[^\n]|\/\*[\s\S]*?(?:\*\/|$)|\/\/[^\n]*|\/(?![/*]))*/y;

export function tokenize(text: string): Tokens {
  const cap = Math.max(16, text.length >> 2);
  let kind = new Uint8Array(cap);
  let start = new Int32Array(cap);
  let end = new Int32Array(cap);
  let count = 0;
  let atLineStart = true;
  let pos = 0;
  const push = (k: number, s: number, e: number) => {
    if (count === kind.length) {
      const n = kind.length * 2;
      const k2 = new Uint8Array(n); k2.set(kind); kind = k2;
      const s2 = new Int32Array(n); s2.set(start); start = s2;
      const e2 = new Int32Array(n); e2.set(end); end = e2;
    }
    kind[count] = k; start[count] = s; end[count] = e; count++;
  };
  TOKEN.lastIndex = 0;
  while (pos < text.length) {
    if (atLineStart && text.charCodeAt(pos) === 35 /* # */) {
      DIRECTIVE_END.lastIndex = pos + 1;
      DIRECTIVE_END.exec(text);
      const e = DIRECTIVE_END.lastIndex;
      push(Tok.Directive, pos, e);
      pos = e;
      atLineStart = false;
      continue;
    }
    TOKEN.lastIndex = pos;
    const m = TOKEN.exec(text);
    if (!m) break;
    const e = TOKEN.lastIndex;
    if (m[1] !== undefined) {
      if (m[1].includes('\n')) atLineStart = true;
    } else if (m[2] !== undefined) {
      // A block comment spanning lines does not make a line start by itself.
    } else {
      atLineStart = false;
      if (m[3] !== undefined) {
        // L"..", u8"..", u'..' are strings, not identifiers.
        const next = text.charCodeAt(e);
        if ((next === 34 || next === 39) && /^(?:L|u8|u|U)$/.test(m[3])) {
          TOKEN.lastIndex = e;
          const s = TOKEN.exec(text);
          if (s && s[5] !== undefined) {
            push(Tok.String, pos, TOKEN.lastIndex);
            pos = TOKEN.lastIndex;
            continue;
          }
        }
        push(Tok.Ident, pos, e);
      } else if (m[4] !== undefined) push(Tok.Number, pos, e);
      else if (m[5] !== undefined) push(Tok.String, pos, e);
      else push(Tok.Punct, pos, e);
    }
    pos = e;
  }
  return { kind, start, end, count };
}
