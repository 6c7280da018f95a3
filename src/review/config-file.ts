/**
 * The configuration file's text to settings, as the app reads it: YAML
 * parsed the way Probot's config loader parses it (the `yaml` package,
 * YAML 1.2, so a bare `off` is a string), then validated by `parseConfig`.
 * The CLI and `ndis-review config check` go through here, so they print
 * the lines the app shows in its check run.
 */
import { createRequire } from 'node:module';
import { parseConfig, type ReviewConfig } from './config.js';

/** Where the app, the Action and the CLI look for the configuration, from the repository (or scan) root. */
export const CONFIG_PATH = '.github/ndis-review.yml';

/** The configuration as read: the parsed YAML, or why it could not be read. */
export type RawConfig = { value: unknown } | { error: string };

/** The YAML parser, loaded only when there is a configuration to read (a scan without one never needs it). */
function yamlParse(): typeof import('yaml').parse {
  return (createRequire(import.meta.url)('yaml') as typeof import('yaml')).parse;
}

export function readConfigText(text: string): RawConfig {
  let value: unknown;
  const parse = yamlParse();
  try {
    value = parse(text, { logLevel: 'error' }) as unknown;
  } catch (error) {
    return { error: `invalid YAML: ${firstLine(error)}` };
  }
  // As the loader does: an empty file is an empty mapping, a lone scalar is no configuration.
  if (value === null || value === undefined || value === false || value === 0 || value === '') return { value: {} };
  if (typeof value === 'string') return { error: 'the YAML is a string, not a mapping of settings' };
  return { value };
}

/**
 * Settings and the error lines to show: a file that could not be read
 * gives the defaults and one line saying why (`name` names the file).
 */
export function configFrom(
  raw: RawConfig,
  knownRules: readonly string[],
  name = CONFIG_PATH,
): { config: ReviewConfig; errors: string[] } {
  if ('error' in raw) {
    return { config: parseConfig(null, knownRules).config, errors: [`${name} could not be read: ${raw.error}`] };
  }
  return parseConfig(raw.value, knownRules);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
