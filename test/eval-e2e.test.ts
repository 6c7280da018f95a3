/**
 * `npm run eval` end to end on a tiny corpus: four shared cases copied into a
 * corpus layout, labelled in test/fixtures/eval/labels (one label wrong on
 * purpose), scanned by the real CLI as a subprocess, mutated, and compared
 * with a doctored earlier run.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Results } from '../eval/results.js';
import { runEval } from '../eval/run.js';
import { sameFindings } from '../eval/score.js';
import { repoRoot } from './support/paths.js';
import { defined } from '../src/util/defined.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'eval');
/** The six operators of the mapping rules, judged on those rules only. */
const MAPPING_OPERATORS = [
  'drop-halt-call',
  'exit-to-return',
  'delete-unmap',
  'change-length',
  'map-in-callback',
  'guard-release',
];
const manifest = path.join(fixtures, 'corpus.json');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function evaluate(argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runEval(argv, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    cwd: repoRoot,
  });
  return { code, stdout, stderr };
}

describe('npm run eval on a tiny corpus', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'ndis-review-eval-e2e-'));
  const corpus = path.join(work, 'corpus');
  const resultsFile = path.join(work, 'results.json');
  const common = ['--manifest', manifest, '--labels', path.join(fixtures, 'labels'), '--jobs', '2'];
  let first: Run;
  let results: Results;

  before(async () => {
    const drivers = (
      JSON.parse(readFileSync(manifest, 'utf8')) as { repositories: { drivers: { id: string; case: string }[] }[] }
    ).repositories[0].drivers;
    for (const d of drivers)
      cpSync(path.join(repoRoot, '..', 'shared', 'cases', d.case), path.join(corpus, d.id, 'src'), { recursive: true });
    first = await evaluate([corpus, ...common, '--json', resultsFile, '--mutants', '1', '--seed', '3']);
    results = JSON.parse(readFileSync(resultsFile, 'utf8')) as Results;
  });
  after(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('evaluates the labelled drivers only and exits 0', () => {
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(
      results.drivers.map((d) => d.id),
      ['case-p01', 'case-p05', 'case-p07', 'case-c04'],
    );
    assert.deepEqual(
      results.drivers.filter((d) => d.error !== undefined),
      [],
    );
  });

  it('scores findings against the labels: the wrong label gives one false positive and one false negative', () => {
    const byId = new Map(results.drivers.map((d) => [d.id, d]));
    assert.deepEqual(defined(byId.get('case-p07')).counts, {
      truePositives: 1,
      falsePositives: 0,
      falseNegatives: 0,
      debatableReported: 0,
      debatableSilent: 0,
    });
    assert.equal(defined(byId.get('case-p07')).precision, 1);
    assert.deepEqual(defined(byId.get('case-c04')).counts, {
      truePositives: 0,
      falsePositives: 1,
      falseNegatives: 1,
      debatableReported: 0,
      debatableSilent: 1,
    });
    assert.deepEqual(defined(byId.get('case-p01')).counts.falsePositives, 0);
    assert.equal(defined(byId.get('case-p01')).precision, null);
    assert.equal(results.totals.precision, 0.5);
    assert.equal(results.totals.recall, 0.5);
    assert.match(first.stdout, /^ {2}FP ndis\/mmap-context nic\.c:22 /m);
    assert.match(first.stdout, /^ {2}FN ndis\/mmap-context nic\.c:23 \(s1\) deliberately one line off$/m);
    assert.match(
      first.stdout,
      /^ {2}findings: 1 true, 1 false positive, 1 false negative; precision 50\.0%, recall 50\.0%$/m,
    );
  });

  it('reports parse health, withheld notices and API call sites beside raw tokens', () => {
    const p01 = results.drivers[0];
    assert.equal(p01.health.parsedFiles, 1);
    assert.equal(p01.health.damagedFiles, 0);
    assert.ok(p01.health.functions >= 3);
    assert.deepEqual(p01.withheld, []);
    assert.deepEqual(p01.apiCalls.NdisMMapIoSpace, { direct: 2, viaMacro: 0, raw: 2, rawInCpp: 0, mismatch: false });
    assert.deepEqual(p01.apiCalls.NdisMUnmapIoSpace, { direct: 4, viaMacro: 0, raw: 4, rawInCpp: 0, mismatch: false });
    assert.doesNotMatch(first.stdout, /MISMATCH/);
    assert.match(first.stdout, /^ {2}NdisMMapIoSpace: engine 2 direct \+ 0 via macro; raw tokens 2$/m);
  });

  it('runs a seeded sample of one mutant per operator, counts exclusions, and kills the plain defects', () => {
    const counts = Object.fromEntries(
      results.drivers.map((d) => [
        d.id,
        Object.fromEntries(
          Object.entries(defined(d.mutation, 'd.mutation').byOperator)
            .filter(([op]) => MAPPING_OPERATORS.includes(op))
            .map(([op, f]) => [op, [f.mutants, f.excluded, f.sampledOut]]),
        ),
      ]),
    );
    assert.deepEqual(counts['case-p01'], {
      'drop-halt-call': [0, 2, 0],
      'exit-to-return': [1, 0, 2],
      'delete-unmap': [1, 0, 3],
      'change-length': [1, 0, 3],
      'map-in-callback': [0, 0, 0],
      'guard-release': [1, 0, 1],
    });
    assert.deepEqual(counts['case-c04'], {
      'drop-halt-call': [0, 0, 0],
      'exit-to-return': [0, 0, 0],
      'delete-unmap': [0, 2, 0],
      'change-length': [0, 2, 0],
      'map-in-callback': [1, 0, 1],
      'guard-release': [0, 0, 0],
    });
    // The pairing operators on p01: halt's NdisMDeregisterInterruptEx deleted; its one exit after the registration
    // is the registration's own check.
    const p01 = defined(defined(results.drivers.find((d) => d.id === 'case-p01')).mutation).byOperator;
    assert.deepEqual(
      [p01['pair-drop-release'], p01['pair-exit-to-return']].map((f) => [f.mutants, f.excluded, f.sampledOut]),
      [
        [1, 0, 0],
        [0, 1, 0],
      ],
    );
    // The operators of the rules that pair nothing, where the cases give them a place: a pool tag broken
    // (p01, p05, c04), the port range registered in c04's DPC (its reset callback sampled out).
    const others = Object.fromEntries(
      results.drivers.map((d) => [
        d.id,
        Object.fromEntries(
          Object.entries(defined(d.mutation, 'd.mutation').byOperator)
            .filter(([op]) => !op.startsWith('pair-') && !MAPPING_OPERATORS.includes(op))
            .filter(([, f]) => f.mutants + f.excluded + f.sampledOut > 0)
            .map(([op, f]) => [op, [f.mutants, f.excluded, f.sampledOut]]),
        ),
      ]),
    );
    assert.deepEqual(others, {
      'case-p01': { 'break-constant': [1, 0, 0] },
      'case-p05': { 'break-constant': [1, 0, 0] },
      'case-p07': {},
      'case-c04': { 'ports-in-callback': [1, 0, 1], 'break-constant': [1, 0, 0] },
    });
    assert.equal(results.totals.mutation.mutants, 18);
    assert.equal(results.totals.mutation.drivers, 4);
    const all = results.drivers.flatMap((d) => defined(d.mutation, 'd.mutation').results);
    for (const r of all) assert.equal(r.killed, sameFindings(r.got, r.expected), r.id);
    // Defects the shared cases already cover, which the engine must catch. Not asserted: guard-release (flag-aware
    // halt, issue 7 class 4) and delete-unmap on p05, whose break leak belongs at the return (class 5).
    const mustKill = [
      'case-p01 exit-to-return@init.c:54',
      'case-p01 pair-drop-release@init.c:82',
      'case-p05 drop-halt-call@mp_init.c:79',
      'case-p05 exit-to-return@mp_init.c:60',
      'case-p05 change-length@mp_init.c:27',
      'case-p07 delete-unmap@nic.c:48',
      'case-p07 change-length@nic.c:37',
      'case-c04 map-in-callback@nic.c:77',
    ];
    const ran = results.drivers.flatMap((d) =>
      defined(d.mutation, 'd.mutation').results.map((r) => ({ key: `${d.id} ${r.id}`, r })),
    );
    for (const key of mustKill) {
      const found = ran.find((x) => x.key === key);
      assert.ok(found, `${key} was not generated; generated: ${ran.map((x) => x.key).join(', ')}`);
      assert.ok(
        found.r.killed,
        `${key} survived: expected ${JSON.stringify(found.r.expected)}, got ${JSON.stringify(found.r.got)}`,
      );
    }
    assert.match(first.stdout, /^ {4}excluded drop-halt-call: halt releases directly \(delete-unmap covers it\): 2$/m);
    assert.match(first.stdout, /^ {2}mutation score: \d+ \/ 18 killed \(/m);
    // Per rule: the interrupt rule's one mutant (the deleted deregistration) is printed with the rule's figures.
    assert.match(
      first.stdout,
      /^ {4}ndis\/init-register-interrupt +0 labelled; 0 TP, 0 FP \(0\), 0 FN; n\/a, n\/a; 1\/1 killed/m,
    );
  });

  it('--compare prints the figures that dropped and exits 1', async () => {
    const earlier = JSON.parse(readFileSync(resultsFile, 'utf8')) as Results;
    const c04 = defined(earlier.drivers.find((d) => d.id === 'case-c04'));
    c04.counts.falsePositives = 0;
    c04.precision = 1;
    const earlierFile = path.join(work, 'earlier.json');
    writeFileSync(earlierFile, JSON.stringify(earlier));
    const second = await evaluate([
      corpus,
      ...common,
      '--json',
      path.join(work, 'second.json'),
      '--mutants',
      '0',
      '--compare',
      earlierFile,
    ]);
    assert.equal(second.code, 1, second.stderr);
    assert.match(second.stdout, /^DROP case-c04: precision 1 -> 0$/m);
    assert.match(second.stdout, /^DROP case-c04: false positives 0 -> 1$/m);
    assert.doesNotMatch(second.stdout, /DROP case-p0/);
    assert.match(second.stdout, /^2 figure\(s\) dropped against /m);
  });

  it('rejects an --only naming no driver of the manifest', async () => {
    const run = await evaluate([corpus, ...common, '--only', 'case-p01,nope', '--json', path.join(work, 'x.json')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--only names drivers not in the manifest: nope/);
  });
});
