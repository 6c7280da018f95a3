/**
 * The configuration for the command line: `.github/ndis-review.yml` at the
 * scan root, or `--config FILE`, read and validated as the app does (its
 * messages, word for word), and `ndis-review config check`.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadRulePack } from '../engine/rulepack.js';
import { DEFAULT_CONFIG, type ReviewConfig } from '../review/config.js';
import { CONFIG_PATH, configFrom, readConfigText } from '../review/config-file.js';
import { readConfigTextCached } from './config-cache.js';
import { errorMessage, UserError } from './errors.js';
import { EXIT, type CliIo } from './io.js';

function ruleIds(): string[] {
  return loadRulePack().rules.map((r) => r.id);
}

async function readText(file: string): Promise<string | { missing: true } | { error: string }> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return { missing: true };
    return { error: code === 'EISDIR' ? 'it is a directory' : errorMessage(error) };
  }
}

/**
 * The settings for a scan. `explicit` (`--config`) must exist; the default
 * file may be absent (the defaults then). Problems are printed as warnings,
 * one line each, and the valid settings still apply, as in the app.
 */
export async function loadScanConfig(
  rootDir: string | undefined,
  explicit: string | undefined,
  io: CliIo,
  /** The cache folder, where the parsed YAML is remembered by its text (none: parsed each time). */
  cacheDir: string | null = null,
): Promise<ReviewConfig> {
  const file = explicit !== undefined ? path.resolve(io.cwd, explicit) : rootDir && path.join(rootDir, CONFIG_PATH);
  if (file === undefined) return structuredClone<ReviewConfig>(DEFAULT_CONFIG);
  const shown = explicit ?? path.relative(io.cwd, file);
  const text = await readText(file);
  if (typeof text !== 'string') {
    if ('missing' in text && explicit === undefined) return structuredClone<ReviewConfig>(DEFAULT_CONFIG);
    throw new UserError(`cannot read --config '${shown}': ${'error' in text ? text.error : 'no such file'}`);
  }
  const raw = readConfigTextCached(text, cacheDir);
  const { config, errors } = configFrom(raw, ruleIds(), shown);
  for (const line of errors) io.stderr(`ndis-review: warning: ${shown}: ${line}\n`);
  if ('value' in raw && typeof raw.value === 'object' && raw.value !== null && '_extends' in raw.value) {
    io.stderr(
      `ndis-review: warning: ${shown}: _extends is followed by the app only; the command line uses this file's own settings\n`,
    );
  }
  return config;
}

/** `ndis-review config check [FILE]`: 0 valid, 1 errors (the app's lines), 2 unreadable. */
export async function checkConfig(given: string | undefined, io: CliIo): Promise<number> {
  const shown = given ?? CONFIG_PATH;
  const text = await readText(path.resolve(io.cwd, shown));
  if (typeof text !== 'string') {
    io.stderr(`ndis-review: cannot read '${shown}': ${'error' in text ? text.error : 'no such file'}\n`);
    return EXIT.trouble;
  }
  const raw = readConfigText(text);
  if ('error' in raw) {
    io.stderr(`ndis-review: ${shown} could not be read: ${raw.error}\n`);
    return EXIT.trouble;
  }
  const { errors } = configFrom(raw, ruleIds(), shown);
  if (errors.length === 0) {
    io.stdout(`${shown}: valid\n`);
    return EXIT.ok;
  }
  for (const line of errors) io.stdout(`${shown}: ${line}\n`);
  io.stdout(
    `${shown}: ${String(errors.length)} problem${errors.length === 1 ? '' : 's'}; the app and the command line use the defaults for these settings\n`,
  );
  return EXIT.findings;
}
