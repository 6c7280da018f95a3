/**
 * `.github/ndis-review.yml`: defaults, validation and path globs.
 *
 * Probot's config loader parses the YAML (or throws on invalid YAML); this
 * module takes the parsed value as `unknown` and checks it strictly but
 * kindly: every problem becomes one line that names the key path and what
 * is allowed, and the settings that are valid still apply on top of the
 * defaults, so the app can run and report the errors in its check run.
 * Pure: no I/O.
 */
import type { AppConfig } from './types.js';

type RuleSetting = AppConfig['rules'][string];

const RULE_SETTINGS: readonly RuleSetting[] = ['off', 'error', 'warning', 'note'];
const REPORTS: readonly AppConfig['report'][] = ['new', 'all'];
const FAIL_ON: readonly AppConfig['conclusion']['failOn'][] = ['error', 'warning', 'never'];
const OTHERWISE: readonly AppConfig['conclusion']['otherwise'][] = ['neutral', 'success'];

const TOP_KEYS = ['rules', 'paths', 'report', 'reviewComments', 'conclusion'] as const;
const PATHS_KEYS = ['include', 'exclude'] as const;
const CONCLUSION_KEYS = ['failOn', 'otherwise'] as const;
/** Probot's config loader handles `_extends` (inherit another repository's file); not ours to reject. */
const LOADER_KEYS = new Set(['_extends']);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The settings when the repository has no `.github/ndis-review.yml`. Frozen: copy before changing. */
export const DEFAULT_CONFIG: AppConfig = deepFreeze({
  rules: {},
  paths: { include: ['**'], exclude: [] },
  report: 'new',
  reviewComments: true,
  conclusion: { failOn: 'error', otherwise: 'neutral' },
});

function defaults(): AppConfig {
  return {
    rules: { ...DEFAULT_CONFIG.rules },
    paths: { include: [...DEFAULT_CONFIG.paths.include], exclude: [...DEFAULT_CONFIG.paths.exclude] },
    report: DEFAULT_CONFIG.report,
    reviewComments: DEFAULT_CONFIG.reviewComments,
    conclusion: { ...DEFAULT_CONFIG.conclusion },
  };
}

// ---------------------------------------------------------------- validation

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as an error message shows it. */
function describe(v: unknown): string {
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  return String(v);
}

/** A key as a key path shows it: bare when plain, quoted otherwise. */
function keyText(k: string): string {
  return /^[A-Za-z0-9_/-]+$/.test(k) ? k : JSON.stringify(k);
}

/** Optimal string alignment distance (Levenshtein with adjacent transpositions). */
function editDistance(a: string, b: string): number {
  const d: number[][] = [];
  for (let i = 0; i <= a.length; i++) d.push([i]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2][j - 2] + 1);
      d[i][j] = v;
    }
  }
  return d[a.length][b.length];
}

/**
 * The known name closest to `name`, if it is close enough to be a likely
 * typo: differing in case, missing a `prefix/`, or a few edits away.
 */
function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const kl = k.toLowerCase();
    const d = kl === lower || kl.endsWith(`/${lower}`) ? 0 : editDistance(lower, kl);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.max(2, Math.floor(Math.min(name.length, best.length) / 3));
  return bestDistance <= limit ? best : undefined;
}

function unknownKey(path: string, key: string, allowed: readonly string[]): string {
  const where = path ? `${path}.` : '';
  const guess = closest(key, allowed);
  return guess !== undefined
    ? `${where}${keyText(key)}: unknown setting; did you mean ${where}${guess}?`
    : `${where}${keyText(key)}: unknown setting; the settings${path ? ` of ${path}` : ''} are ${allowed.join(', ')}`;
}

function notOneOf(path: string, value: unknown, allowed: readonly string[]): string {
  return `${path}: ${describe(value)} is not one of ${allowed.join(', ')}`;
}

function oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[], errors: string[]): T | undefined {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  errors.push(notOneOf(path, value, allowed));
  return undefined;
}

/** A glob list setting: a list of non-empty strings, or one string. */
function globList(path: string, value: unknown, errors: string[]): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items)) {
    errors.push(`${path}: expected a glob or a list of globs, got ${describe(value)}`);
    return undefined;
  }
  const globs: string[] = [];
  let bad = 0;
  items.forEach((g: unknown, i) => {
    const at = typeof value === 'string' ? path : `${path}[${i}]`;
    let problem: string | undefined;
    if (typeof g !== 'string') problem = `expected a glob, got ${describe(g)}`;
    else if (g === '') problem = 'an empty pattern matches nothing; remove it';
    else if (g.startsWith('!')) {
      problem = `${describe(g)} starts with !, and negated patterns are not supported; list what to leave out under paths.exclude`;
    }
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
 */
export function parseConfig(raw: unknown, knownRules: string[]): { config: AppConfig; errors: string[] } {
  const config = defaults();
  const errors: string[] = [];
  if (raw === null || raw === undefined) return { config, errors };
  if (!isMapping(raw)) {
    errors.push(`the configuration must be a mapping of settings (${TOP_KEYS.join(', ')}), got ${describe(raw)}`);
    return { config, errors };
  }

  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case 'rules':
        parseRules(value, knownRules, config, errors);
        break;
      case 'paths':
        parsePaths(value, config, errors);
        break;
      case 'report': {
        const r = oneOf('report', value, REPORTS, errors);
        if (r !== undefined) config.report = r;
        break;
      }
      case 'reviewComments':
        if (typeof value === 'boolean') config.reviewComments = value;
        else {
          const quoted = typeof value === 'string' && /^(true|false)$/i.test(value);
          errors.push(
            notOneOf('reviewComments', value, ['true', 'false']) + (quoted ? ' (write it without quotes)' : ''),
          );
        }
        break;
      case 'conclusion':
        parseConclusion(value, config, errors);
        break;
      default:
        if (!LOADER_KEYS.has(key)) errors.push(unknownKey('', key, TOP_KEYS));
    }
  }
  return { config, errors };
}

