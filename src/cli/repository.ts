/** Where a scanned folder sits in its repository, for SARIF paths that resolve on GitHub. */
import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The repository's top level above `dir` (the nearest folder holding a
 * `.git` folder or file), or `dir` itself when it is in no repository.
 */
export function repositoryTop(dir: string): string {
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    if (existsSync(path.join(at, '.git'))) return at;
    if (path.dirname(at) === at) return path.resolve(dir);
  }
}

/** `dir` relative to `top`, with forward slashes; empty when they are the same. */
export function pathInRepository(top: string, dir: string): string {
  return path.relative(top, dir).split(path.sep).join('/');
}
