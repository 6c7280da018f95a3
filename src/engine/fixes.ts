/**
 * Fixes the engine is certain of, as text edits on the sources:
 * - a leak on a failure path: the release call inserted before the jump,
 *   with the acquisition's own argument texts, offered only where every path
 *   through the jump fails and every inserted name is in scope there and
 *   unchanged since the acquisition;
 * - a release with the wrong length: the acquired length in its place, when
 *   it is a constant or its names are in scope at the release.
 * Argument texts are taken from the source as written (casts, `sizeof`,
 * parentheses kept); a name is carried from a helper into its caller only
 * through a variable of the same type, never guessed.
 */
import type { Pos, Stmt } from './ast.js';
import { walkExprs, walkStmts, type FnDef, type Program } from './program.js';
import type { ResourceDef } from './rulepack.js';
import { apiCalls, functionEnv } from './sites.js';
import { decodeSource, lineStarts } from './text.js';
import type { Fix } from './types.js';
import { defined } from '../util/defined.js';

/** Source text of a file the program parsed, with its line starts. */
interface Source {
  text: string;
  starts: number[];
}

export class FixMaker {
  private readonly sources = new Map<string, Source | null>();

  constructor(private readonly program: Program) {}

  private source(path: string): Source | undefined {
    let s = this.sources.get(path);
    if (s === undefined) {
      const bytes = this.program.files.get(path)?.bytes;
      if (bytes) {
        const text = decodeSource(bytes).text;
        s = { text, starts: lineStarts(text) };
      } else s = null;
      this.sources.set(path, s);
    }
    return s ?? undefined;
  }

  private offset(src: Source, line: number, col: number): number {
    return (src.starts[line - 1] ?? src.text.length) + col - 1;
  }

