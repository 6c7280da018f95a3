/**
 * Hooks that record every module a child Node process loads: ES module imports (a resolve hook) and
 * `require` calls (a preload that wraps the CommonJS loader), as file URLs either way.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from './temp.js';

// fs is imported once, at the top: an import inside the hook would come back through the hook.
const HOOK = `import { appendFileSync } from 'node:fs';
export async function resolve(spec, ctx, next) {
  const r = await next(spec, ctx);
  if (process.env.LOADED_LIST) appendFileSync(process.env.LOADED_LIST, r.url + '\\n');
  return r;
}
`;

// The CommonJS side: each `require` that loads a file, as its URL (node: built-ins are left out).
const REQUIRE_HOOK = `const { appendFileSync } = require('node:fs');
const { pathToFileURL } = require('node:url');
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (process.env.LOADED_LIST && !request.startsWith('node:'))
    try {
      const file = Module._resolveFilename(request, parent, isMain);
      if (file.includes('/')) appendFileSync(process.env.LOADED_LIST, pathToFileURL(file).href + '\\n');
    } catch {}
  return load.apply(this, arguments);
};
`;

export interface LoadRecorder {
  /** Node arguments that install the hooks (`--import` a `register` call, as Node 20 and 22 both take it; `--require` the preload). */
  nodeArgs: string[];
  /** Environment the child needs: where the list goes. */
  env: { LOADED_LIST: string };
  /** A folder of the recorder's own, for anything else the test writes. */
  dir: string;
  /** The URLs loaded since the last `reset`. */
  loaded(): string[];
  reset(): void;
}

export function loadRecorder(): LoadRecorder {
  const dir = tempDir({ 'hook.mjs': HOOK, 'require-hook.cjs': REQUIRE_HOOK });
  const register = join(dir, 'register.mjs');
  const hook = pathToFileURL(join(dir, 'hook.mjs')).href;
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(hook)});\n`);
  const list = join(dir, 'loaded.txt');
  writeFileSync(list, '');
  return {
    nodeArgs: ['--import', pathToFileURL(register).href, '--require', join(dir, 'require-hook.cjs')],
    env: { LOADED_LIST: list },
    dir,
    loaded: () => readFileSync(list, 'utf8').split('\n').filter(Boolean),
    reset: () => {
      writeFileSync(list, '');
    },
  };
}
