import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_CONFIG, parseConfig, pathMatches } from '../src/app/config.js';
import type { AppConfig } from '../src/app/types.js';
import { loadRulePack } from '../src/engine/rulepack.js';
import { patternProblem } from '../src/review/paths.js';

const RULES = loadRulePack().rules.map((r) => r.id);
const ALL_RULES = [...RULES, 'ndis-review/unused-directive'].join(', ');
const SETTINGS = 'rules, paths, report, reviewComments, conclusion, trustSuppressions';

function defaultsWith(patch: Partial<AppConfig>): AppConfig {
  return {
    rules: {},
    paths: { include: ['**'], exclude: [] },
    report: 'new',
    reviewComments: true,
    conclusion: { failOn: 'error', otherwise: 'neutral' },
    trustSuppressions: false,
    ...patch,
  };
}

describe('DEFAULT_CONFIG', () => {
  it('keeps every rule at its own severity, scans everything, reports new findings, fails on errors', () => {
    assert.deepEqual(DEFAULT_CONFIG, {
      rules: {},
      paths: { include: ['**'], exclude: [] },
      report: 'new',
      reviewComments: true,
      conclusion: { failOn: 'error', otherwise: 'neutral' },
      trustSuppressions: false,
    });
  });

  it('is frozen, and parseConfig hands out copies that can be changed', () => {
    assert.ok(Object.isFrozen(DEFAULT_CONFIG));
    assert.ok(Object.isFrozen(DEFAULT_CONFIG.paths.include));
    const { config } = parseConfig(undefined, RULES);
    config.paths.include.push('src/**');
    config.rules['ndis/unmap-length'] = 'off';
    config.conclusion.failOn = 'never';
    assert.deepEqual(DEFAULT_CONFIG.paths.include, ['**']);
    assert.deepEqual(DEFAULT_CONFIG.rules, {});
    assert.equal(DEFAULT_CONFIG.conclusion.failOn, 'error');
  });
});