  /** The argument texts of a call, as written, or undefined when the call is not plain text there (a macro). */
  callArgs(path: string, p: Pos, name: string): { texts: string[]; spans: [number, number][] } | undefined {
    const src = this.source(path);
    if (!src) return undefined;
    const start = this.offset(src, p[0], p[1]);
    const end = this.offset(src, p[2], p[3]);
    const text = src.text.slice(start, end);
    if (!text.startsWith(name)) return undefined;
    const open = text.indexOf('(', name.length);
    if (open < 0 || text.slice(name.length, open).trim() !== '') return undefined;
    const texts: string[] = [];
    const spans: [number, number][] = [];
    let depth = 0;
    let from = open + 1;
    for (let i = open; i < text.length; i++) {
      const c = text[i];
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        depth--;
        if (depth === 0) {
          texts.push(text.slice(from, i));
          spans.push([start + from, start + i]);
          return { texts, spans };
        }
      } else if (c === ',' && depth === 1) {
        texts.push(text.slice(from, i));
        spans.push([start + from, start + i]);
        from = i + 1;
      } else if (c === '"' || c === "'") {
        const close = text.indexOf(c, i + 1);
        if (close < 0) return undefined;
        i = close;
      }
    }
    return undefined;
  }

  /**
   * The release inserted before a failing jump: `{ RELEASE(...); return s; }` in place of the jump.
   */
  releaseBefore(
    resource: ResourceDef,
    site: { file: string; fn: string; p: Pos },
    jump: { file: string; fn: string; p: Pos; kind: string },
  ): Fix | undefined {
    const argsFrom = resource.release.argsFromAcquire;
    if (!argsFrom) return undefined;
    const siteFn = this.fnAt(site.file, site.fn, site.p[0]);
    const jumpFn = this.fnAt(jump.file, jump.fn, jump.p[0]);
    if (!siteFn || !jumpFn) return undefined;
    const call = apiCalls(this.program, siteFn, resource.acquire.call).find(
      (c) => c.call.p[0] === site.p[0] && c.call.p[1] === site.p[1] && !c.viaMacro,
    );
    if (!call) return undefined;
    const args = this.callArgs(site.file, call.call.p, resource.acquire.call);
    if (!args) return undefined;
    const texts: string[] = [];
    for (const from of argsFrom) {
      let t = (args.texts[from] as string | undefined)?.trim();
      if (t === undefined) return undefined;
      // The acquired handle is written through `&x`: the release takes `x`.
      if (from === resource.acquire.handleArg && resource.acquire.handleIsOut) {
        t = t.replace(/^(?:\(\s*[A-Za-z_][\w\s]*\**\s*\)\s*)*&\s*/, '');
        if (t === args.texts[from].trim()) return undefined;
      }
      const carried = this.carry(t, siteFn, jumpFn, site.p[0], jump.p[0]);
      if (carried === undefined) return undefined;
      texts.push(carried);
    }
    const src = this.source(jump.file);
    if (!src) return undefined;
    const start = this.offset(src, jump.p[0], jump.p[1]);
    const end = this.offset(src, jump.p[2], jump.p[3]);
    const stmt = src.text.slice(start, end);
    // Only a plain `return ...;` or `goto ...;` written there (not one a macro produced).
    if (!/^(?:return|goto)\b[\s\S]*;$/.test(stmt)) return undefined;
    const call$ = `${resource.release.call}(${texts.join(', ')});`;
    return {
      description: `call ${resource.release.call} before this ${jump.kind}`,
      edits: [
        {
          path: jump.file,
          startLine: jump.p[0],
          startColumn: jump.p[1],
          endLine: jump.p[0],
          endColumn: jump.p[1],
          text: `{ ${call$} `,
        },
        {
          path: jump.file,
          startLine: jump.p[2],
          startColumn: jump.p[3],
          endLine: jump.p[2],
          endColumn: jump.p[3],
          text: ' }',
        },
      ],
    };
  }

  /** The acquired length in place of the released one. */
  lengthAt(
    resource: ResourceDef,
    acquire: { fn: FnDef; p: Pos; viaMacro?: string },
    release: { fn: FnDef; p: Pos; viaMacro?: string },
  ): Fix | undefined {
    if (acquire.viaMacro || release.viaMacro) return undefined;
    const a = this.callArgs(acquire.fn.file, acquire.p, resource.acquire.call);
    const r = this.callArgs(release.fn.file, release.p, resource.release.call);
    if (!a || !r) return undefined;
    const length = a.texts[resource.acquire.lengthArg]?.trim();
    const span = r.spans[resource.release.lengthArg] as [number, number] | undefined;
    if (!length || !span) return undefined;
    const carried = this.carry(length, acquire.fn, release.fn, acquire.p[0], release.p[0]);
    if (carried === undefined) return undefined;
    const src = defined(this.source(release.fn.file), `source of ${release.fn.file}`);
    // Keep the argument's own spacing: replace only its text.
    const raw = src.text.slice(span[0], span[1]);
    const lead = raw.length - raw.trimStart().length;
    const trail = raw.length - raw.trimEnd().length;
    const from = span[0] + lead;
    const to = span[1] - trail;
    const at = (o: number): [number, number] => {
      let lo = 0;
      let hi = src.starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (src.starts[mid] <= o) lo = mid;
        else hi = mid - 1;
      }
      return [lo + 1, o - src.starts[lo] + 1];
    };
    const [sl, sc] = at(from);
    const [el, ec] = at(to);
    return {
      description: `release the ${resource.words.unit} acquired: ${carried}`,
      edits: [{ path: release.fn.file, startLine: sl, startColumn: sc, endLine: el, endColumn: ec, text: carried }],
    };
  }

  private fnAt(file: string, name: string, line: number): FnDef | undefined {
    const fns = this.program.functions.filter((f) => f.file === file && f.name === name);
    return fns.find((f) => f.fact.p[0] <= line && f.fact.endLine >= line) ?? fns[0];
  }

  /**
   * An expression written in `from` (at line `fromLine`) as it must read in `to` (at `toLine`):
   * names of constants and globals as they are; a local or parameter only through a variable of
   * the same type in `to`, unassigned between the two lines (or, in another function, before
   * `toLine` except where it is declared). Undefined when that is not certain.
   */
  private carry(text: string, from: FnDef, to: FnDef, fromLine: number, toLine: number): string | undefined {
    const fromEnv = functionEnv(from);
    const toEnv = functionEnv(to);
    const words = new Set(text.match(/[A-Za-z_]\w*/g) ?? []);
    const rename = new Map<string, string>();
    for (const w of words) {
      const v = fromEnv.vars.get(w);
      if (!v) {
        // Not a variable of the function: a macro, an enumeration constant, a global, a type or a field.
        if (to !== from && toEnv.vars.has(w)) return undefined; // shadowed in the target function
        continue;
      }
      if (to === from) {
        if (assignedBetween(from.body, w, fromLine, toLine)) return undefined;
        continue;
      }
      const same = [...toEnv.vars].filter(([, t]) => t.ty === v.ty && t.ptr === v.ptr).map(([n]) => n);
      const pick = same.length === 1 ? same[0] : same.includes(w) ? w : undefined;
      if (!pick || assignedBetween(to.body, pick, 0, toLine, true)) return undefined;
      rename.set(w, pick);
    }
    if (!rename.size) return text;
    return text.replace(/[A-Za-z_]\w*/g, (w, at: number) =>
      // Field names after `.` or `->` are not variables.
      /(?:\.|->)\s*$/.test(text.slice(0, at)) ? w : (rename.get(w) ?? w),
    );
  }
}

