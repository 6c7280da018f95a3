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
    /** A node with children spans from its first child's start to its last child's end: `seal` sets them then. */
    public startIndex: number,
    public endIndex: number,
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

  /**
   * Called once every child is in: the node ends where its last child ends (a node's span is its
   * children's, so the copy need not ask), and an error below any of them is one below this node.
   */
  seal(): void {
    const children = this.children;
    if (this.endIndex < 0 && children.length) {
      this.startIndex = children[0].startIndex;
      this.endIndex = children[children.length - 1].endIndex;
    }
    for (const c of children)
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

/**
 * Names of node types and fields by id, per language: asked of the native side once each. `fields`:
 * the type's children may fill fields (the grammar gives it some, or it is an ERROR, whose children
 * keep the fields they had); the children of other types are not asked for one. `ownSpan`: the type
 * may end past its last child, at a token the grammar hides (the line end of tree-sitter-c's
 * `preproc_def`, `preproc_call`, ...: the rules whose last token is an unnamed pattern; none starts
 * with one), so its span is asked; every other node with children spans its children, from the
 * first one's start to the last one's end.
 *
 * `leaf`: the type is a token of tree-sitter-c, which never has children: every anonymous node (a
 * string of the grammar, or a pattern it names `#define`, ...) and the named tokens below (rules that
 * are a pattern or token, and the names the grammar gives only to those). A clean tree's such node is
 * not asked for a first child.
 */
const typeNames = new Map<number, { type: string; named: boolean; fields: boolean; ownSpan: boolean; leaf: boolean }>();
const TOKEN_TYPES = new Set([
  'identifier',
  'field_identifier',
  'statement_identifier',
  'type_identifier',
  'number_literal',
  'string_content',
  'escape_sequence',
  'character',
  'comment',
  'system_lib_string',
  'true',
  'false',
]);
const fieldNames = new Map<number, string>();
/** Types the language's node-types list gives fields, by name; undefined: the language lists none. */
let typesWithFields: Set<string> | undefined;
let typesOf: unknown;

/** The named types of the language (`Language.nodeTypeInfo`, tree-sitter's node-types.json) that have fields. */
function fieldTypes(language: unknown): Set<string> | undefined {
  if (typesOf === language) return typesWithFields;
  typesOf = language;
  const info = (language as { nodeTypeInfo?: { type: string; named: boolean; fields?: object }[] } | null)
    ?.nodeTypeInfo;
  typesWithFields = Array.isArray(info)
    ? new Set(info.filter((t) => t.fields && Object.keys(t.fields).length > 0).map((t) => t.type))
    : undefined;
  return typesWithFields;
}

/**
 * A copy of `node`'s subtree. `text` is the text the tree was parsed from
 * (offsets index it), `starts` its line starts when the caller has them.
 * Missing tokens are looked for only in a subtree that
 * has an error at all.
 */
export function liteTree(node: Parser.SyntaxNode, text: string, starts?: number[]): LiteNode {
  const src = new LiteSource(text, starts);
  const damaged = node.hasError;
  const withFields = fieldTypes((node.tree as { language?: unknown }).language);
  const cursor = node.walk();
  // Every question is a native call, asked of every node copied: what a node's place answers is not
  // asked (no field under a type that has none; a parent's span is its children's, set by `seal`).
  /** The type of the node `make` copied last: whether it has fields, and never has children. */
  const made = { fields: true, leaf: false };
  const make = (parentFields: boolean): LiteNode => {
    const id = cursor.nodeTypeId;
    let t = typeNames.get(id);
    if (!t) {
      const type = cursor.nodeType;
      const named = cursor.nodeIsNamed;
      t = {
        type,
        named,
        fields: type === 'ERROR' || !withFields || withFields.has(type),
        ownSpan: type === 'ERROR' || type.startsWith('preproc_'),
        leaf: !named || TOKEN_TYPES.has(type),
      };
      typeNames.set(id, t);
    }
    made.fields = t.fields;
    made.leaf = t.leaf;
    const fid = parentFields ? cursor.currentFieldId : 0;
    let field: string | null = null;
    if (fid) {
      field = fieldNames.get(fid) ?? null;
      if (field === null) fieldNames.set(fid, (field = cursor.currentFieldName));
    }
    const missing = damaged && cursor.nodeIsMissing;
    // A missing token carries the type of what is missing, and is named as that type is.
    const named = missing ? cursor.nodeIsNamed : t.named;
    // In a damaged subtree every node's span is asked: error recovery may skip what it read.
    const own = damaged || t.ownSpan;
    return new LiteNode(src, t.type, named, missing, field, own ? cursor.startIndex : -1, own ? cursor.endIndex : -1);
  };
  // The copy's root fills no field of a parent (a cursor made at a node names none).
  const root = make(false);
  const span = (n: LiteNode) => {
    if (n.endIndex >= 0) return;
    n.startIndex = cursor.startIndex;
    n.endIndex = cursor.endIndex;
  };
  span(root);
  if (!cursor.gotoFirstChild()) return root;
  // The nodes whose children are being read, innermost last, and whether their types have fields.
  const open: LiteNode[] = [root];
  const openFields: boolean[] = [made.fields];
  for (;;) {
    const parent = open[open.length - 1];
    const n = make(openFields[openFields.length - 1]);
    parent.add(n);
    if (!(made.leaf && !damaged) && cursor.gotoFirstChild()) {
      open.push(n);
      openFields.push(made.fields);
      continue;
    }
    // A leaf: its span is asked (unless it was); a parent's is its children's.
    span(n);
    while (!cursor.gotoNextSibling()) {
      cursor.gotoParent();
      // Every child of the innermost open node is read: its end and error flag are final, and go up.
      const done = open.pop();
      openFields.pop();
      done?.seal();
      if (open.length === 0) return root;
    }
  }
}
