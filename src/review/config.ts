/**
 * `.github/ndis-review.yml`: the one configuration of the CLI, the app and
 * the Action. Defaults and validation; pure, no I/O.
 *
 * The parsed YAML arrives as `unknown` and is checked strictly but kindly:
 * every problem becomes one line that names the key path and what is
 * allowed, and the settings that are valid still apply on top of the
 * defaults, so a run can go on and report the errors (`ndis-review config
 * check` prints the same lines the app shows in its check run).
 */
import type { Severity } from '../engine/types.js';
import { closest } from './suggest.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { patternProblem } from './paths.js';

export type RuleSetting = 'off' | Severity;
export type FailOn = 'error' | 'warning' | 'never';

/** `.github/ndis-review.yml`, after defaults and validation. */
export interface ReviewConfig {
  /** Per-rule override: `off`, or a severity that replaces the rule's own. */
  rules: Record<string, RuleSetting>;
  /** gitignore-like patterns over repository paths: which findings are reported (never what is analysed). */
  paths: { include: string[]; exclude: string[] };
  /** App: annotate and comment on findings new in the pull request only, or on all. */
  report: 'new' | 'all';
  /** App: post review comments on changed lines. */
  reviewComments: boolean;
  conclusion: {
    /** A new finding at or above this severity fails the check run (and is the CLI's default `--fail-on`). */
    failOn: FailOn;
    /** App: the conclusion when findings exist but none is new at or above failOn. */
    otherwise: 'neutral' | 'success';
  };
  /**
   * App: a suppression directive a pull request adds may silence an error
   * and still let the run conclude `success`. Off by default: a new
   * suppression of an error then concludes `neutral` at best, so a reviewer
   * looks at it. Read from the base branch's file, never the pull request's.
   */
  trustSuppressions: boolean;
}

export const RULE_SETTINGS: readonly RuleSetting[] = ['off', 'error', 'warning', 'note'];
export const REPORTS: readonly ReviewConfig['report'][] = ['new', 'all'];
export const FAIL_ON: readonly FailOn[] = ['error', 'warning', 'never'];
export const OTHERWISE: readonly ReviewConfig['conclusion']['otherwise'][] = ['neutral', 'success'];

export const TOP_KEYS = ['rules', 'paths', 'report', 'reviewComments', 'conclusion', 'trustSuppressions'] as const;
export const PATHS_KEYS = ['include', 'exclude'] as const;
export const CONCLUSION_KEYS = ['failOn', 'otherwise'] as const;
/** Probot's config loader handles `_extends` (inherit another repository's file); not ours to reject. */
export const LOADER_KEYS = new Set(['_extends']);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The settings when the repository has no `.github/ndis-review.yml`. Frozen: copy before changing. */
export const DEFAULT_CONFIG: ReviewConfig = deepFreeze({
  rules: {},
  paths: { include: ['**'], exclude: [] },
  report: 'new',
  reviewComments: true,
  conclusion: { failOn: 'error', otherwise: 'neutral' },
  trustSuppressions: false,
});

function defaults(): ReviewConfig {
  return {
    rules: { ...DEFAULT_CONFIG.rules },
    paths: { include: [...DEFAULT_CONFIG.paths.include], exclude: [...DEFAULT_CONFIG.paths.exclude] },
    report: DEFAULT_CONFIG.report,
    reviewComments: DEFAULT_CONFIG.reviewComments,
    conclusion: { ...DEFAULT_CONFIG.conclusion },
    trustSuppressions: DEFAULT_CONFIG.trustSuppressions,
  };
}

// ---------------------------------------------------------------- validation

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as an error message shows it. */
function shown(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'symbol' || typeof v === 'function') return String(v);
  return 'a value'; // not reached: every kind of value is one of the above
}

/** A key as a key path shows it: bare when plain, quoted otherwise. */
function keyText(k: string): string {
  return /^[A-Za-z0-9_/-]+$/.test(k) ? k : JSON.stringify(k);
}

function unknownKey(path: string, key: string, allowed: readonly string[]): string {
  const where = path ? `${path}.` : '';
  const guess = closest(key, allowed);
  return guess !== undefined
    ? `${where}${keyText(key)}: unknown setting; did you mean ${where}${guess}?`
    : `${where}${keyText(key)}: unknown setting; the settings${path ? ` of ${path}` : ''} are ${allowed.join(', ')}`;
}

function notOneOf(path: string, value: unknown, allowed: readonly string[]): string {
  return `${path}: ${shown(value)} is not one of ${allowed.join(', ')}`;
}

function oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[], errors: string[]): T | undefined {
  const match = allowed.find((candidate) => candidate === value);
  if (match === undefined) errors.push(notOneOf(path, value, allowed));
  return match;
}

function boolean(path: string, value: unknown, errors: string[]): boolean | undefined {
  if (typeof value === 'boolean') return value;
  const quoted = typeof value === 'string' && /^(true|false)$/i.test(value);
  errors.push(notOneOf(path, value, ['true', 'false']) + (quoted ? ' (write it without quotes)' : ''));
  return undefined;
}