/** Lines of the statements that assign each name (or hand it by address), and of its declarations. */
interface Assignments {
  writes: Map<string, number[]>;
  decls: Map<string, number[]>;
}

const assignmentsCache = new WeakMap<Stmt, Assignments>();

/**
 * Every statement's assignments, read once per function: a leak's fix is made at each failing jump,
 * and reading the body again for each one made 4,000 status checks take 20 s (`bench:hostile`).
 * A statement counts for an assignment anywhere inside it, as its own start line.
 */
function assignmentsOf(body: Stmt): Assignments {
  const hit = assignmentsCache.get(body);
  if (hit) return hit;
  const out: Assignments = { writes: new Map(), decls: new Map() };
  const note = (m: Map<string, number[]>, name: string, line: number) => {
    const lines = m.get(name);
    if (!lines) m.set(name, [line]);
    else if (lines[lines.length - 1] !== line) lines.push(line);
  };
  walkStmts(body, (s) => {
    if (s.k === 'blk' || !('p' in s)) return;
    const line = s.p[0];
    if (s.k === 'decl') for (const d of s.d) note(out.decls, d.n, line);
    walkExprs(s, (e) => {
      if (e.t === 'asg' && e.l.t === 'id') note(out.writes, e.l.n, line);
      if ((e.t === 'post' || (e.t === 'un' && (e.op === '++' || e.op === '--'))) && e.e.t === 'id')
        note(out.writes, e.e.n, line);
      if (e.t === 'call')
        for (const a of e.a) if (a.t === 'un' && a.op === '&' && a.e.t === 'id') note(out.writes, a.e.n, line);
    });
  });
  for (const m of [out.writes, out.decls]) for (const lines of m.values()) lines.sort((a, b) => a - b);
  assignmentsCache.set(body, out);
  return out;
}

/** Is one of these sorted lines after `from` and before `to`? */
function anyBetween(lines: number[] | undefined, from: number, to: number): boolean {
  if (!lines) return false;
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines[mid] <= from) lo = mid + 1;
    else hi = mid;
  }
  return lo < lines.length && lines[lo] < to;
}

/**
 * Is `name` assigned (or handed by address to a call) in a statement that starts after `fromLine`
 * and before `toLine`? With `declOk`, its declaration's initializer does not count.
 */
function assignedBetween(body: Stmt, name: string, fromLine: number, toLine: number, declOk = false): boolean {
  const a = assignmentsOf(body);
  return (
    (!declOk && anyBetween(a.decls.get(name), fromLine, toLine)) || anyBetween(a.writes.get(name), fromLine, toLine)
  );
}