function parseRules(value: unknown, knownRules: readonly string[], config: AppConfig, errors: string[]): void {
  if (value === null || value === undefined) return;
  if (!isMapping(value)) {
    errors.push(`rules: expected a mapping of rule ids to ${RULE_SETTINGS.join(', ')}, got ${describe(value)}`);
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

function parsePaths(value: unknown, config: AppConfig, errors: string[]): void {
  if (value === null || value === undefined) return;
  if (!isMapping(value)) {
    errors.push(`paths: expected a mapping with ${PATHS_KEYS.join(' and ')}, got ${describe(value)}`);
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    if (key === 'include' || key === 'exclude') {
      const globs = globList(`paths.${key}`, v, errors);
      if (globs !== undefined) config.paths[key] = globs;
    } else errors.push(unknownKey('paths', key, PATHS_KEYS));
  }
}

function parseConclusion(value: unknown, config: AppConfig, errors: string[]): void {
  if (value === null || value === undefined) return;
  if (!isMapping(value)) {
    errors.push(`conclusion: expected a mapping with ${CONCLUSION_KEYS.join(' and ')}, got ${describe(value)}`);
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

// --------------------------------------------------------------------- globs

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/g;

/** One path segment of a glob (no `/`, not `**`) as a regular expression. */
function segmentSource(seg: string): string {
  let out = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '*') {
      while (seg[i + 1] === '*') i++;
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '\\') {
      i++;
      out += (seg[i] ?? '\\').replace(REGEX_SPECIAL, '\\$&');
    } else if (c === '[') {
      const cls = charClass(seg, i);
      if (cls) {
        out += cls.source;
        i = cls.end;
      } else out += '\\[';
    } else out += c.replace(REGEX_SPECIAL, '\\$&');
  }
  return out;
}

/** `[abc]`, `[a-z]`, `[!abc]`/`[^abc]` starting at `start`; undefined if unclosed or invalid. */
function charClass(seg: string, start: number): { source: string; end: number } | undefined {
  let i = start + 1;
  let negate = false;
  if (seg[i] === '!' || seg[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  // A `]` right after the opening bracket is a member, as in POSIX.
  if (seg[i] === ']') {
    body += '\\]';
    i++;
  }
  for (; i < seg.length; i++) {
    const c = seg[i];
    if (c === ']') {
      if (body === '') return undefined;
      const source = negate ? `[^/${body}]` : `[${body}]`;
      try {
        new RegExp(source);
      } catch {
        return undefined;
      }
      return { source, end: i };
    }
    if (c === '\\' && i + 1 < seg.length) {
      i++;
      body += `\\${seg[i]}`;
    } else body += c === '-' ? '-' : c.replace(/[\\\][^]/g, '\\$&');
  }
  return undefined;
}

/**
 * A gitignore-like glob over forward-slash repository paths, as a regular
 * expression that tests a whole path:
 * - `**` as a whole segment is any number of segments, including none
 *   (`drivers/**` then `/test` matches `drivers/test` and `drivers/a/b/test`);
 * - `*` is any run of characters within a segment, `?` one character, `[abc]`,
 *   `[a-z]`, `[!abc]` a class (an unclosed `[` is literal);
 * - a leading `/` (or `./`) anchors the pattern to the repository root; a
 *   pattern with a `/` in the middle is anchored too, and one without any
 *   `/` matches the last segment at any depth (`*.h` matches `a/b/c.h`);
 * - a pattern also matches everything below a folder it matches (`vendor`
 *   matches `vendor/x.c`); a trailing `/` means the folder only (`third_party/`
 *   matches `third_party/x.c` and `a/third_party/x.c`, not a file `third_party`);
 * - everything else, and a character after a backslash, is literal (`.`, `+`, `(`).
 */
export function globToRegExp(glob: string): RegExp {
  let body = glob;
  let anchored = false;
  if (body.startsWith('./')) {
    body = body.slice(2);
    anchored = true;
  } else if (body.startsWith('/')) {
    body = body.replace(/^\/+/, '');
    anchored = true;
  }
  const folderOnly = body.endsWith('/');
  body = body.replace(/\/+$/, '');
  if (body === '') return /(?!)/;
  if (body.includes('/')) anchored = true;

  const segments = body.split('/').filter((s, i, all) => s !== '' && !(s === '**' && all[i - 1] === '**'));
  let source = anchored ? '' : '(?:.*/)?';
  segments.forEach((seg, i) => {
    const last = i === segments.length - 1;
    if (seg === '**') source += last ? '.*' : '(?:.*/)?';
    else source += segmentSource(seg) + (last ? '' : '/');
  });
  source += folderOnly ? '/.*' : '(?:/.*)?';
  return new RegExp(`^${source}$`, 's');
}

const compiled = new Map<string, RegExp>();

function compile(glob: string): RegExp {
  let re = compiled.get(glob);
  if (!re) {
    if (compiled.size >= 1000) compiled.clear();
    re = globToRegExp(glob);
    compiled.set(glob, re);
  }
  return re;
}

/**
 * Whether a repository path is to be scanned: some `include` pattern
 * matches it and no `exclude` pattern does.
 */
export function pathMatches(path: string, paths: AppConfig['paths']): boolean {
  const p = path.replace(/^(?:\.\/)+/, '').replace(/^\/+/, '');
  return paths.include.some((g) => compile(g).test(p)) && !paths.exclude.some((g) => compile(g).test(p));
}
