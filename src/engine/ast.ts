/**
 * The compact syntax the analyses read: function bodies as plain data, so
 * they can be cached by content hash and the tree-sitter tree dropped. Only
 * what the rules need survives: calls, assignments, conditions, control flow.
 */

import type { Expansion } from './expand.js';

/** [line, column, endLine, endColumn], 1-based, end column exclusive. */
export type Pos = [number, number, number, number];

export type Expr =
  | { t: 'id'; n: string; /** Text shown for it when it stands for other syntax (`pathalias.ts`). */ shown?: string }
  | { t: 'num'; v: string }
  | { t: 'lit' }
  | { t: 'call'; f: Expr; a: Expr[]; p: Pos }
  | { t: 'fld'; o: Expr; f: string; ar: boolean }
  | { t: 'idx'; o: Expr; i: Expr }
  | { t: 'un'; op: string; e: Expr }
  | { t: 'post'; op: string; e: Expr }
  | { t: 'bin'; op: string; l: Expr; r: Expr }
  | { t: 'asg'; op: string; l: Expr; r: Expr }
  | { t: 'cast'; ty: string; e: Expr }
  | { t: 'cond'; c: Expr; a: Expr; b: Expr }
  | { t: 'seq'; l: Expr; r: Expr }
  | { t: 'sizeof' }
  | { t: 'init'; items: { f?: string; e: Expr }[] }
  | { t: 'unk' };

export interface VarDecl {
  n: string;
  /** Base type name (typedef or struct tag), pointer stars not included. */
  ty: string;
  ptr: number;
  init?: Expr;
}

export type Stmt =
  | { k: 'blk'; b: Stmt[] }
  | { k: 'exp'; e: Expr; p: Pos }
  | { k: 'decl'; d: VarDecl[]; p: Pos }
  | { k: 'if'; c: Expr; t: Stmt; f?: Stmt; p: Pos }
  | { k: 'while'; c: Expr; b: Stmt; p: Pos }
  | { k: 'do'; b: Stmt; c: Expr; p: Pos }
  | { k: 'for'; i?: Stmt; c?: Expr; u?: Expr; b: Stmt; p: Pos }
  | { k: 'sw'; c: Expr; b: Stmt; p: Pos }
  | { k: 'case'; v?: Expr; p: Pos }
  | { k: 'lbl'; n: string; p: Pos }
  | { k: 'goto'; n: string; p: Pos }
  | { k: 'ret'; e?: Expr; p: Pos }
  | { k: 'brk'; p: Pos }
  | { k: 'cont'; p: Pos }
  | { k: 'nop' };

export interface FunctionFact {
  name: string;
  isStatic: boolean;
  /** Position of the function name in its definition. */
  p: Pos;
  endLine: number;
  /** Offsets of the definition and of its body's `{` in the (length-preserving) variant text. */
  start: number;
  bodyStart: number;
  end: number;
  /** Names called directly (or macros used like calls), each once; read from the body's tokens. */
  calls: string[];
  /** Identifiers used as values (candidates for address-taken functions), each once. */
  refs: string[];
  /** Line of each ref's first use, parallel to `refs`. */
  refLines: number[];
  /** Calls through function pointers (`a->Ops->Start(a)`, `(*pfn)(x)`). */
  indirectCalls: number;
  /**
   * Field names of calls through struct fields (`Start` in `a->Ops->Start(a)`
   * and `(*a->Start)(a)`), each once: linking resolves them to the functions
   * stored into such fields.
   */
  fieldCalls?: string[];
  /** Field names this function assigns (`=`, compound assignment, `++`/`--`), each once. */
  fieldWrites?: string[];
  /**
   * Flag words it only sets or clears bits of with a constant mask (`a->Flags |= F_X`,
   * `a->Flags &= ~F_Y`), as `Flags|=F_X` / `Flags&=~F_Y`, each once: the bits the mask
   * does not name keep their value across a call of it.
   */
  maskedWrites?: string[];
  /** Texts of its `return` expressions, each once (`*` when there are too many to list; empty for none). */
  returns: string[];
  /**
   * The definition contained syntax tree-sitter could not read. For a body the file's parse left out
   * (`bodyLeftOut`) only what lies outside the body: the body's own is in its detail (`FnDef.damaged`).
   */
  damaged: boolean;
  /**
   * The file was parsed without this function's body (see skeleton.ts): its syntax damage, its nesting
   * and whether it reads only with the project's macros expanded are learned when the body is read.
   */
  bodyLeftOut?: true;
  /** Build variant the definition was read from (0 unless the file has #else branches). */
  variant: number;
  /**
   * Index in `ParsedFacts.expansions` when the definition was read only after
   * its region's macros were expanded; `start`, `bodyStart` and `end` are then
   * offsets in that expanded text.
   */
  expansion?: number;
}

/**
 * A function's parameters and body as syntax: produced on demand, only for
 * the functions the path analysis and the traces walk, and cached.
 */
export interface FunctionDetail {
  params: VarDecl[];
  body: Stmt;
  /**
   * A body the file's parse left out, read on its own: the line where its syntax does not read even
   * with the project's macros expanded, or where it nests too deep (then `deep` says how).
   */
  damagedAt?: number;
  /** Why reading stopped at `damagedAt`, when it was the nesting limit (a notice's text). */
  deep?: string;
  /**
   * tree-sitter recovered from a syntax error in it (one the analyses do not count as damage). Its error
   * recovery weighs skipped bytes and lines, so the reading may differ after an edit of spacing or
   * comments: such a reading is never moved to a new version (`moveddetail.ts`).
   */
  recovered?: true;
}

/** `obj.Field = Value` or `.Field = Value` with a plain identifier value (casts and & removed). */
export interface FieldAssign {
  /** Text of the object expression (`MPChar`, `pChars`, or `{}` for an initializer). */
  obj: string;
  field: string;
  value: string;
  /** Enclosing function, or undefined at file scope. */
  fn?: string;
  line: number;
  col: number;
}

/** A top-level declaration `TYPE name;` or a prototype; role type declarations are among them. */
export interface TopDecl {
  ty: string;
  name: string;
  line: number;
  isFunction: boolean;
  ptr: number;
  isStatic: boolean;
}

export interface ParsedFacts {
  functions: FunctionFact[];
  /** Details produced so far, by `variant:start`. */
  details?: Record<string, FunctionDetail>;
  decls: TopDecl[];
  assigns: FieldAssign[];
  /** `_Function_class_(ROLE)` annotations attached to the name they precede. */
  functionClass: { roleType: string; name: string; line: number }[];
  /** Identifiers used as values at file scope (initializers of tables), with the line of first use. */
  fileRefs: { n: string; line: number }[];
  /** Lines where the parser had to recover from broken syntax. */
  damagedLines: number[];
  /** A tree the facts were read from had a syntax error (damage or not): see `FunctionDetail.recovered`. */
  recovered?: true;
  /** Regions that parse only with the project's macros expanded (see expand.ts). */
  expansions?: Expansion[];
  /** Regions whose macro expansion was given up, with why. */
  expansionLimits?: { line: number; why: string }[];
  /** Where reading stopped at a limit (code nested too deep), with what that means. */
  limits?: { line: number; message: string }[];
}
