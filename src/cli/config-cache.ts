/**
 * The parsed YAML of a configuration file, remembered by its text in the CLI's cache folder.
 * Loading the YAML parser costs a process about 20 ms, as much as the rest of a fully cached scan
 * beside Node's own start, so a repository with a `.github/ndis-review.yml` paid it on every warm
 * run. The parse depends only on the text and the parser's version, which key the entry. Only a
 * value JSON keeps exactly is remembered (a YAML `.inf` is parsed each time); an entry that cannot
 * be read or written is parsed again, never an error: this is a cache.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readConfigText, type RawConfig } from '../review/config-file.js';

/** Entries kept: a few repositories' configurations and their recent edits. */
const KEEP = 32;

/** `readConfigText(text)`, from the cache folder `dir` when an earlier run parsed the same text. */
export function readConfigTextCached(text: string, dir: string | null): RawConfig {
  if (dir === null) return readConfigText(text);
  const folder = join(dir, 'configs');
  const file = join(folder, `${entryKey(text)}.json`);
  try {
    const kept = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (isRawConfig(kept)) return kept;
  } catch {
    // Not parsed before (or unreadable): parse it now.
  }
  const raw = readConfigText(text);
  if ('error' in raw || plainJson(raw.value)) store(folder, file, raw);
  return raw;
}

function entryKey(text: string): string {
  const version = (createRequire(import.meta.url)('yaml/package.json') as { version: string }).version;
  return createHash('sha256').update(`yaml ${version}\0`).update(text).digest('hex').slice(0, 32);
}

function isRawConfig(x: unknown): x is RawConfig {
  if (typeof x !== 'object' || x === null) return false;
  return 'value' in x || ('error' in x && typeof x.error === 'string');
}

/** Does JSON give this value back as it is (no infinity, no -0, no class instance)? */
function plainJson(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(plainJson);
  if (typeof v !== 'object' || Object.getPrototypeOf(v) !== Object.prototype) return false;
  return Object.entries(v as Record<string, unknown>).every(([k, x]) => k !== '__proto__' && plainJson(x));
}

function store(folder: string, file: string, raw: RawConfig): void {
  try {
    mkdirSync(folder, { recursive: true });
    // Written whole, then renamed: a reader never sees half an entry.
    const part = `${file}.${String(process.pid)}.part`;
    writeFileSync(part, JSON.stringify(raw));
    renameSync(part, file);
    prune(folder);
  } catch {
    // A read-only or full cache folder: the next run parses again.
  }
}

/** Keeps the `KEEP` newest entries. */
function prune(folder: string): void {
  const names = readdirSync(folder).filter((n) => n.endsWith('.json'));
  if (names.length <= KEEP) return;
  const aged = names.map((n) => ({ n, t: statSync(join(folder, n)).mtimeMs })).sort((a, b) => b.t - a.t);
  for (const { n } of aged.slice(KEEP)) rmSync(join(folder, n), { force: true });
}