/** A pattern list setting: a list of non-empty strings, or one string. */
function patternList(path: string, value: unknown, errors: string[]): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  const items: unknown = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items)) {
    errors.push(`${path}: expected a glob or a list of globs, got ${shown(value)}`);
    return undefined;
  }
  const globs: string[] = [];
  let bad = 0;
  items.forEach((g: unknown, i) => {
    const at = typeof value === 'string' ? path : `${path}[${String(i)}]`;
    const problem =
      typeof g !== 'string'
        ? `expected a glob, got ${shown(g)}`
        : g === ''
          ? 'an empty pattern matches nothing; remove it'
          : patternProblem(g);
    if (problem === undefined) globs.push(g as string);
    else {
      errors.push(`${at}: ${problem}`);
      bad++;
    }
  });
  // All entries wrong: keep the default rather than match nothing.
  return bad > 0 && globs.length === 0 ? undefined : globs;
}

/**
 * Validates the parsed `.github/ndis-review.yml`. `null`/`undefined` (no
 * file) gives the defaults. On errors, the config is the defaults with
 * every valid setting applied; each error is one line naming the key path.
 * `knownRules` are the rule pack's ids; ndis-review's own rules (such as
 * `ndis-review/unused-directive`) are always known.
 */
export function parseConfig(raw: unknown, knownRules: readonly string[]): { config: ReviewConfig; errors: string[] } {
  const config = defaults();
  const errors: string[] = [];
  if (raw === null || raw === undefined) return { config, errors };
  if (!isMapping(raw)) {
    errors.push(`the configuration must be a mapping of settings (${TOP_KEYS.join(', ')}), got ${shown(raw)}`);
    return { config, errors };
  }
  const rules = [...knownRules, ...BUILTIN_RULES.map((r) => r.id).filter((id) => !knownRules.includes(id))];

  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'rules':
        parseRules(value, rules, config, errors);
        break;
      case 'paths':
        parsePaths(value, config, errors);
        break;
      case 'report': {
        const r = oneOf('report', value, REPORTS, errors);
        if (r !== undefined) config.report = r;
        break;
      }
      case 'reviewComments': {
        const b = boolean('reviewComments', value, errors);
        if (b !== undefined) config.reviewComments = b;
        break;
      }
      case 'trustSuppressions': {
        const b = boolean('trustSuppressions', value, errors);
        if (b !== undefined) config.trustSuppressions = b;
        break;
      }
      case 'conclusion':
        parseConclusion(value, config, errors);
        break;
      default:
        if (!LOADER_KEYS.has(key)) errors.push(unknownKey('', key, TOP_KEYS));
    }
  }
  return { config, errors };
}

function parseRules(value: unknown, knownRules: readonly string[], config: ReviewConfig, errors: string[]): void {
  if (value === null || value === undefined) return;
  if (!isMapping(value)) {
    errors.push(`rules: expected a mapping of rule ids to ${RULE_SETTINGS.join(', ')}, got ${shown(value)}`);
    return;
  }
  for (const [id, setting] of Object.entries(value)) {
    const path = `rules.${keyText(id)}`;
    if (!knownRules.includes(id)) {
      const guess = closest(id, knownRules);
      errors.push(
        guess !== undefined
          ? `${path}: unknown rule; did you mean ${guess}?`
          : knownRules.length > 0
            ? `${path}: unknown rule; the rules are ${knownRules.join(', ')}`
            : `${path}: unknown rule`,
      );
      continue;
    }
    // YAML 1.1 parsers read a bare `off` as false.
    const s = setting === false ? 'off' : oneOf(path, setting, RULE_SETTINGS, errors);
    if (s !== undefined) config.rules[id] = s;
  }
}

function parsePaths(value: unknown, config: ReviewConfig, errors: string[]): void {
  if (value === null || value === undefined) return;
  if (!isMapping(value)) {
    errors.push(`paths: expected a mapping with ${PATHS_KEYS.join(' and ')}, got ${shown(value)}`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === 'include' || key === 'exclude') {
      const globs = patternList(`paths.${key}`, v, errors);
      // A `!` pattern only takes back what an earlier pattern of its list matched: alone, it matches nothing.
      if (globs !== undefined && globs.length > 0 && globs.every((g) => g.startsWith('!'))) {
        errors.push(
          `paths.${key}: every pattern starts with !, which only takes back what an earlier pattern matched, so it ${key === 'include' ? 'includes' : 'excludes'} no file; list what to ${key} first (for example **)`,
        );
      } else if (globs !== undefined) config.paths[key] = globs;
    } else errors.push(unknownKey('paths', key, PATHS_KEYS));
  }
}

function parseConclusion(value: unknown, config: ReviewConfig, errors: string[]): void {
  if (value === null || value === undefined) return;
  if (!isMapping(value)) {
    errors.push(`conclusion: expected a mapping with ${CONCLUSION_KEYS.join(' and ')}, got ${shown(value)}`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === 'failOn') {
      const f = oneOf('conclusion.failOn', v, FAIL_ON, errors);
      if (f !== undefined) config.conclusion.failOn = f;
    } else if (key === 'otherwise') {
      const o = oneOf('conclusion.otherwise', v, OTHERWISE, errors);
      if (o !== undefined) config.conclusion.otherwise = o;
    } else errors.push(unknownKey('conclusion', key, CONCLUSION_KEYS));
  }
}