describe('parseConfig: valid files', () => {
  it('rule ids come from the rule pack', () => {
    assert.deepEqual(RULES.slice(0, 4), [
      'ndis/mmap-context',
      'ndis/unmap-on-failure',
      'ndis/unmap-in-halt',
      'ndis/unmap-length',
    ]);
    assert.ok(RULES.includes('ndis/spinlock-balance'));
  });

  it('no file (null or undefined) gives the defaults and no errors', () => {
    assert.deepEqual(parseConfig(null, RULES), { config: DEFAULT_CONFIG, errors: [] });
    assert.deepEqual(parseConfig(undefined, RULES), { config: DEFAULT_CONFIG, errors: [] });
  });

  it('an empty mapping gives the defaults', () => {
    assert.deepEqual(parseConfig({}, RULES), { config: DEFAULT_CONFIG, errors: [] });
  });

  it('accepts every key with valid values', () => {
    const raw = {
      rules: {
        'ndis/mmap-context': 'warning',
        'ndis/unmap-on-failure': 'error',
        'ndis/unmap-in-halt': 'note',
        'ndis/unmap-length': 'off',
      },
      paths: { include: ['drivers/**', 'common/*.c'], exclude: ['third_party/', '**/test/**'] },
      report: 'all',
      reviewComments: false,
      conclusion: { failOn: 'warning', otherwise: 'success' },
      trustSuppressions: true,
    };
    assert.deepEqual(parseConfig(raw, RULES), {
      config: {
        rules: {
          'ndis/mmap-context': 'warning',
          'ndis/unmap-on-failure': 'error',
          'ndis/unmap-in-halt': 'note',
          'ndis/unmap-length': 'off',
        },
        paths: { include: ['drivers/**', 'common/*.c'], exclude: ['third_party/', '**/test/**'] },
        report: 'all',
        reviewComments: false,
        conclusion: { failOn: 'warning', otherwise: 'success' },
        trustSuppressions: true,
      },
      errors: [],
    });
  });

  it('accepts each allowed value of each enumerated setting', () => {
    for (const report of ['new', 'all'] as const) {
      assert.deepEqual(parseConfig({ report }, RULES), { config: defaultsWith({ report }), errors: [] });
    }
    for (const reviewComments of [true, false]) {
      assert.deepEqual(parseConfig({ reviewComments }, RULES), {
        config: defaultsWith({ reviewComments }),
        errors: [],
      });
    }
    for (const failOn of ['error', 'warning', 'never'] as const) {
      const { config, errors } = parseConfig({ conclusion: { failOn } }, RULES);
      assert.deepEqual(errors, []);
      assert.deepEqual(config.conclusion, { failOn, otherwise: 'neutral' });
    }
    for (const otherwise of ['neutral', 'success'] as const) {
      const { config, errors } = parseConfig({ conclusion: { otherwise } }, RULES);
      assert.deepEqual(errors, []);
      assert.deepEqual(config.conclusion, { failOn: 'error', otherwise });
    }
  });

  it('a single string for include or exclude becomes a one-element list', () => {
    const { config, errors } = parseConfig({ paths: { include: 'src/**', exclude: '*.h' } }, RULES);
    assert.deepEqual(errors, []);
    assert.deepEqual(config.paths, { include: ['src/**'], exclude: ['*.h'] });
  });

  it('setting only include keeps the default exclude, and the reverse', () => {
    assert.deepEqual(parseConfig({ paths: { include: ['src/**'] } }, RULES).config.paths, {
      include: ['src/**'],
      exclude: [],
    });
    assert.deepEqual(parseConfig({ paths: { exclude: ['vendor/'] } }, RULES).config.paths, {
      include: ['**'],
      exclude: ['vendor/'],
    });
  });

  it('a section left empty (all entries commented out) counts as absent', () => {
    assert.deepEqual(parseConfig({ rules: null, paths: null, conclusion: null }, RULES), {
      config: DEFAULT_CONFIG,
      errors: [],
    });
    assert.deepEqual(parseConfig({ paths: { include: null, exclude: null } }, RULES), {
      config: DEFAULT_CONFIG,
      errors: [],
    });
  });

  it('reads false as off for a rule (YAML 1.1 parsers read a bare off as false)', () => {
    assert.deepEqual(parseConfig({ rules: { 'ndis/unmap-length': false } }, RULES), {
      config: defaultsWith({ rules: { 'ndis/unmap-length': 'off' } }),
      errors: [],
    });
  });

  it("ignores Probot's _extends key", () => {
    assert.deepEqual(parseConfig({ _extends: 'org/.github', report: 'all' }, RULES), {
      config: defaultsWith({ report: 'all' }),
      errors: [],
    });
  });
});

