/**
 * Tree-sitter tree → ParsedFacts. Runs once per file content (in a worker
 * thread for large scans); the tree is dropped afterwards and only these
 * facts are kept and cached.
 */
import type Parser from 'tree-sitter';
import type {
  Expr,
  FieldAssign,
  FunctionDetail,
  FunctionFact,
  ParsedFacts,
  Pos,
  Stmt,
  TopDecl,
  VarDecl,
} from './ast.js';

import type { SyntaxLike } from './lite.js';

type Node = SyntaxLike;

/**
 * Where positions come from: the tree's own rows and columns, or, for a
 * region parsed after macro expansion, the source offsets its map gives.
 */
export interface SourcePositions {
  /** 1-based [line, column] of a source offset. */
  at(offset: number): [number, number];
  /** Source offset of an offset in the parsed text (`end`: an exclusive end). */
  source(offset: number, end: boolean): number;
}

let positions: SourcePositions | undefined;

/** Runs `fn` with positions read through `p` (for a region parsed after expansion). */
export function withPositions<T>(p: SourcePositions | undefined, fn: () => T): T {
  const saved = positions;
  positions = p;
  try {
    return fn();
  } finally {
    positions = saved;
  }
}

// Every statement and call gets a position: each point is asked for once, and the four numbers are
// copied, not spread (spreading went through an iterator per element, a large share of the garbage).
const startAt = (n: Node): [number, number] => {
  if (positions) return positions.at(positions.source(n.startIndex, false));
  const p = n.startPosition;
  return [p.row + 1, p.column + 1];
};
const endAt = (n: Node): [number, number] => {
  if (positions) return positions.at(positions.source(n.endIndex, true));
  const p = n.endPosition;
  return [p.row + 1, p.column + 1];
};
const startLine = (n: Node): number => startAt(n)[0];

const pos = (n: Node): Pos => {
  const a = startAt(n);
  const b = endAt(n);
  return [a[0], a[1], b[0], b[1]];
};

