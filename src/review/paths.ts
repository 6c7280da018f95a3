/**
 * Path patterns of `paths.include` and `paths.exclude`, read as `.gitignore`
 * lines by the `ignore` package (the matcher ESLint and Prettier use), with
 * Git's case-sensitive matching. Three spellings keep the meaning they had
 * before the package took over: a leading `./` anchors like a leading `/`, a
 * leading `#` is a literal character (Git would read a comment), and a `[`
 * without its `]` is literal. What the package does not do is refused with a
 * message rather than silently matching nothing: negated character classes.
 */
import { createRequire } from 'node:module';
import type Ignore from 'ignore';

/**
 * The package, loaded on first use: a configuration without path patterns (the default `**`) never
 * needs it, and importing it as a module cost a warm CLI run a tenth of its time.
 */
let ignoreFactory: typeof Ignore | undefined;
function ignore(options: Ignore.Options): Ignore.Ignore {
  ignoreFactory ??= createRequire(import.meta.url)('ignore') as typeof Ignore;
  return ignoreFactory(options);
}

/** Why a pattern cannot be used, or undefined when it can. */
export function patternProblem(pattern: string): string | undefined {
  if (/\[[!^]/.test(pattern)) {
    return `${JSON.stringify(pattern)} uses a negated character class ([!...] or [^...]), which the matcher does not support; list the names to match instead`;
  }
  if (pattern.includes('[]')) {
    return `${JSON.stringify(pattern)} has an empty or ]-first character class, which the matcher does not support`;
  }
  return undefined;
}

/** A pattern as a `.gitignore` line with the meaning the configuration documents. */
function gitignoreLine(pattern: string): string {
  let line = pattern.startsWith('./') ? `/${pattern.slice(2)}` : pattern;
  if (line.startsWith('#')) line = `\\${line}`;
  // A `[` with no `]` after it in its segment is a literal bracket.
  return line.replace(/\[(?![^/]*\])/g, '\\[');
}

type Matcher = (path: string) => boolean;

function matcher(patterns: readonly string[]): Matcher {
  const usable = patterns.filter((p) => p !== '' && patternProblem(p) === undefined);
  if (usable.length === 0) return () => false;
  // `**` matches every path (`pathFilter` never asks about an empty one).
  if (usable.includes('**')) return () => true;
  const ig = ignore({ ignorecase: false }).add(usable.map(gitignoreLine));
  return (path) => ig.ignores(path);
}

/** Repository paths as the matcher takes them: relative, without `./` or a leading `/`. */
function normalise(path: string): string {
  return path.replace(/^(?:\.\/)+/, '').replace(/^\/+/, '');
}

/**
 * A test of repository paths: true when some `include` pattern matches and
 * no `exclude` pattern does. Compile once, test many paths.
 */
export function pathFilter(paths: { include: readonly string[]; exclude: readonly string[] }): Matcher {
  const include = matcher(paths.include);
  const exclude = matcher(paths.exclude);
  return (path) => {
    const p = normalise(path);
    return p !== '' && include(p) && !exclude(p);
  };
}

const compiled = new Map<string, Matcher>();

/** `pathFilter(paths)(path)`, with the compiled filters of recent configurations kept. */
export function pathMatches(path: string, paths: { include: readonly string[]; exclude: readonly string[] }): boolean {
  const key = JSON.stringify([paths.include, paths.exclude]);
  let filter = compiled.get(key);
  if (!filter) {
    if (compiled.size >= 100) compiled.clear();
    filter = pathFilter(paths);
    compiled.set(key, filter);
  }
  return filter(path);
}