describe('parseConfig: errors', () => {
  const cases: { name: string; raw: unknown; errors: string[] }[] = [
    {
      name: 'a string instead of a mapping',
      raw: 'report: all',
      errors: [`the configuration must be a mapping of settings (${SETTINGS}), got "report: all"`],
    },
    {
      name: 'a list instead of a mapping',
      raw: [{ report: 'all' }],
      errors: [`the configuration must be a mapping of settings (${SETTINGS}), got a list`],
    },
    {
      name: 'a number instead of a mapping',
      raw: 42,
      errors: [`the configuration must be a mapping of settings (${SETTINGS}), got 42`],
    },
    {
      name: 'unknown top-level key, close to a known one',
      raw: { review_comments: false },
      errors: ['review_comments: unknown setting; did you mean reviewComments?'],
    },
    {
      name: 'unknown top-level key, not close to any',
      raw: { severity: 'high' },
      errors: [`severity: unknown setting; the settings are ${SETTINGS}`],
    },
    {
      name: 'unknown top-level key with characters that need quoting',
      raw: { 'fail on': 'never' },
      errors: [`"fail on": unknown setting; the settings are ${SETTINGS}`],
    },
    {
      name: 'report not an allowed value',
      raw: { report: 'everything' },
      errors: ['report: "everything" is not one of new, all'],
    },
    {
      name: 'report of the wrong type',
      raw: { report: ['new'] },
      errors: ['report: a list is not one of new, all'],
    },
    {
      name: 'report left empty',
      raw: { report: null },
      errors: ['report: an empty value is not one of new, all'],
    },
    {
      name: 'reviewComments as a word',
      raw: { reviewComments: 'yes' },
      errors: ['reviewComments: "yes" is not one of true, false'],
    },
    {
      name: 'reviewComments as a quoted boolean',
      raw: { reviewComments: 'false' },
      errors: ['reviewComments: "false" is not one of true, false (write it without quotes)'],
    },
    {
      name: 'reviewComments as a number',
      raw: { reviewComments: 0 },
      errors: ['reviewComments: 0 is not one of true, false'],
    },
    {
      name: 'conclusion.failOn not an allowed value',
      raw: { conclusion: { failOn: 'errors' } },
      errors: ['conclusion.failOn: "errors" is not one of error, warning, never'],
    },
    {
      name: 'conclusion.failOn note is not allowed',
      raw: { conclusion: { failOn: 'note' } },
      errors: ['conclusion.failOn: "note" is not one of error, warning, never'],
    },
    {
      name: 'conclusion.otherwise not an allowed value',
      raw: { conclusion: { otherwise: 'failure' } },
      errors: ['conclusion.otherwise: "failure" is not one of neutral, success'],
    },
    {
      name: 'conclusion not a mapping',
      raw: { conclusion: 'never' },
      errors: ['conclusion: expected a mapping with failOn and otherwise, got "never"'],
    },
    {
      name: 'unknown key under conclusion',
      raw: { conclusion: { failon: 'never' } },
      errors: ['conclusion.failon: unknown setting; did you mean conclusion.failOn?'],
    },
    {
      name: 'unknown key under conclusion, not close to any',
      raw: { conclusion: { title: 'x' } },
      errors: ['conclusion.title: unknown setting; the settings of conclusion are failOn, otherwise'],
    },
    {
      name: 'rules not a mapping',
      raw: { rules: ['ndis/unmap-length'] },
      errors: ['rules: expected a mapping of rule ids to off, error, warning, note, got a list'],
    },
    {
      name: 'rule setting not an allowed value',
      raw: { rules: { 'ndis/unmap-length': 'warn' } },
      errors: ['rules.ndis/unmap-length: "warn" is not one of off, error, warning, note'],
    },
    {
      name: 'rule setting true',
      raw: { rules: { 'ndis/unmap-length': true } },
      errors: ['rules.ndis/unmap-length: true is not one of off, error, warning, note'],
    },
    {
      name: 'rule setting a mapping',
      raw: { rules: { 'ndis/unmap-length': { severity: 'off' } } },
      errors: ['rules.ndis/unmap-length: a mapping is not one of off, error, warning, note'],
    },
    {
      name: 'unknown rule with a typo: the closest id is suggested',
      raw: { rules: { 'ndis/unmap-lenght': 'off' } },
      errors: ['rules.ndis/unmap-lenght: unknown rule; did you mean ndis/unmap-length?'],
    },
    {
      name: 'unknown rule without its pack prefix',
      raw: { rules: { 'unmap-in-halt': 'off' } },
      errors: ['rules.unmap-in-halt: unknown rule; did you mean ndis/unmap-in-halt?'],
    },
    {
      name: 'unknown rule differing in case',
      raw: { rules: { 'NDIS/MMAP-CONTEXT': 'off' } },
      errors: ['rules.NDIS/MMAP-CONTEXT: unknown rule; did you mean ndis/mmap-context?'],
    },
    {
      name: 'unknown rule written with a dot',
      raw: { rules: { 'ndis.unmap-on-failure': 'off' } },
      errors: ['rules."ndis.unmap-on-failure": unknown rule; did you mean ndis/unmap-on-failure?'],
    },
    {
      name: 'unknown rule not close to any: the known ids are listed',
      raw: { rules: { 'ndis/irql': 'off' } },
      errors: [`rules.ndis/irql: unknown rule; the rules are ${ALL_RULES}`],
    },
    {
      name: 'paths not a mapping',
      raw: { paths: 'src/**' },
      errors: ['paths: expected a mapping with include and exclude, got "src/**"'],
    },
    {
      name: 'unknown key under paths',
      raw: { paths: { excludes: ['vendor/'] } },
      errors: ['paths.excludes: unknown setting; did you mean paths.exclude?'],
    },
    {
      name: 'unknown key under paths, not close to any',
      raw: { paths: { ignore: ['vendor/'] } },
      errors: ['paths.ignore: unknown setting; the settings of paths are include, exclude'],
    },
    {
      name: 'include of the wrong type',
      raw: { paths: { include: 7 } },
      errors: ['paths.include: expected a glob or a list of globs, got 7'],
    },
    {
      name: 'exclude a mapping',
      raw: { paths: { exclude: { vendor: true } } },
      errors: ['paths.exclude: expected a glob or a list of globs, got a mapping'],
    },
    {
      name: 'a list element of the wrong type',
      raw: { paths: { include: ['src/**', 3] } },
      errors: ['paths.include[1]: expected a glob, got 3'],
    },
    {
      name: 'an empty pattern',
      raw: { paths: { exclude: [''] } },
      errors: ['paths.exclude[0]: an empty pattern matches nothing; remove it'],
    },
    {
      name: 'an include list of ! patterns only',
      raw: { paths: { include: ['!vendor/**'] } },
      errors: [
        'paths.include: every pattern starts with !, which only takes back what an earlier pattern matched, so it includes no file; list what to include first (for example **)',
      ],
    },
    {
      name: 'a negated character class',
      raw: { paths: { include: ['**', 'file[!0-9].c'] } },
      errors: [
        'paths.include[1]: "file[!0-9].c" uses a negated character class ([!...] or [^...]), which the matcher does not support; list the names to match instead',
      ],
    },
    {
      name: 'a ]-first character class given as a single string',
      raw: { paths: { exclude: '[]x].c' } },
      errors: ['paths.exclude: "[]x].c" has an empty or ]-first character class, which the matcher does not support'],
    },
    {
      name: 'a long string value is shortened in the message',
      raw: { report: 'x'.repeat(100) },
      errors: [`report: "${'x'.repeat(57)}..." is not one of new, all`],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(parseConfig(c.raw, RULES).errors, c.errors);
    });
  }

  it('invalid settings leave the defaults in place', () => {
    assert.deepEqual(parseConfig({ report: 'everything' }, RULES).config, DEFAULT_CONFIG);
    assert.deepEqual(
      parseConfig({ conclusion: { failOn: 'errors', otherwise: 'failure' } }, RULES).config,
      DEFAULT_CONFIG,
    );
    assert.deepEqual(parseConfig({ rules: { 'ndis/unmap-length': 'warn' } }, RULES).config, DEFAULT_CONFIG);
    assert.deepEqual(parseConfig({ paths: { include: 7, exclude: [3] } }, RULES).config, DEFAULT_CONFIG);
    assert.deepEqual(parseConfig('report: all', RULES).config, DEFAULT_CONFIG);
  });

  it('include with every element invalid keeps the default rather than matching nothing', () => {
    const { config, errors } = parseConfig({ paths: { include: [3, ''] } }, RULES);
    assert.equal(errors.length, 2);
    assert.deepEqual(config.paths.include, ['**']);
  });

  it('an explicitly empty include list is kept (it matches no file)', () => {
    const { config, errors } = parseConfig({ paths: { include: [] } }, RULES);
    assert.deepEqual(errors, []);
    assert.deepEqual(config.paths.include, []);
    assert.equal(pathMatches('a.c', config.paths), false);
  });

  it("without rule pack ids, only ndis-review's own rules are known", () => {
    assert.deepEqual(parseConfig({ rules: { 'ndis/unmap-length': 'off' } }, []).errors, [
      'rules.ndis/unmap-length: unknown rule; the rules are ndis-review/unused-directive',
    ]);
    assert.deepEqual(parseConfig({ rules: { 'ndis-review/unused-directive': 'off' } }, []).errors, []);
  });

  it('trustSuppressions takes a boolean, as reviewComments does', () => {
    assert.deepEqual(parseConfig({ trustSuppressions: 'yes' }, RULES).errors, [
      'trustSuppressions: "yes" is not one of true, false',
    ]);
    assert.deepEqual(parseConfig({ trustSuppressions: 'true' }, RULES).errors, [
      'trustSuppressions: "true" is not one of true, false (write it without quotes)',
    ]);
    assert.equal(parseConfig({ trustSuppressions: true }, RULES).config.trustSuppressions, true);
  });
});

