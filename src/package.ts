/**
 * Where this package lives and which version it is: the one place the CLI,
 * the engine and the reporters learn either. Compiled to `dist/src/package.js`,
 * two folders below the package root (where `package.json` and `rules/` are).
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

let version: string | undefined;

/** The `version` of `package.json`, read once per process. */
export function packageVersion(): string {
  if (version === undefined) {
    const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof manifest.version !== 'string') throw new Error(`${join(packageRoot, 'package.json')} has no version`);
    version = manifest.version;
  }
  return version;
}
