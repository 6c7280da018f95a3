/**
 * The node classes `nodeclasses.ts` makes instead of tree-sitter's own: for
 * every node type id the same `type`, and the same answers for every node of
 * every fixture and shared case, read once through each set of classes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type Parser from 'tree-sitter';
import { nodeClasses } from '../src/engine/nodeclasses.js';
import { decodeSource } from '../src/engine/text.js';
import { fixtureAndCaseFiles } from './support/cfiles.js';
import { defined } from '../src/util/defined.js';

const require = createRequire(import.meta.url);
const TreeSitter = require('tree-sitter') as typeof Parser & { SyntaxNode: abstract new (...args: never[]) => object };
const C = require('tree-sitter-c') as { language: unknown; nodeTypeInfo: { type: string; named: boolean }[] };

/** The grammar as tree-sitter-c exports it, with the classes a parser gave it. */
interface Lang {
  language: unknown;
  nodeTypeInfo: { type: string; named: boolean }[];
  nodeSubclasses?: unknown[];
}

/** A language object of its own (the same grammar), so each parser below keeps the classes it was given. */
function freshLanguage(): Lang {
  return { language: C.language, nodeTypeInfo: C.nodeTypeInfo };
}

function parserWith(language: Lang): Parser {
  const p = new TreeSitter();
  p.setLanguage(language as unknown as Parser.Language);
  return p;
}

const ownType = (cls: unknown): unknown =>
  Object.getOwnPropertyDescriptor((cls as { prototype: object }).prototype, 'type')?.value;

test('every node type id gets the type tree-sitter gives it, and the base class where tree-sitter keeps it', () => {
  const theirs = freshLanguage();
  parserWith(theirs);
  const mine = defined(nodeClasses(TreeSitter.SyntaxNode, freshLanguage(), require.resolve('tree-sitter')));
  const lib = defined(theirs.nodeSubclasses);
  assert.equal(mine.length, lib.length);
  let named = 0;
  for (let id = 0; id < lib.length; id++) {
    assert.equal(ownType(mine[id]), ownType(lib[id]), `node type ${String(id)}`);
    assert.equal(mine[id] === TreeSitter.SyntaxNode, lib[id] === TreeSitter.SyntaxNode, `node type ${String(id)}`);
    if (ownType(lib[id]) !== undefined) named++;
  }
  assert.ok(named > 100, `named node types: ${String(named)}`);
});

test('the nodes of every fixture and case read the same through both sets of classes', () => {
  const theirs = parserWith(freshLanguage());
  const mineLanguage = freshLanguage();
  mineLanguage.nodeSubclasses = defined(
    nodeClasses(TreeSitter.SyntaxNode, mineLanguage, require.resolve('tree-sitter')),
  );
  const mine = parserWith(mineLanguage);
  const read = (n: Parser.SyntaxNode, out: string[]) => {
    out.push(`${n.type}${n.isNamed ? '' : '!'}@${String(n.startIndex)}-${String(n.endIndex)}`);
    for (const c of n.children) read(c, out);
  };
  let files = 0;
  for (const f of fixtureAndCaseFiles()) {
    const text = decodeSource(readFileSync(f)).text;
    const a: string[] = [];
    const b: string[] = [];
    read(theirs.parse(text).rootNode, a);
    read(mine.parse(text).rootNode, b);
    assert.deepEqual(b, a, f);
    files++;
  }
  assert.ok(files > 50, `files: ${String(files)}`);
});

test('a binding that cannot name the node types leaves tree-sitter to make its classes', () => {
  const language = { name: 'c', language: undefined, nodeTypeInfo: [] };
  assert.equal(nodeClasses(TreeSitter.SyntaxNode, language, require.resolve('tree-sitter')), undefined);
  assert.equal(nodeClasses(TreeSitter.SyntaxNode, freshLanguage(), '/nowhere/tree-sitter/index.js'), undefined);
});