describe('parseConfig: partial validity', () => {
  it('keeps every valid part and reports every invalid one, in file order', () => {
    const raw = {
      rules: {
        'ndis/unmap-length': 'off',
        'ndis/unmap-lenght': 'off',
        'ndis/mmap-context': 'fatal',
        'ndis/unmap-in-halt': 'note',
      },
      paths: { include: ['drivers/**', 42], exclude: 'third_party/', ignore: 'x' },
      report: 'everything',
      reviewComments: false,
      colour: 'blue',
      conclusion: { failOn: 'errors', otherwise: 'success' },
    };
    const { config, errors } = parseConfig(raw, RULES);
    assert.deepEqual(config, {
      rules: { 'ndis/unmap-length': 'off', 'ndis/unmap-in-halt': 'note' },
      paths: { include: ['drivers/**'], exclude: ['third_party/'] },
      report: 'new',
      reviewComments: false,
      conclusion: { failOn: 'error', otherwise: 'success' },
      trustSuppressions: false,
    });
    assert.deepEqual(errors, [
      'rules.ndis/unmap-lenght: unknown rule; did you mean ndis/unmap-length?',
      'rules.ndis/mmap-context: "fatal" is not one of off, error, warning, note',
      'paths.include[1]: expected a glob, got 42',
      'paths.ignore: unknown setting; the settings of paths are include, exclude',
      'report: "everything" is not one of new, all',
      `colour: unknown setting; the settings are ${SETTINGS}`,
      'conclusion.failOn: "errors" is not one of error, warning, never',
    ]);
  });

  it('an unknown key does not stop the known ones from applying', () => {
    assert.deepEqual(parseConfig({ extra: 1, report: 'all' }, RULES), {
      config: defaultsWith({ report: 'all' }),
      errors: [`extra: unknown setting; the settings are ${SETTINGS}`],
    });
  });
});

