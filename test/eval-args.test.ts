/** The command line of `npm run eval`, and the label reader's checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArgsError, parseArgs } from '../eval/args.js';
import { LabelError, parseLabel } from '../eval/labels.js';

describe('parseArgs', () => {
  it('reads the corpus and every option, in both spellings', () => {
    const a = parseArgs([
      '/c',
      '--labels',
      'L',
      '--json=o.json',
      '--compare',
      'old.json',
      '--cli',
      'x.js',
      '--only',
      'a, b',
      '--mutants',
      '5',
      '--seed=9',
      '--jobs',
      '3',
    ]);
    assert.deepEqual(a, {
      corpus: '/c',
      labels: 'L',
      manifest: undefined,
      json: 'o.json',
      compare: 'old.json',
      cli: 'x.js',
      config: undefined,
      only: ['a', 'b'],
      operators: undefined,
      mutants: 5,
      seed: 9,
      concurrency: 3,
      help: false,
    });
    assert.equal(parseArgs(['--mutants', 'all']).mutants, 'all');
    assert.equal(parseArgs([]).mutants, 'all');
  });

  it('rejects what it does not know', () => {
    assert.throws(() => parseArgs(['--nope']), ArgsError);
    assert.throws(() => parseArgs(['a', 'b']), ArgsError);
    assert.throws(() => parseArgs(['--mutants', 'some']), ArgsError);
    assert.throws(() => parseArgs(['--jobs', '0']), ArgsError);
    assert.throws(() => parseArgs(['--json']), ArgsError);
  });
});

describe('parseLabel', () => {
  it('names a missing or mistyped field', () => {
    assert.throws(() => parseLabel({ driver: 'd', sites: [] }, 'x.json'), /x\.json: expected must be an array/);
    assert.throws(
      () => parseLabel({ driver: 'd', sites: [{ id: 's1', file: 'a.c', line: 0 }], expected: [] }, 'x.json'),
      (e: unknown) => e instanceof LabelError && e.message.includes('sites[0]: line must be a line number'),
    );
  });
});