/** Tokens tree-sitter may put in to recover without losing anything the analyses read. */
const BENIGN_MISSING = new Set([';', 'identifier', 'type_identifier']);
/** Text that, skipped, could hide a call or change where control goes. */
const MEANINGFUL = /\b(?:return|goto|break|continue|if|else|switch|case|default|while|for|do)\b|[A-Za-z_]\w*\s*\(|[{}]/;

/**
 * Damage that loses something the analyses read: an ERROR region that holds
 * a call, a brace or a control keyword, or a missing token other than a `;`
 * or a name tree-sitter supplied (`ASSERT(x)` with no `;`, `typedef
 * __declspec(...) NAME;` with its type implied). Those recoveries keep every
 * statement; the others may not.
 */
export function harmfulDamage(n: Node): boolean {
  if (!n.hasError) return false;
  if (n.isMissing) return !BENIGN_MISSING.has(n.type);
  if (n.type === 'ERROR' && MEANINGFUL.test(n.text)) return true;
  for (const c of n.children) if (harmfulDamage(c)) return true;
  return false;
}

/**
 * How deep the compact syntax may nest (statements and expressions, counted
 * from the function's body). Every later stage walks it by recursion (the
 * control-flow graph, the path analysis, the caches' serialisers), and a
 * stack is about a megabyte: real code nests a few dozen levels, a hostile
 * file thousands. A function nested deeper is read down to this depth,
 * below it only for the calls it makes, and counts as damaged (see
 * `FactExtractor.functionDefinition`), so no rule trusts its paths.
 */
export const MAX_NESTING = 256;

/** Per-function collection state. */
interface Scope {
  fn: string | undefined;
  indirect: number;
  calls: Set<string>;
  refs: Set<string>;
  locals: Set<string>;
  assigns: FieldAssign[];
  damaged: boolean;
  /** Nesting of the statement or expression being read. */
  depth: number;
  /** Lines where nesting went past MAX_NESTING and the rest was read only for its calls. */
  cuts?: number[];
  /** Where a `__leave` of each enclosing `__try` goes: the label before its `__finally`, innermost last. */
  leave?: string[];
}

/** A line where reading stopped at a limit, for the file's notices. */
export interface LimitNote {
  line: number;
  message: string;
}

export class FactExtractor {
  readonly functions: FunctionFact[] = [];
  readonly decls: TopDecl[] = [];
  readonly assigns: FieldAssign[] = [];
  readonly fileRefs = new Map<string, number>();
  private readonly declRefs = new Set<string>();
  readonly damagedLines: number[] = [];
  /** Where reading stopped at a limit (nesting too deep). */
  readonly limits: LimitNote[] = [];
  /** Start offsets of named top-level items, for attaching `_Function_class_` marks. */
  readonly itemStarts: { offset: number; name: string; line: number }[] = [];

  /** Reads the top-level items of one (variant or segment) tree. */
  addTopLevel(nodes: Parser.SyntaxNode[], variant: number): void {
    for (const n of nodes) this.topItem(n, variant);
  }

  topItem(top: Parser.SyntaxNode, variant: number): void {
    // `extern "C" {` blocks nest: a stack, not recursion, however deep a file nests them.
    const todo = [top];
    for (let n = todo.pop(); n; n = todo.pop()) {
      switch (n.type) {
        case 'function_definition':
          this.functionDefinition(n, variant);
          break;
        case 'declaration':
          this.topDeclaration(n);
          break;
        case 'linkage_specification': {
          const body = n.childForFieldName('body');
          if (body) todo.push(...body.namedChildren.reverse());
          break;
        }
        case 'ERROR':
          if (harmfulDamage(n)) this.damagedLines.push(startLine(n));
          for (const c of n.namedChildren.reverse())
            if (c.type === 'function_definition' || c.type === 'declaration') todo.push(c);
          break;
        default:
          break;
      }
    }
  }

  private functionDefinition(n: Parser.SyntaxNode, variant: number): void {
    const nameNode = functionNameNode(n);
    if (!nameNode) return;
    const name = nameNode.text;
    const bodyNode = n.childForFieldName('body');
    // The body is read later (functionDetail) with the same limit: a function it would cut is damaged now.
    const tooDeep = bodyNode ? deepPoint(bodyNode, MAX_NESTING - 1) : undefined;
    if (tooDeep !== undefined) this.limits.push({ line: tooDeep, message: tooDeepMessage(name) });
    const damaged = harmfulDamage(n) || tooDeep !== undefined;
    const start = n.startIndex;
    const end = n.endIndex;
    this.functions.push({
      name,
      isStatic: hasStorage(n, 'static'),
      p: pos(nameNode),
      endLine: endAt(n)[0],
      start,
      bodyStart: bodyNode ? bodyNode.startIndex : end,
      end,
      // Filled from the body's tokens (see lexscan.ts): no walk of the tree here.
      calls: [],
      refs: [],
      refLines: [],
      indirectCalls: 0,
      returns: [],
      damaged,
      variant,
    });
    // Syntax damage only: a function cut for its depth says so in its own note.
    if (harmfulDamage(n)) this.damagedLines.push(startLine(n));
    this.itemStarts.push({ offset: start, name, line: startLine(nameNode) });
  }

  private topDeclaration(n: Node): void {
    const typeNode = n.childForFieldName('type');
    const ty = typeNode ? typeName(typeNode) : '';
    const isStatic = hasStorage(n, 'static');
    this.declRefs.clear();
    const scope: Scope = {
      fn: undefined,
      indirect: 0,
      calls: new Set(),
      refs: this.declRefs,
      locals: new Set(),
      assigns: this.assigns,
      damaged: false,
      depth: 0,
      cuts: [],
    };
    for (const d of n.childrenForFieldName('declarator')) {
      let target: Node | null = d;
      let init: Node | null = null;
      if (d.type === 'init_declarator') {
        target = d.childForFieldName('declarator');
        init = d.childForFieldName('value');
      }
      let ptr = 0;
      let isFunction = false;
      while (target && target.type !== 'identifier') {
        if (target.type === 'pointer_declarator') ptr++;
        if (target.type === 'function_declarator') isFunction = true;
        target = target.childForFieldName('declarator');
      }
      if (!target) continue;
      const name = target.text;
      this.decls.push({ ty, name, line: startLine(target), isFunction, ptr, isStatic });
      this.itemStarts.push({ offset: n.startIndex, name, line: startLine(target) });
      if (init) {
        const e = expr(init, scope);
        recordInitializer(name, e, scope, init);
        for (const r of this.declRefs) if (!this.fileRefs.has(r)) this.fileRefs.set(r, startLine(init));
        this.declRefs.clear();
      }
    }
    for (const line of new Set(scope.cuts))
      this.limits.push({
        line,
        message: `An initializer here is nested more than ${String(MAX_NESTING)} levels deep: what is nested deeper was read only for the names it calls.`,
      });
  }

  finish(functionClass: { roleType: string; offset: number }[]): ParsedFacts {
    // Attach each `_Function_class_` mark to the first item that starts after it.
    this.itemStarts.sort((a, b) => a.offset - b.offset);
    const fc: ParsedFacts['functionClass'] = [];
    for (const m of functionClass) {
      const item = this.itemStarts.find((it) => it.offset >= m.offset);
      if (item) fc.push({ roleType: m.roleType, name: item.name, line: item.line });
    }
    return {
      functions: this.functions,
      decls: this.decls,
      assigns: this.assigns,
      functionClass: fc,
      fileRefs: [...this.fileRefs].map(([n, line]) => ({ n, line })),
      damagedLines: [...new Set(this.damagedLines)].sort((a, b) => a - b),
      ...(this.limits.length ? { limits: this.limits } : {}),
    };
  }
}

/**
 * The line of a node more than `limit` levels below `root`, if any. Only
 * subtrees with enough nodes to be that deep are entered, and they are
 * walked with a cursor (sizes read from preorder indices, no node objects),
 * so a normal function costs a look at its few largest statements.
 */
export function deepPoint(root: Parser.SyntaxNode, limit: number): number | undefined {
  const total = root.descendantCount;
  if (total <= limit) return undefined;
  const cursor = root.walk();
  // Preorder index, subtree size (itself included) and depth of subtrees still to look into.
  const stack: [number, number, number][] = [[0, total, 0]];
  for (let top = stack.pop(); top; top = stack.pop()) {
    const [index, size, depth] = top;
    cursor.gotoDescendant(index);
    if (depth > limit)
      return positions ? positions.at(positions.source(cursor.startIndex, false))[0] : cursor.startPosition.row + 1;
    if (!cursor.gotoFirstChild()) continue;
    // A child's size is the distance to its next sibling's index (or to the parent's end).
    let child = cursor.currentDescendantIndex;
    for (;;) {
      const more = cursor.gotoNextSibling();
      const next = more ? cursor.currentDescendantIndex : index + size;
      if (depth + (next - child) > limit) stack.push([child, next - child, depth + 1]);
      if (!more) break;
      child = next;
    }
  }
  return undefined;
}

/** What a notice says of a function whose body nests past MAX_NESTING. */
export function tooDeepMessage(name: string): string {
  return `Code here is nested more than ${String(MAX_NESTING)} levels deep in ${name}: what is nested deeper was read only for the calls it makes, and ${name} counts as not parsing cleanly.`;
}

/** The name a function definition defines ('' when its declarator names none). */
export function functionNameText(n: Node): string {
  return functionNameNode(n)?.text ?? '';
}

function functionNameNode(n: Node): Node | undefined {
  let decl = n.childForFieldName('declarator');
  while (decl && decl.type !== 'function_declarator') decl = decl.childForFieldName('declarator');
  const nameNode = decl?.childForFieldName('declarator');
  return nameNode?.type === 'identifier' ? nameNode : undefined;
}

/** Parameters and body of one function definition, as the compact syntax. */
export function functionDetail(n: Node): FunctionDetail {
  return readFunctionDetail(n).detail;
}

/** The detail, and whether nesting past MAX_NESTING was cut from it (never so for a function `deepPoint` passed). */
export function readFunctionDetail(n: Node): { detail: FunctionDetail; cut: boolean } {
  let decl = n.childForFieldName('declarator');
  while (decl && decl.type !== 'function_declarator') decl = decl.childForFieldName('declarator');
  const scope: Scope = {
    fn: undefined,
    indirect: 0,
    calls: new Set(),
    refs: new Set(),
    locals: new Set(),
    assigns: [],
    damaged: false,
    depth: 0,
  };
  const params: VarDecl[] = [];
  const plist = decl?.childForFieldName('parameters');
  if (plist) {
    for (const p of plist.namedChildren) {
      if (p.type !== 'parameter_declaration') continue;
      const v = declaredVar(p.childForFieldName('type'), p.childForFieldName('declarator'));
      if (v) params.push(v);
    }
  }
  const bodyNode = n.childForFieldName('body');
  const body: Stmt = bodyNode ? stmt(bodyNode, scope) : { k: 'nop' };
  // A recovery tree-sitter made can turn on spacing and comments: such a reading is not moved.
  const detail: FunctionDetail = n.hasError ? { params, body, recovered: true } : { params, body };
  return { detail, cut: (scope.cuts?.length ?? 0) > 0 };
}

function hasStorage(n: Node, word: string): boolean {
  for (const c of n.children) if (c.type === 'storage_class_specifier' && c.text === word) return true;
  return false;
}

/** The first named child that is not a comment (a comment is a named child wherever it is written). */
function firstNamed(n: Node): Node | null {
  for (const c of n.namedChildren) if (c.type !== 'comment') return c;
  return null;
}

/** Name of a type node: `PADAPTER`, `_ADAPTER` for `struct _ADAPTER`, `int`. */
function typeName(t: Node): string {
  if (t.type === 'struct_specifier' || t.type === 'union_specifier' || t.type === 'enum_specifier') {
    const name = t.childForFieldName('name');
    return name ? name.text : '<anon>';
  }
  if (t.type === 'sized_type_specifier') {
    const inner = t.childForFieldName('type');
    return inner ? inner.text : plainText(t);
  }
  return plainText(t);
}

const COMMENTS = /\/\*[\s\S]*?\*\/|\/\/[^\n]*/g;

/**
 * A node's words as one line: comments out, each run of spacing one space. What the facts hold is
 * then a function of the tokens, as an edit that only moved code leaves them (`movedfacts.ts`).
 */
function plainText(n: Node): string {
  const t = n.text;
  return /\s|\//.test(t) ? t.replace(COMMENTS, ' ').replace(/\s+/g, ' ').trim() : t;
}

/** A declarator with its type: name, base type and pointer depth. */
function declaredVar(typeNode: Node | null, d: Node | null, init?: Expr): VarDecl | undefined {
  let ptr = 0;
  let cur = d;
  while (cur && cur.type !== 'identifier') {
    if (cur.type === 'pointer_declarator' || cur.type === 'abstract_pointer_declarator') ptr++;
    if (cur.type === 'array_declarator') ptr++;
    cur = cur.childForFieldName('declarator');
  }
  if (!cur) return undefined;
  return { n: cur.text, ty: typeNode ? typeName(typeNode) : 'int', ptr, ...(init ? { init } : {}) };
}

function stmt(n: Node, s: Scope): Stmt {
  if (s.depth >= MAX_NESTING) return cutStmt(n, s);
  s.depth++;
  const out = stmtAt(n, s);
  s.depth--;
  return out;
}

/** Too deep to read as structure: the calls inside, in order, each read only a few levels into its arguments. */
function cutStmt(n: Node, s: Scope): Stmt {
  s.damaged = true;
  (s.cuts ??= []).push(startLine(n));
  const saved = s.depth;
  const b: Stmt[] = [];
  for (const c of n.descendantsOfType('call_expression')) {
    s.depth = MAX_NESTING - CUT_ARGUMENT_DEPTH;
    b.push({ k: 'exp', e: expr(c, s), p: pos(c) });
  }
  s.depth = saved;
  for (const id of n.descendantsOfType('identifier')) s.refs.add(id.text);
  return b.length ? { k: 'blk', b } : { k: 'nop' };
}

/** How far into a call's arguments a cut region is still read (`&a->Regs`, `h`, `LEN`). */
const CUT_ARGUMENT_DEPTH = 8;

function stmtAt(n: Node, s: Scope): Stmt {
  switch (n.type) {
    case 'compound_statement': {
      const b: Stmt[] = [];
      for (const c of n.namedChildren) pushStmt(b, c, s);
      return { k: 'blk', b };
    }
    case 'expression_statement': {
      const first = firstNamed(n);
      const e = first ? expr(first, s) : undefined;
      return e ? { k: 'exp', e, p: pos(n) } : { k: 'nop' };
    }
    case 'declaration': {
      const typeNode = n.childForFieldName('type');
      const d: VarDecl[] = [];
      for (const dn of n.childrenForFieldName('declarator')) {
        let target: Node | null = dn;
        let init: Expr | undefined;
        if (dn.type === 'init_declarator') {
          target = dn.childForFieldName('declarator');
          const v = dn.childForFieldName('value');
          if (v) init = expr(v, s);
        }
        const v = declaredVar(typeNode, target, init);
        if (v) {
          s.locals.add(v.n);
          d.push(v);
          if (init) recordInitializer(v.n, init, s, dn);
        }
      }
      return { k: 'decl', d, p: pos(n) };
    }
    case 'if_statement': {
      const c = cond(n.childForFieldName('condition'), s);
      const t = sub(n.childForFieldName('consequence'), s);
      const alt = n.childForFieldName('alternative');
      let f: Stmt | undefined;
      if (alt) {
        const inner = alt.type === 'else_clause' ? firstNamed(alt) : alt;
        if (inner) f = stmt(inner, s);
      }
      return f ? { k: 'if', c, t, f, p: pos(n) } : { k: 'if', c, t, p: pos(n) };
    }
    case 'while_statement':
      return {
        k: 'while',
        c: cond(n.childForFieldName('condition'), s),
        b: sub(n.childForFieldName('body'), s),
        p: pos(n),
      };
    case 'do_statement':
      return {
        k: 'do',
        b: sub(n.childForFieldName('body'), s),
        c: cond(n.childForFieldName('condition'), s),
        p: pos(n),
      };
    case 'for_statement': {
      const init = n.childForFieldName('initializer');
      const c = n.childForFieldName('condition');
      const u = n.childForFieldName('update');
      const out: Stmt = { k: 'for', b: sub(n.childForFieldName('body'), s), p: pos(n) };
      if (init) out.i = init.type === 'declaration' ? stmt(init, s) : { k: 'exp', e: expr(init, s), p: pos(init) };
      if (c) out.c = expr(c, s);
      if (u) out.u = expr(u, s);
      return out;
    }
    case 'switch_statement':
      return {
        k: 'sw',
        c: cond(n.childForFieldName('condition'), s),
        b: sub(n.childForFieldName('body'), s),
        p: pos(n),
      };
    case 'goto_statement': {
      const l = n.childForFieldName('label');
      return { k: 'goto', n: l ? l.text : '', p: pos(n) };
    }
    case 'return_statement': {
      const first = firstNamed(n);
      const e = first ? expr(first, s) : undefined;
      return e ? { k: 'ret', e, p: pos(n) } : { k: 'ret', p: pos(n) };
    }
    case 'break_statement':
      return { k: 'brk', p: pos(n) };
    case 'continue_statement':
      return { k: 'cont', p: pos(n) };
    case 'attributed_statement': {
      const last = n.namedChildren.filter((c) => c.type !== 'comment').at(-1);
      return last ? stmt(last, s) : { k: 'nop' };
    }
    case 'seh_try_statement': {
      // `__try { ... __leave; ... } __finally { ... }`: a `__leave` jumps to the end of the body,
      // and the `__finally` block runs after the body however it ends (a `return` inside the body
      // is not routed through it; drivers leave with `__leave`). An `__except` block runs only on a
      // structured exception, which the walk does not model: it is not on any path.
      const p = pos(n);
      const label = `__leave@${String(p[0])}:${String(p[1])}`;
      const b: Stmt[] = [];
      (s.leave ??= []).push(label);
      for (const c of n.namedChildren) if (c.type === 'compound_statement') b.push(stmt(c, s));
      s.leave.pop();
      b.push({ k: 'lbl', n: label, p });
      for (const c of n.namedChildren)
        if (c.type === 'seh_finally_clause') {
          const body = c.childForFieldName('body') ?? c.namedChildren.find((x) => x.type === 'compound_statement');
          if (body) b.push(stmt(body, s));
        }
      return { k: 'blk', b };
    }
    case 'seh_leave_statement': {
      const label = s.leave?.[s.leave.length - 1];
      return label === undefined ? { k: 'nop' } : { k: 'goto', n: label, p: pos(n) };
    }
    case 'ERROR':
      if (harmfulDamage(n)) s.damaged = true;
      return scanCalls(n, s);
    case 'comment':
    case ';':
      return { k: 'nop' };
    default:
      if (harmfulDamage(n)) s.damaged = true;
      return scanCalls(n, s);
  }
}

/**
 * One node of the tree, whichever object stands for it: tree-sitter hands out a new wrapper for a
 * node it has not cached, so identity said a `case` value or a label was a statement of its own.
 */
function sameNode(a: Node, b: Node | null): boolean {
  return b !== null && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}

/** Statements, with case and labelled statements flattened into markers. */
function pushStmt(out: Stmt[], c: Node, s: Scope): void {
  if (c.type === 'case_statement' || c.type === 'labeled_statement') {
    // `L1: L2: ... x;` nests too: its statements count one level deeper, like any child.
    if (s.depth >= MAX_NESTING) {
      out.push(cutStmt(c, s));
      return;
    }
    s.depth++;
    if (c.type === 'case_statement') {
      const v = c.childForFieldName('value');
      out.push(v ? { k: 'case', v: expr(v, s), p: pos(c) } : { k: 'case', p: pos(c) });
      for (const x of c.namedChildren) if (!sameNode(x, v) && x.type !== 'comment') pushStmt(out, x, s);
    } else {
      const l = c.childForFieldName('label');
      out.push({ k: 'lbl', n: l ? l.text : '', p: pos(c) });
      for (const x of c.namedChildren) if (!sameNode(x, l) && x.type !== 'comment') pushStmt(out, x, s);
    }
    s.depth--;
    return;
  }
  if (c.type === 'comment') return;
  out.push(stmt(c, s));
}

function sub(n: Node | null, s: Scope): Stmt {
  if (!n) return { k: 'nop' };
  if (n.type === 'case_statement' || n.type === 'labeled_statement') {
    const b: Stmt[] = [];
    pushStmt(b, n, s);
    return { k: 'blk', b };
  }
  return stmt(n, s);
}

function cond(n: Node | null, s: Scope): Expr {
  if (!n) return { t: 'unk' };
  return expr(n, s);
}

/** Unknown syntax: keep the calls inside it, so the call graph stays whole. */
function scanCalls(n: Node, s: Scope): Stmt {
  const b: Stmt[] = [];
  for (const c of n.descendantsOfType('call_expression')) b.push({ k: 'exp', e: expr(c, s), p: pos(c) });
  for (const id of n.descendantsOfType('identifier')) s.refs.add(id.text);
  return b.length ? { k: 'blk', b } : { k: 'nop' };
}

const NULLISH = new Set(['null', 'nullptr']);

/** A name written as a type is (`PVOID`, `NDIS_STATUS`, `ULONG_PTR`, `uint32_t`): upper case, or `_t`. */
const TYPE_LIKE = /^(?:[A-Z_][A-Z0-9_]*|[A-Za-z_]\w*_t)$/;

/**
 * `(PVOID)(a->Va)` read as tree-sitter reads it without knowing `PVOID` is a type: a call of the
 * parenthesized name with one argument. A cast to a typedef name followed by a parenthesized operand
 * is everywhere in driver code (a text search finds 2,291 in the evaluation corpus's C files); calling
 * a parenthesized plain name is rare (code does it to call a function that a function-like macro of
 * the same name would replace, `(max)(a, b)`), and such functions are not named in upper case.
 */
function castWrittenAsCall(fnode: Node | null, args: Node | null): { type: string; operand: Node } | undefined {
  if (fnode?.type !== 'parenthesized_expression') return undefined;
  const inside = fnode.namedChildren.filter((x) => x.type !== 'comment');
  if (inside.length !== 1) return undefined;
  const name = inside[0];
  if (name.type !== 'identifier' || !TYPE_LIKE.test(name.text)) return undefined;
  const operands = args?.namedChildren.filter((x) => x.type !== 'comment') ?? [];
  return operands.length === 1 ? { type: name.text, operand: operands[0] } : undefined;
}

/** Casts made from such calls: what follows them (`(PVOID)(*a).Va`) is part of their operand in C. */
const castsAsCalls = new WeakSet<Expr>();

/**
 * A field or element access on `base`: where `base` is a cast read from a call (`(T)(x).f`, which C
 * reads as `(T)((x).f)`), the access goes inside it and the cast stays outermost.
 */
function castOutermost(base: Expr, access: (o: Expr) => Expr): Expr {
  if (base.t !== 'cast' || !castsAsCalls.has(base)) return access(base);
  const out: Expr = { t: 'cast', ty: base.ty, e: access(base.e) };
  castsAsCalls.add(out);
  return out;
}

function expr(n: Node, s: Scope): Expr {
  if (s.depth >= MAX_NESTING) {
    // Too deep to keep: an unknown value, whose calls still count for the call graph.
    s.damaged = true;
    (s.cuts ??= []).push(startLine(n));
    for (const c of n.descendantsOfType('call_expression')) {
      const f = c.childForFieldName('function');
      if (f?.type === 'identifier') s.calls.add(f.text);
    }
    for (const id of n.descendantsOfType('identifier')) s.refs.add(id.text);
    return { t: 'unk' };
  }
  s.depth++;
  const out = exprAt(n, s);
  s.depth--;
  return out;
}

function exprAt(n: Node, s: Scope): Expr {
  switch (n.type) {
    case 'identifier': {
      const name = n.text;
      s.refs.add(name);
      return { t: 'id', n: name };
    }
    case 'number_literal':
      return { t: 'num', v: n.text };
    case 'string_literal':
    case 'char_literal':
    case 'concatenated_string':
      return { t: 'lit' };
    case 'true':
      return { t: 'id', n: 'TRUE' };
    case 'false':
      return { t: 'id', n: 'FALSE' };
    case 'parenthesized_expression': {
      const inner = firstNamed(n);
      const x = inner ? expr(inner, s) : ({ t: 'unk' } as Expr);
      // `((PNIC)(c))->Timer`: the parentheses close the cast, so what follows is not its operand.
      return castsAsCalls.has(x) ? { ...x } : x;
    }
    case 'call_expression': {
      const fnode = n.childForFieldName('function');
      const args = n.childForFieldName('arguments');
      const cast = castWrittenAsCall(fnode, args);
      if (cast) {
        const out: Expr = { t: 'cast', ty: cast.type, e: expr(cast.operand, s) };
        castsAsCalls.add(out);
        return out;
      }
      let f: Expr;
      if (fnode?.type === 'identifier') {
        f = { t: 'id', n: fnode.text };
        s.calls.add(fnode.text);
      } else {
        f = fnode ? expr(fnode, s) : { t: 'unk' };
        s.indirect++;
      }
      const a: Expr[] = [];
      if (args) for (const x of args.namedChildren) if (x.type !== 'comment') a.push(expr(x, s));
      return { t: 'call', f, a, p: pos(n) };
    }
    case 'field_expression': {
      const o = n.childForFieldName('argument');
      const f = n.childForFieldName('field');
      const op = n.childForFieldName('operator');
      const base = o ? expr(o, s) : ({ t: 'unk' } as Expr);
      return castOutermost(base, (x) => ({
        t: 'fld',
        o: x,
        f: f ? f.text : '',
        ar: op ? op.type === '->' : n.text.includes('->'),
      }));
    }
    case 'subscript_expression': {
      const o = n.childForFieldName('argument');
      const i = n.childForFieldName('index');
      const base = o ? expr(o, s) : ({ t: 'unk' } as Expr);
      const index = i ? expr(i, s) : ({ t: 'unk' } as Expr);
      return castOutermost(base, (x) => ({ t: 'idx', o: x, i: index }));
    }
    case 'pointer_expression':
    case 'unary_expression': {
      const op = n.childForFieldName('operator');
      const a = n.childForFieldName('argument');
      return { t: 'un', op: op ? op.type : '?', e: a ? expr(a, s) : { t: 'unk' } };
    }
    case 'update_expression': {
      const op = n.childForFieldName('operator');
      const a = n.childForFieldName('argument');
      const e = a ? expr(a, s) : ({ t: 'unk' } as Expr);
      const prefix = n.firstChild !== null && op !== null && n.firstChild.startIndex === op.startIndex;
      return prefix ? { t: 'un', op: op.type, e } : { t: 'post', op: op ? op.type : '++', e };
    }
    case 'binary_expression': {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      const op = n.childForFieldName('operator');
      return { t: 'bin', op: op ? op.type : '?', l: l ? expr(l, s) : { t: 'unk' }, r: r ? expr(r, s) : { t: 'unk' } };
    }
    case 'assignment_expression': {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      const op = n.childForFieldName('operator');
      const e: Expr = {
        t: 'asg',
        op: op ? op.type : '=',
        l: l ? expr(l, s) : { t: 'unk' },
        r: r ? expr(r, s) : { t: 'unk' },
      };
      if (e.l.t === 'fld') {
        for (const v of storedNames(e.r))
          s.assigns.push({
            obj: exprText(e.l.o),
            field: e.l.f,
            value: v,
            fn: s.fn,
            line: startAt(n)[0],
            col: startAt(n)[1],
          });
      }
      return e;
    }
    case 'cast_expression': {
      const ty = n.childForFieldName('type');
      const v = n.childForFieldName('value');
      return { t: 'cast', ty: ty ? plainText(ty).replace(/ /g, '') : '', e: v ? expr(v, s) : { t: 'unk' } };
    }
    case 'conditional_expression': {
      const c = n.childForFieldName('condition');
      const a = n.childForFieldName('consequence');
      const b = n.childForFieldName('alternative');
      return {
        t: 'cond',
        c: c ? expr(c, s) : { t: 'unk' },
        a: a ? expr(a, s) : { t: 'unk' },
        b: b ? expr(b, s) : { t: 'unk' },
      };
    }
    case 'comma_expression': {
      const l = n.childForFieldName('left');
      const r = n.childForFieldName('right');
      return { t: 'seq', l: l ? expr(l, s) : { t: 'unk' }, r: r ? expr(r, s) : { t: 'unk' } };
    }
    case 'sizeof_expression':
    case 'alignof_expression':
    case 'offsetof_expression':
      return { t: 'sizeof' };
    case 'initializer_list': {
      const items: { f?: string; e: Expr }[] = [];
      for (const c of n.namedChildren) {
        if (c.type === 'initializer_pair') {
          const d = c.childForFieldName('designator');
          const v = c.childForFieldName('value');
          const f = d?.type === 'field_designator' ? plainText(d).replace(/^\. ?/, '') : undefined;
          items.push(f ? { f, e: v ? expr(v, s) : { t: 'unk' } } : { e: v ? expr(v, s) : { t: 'unk' } });
        } else if (c.type !== 'comment') {
          items.push({ e: expr(c, s) });
        }
      }
      return { t: 'init', items };
    }
    case 'compound_literal_expression': {
      const v = n.childForFieldName('value');
      return v ? expr(v, s) : { t: 'unk' };
    }
    default:
      if (NULLISH.has(n.type)) return { t: 'id', n: 'NULL' };
      if (n.type === 'ERROR' && harmfulDamage(n)) s.damaged = true;
      // Keep calls hidden in syntax we do not model (statement expressions, asm ...).
      for (const c of n.descendantsOfType('call_expression')) {
        const f = c.childForFieldName('function');
        if (f?.type === 'identifier') s.calls.add(f.text);
      }
      for (const id of n.descendantsOfType('identifier')) s.refs.add(id.text);
      return { t: 'unk' };
  }
}

/** Designated initializers (`.InitializeHandlerEx = F`) of a declared object. */
function recordInitializer(objName: string, init: Expr, s: Scope, at: Node): void {
  if (init.t !== 'init') return;
  const visit = (items: { f?: string; e: Expr }[], prefix: string) => {
    for (const it of items) {
      if (it.e.t === 'init') {
        visit(it.e.items, it.f ? `${prefix}${it.f}.` : prefix);
        continue;
      }
      const v = plainName(it.e);
      if (it.f && v)
        s.assigns.push({
          obj: objName,
          field: it.f,
          value: v,
          fn: s.fn,
          line: startAt(at)[0],
          col: startAt(at)[1],
        });
    }
  };
  visit(init.items, '');
}

/** The names an assignment may store: one plain name, or each branch's of `c ? A : B`. */
function storedNames(e: Expr): string[] {
  if (e.t === 'cond') return [...storedNames(e.a), ...storedNames(e.b)];
  const v = plainName(e);
  return v === undefined ? [] : [v];
}

/** `F`, `(T)F`, `&F`, `(T)&F` → F; anything else → undefined. */
export function plainName(e: Expr): string | undefined {
  let cur = e;
  for (;;) {
    if (cur.t === 'cast') cur = cur.e;
    else if (cur.t === 'un' && cur.op === '&') cur = cur.e;
    // tree-sitter reads `(PNDIS_TIMER_FUNCTION)&F` as `PNDIS_TIMER_FUNCTION & F`: a bitwise AND
    // of two names is no value a callback field could hold, so it is the cast.
    else if (cur.t === 'bin' && cur.op === '&' && cur.l.t === 'id' && cur.r.t === 'id') cur = cur.r;
    else break;
  }
  return cur.t === 'id' ? cur.n : undefined;
}

/** Source-like text of an expression, for messages and object identity. */
export function exprText(e: Expr): string {
  switch (e.t) {
    case 'id':
      return e.shown ?? e.n;
    case 'num':
      return e.v;
    case 'lit':
      return '"…"';
    case 'call':
      return `${exprText(e.f)}(${e.a.map(exprText).join(', ')})`;
    case 'fld':
      return `${exprText(e.o)}${e.ar ? '->' : '.'}${e.f}`;
    case 'idx':
      return `${exprText(e.o)}[${exprText(e.i)}]`;
    case 'un':
      return `${e.op}${exprText(e.e)}`;
    case 'post':
      return `${exprText(e.e)}${e.op}`;
    case 'bin':
      return `${exprText(e.l)} ${e.op} ${exprText(e.r)}`;
    case 'asg':
      return `${exprText(e.l)} ${e.op} ${exprText(e.r)}`;
    case 'cast':
      return `(${e.ty})${exprText(e.e)}`;
    case 'cond':
      return `${exprText(e.c)} ? ${exprText(e.a)} : ${exprText(e.b)}`;
    case 'seq':
      return `${exprText(e.l)}, ${exprText(e.r)}`;
    case 'sizeof':
      return 'sizeof(…)';
    case 'init':
      return '{…}';
    default:
      return '…';
  }
}