/** One pattern as `include` (nothing excluded): which paths it selects. */
function matches(glob: string, yes: string[], no: string[]): void {
  const paths = { include: [glob], exclude: [] };
  for (const p of yes) assert.ok(pathMatches(p, paths), `${glob} should match ${p}`);
  for (const p of no) assert.ok(!pathMatches(p, paths), `${glob} should not match ${p}`);
}

describe('path patterns (gitignore lines, through the ignore package)', () => {
  it('** is any number of segments, including none', () => {
    matches(
      'drivers/**/test/*.c',
      ['drivers/test/a.c', 'drivers/x/test/a.c', 'drivers/x/y/z/test/rx.c'],
      ['drivers/test/a.h', 'drivers/test/sub/a.c', 'drivers/xtest/a.c', 'src/drivers/test/a.c', 'drivers/a.c'],
    );
    matches('**/test/*.c', ['test/a.c', 'a/b/test/a.c'], ['a/btest/a.c', 'test/a.h']);
    matches('src/**', ['src/a.c', 'src/a/b/c.h'], ['src.c', 'lib/src/a.c', 'srcx/a.c']);
    matches('**', ['a.c', 'a/b/c.h', '.github/x.yml'], []);
  });

  it('* stays within a segment', () => {
    matches('src/*.c', ['src/a.c', 'src/.c', 'src/x.y.c'], ['src/a/b.c', 'lib/src/a.c', 'src/a.h', 'src/a.cc']);
    matches('src/dr*er.c', ['src/driver.c', 'src/drer.c'], ['src/dr/er.c']);
  });

  it('? is exactly one character, never a slash', () => {
    matches('src/?.c', ['src/a.c', 'src/1.c'], ['src/ab.c', 'src/.c', 'src//.c']);
    matches('a?b.c', ['axb.c', 'x/axb.c'], ['a/b.c', 'ab.c']);
  });

  it('a leading / or ./ anchors to the root', () => {
    matches('/root-only.c', ['root-only.c'], ['src/root-only.c', 'a/b/root-only.c', 'root-only.cc']);
    matches('./root-only.c', ['root-only.c'], ['src/root-only.c']);
  });

  it('a pattern with a slash in the middle is anchored to the root', () => {
    matches('src/main.c', ['src/main.c'], ['lib/src/main.c']);
  });

  it('a pattern without / matches the basename at any depth', () => {
    matches('*.h', ['c.h', 'a/b/c.h', 'a/b/.h'], ['a/b/c.hh', 'a/b/c.c', 'a/b/ch']);
    matches('main.c', ['main.c', 'a/main.c', 'a/b/main.c'], ['a/xmain.c', 'a/main.cc']);
  });

  it('a trailing / means a folder and everything below, at any depth when it has no other /', () => {
    matches(
      'third_party/',
      ['third_party/a.c', 'third_party/x/y/z.h', 'drivers/third_party/a.c'],
      ['third_party', 'third_party.c', 'my_third_party/a.c', 'third_partyx/a.c'],
    );
    matches('/third_party/', ['third_party/a.c'], ['drivers/third_party/a.c']);
    matches('drivers/vendor/', ['drivers/vendor/a.c'], ['x/drivers/vendor/a.c', 'drivers/vendor']);
  });

  it('a pattern that names a folder covers everything below it, like .gitignore', () => {
    matches('vendor', ['vendor', 'vendor/a.c', 'lib/vendor/x/y.h'], ['vendors/a.c', 'lib/myvendor/a.c']);
    matches('drivers/**/test', ['drivers/test/a.c', 'drivers/a/test/b/c.c'], ['drivers/testing/a.c']);
  });

  it('character classes and ranges; an unclosed [ is literal', () => {
    matches('[ab].c', ['a.c', 'x/b.c'], ['c.c', 'ab.c']);
    matches('file[0-9].c', ['file3.c'], ['filex.c', 'file10.c']);
    matches('a[b.c', ['a[b.c', 'x/a[b.c'], ['ab.c']);
  });

  it('negated and ]-first classes are refused with a message rather than matching nothing', () => {
    assert.match(patternProblem('[!a].c') ?? '', /negated character class/);
    assert.match(patternProblem('[^a].c') ?? '', /negated character class/);
    assert.match(patternProblem('[]x].c') ?? '', /]-first character class/);
    assert.equal(patternProblem('file[0-9].c'), undefined);
  });

  it('regex special characters are literal: dots, plus signs, parentheses and more; # is not a comment', () => {
    matches('lib.c', ['lib.c', 'a/lib.c'], ['libxc', 'lib_c', 'a/libbc']);
    matches('c++/*.cpp', ['c++/a.cpp'], ['cc/a.cpp', 'c+++/a.cpp', 'c/a.cpp', 'c++/axcpp']);
    matches('g++.h', ['g++.h', 'x/g++.h'], ['gg.h', 'g.h', 'g+++.h']);
    matches('a(b)|c$^{1}.c', ['a(b)|c$^{1}.c'], ['ab.c', 'c$.c']);
    matches('\\*.c', ['*.c', 'x/*.c'], ['a.c']);
    matches('#notes.c', ['#notes.c', 'a/#notes.c'], ['notes.c']);
  });

  it('matches case-sensitively, as Git does', () => {
    matches('Vendor/', ['Vendor/a.c'], ['vendor/a.c']);
  });

  it('an empty pattern, or one that is only a slash, matches nothing', () => {
    matches('', [], ['', 'a.c', 'a/b.c']);
    matches('/', [], ['', 'a.c']);
  });

  it('! re-includes what an earlier pattern of the same list excluded (new with the ignore package)', () => {
    const paths = { include: ['**'], exclude: ['vendor/*', '!vendor/ours/'] };
    assert.equal(pathMatches('vendor/theirs/a.c', paths), false);
    assert.equal(pathMatches('vendor/x.c', paths), false);
    assert.equal(pathMatches('vendor/ours/a.c', paths), true);
    // As in Git, a file cannot be re-included when a folder above it stays excluded.
    assert.equal(pathMatches('vendor/ours/a.c', { include: ['**'], exclude: ['vendor/', '!vendor/ours/a.c'] }), false);
  });
});

