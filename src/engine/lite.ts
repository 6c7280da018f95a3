/**
 * A plain JavaScript copy of a tree-sitter subtree, made in one cursor walk.
 *
 * Reading a function's syntax through node-tree-sitter's `SyntaxNode` costs a
 * native call, a transfer buffer and a cached wrapper object for every child,
 * field and position looked at; on real drivers that was most of the time
 * spent reading function bodies, and most of the garbage. A cursor walk asks
 * the native side a few numbers per node and nothing else, so the extractor
 * reads a copy made that way instead: the same shape and the same answers
 * as the `SyntaxNode` calls it uses (`extract.ts`), in plain objects.
 */
import type Parser from 'tree-sitter';
import { lineOf, lineStarts } from './text.js';

/** The part of tree-sitter's node interface the extractor reads. */
export interface SyntaxLike {
  readonly type: string;
  readonly text: string;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: Parser.Point;
  readonly endPosition: Parser.Point;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly children: SyntaxLike[];
  readonly namedChildren: SyntaxLike[];
  readonly namedChildCount: number;
  readonly firstChild: SyntaxLike | null;
  namedChild(index: number): SyntaxLike | null;
  childForFieldName(field: string): SyntaxLike | null;
  childrenForFieldName(field: string): SyntaxLike[];
  descendantsOfType(type: string): SyntaxLike[];
}

/** The text a copy was made from, with its line starts for positions (computed on first use). */
class LiteSource {
  constructor(
    readonly text: string,
    private starts?: number[],
  ) {}

  /** Row and column (0-based, in UTF-16 units as node-tree-sitter gives them for a string) of an offset. */
  point(offset: number): Parser.Point {
    const starts = (this.starts ??= lineStarts(this.text));
    const line = lineOf(starts, offset);
    return { row: line - 1, column: offset - starts[line - 1] };
  }
}

/** A leaf's children: one shared empty list (half the nodes of a tree are leaves). */
const NO_CHILDREN = Object.freeze([]) as unknown as LiteNode[];

const NAMED = 1;
const MISSING = 2;
const ERROR_INSIDE = 4;

/**
 * One node: its kind, span and field, and its flags in one number. Kept small, as every node of every
 * function body read becomes one (the largest allocation of a scan, measured).
 */
export class LiteNode implements SyntaxLike {
  children: LiteNode[] = NO_CHILDREN;
  private flags: number;
  private named: LiteNode[] | undefined;

  constructor(
    private readonly src: LiteSource,
    readonly type: string,
    isNamed: boolean,
    isMissing: boolean,
    /** The field this node fills in its parent (`declarator`, `body`), if any. */
    readonly field: string | null,
    readonly startIndex: number,
    readonly endIndex: number,
  ) {
    this.flags =
      (isNamed ? NAMED : 0) | (isMissing ? MISSING | ERROR_INSIDE : 0) | (type === 'ERROR' ? ERROR_INSIDE : 0);
  }

  get isNamed(): boolean {
    return (this.flags & NAMED) !== 0;
  }

  get isMissing(): boolean {
    return (this.flags & MISSING) !== 0;
  }

  /** The node is an ERROR or a missing token, or has one below it. */
  get hasError(): boolean {
    return (this.flags & ERROR_INSIDE) !== 0;
  }

  /** Adds a child (the copy is built in one walk, children in order). */
  add(child: LiteNode): void {
    if (this.children === NO_CHILDREN) this.children = [];
    this.children.push(child);
  }

  /** Called once every child is in: an error below any of them is one below this node. */
  seal(): void {
    for (const c of this.children)
      if (c.hasError) {
        this.flags |= ERROR_INSIDE;
        return;
      }
  }

  get text(): string {
    return this.src.text.slice(this.startIndex, this.endIndex);
  }

  get startPosition(): Parser.Point {
    return this.src.point(this.startIndex);
  }

  get endPosition(): Parser.Point {
    return this.src.point(this.endIndex);
  }

  get namedChildren(): LiteNode[] {
    return (this.named ??= this.children.filter((c) => c.isNamed));
  }

  get namedChildCount(): number {
    return this.namedChildren.length;
  }

  get firstChild(): LiteNode | null {
    return this.children.length ? this.children[0] : null;
  }

  namedChild(index: number): LiteNode | null {
    const named = this.namedChildren;
    return index >= 0 && index < named.length ? named[index] : null;
  }

  // Asked of an ERROR node, tree-sitter's childForFieldName answers nothing, though a cursor (and
  // childrenForFieldName) name the fields its children had: the copy answers the same.
  childForFieldName(field: string): LiteNode | null {
    if (this.type === 'ERROR') return null;
    for (const c of this.children) if (c.field === field) return c;
    return null;
  }

  childrenForFieldName(field: string): LiteNode[] {
    return this.children.filter((c) => c.field === field);
  }

  /** Preorder, this node included (as tree-sitter's). */
  descendantsOfType(type: string): LiteNode[] {
    const out: LiteNode[] = [];
    const stack: LiteNode[] = [this];
    for (let n = stack.pop(); n; n = stack.pop()) {
      if (n.type === type) out.push(n);
      for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i]);
    }
    return out;
  }
}

/** Names of node types and fields by id, per language: asked of the native side once each. */
const typeNames = new Map<number, { type: string; named: boolean }>();
const fieldNames = new Map<number, string>();

/**
 * A copy of `node`'s subtree. `text` is the text the tree was parsed from
 * (offsets index it), `starts` its line starts when the caller has them.
 * Missing tokens are looked for only in a subtree that
 * has an error at all.
 */
export function liteTree(node: Parser.SyntaxNode, text: string, starts?: number[]): LiteNode {
  const src = new LiteSource(text, starts);
  const damaged = node.hasError;
  const cursor = node.walk();
  const make = (): LiteNode => {
    const id = cursor.nodeTypeId;
    let t = typeNames.get(id);
    if (!t) typeNames.set(id, (t = { type: cursor.nodeType, named: cursor.nodeIsNamed }));
    const fid = cursor.currentFieldId;
    let field: string | null = null;
    if (fid) {
      field = fieldNames.get(fid) ?? null;
      if (field === null) fieldNames.set(fid, (field = cursor.currentFieldName));
    }
    const missing = damaged && cursor.nodeIsMissing;
    // A missing token carries the type of what is missing, and is named as that type is.
    const named = missing ? cursor.nodeIsNamed : t.named;
    return new LiteNode(src, t.type, named, missing, field, cursor.startIndex, cursor.endIndex);
  };
  const root = make();
  if (!cursor.gotoFirstChild()) return root;
  // The nodes whose children are being read, innermost last.
  const open: LiteNode[] = [root];
  for (;;) {
    const parent = open[open.length - 1];
    const n = make();
    parent.add(n);
    if (cursor.gotoFirstChild()) {
      open.push(n);
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      cursor.gotoParent();
      // Every child of the innermost open node is read: its error flag is final, and goes up.
      const done = open.pop();
      done?.seal();
      if (open.length === 0) return root;
    }
  }
}
