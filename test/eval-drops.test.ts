/** `--compare`: which figures dropped between two results files. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareResults, formatComparison } from '../eval/drops.js';
import { type DriverResult, type Results, emptyResult, operatorFigures, totalsOf } from '../eval/results.js';
import { defined } from '../src/util/defined.js';

function driver(id: string, change: (d: DriverResult) => void = () => undefined): DriverResult {
  const d = emptyResult({ id, folder: 'f', repo: 'r', commit: 'c' });
  d.counts.truePositives = 4;
  d.counts.falsePositives = 1;
  d.counts.falseNegatives = 0;
  d.precision = 0.8;
  d.recall = 1;
  d.health = {
    ...d.health,
    parsedFiles: 10,
    damagedFiles: 1,
    damagedFilesShare: 0.1,
    functions: 50,
    damagedFunctions: 1,
    damagedFunctionsShare: 0.02,
  };
  d.apiCalls = { NdisMMapIoSpace: { direct: 1, viaMacro: 0, raw: 1, rawInCpp: 0, mismatch: false } };
  d.mutation = {
    mutants: 10,
    killed: 9,
    score: 0.9,
    wallMs: 1,
    byOperator: { 'delete-unmap': operatorFigures([], 0, 0) },
    byRule: {},
    excludedByRule: {},
    exclusions: [],
    survivors: [],
    results: [],
  };
  d.mutation.byOperator['delete-unmap'] = { mutants: 4, killed: 4, score: 1, excluded: 0, sampledOut: 0 };
  change(d);
  return d;
}

function results(drivers: DriverResult[]): Results {
  return {
    format: 1,
    cli: 'x',
    corpus: 'c',
    labels: 'l',
    rules: [],
    seed: 1,
    mutants: 'all',
    drivers,
    totals: totalsOf(drivers),
  };
}

describe('compareResults', () => {
  it('finds nothing between equal runs', () => {
    const c = compareResults(results([driver('a'), driver('b')]), results([driver('a'), driver('b')]));
    assert.deepEqual(c, { drops: [], notes: [] });
    assert.match(formatComparison(c, 'old.json'), /^no figure dropped against old\.json\n$/);
  });

  it('lists each figure that got worse, per driver and in total, and none that got better', () => {
    const before = results([driver('a'), driver('b')]);
    const after = results([
      driver('a', (d) => {
        d.counts.falsePositives = 2;
        d.precision = 4 / 6;
        d.health.damagedFunctions = 3;
        d.health.damagedFunctionsShare = 0.06;
        d.withheld = [{ kind: 'budget', message: 'm', withheld: true }];
        d.apiCalls.NdisMMapIoSpace.mismatch = true;
        defined(d.mutation, 'd.mutation').killed = 8;
        defined(d.mutation, 'd.mutation').score = 0.8;
        defined(d.mutation, 'd.mutation').byOperator['delete-unmap'] = {
          mutants: 4,
          killed: 3,
          score: 0.75,
          excluded: 0,
          sampledOut: 0,
        };
      }),
      driver('b', (d) => {
        d.counts.falsePositives = 0;
        d.precision = 1;
      }),
    ]);
    const c = compareResults(before, after);
    const shown = c.drops.map((d) => `${d.scope}: ${d.figure}`);
    assert.deepEqual(shown, [
      'a: precision',
      'a: false positives',
      'a: damaged functions',
      'a: damaged functions share',
      'a: notices that withheld a decision',
      'a: API count mismatches',
      'a: mutation score',
      'a: mutation score delete-unmap',
      'total: damaged functions',
      'total: damaged functions share',
      'total: notices that withheld a decision',
      'total: API count mismatches',
      'total: mutation score',
      'total: mutation score delete-unmap',
    ]);
    assert.match(formatComparison(c, 'old.json'), /^DROP a: precision 0\.8000 -> 0\.6667$/m);
    assert.match(formatComparison(c, 'old.json'), /^14 figure\(s\) dropped against old\.json$/m);
  });

  it('counts more lock callbacks not followed as a drop, and a results file without the figure as nothing', () => {
    const walked = (n: number) => (d: DriverResult) => {
      d.lockWalks = { callbacks: 10, notFollowed: n };
    };
    const c = compareResults(results([driver('a', walked(2))]), results([driver('a', walked(3))]));
    assert.deepEqual(
      c.drops.map((d) => `${d.scope}: ${d.figure} ${String(d.before)} -> ${String(d.after)}`),
      ['a: lock callbacks not followed 2 -> 3', 'total: lock callbacks not followed 2 -> 3'],
    );
    assert.deepEqual(compareResults(results([driver('a')]), results([driver('a', walked(3))])).drops, []);
    assert.deepEqual(compareResults(results([driver('a', walked(3))]), results([driver('a', walked(1))])).drops, []);
  });

  it('does not compare what one side lacks, and notes drivers on one side only', () => {
    const before = results([driver('a'), driver('b')]);
    const after = results([
      driver('a', (d) => {
        delete d.mutation;
        d.recall = null;
      }),
      driver('c'),
    ]);
    const c = compareResults(before, after);
    assert.deepEqual(c.drops, []);
    assert.deepEqual(c.notes, [
      'b: in the earlier results only, not compared',
      'c: new, not compared',
      'totals not compared: the two runs cover different drivers',
    ]);
  });

  it('counts a driver that now fails to scan, or to mutate, as a drop', () => {
    for (const fail of [
      (d: DriverResult) => (d.error = 'exit 2'),
      (d: DriverResult) => (defined(d.mutation, 'd.mutation').error = 'generator failed'),
    ]) {
      const c = compareResults(results([driver('a')]), results([driver('a', fail)]));
      assert.deepEqual(
        c.drops.filter((d) => d.figure.includes('error')).map((d) => `${d.scope}: ${d.figure}`),
        ['a: errors', 'total: drivers with errors'],
      );
    }
  });
});