describe('pathMatches', () => {
  it('the default paths include every file', () => {
    for (const p of ['a.c', 'drivers/net/e1000/e1000.c', '.github/x.h'])
      assert.equal(pathMatches(p, DEFAULT_CONFIG.paths), true);
  });

  it('included when some include matches and no exclude matches', () => {
    const paths = { include: ['drivers/**', '*.h'], exclude: ['third_party/', 'drivers/**/test/*.c'] };
    assert.equal(pathMatches('drivers/net/rx.c', paths), true);
    assert.equal(pathMatches('include/ndis.h', paths), true);
    assert.equal(pathMatches('src/main.c', paths), false, 'no include matches');
    assert.equal(pathMatches('drivers/third_party/lib.c', paths), false, 'excluded folder');
    assert.equal(pathMatches('third_party/x.h', paths), false, 'exclude wins over include');
    assert.equal(pathMatches('drivers/net/test/rx.c', paths), false, 'excluded glob');
    assert.equal(pathMatches('drivers/net/test/rx.h', paths), true, 'exclude glob does not match .h');
  });

  it('an empty include matches nothing', () => {
    assert.equal(pathMatches('a.c', { include: [], exclude: [] }), false);
  });

  it('ignores a leading ./ or / on the path', () => {
    const paths = { include: ['/root-only.c'], exclude: [] };
    assert.equal(pathMatches('./root-only.c', paths), true);
    assert.equal(pathMatches('/root-only.c', paths), true);
    assert.equal(pathMatches('src/root-only.c', paths), false);
  });

  it('uses the patterns of a parsed config', () => {
    const { config } = parseConfig({ paths: { include: 'src/**', exclude: '*.h' } }, RULES);
    assert.equal(pathMatches('src/a.c', config.paths), true);
    assert.equal(pathMatches('src/a.h', config.paths), false);
    assert.equal(pathMatches('lib/a.c', config.paths), false);
  });
});

describe('NDIS_REVIEW_DOCS_URL', () => {
  it('takes http(s) URLs, adds the trailing slash, refuses anything else', async () => {
    const { docsBase } = await import('../src/app/index.js');
    assert.equal(
      docsBase('https://github.com/acme/ndis-review/blob/v1'),
      'https://github.com/acme/ndis-review/blob/v1/',
    );
    assert.equal(docsBase('https://docs.example.com/ndis/'), 'https://docs.example.com/ndis/');
    assert.equal(docsBase(undefined), undefined);
    assert.equal(docsBase(''), undefined);
    assert.equal(docsBase('javascript:alert(1)'), undefined);
    assert.equal(docsBase('not a url'), undefined);
  });
});
