/**
 * Report files (`-o`, `--sarif`). Checked before the scan starts, so a path
 * that cannot be written fails at once with a plain message instead of
 * after the work (or never: Node's recursive mkdir spins on `/proc/x/y`).
 */
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { errorMessage, UserError } from './errors.js';

/** Creates the folders `file` needs and checks it can be written; returns its absolute path. */
export async function prepareOutput(cwd: string, given: string): Promise<string> {
  const file = path.resolve(cwd, given);
  const fail = (why: string): never => {
    throw new UserError(`cannot write '${given}': ${why}`);
  };
  const existing = await statOrUndefined(file);
  if (existing?.isDirectory()) fail('it is a directory');
  if (existing) {
    await fs.access(file, constants.W_OK).catch((e: unknown) => fail(reason(e)));
    return file;
  }
  await makeFolders(path.dirname(file)).catch((e: unknown) => fail(reason(e)));
  await fs.access(path.dirname(file), constants.W_OK).catch((e: unknown) => fail(reason(e)));
  return file;
}

export async function writeOutput(file: string, given: string, text: string): Promise<void> {
  try {
    await fs.writeFile(file, text);
  } catch (error) {
    throw new UserError(`cannot write '${given}': ${reason(error)}`);
  }
}

/** `mkdir -p` one level at a time from the nearest folder that exists, so a bad path fails instead of spinning. */
async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  let at = dir;
  for (;;) {
    const info = await statOrUndefined(at);
    if (info) {
      if (!info.isDirectory()) throw Object.assign(new Error(`${at} is not a directory`), { code: 'ENOTDIR' });
      break;
    }
    missing.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const folder of missing) await fs.mkdir(folder);
}

async function statOrUndefined(p: string): Promise<import('node:fs').Stats | undefined> {
  try {
    return await fs.stat(p);
  } catch {
    return undefined;
  }
}

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOENT: 'no such directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
};

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return (typeof code === 'string' ? REASONS[code] : undefined) ?? errorMessage(error);
}
