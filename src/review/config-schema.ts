/**
 * A JSON Schema of `.github/ndis-review.yml` for editors (the YAML language
 * server completes keys and rule ids and flags mistakes as you type). It is
 * generated from the rule pack and the validator's own tables, and
 * `docs/ndis-review.schema.json` holds a copy that a test keeps equal, so a
 * new rule or setting cannot leave the schema behind. Draft-07: the draft
 * editors support best.
 *
 * The schema accepts exactly what `parseConfig` accepts without an error
 * (a test checks both on the same files); the messages stay the validator's.
 */
import type { RuleMeta } from '../engine/types.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { DEFAULT_CONFIG, FAIL_ON, OTHERWISE, REPORTS, RULE_SETTINGS } from './config.js';

/** Where the schema is published: editors fetch it from here (`# yaml-language-server: $schema=...`). */
export const CONFIG_SCHEMA_PATH = 'docs/ndis-review.schema.json';

const pattern = {
  type: 'string',
  minLength: 1,
  // What the matcher refuses (see paths.ts): negated and ]-first character classes.
  not: { type: 'string', pattern: '\\[[!^]|\\[\\]' },
  description:
    'A .gitignore-style pattern over paths relative to the repository root, e.g. drivers/**, *.h, third_party/ or !keep.c.',
};

/** A `!` pattern only takes back what an earlier one matched: alone, or in a list of them only, it is an error. */
const notNegated = { not: { type: 'string', pattern: '^!' } };

function patternList(what: string, defaults: readonly string[]) {
  return {
    description: `${what} One pattern, or a list. Empty (every entry commented out) counts as absent.`,
    default: [...defaults],
    anyOf: [
      { allOf: [pattern, notNegated] },
      { type: 'array', items: pattern, anyOf: [{ maxItems: 0 }, { contains: notNegated }] },
      { type: 'null' },
    ],
  };
}

export function configSchema(packRules: readonly RuleMeta[]): Record<string, unknown> {
  const rules = [...packRules, ...BUILTIN_RULES.filter((b) => !packRules.some((r) => r.id === b.id))];
  const setting = (rule: RuleMeta) => ({
    description: `${rule.title} (own severity: ${rule.severity}). off, or a severity that replaces the rule's own.`,
    // `false`: YAML 1.1 readers turn a bare off into false, which means off too.
    enum: [...RULE_SETTINGS, false],
  });
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'ndis-review configuration (.github/ndis-review.yml)',
    description:
      'Read by the ndis-review app, Action and command line. Every key is optional; a key left out keeps its default.',
    type: 'object',
    additionalProperties: false,
    properties: {
      rules: {
        description: "Per rule: off, or a severity that replaces the rule's own. Rules not listed keep theirs.",
        type: ['object', 'null'],
        additionalProperties: false,
        properties: Object.fromEntries(rules.map((rule) => [rule.id, setting(rule)])),
      },
      paths: {
        description:
          'Which findings are reported, by the path of the file they are in. Filters what is reported, never what is analysed.',
        type: ['object', 'null'],
        additionalProperties: false,
        properties: {
          include: patternList('Findings in files some pattern matches are reported.', DEFAULT_CONFIG.paths.include),
          exclude: patternList('Findings in files a pattern matches are not reported.', DEFAULT_CONFIG.paths.exclude),
        },
      },
      report: {
        description: 'App: annotate and comment on the findings a pull request adds (new), or on all of them.',
        enum: [...REPORTS],
        default: DEFAULT_CONFIG.report,
      },
      reviewComments: {
        description: 'App: post a review comment on each new finding on a changed line.',
        type: 'boolean',
        default: DEFAULT_CONFIG.reviewComments,
      },
      conclusion: {
        description: "The check run's conclusion (failOn is also the command line's default --fail-on).",
        type: ['object', 'null'],
        additionalProperties: false,
        properties: {
          failOn: {
            description: 'A new finding at or above this severity fails the check run.',
            enum: [...FAIL_ON],
            default: DEFAULT_CONFIG.conclusion.failOn,
          },
          otherwise: {
            description: 'The conclusion when there are findings but none new at or above failOn.',
            enum: [...OTHERWISE],
            default: DEFAULT_CONFIG.conclusion.otherwise,
          },
        },
      },
      trustSuppressions: {
        description:
          "App: let a suppression directive a pull request adds silence an error and still conclude success. Read from the base branch's file.",
        type: 'boolean',
        default: DEFAULT_CONFIG.trustSuppressions,
      },
      _extends: {
        description: "App: inherit another repository's file (Probot's loader), e.g. my-org/.github.",
        type: 'string',
      },
    },
  };
}
