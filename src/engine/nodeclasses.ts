/**
 * The syntax node classes of tree-sitter-c, made the cheap way. On the first
 * `setLanguage`, tree-sitter's binding makes one class per named node type,
 * each compiled from source text by `new Function` (a name for debuggers), and
 * finds each type's entry in `node-types.json` by a linear search: about 4 to
 * 10 ms of every process that parses, which a scan of a small driver feels.
 *
 * The classes made here hold what the engine reads of a node: its `type` on
 * the prototype, as tree-sitter's own do; node types that are not named keep
 * the base class, whose `type` asks the tree, as tree-sitter's do too. The
 * field getters tree-sitter adds (`bodyNode`, `declaratorNodes`) and `fields`
 * are left out: the engine asks `childForFieldName`. `test/node-classes.test.ts`
 * holds them to the library's own, type by type.
 *
 * Where the binding does not offer the type names (another tree-sitter), the
 * language is left alone and tree-sitter makes its classes as it always did.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

type SyntaxNodeClass = abstract new (...args: never[]) => object;

interface LanguageLike {
  language?: unknown;
  nodeTypeInfo?: { type: string; named: boolean }[];
  nodeSubclasses?: unknown[];
}

/**
 * One class per node type id of `language`, or undefined where tree-sitter's binding cannot tell the
 * type names. `treeSitterPath` is where the `tree-sitter` package's entry point lies.
 */
export function nodeClasses(
  syntaxNode: SyntaxNodeClass,
  language: LanguageLike,
  treeSitterPath: string,
): SyntaxNodeClass[] | undefined {
  try {
    // The binding tree-sitter itself loads (node-gyp-build returns the one already loaded).
    const load = createRequire(treeSitterPath)('node-gyp-build') as (dir: string) => {
      getNodeTypeNamesById?: (l: unknown) => (string | null)[];
    };
    const binding = load(dirname(treeSitterPath));
    const names = binding.getNodeTypeNamesById?.(language.language);
    if (!Array.isArray(names) || names.length === 0) return undefined;
    const named = new Set((language.nodeTypeInfo ?? []).filter((t) => t.named).map((t) => t.type));
    const Base = syntaxNode as unknown as new (...args: unknown[]) => object;
    return names.map((name) => {
      if (!name || !named.has(name)) return syntaxNode;
      const Cls = class extends Base {};
      Object.defineProperty(Cls.prototype, 'type', { value: name, enumerable: true });
      return Cls;
    });
  } catch {
    return undefined;
  }
}

/** Gives `language` the cheap classes before tree-sitter would make its own (no change when it has some). */
export function prepareNodeClasses(syntaxNode: SyntaxNodeClass, language: LanguageLike, treeSitterPath: string): void {
  if (language.nodeSubclasses) return;
  const classes = nodeClasses(syntaxNode, language, treeSitterPath);
  if (classes) language.nodeSubclasses = classes;
}
