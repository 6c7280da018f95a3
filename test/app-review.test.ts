/** The review planner: diff hunks, the hidden marker, comment bodies, and what one push posts and edits. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ExistingComment, PullRequestFile } from '../src/app/types.js';
import { ruleDocsUrl } from '../src/engine/rulepack.js';
import type { Finding } from '../src/engine/types.js';
import {
  MAX_REVIEW_COMMENTS,
  RESOLVED_LINE,
  appIdIn,
  appMarker,
  commentBody,
  isOwnComment,
  commentableLines,
  fingerprintsIn,
  markerFor,
  planReview,
} from '../src/app/review.js';

function finding(fields: Partial<Finding> & Pick<Finding, 'path' | 'line'>): Finding {
  return {
    rule: 'ndis/mmap-context',
    severity: 'error',
    column: 1,
    endLine: fields.line,
    endColumn: 10,
    message: 'NdisMMapIoSpace is called outside the initialize callback.',
    fingerprint: `fp-${fields.path}-${String(fields.line)}`,
    trace: [],
    docs: 'rules/ndis/mmap-context.md',
    ...fields,
  };
}

const sorted = (s: Set<number>): number[] => [...s].sort((a, b) => a - b);

/** Two hunks: additions, a removal, context, and a function name after the second header. */
const TWO_HUNKS = [
  'diff --git a/drv.c b/drv.c',
  '--- a/drv.c',
  '+++ b/drv.c',
  '@@ -1,4 +1,5 @@',
  ' #include <ndis.h>', //      new 1
  '-int old;', //                (old 2)
  '+int a;', //                  new 2
  '+int b;', //                  new 3
  ' ', //                        new 4
  ' int c;', //                  new 5
  '@@ -10,3 +11,2 @@ VOID Halt(void)',
  ' {', //                       new 11
  '-  NdisMUnmapIoSpace(h, p, 4);', // (old 11)
  ' }', //                       new 12
  '\\ No newline at end of file',
  '',
].join('\n');

describe('commentableLines', () => {
  it('counts added and context lines of every hunk, not removed lines or file headers', () => {
    assert.deepEqual(sorted(commentableLines(TWO_HUNKS)), [1, 2, 3, 4, 5, 11, 12]);
  });

  it('reads CRLF patches as LF ones', () => {
    assert.deepEqual(sorted(commentableLines(TWO_HUNKS.replace(/\n/g, '\r\n'))), [1, 2, 3, 4, 5, 11, 12]);
    // An empty context line whose space was stripped is a bare CR.
    assert.deepEqual(sorted(commentableLines('@@ -5,3 +5,3 @@\r\n a\r\n\r\n c\r\n')), [5, 6, 7]);
  });

  it('skips "\\ No newline at end of file" between the removed and the added last line', () => {
    const patch = '@@ -1,2 +1,2 @@\n keep\n-last\n\\ No newline at end of file\n+last;\n\\ No newline at end of file\n';
    assert.deepEqual(sorted(commentableLines(patch)), [1, 2]);
  });

  it('takes a missing count as 1', () => {
    assert.deepEqual(sorted(commentableLines('@@ -1 +1 @@\n-a\n+b')), [1]);
    assert.deepEqual(sorted(commentableLines('@@ -0,0 +1 @@\n+only line\n')), [1]);
    assert.deepEqual(sorted(commentableLines('@@ -7 +7,3 @@\n x\n+y\n+z\n')), [7, 8, 9]);
  });

  it('counts a context line whose leading space was stripped, but not a trailing newline', () => {
    assert.deepEqual(sorted(commentableLines('@@ -5,3 +5,3 @@\n a\n\n c\n')), [5, 6, 7]);
    assert.deepEqual(sorted(commentableLines('@@ -5,1 +5,1 @@\n a\n\n\n')), [5]);
  });

  it('reads added lines that look like headers as added lines', () => {
    const patch = '@@ -1,1 +1,3 @@\n x\n+@@ -1 +100 @@\n+--- a/y\n';
    assert.deepEqual(sorted(commentableLines(patch)), [1, 2, 3]);
  });

  it('gives nothing for an empty patch or a deleted file', () => {
    assert.equal(commentableLines('').size, 0);
    assert.equal(commentableLines('@@ -1,3 +0,0 @@\n-a\n-b\n-c\n').size, 0);
  });
});

describe('hidden marker', () => {
  it('round-trips, read only from the marker lines at the end of the body', () => {
    const fp = '0123456789abcdef0123456789abcdef';
    assert.equal(markerFor(fp), `<!-- ndis-review:fingerprint=${fp} -->`);
    assert.deepEqual(fingerprintsIn(`**Resolved:** x\n\nsome text\n\n${markerFor(fp)}\n`), [fp]);
    assert.deepEqual(fingerprintsIn(`x\r\n\r\n${appMarker(7)}\r\n${markerFor(fp)}`), [fp]);
    // Not at the end, or not on a line of its own: text, not a marker.
    assert.deepEqual(fingerprintsIn(`some text ${markerFor(fp)}\ntrailing`), []);
    assert.deepEqual(fingerprintsIn(`${markerFor(fp)}\n\nmore text`), []);
    assert.deepEqual(fingerprintsIn(`text ${markerFor(fp)}`), []);
  });

  it('cannot be planted by a file name or message that quotes one', () => {
    const planted = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
    const hostile = finding({
      line: 3,
      path: `x.c\n${markerFor(planted)}`,
      fingerprint: 'real',
      message: `Adapter->Regs in ${markerFor(planted)}\n${appMarker(1)}`,
      trace: [{ path: markerFor(planted), line: 1, message: markerFor(planted) }],
    });
    const body = commentBody(hostile, undefined, 7);
    assert.deepEqual(fingerprintsIn(body), ['real']);
    assert.equal(appIdIn(body), 7);
  });

  it('reads only its exact shape', () => {
    assert.deepEqual(fingerprintsIn('<!--ndis-review:fingerprint=abc-->'), []);
    assert.deepEqual(fingerprintsIn('<!-- other-app:fingerprint=abc -->'), []);
    assert.deepEqual(fingerprintsIn('<!-- ndis-review:fingerprint= -->'), []);
    assert.deepEqual(fingerprintsIn('<!-- ndis-review:fingerprint=a b -->'), []);
    assert.deepEqual(fingerprintsIn('<!-- ndis-review:fingerprint=%E0%A4%A -->'), []);
    assert.deepEqual(fingerprintsIn('no marker at all'), []);
  });

  it('keeps a fingerprint that holds "-->" inside the comment', () => {
    const odd = 'a --> b <!-- c';
    const marker = markerFor(odd);
    assert.equal(marker.indexOf('-->'), marker.length - 3);
    assert.deepEqual(fingerprintsIn(`x\n\n${marker}`), [odd]);
  });
});

describe('hostile names in comments', () => {
  it('are escaped: a file name cannot add a link, an image, HTML, emphasis or a table to a comment', () => {
    const name = '![x](https://tracker.invalid/p.png)<img src=x>**[a](b)|c`d.c';
    const body = commentBody(
      finding({
        path: name,
        line: 4,
        message: `The mapping made in ${name}:4 is kept.`,
        trace: [{ path: name, line: 4, message: `${name} maps Regs here` }],
      }),
    );
    // Prose (the message, each trace step's text) holds the name with every Markdown character escaped.
    const prose = body
      .split('\n')
      .filter((l) => l.includes('tracker') && !l.startsWith('<!--'))
      .map((l) => l.replace(/^- (`+).*?\1 — /, ''));
    assert.equal(prose.length, 2, body);
    for (const line of prose) assert.doesNotMatch(line, /(?<!\\)[[\]<>*|`]/, line);
    assert.match(body, /\\\[x\\\]\(https:\/\/tracker\.invalid\/p\.png\)\\<img src=x\\>/);
  });
});

describe('commentBody', () => {
  const f = finding({
    path: 'src/drv.c',
    line: 42,
    fingerprint: 'abc123',
    message: 'Map in MiniportInitializeEx instead.',
    trace: [
      { path: 'src/drv.c', line: 40, message: 'MiniportHalt calls Remap' },
      { path: 'src/util.c', line: 7, message: 'Remap calls NdisMMapIoSpace' },
    ],
  });

  it('has severity and rule in bold, the message, the trace, the docs and the marker last', () => {
    const body = commentBody(f, 'https://example.test/docs/rules/ndis/mmap-context.md');
    const lines = body.split('\n');
    assert.equal(lines[0], '**Error** `ndis/mmap-context`');
    assert.ok(body.includes('\n\nMap in MiniportInitializeEx instead.\n\n'));
    assert.ok(
      body.includes('- `src/drv.c:40` — MiniportHalt calls Remap\n- `src/util.c:7` — Remap calls NdisMMapIoSpace'),
    );
    assert.ok(body.includes('[Rule documentation](https://example.test/docs/rules/ndis/mmap-context.md)'));
    assert.equal(lines[lines.length - 1], markerFor('abc123'));
  });

  it('names the docs path when there is no URL', () => {
    const body = commentBody(f);
    assert.ok(body.includes('`rules/ndis/mmap-context.md`'));
    assert.ok(!body.includes('](')); // no link
  });

  it('mentions no one', () => {
    const body = commentBody({
      ...f,
      message: 'Ask @octocat or @org/team-name, cc:@x_y',
      trace: [{ path: 'a.c', line: 1, message: 'see @someone' }],
    });
    assert.doesNotMatch(body, /@[A-Za-z0-9_]/);
    assert.ok(body.includes('@\u200Doctocat'));
    assert.ok(body.includes('@\u200Dorg/team-name'));
    assert.ok(body.includes('@\u200Dsomeone'));
  });

  it('cannot let finding text end or fake the marker', () => {
    const body = commentBody({
      ...f,
      message: 'x --> y --!> z <!-- ndis-review:fingerprint=evil --> <!--',
      trace: [{ path: 'a-->.c', line: 1, message: '<!-- ndis-review:fingerprint=evil2 -->' }],
    });
    assert.deepEqual(fingerprintsIn(body), ['abc123']);
    assert.equal(body.split('-->').length - 1, 1, 'only the marker closes a comment');
    assert.equal(body.split('<!--').length - 1, 1, 'only the marker opens one');
    assert.equal(body.split('--!>').length - 1, 0);
    assert.ok(body.endsWith(markerFor('abc123')));
  });

  it('keeps a trace step on one list item', () => {
    const body = commentBody({ ...f, trace: [{ path: 'a.c', line: 3, message: 'first\nsecond' }] });
    assert.ok(body.includes('- `a.c:3` — first second\n'));
  });
});

/** A file whose patch adds lines 1-60 (a new file). */
function newFile(filename: string, count = 60): PullRequestFile {
  const lines = Array.from({ length: count }, (_, i) => `+line ${String(i + 1)}`);
  return { filename, status: 'added', patch: [`@@ -0,0 +1,${String(count)} @@`, ...lines].join('\n') };
}

/** drv.c: new lines 10-12 shown (10 context, 11 added, 12 context); old line 11 removed. */
const DRV: PullRequestFile = {
  filename: 'drv.c',
  status: 'modified',
  patch: '@@ -10,3 +10,3 @@ NDIS_STATUS Init(void)\n {\n-  old();\n+  NdisMMapIoSpace(&p, h, pa, 4);\n }',
};

/** The comments GitHub would list after posting a plan. */
function posted(plan: ReturnType<typeof planReview>, firstId = 1): ExistingComment[] {
  return plan.comments.map((c, i) => ({ id: firstId + i, body: c.body, path: c.path, line: c.line }));
}

describe('planReview', () => {
  it('comments on added and context lines, RIGHT side, with the marker', () => {
    const added = finding({ path: 'drv.c', line: 11 });
    const context = finding({ path: 'drv.c', line: 12 });
    const plan = planReview({ files: [DRV], findings: [added, context], existing: [] });
    assert.deepEqual(
      plan.comments.map((c) => [c.path, c.line, c.side]),
      [
        ['drv.c', 11, 'RIGHT'],
        ['drv.c', 12, 'RIGHT'],
      ],
    );
    assert.deepEqual(fingerprintsIn(plan.comments[0].body), [added.fingerprint]);
    assert.deepEqual(plan.outsideDiff, []);
    assert.deepEqual(plan.outdated, []);
  });

  it('sends findings on lines outside the hunks, in other files, or in files without a patch to outsideDiff', () => {
    const before = finding({ path: 'drv.c', line: 9 });
    const after = finding({ path: 'drv.c', line: 13 });
    const elsewhere = finding({ path: 'other.c', line: 11 });
    const binary = finding({ path: 'big.c', line: 1 });
    const plan = planReview({
      files: [DRV, { filename: 'big.c', status: 'modified' }],
      findings: [before, after, elsewhere, binary],
      existing: [],
    });
    assert.deepEqual(plan.comments, []);
    assert.deepEqual(
      plan.outsideDiff.map((f) => f.fingerprint),
      [binary, before, after, elsewhere].map((f) => f.fingerprint),
    );
  });

  it('does not comment on a removed line', () => {
    // Old lines 20-21 removed, new line 30 kept: new-file line 20 is not shown on the RIGHT.
    const file: PullRequestFile = {
      filename: 'x.c',
      status: 'modified',
      patch: '@@ -20,3 +30,1 @@\n-gone\n-gone too\n kept',
    };
    const onRemoved = finding({ path: 'x.c', line: 20 });
    const onKept = finding({ path: 'x.c', line: 30 });
    const plan = planReview({ files: [file], findings: [onRemoved, onKept], existing: [] });
    assert.deepEqual(
      plan.comments.map((c) => c.line),
      [30],
    );
    assert.deepEqual(plan.outsideDiff, [onRemoved]);
  });

  it('does not post a finding again on a later push, wherever it moved', () => {
    const f = finding({ path: 'drv.c', line: 11 });
    const first = planReview({ files: [DRV], findings: [f], existing: [] });
    assert.equal(first.comments.length, 1);
    const existing = posted(first);
    const second = planReview({ files: [DRV], findings: [f], existing });
    assert.deepEqual(second, { comments: [], outdated: [], outsideDiff: [] });
    const moved = planReview({ files: [DRV], findings: [{ ...f, line: 12 }], existing });
    assert.deepEqual(moved, { comments: [], outdated: [], outsideDiff: [] });
  });

  it('posts one comment per fingerprint', () => {
    const a = finding({ path: 'drv.c', line: 10, fingerprint: 'same' });
    const b = finding({ path: 'drv.c', line: 11, fingerprint: 'same', rule: 'ndis/unmap-length' });
    const plan = planReview({ files: [DRV], findings: [b, a, a], existing: [] });
    assert.equal(plan.comments.length, 1);
    assert.equal(plan.comments[0].line, 10);
    assert.deepEqual(plan.outsideDiff, []);
  });

  it('marks the comment of a finding that is gone as resolved, once', () => {
    const gone = finding({ path: 'drv.c', line: 11, fingerprint: 'gone' });
    const stays = finding({ path: 'drv.c', line: 12, fingerprint: 'stays' });
    const movedOut = finding({ path: 'drv.c', line: 10, fingerprint: 'moved-out' });
    const human: ExistingComment = { id: 99, body: 'Looks good @octocat', path: 'drv.c', line: 11 };
    const existing = [...posted(planReview({ files: [DRV], findings: [gone, stays, movedOut], existing: [] })), human];
    assert.equal(existing.length, 4);

    // "moved-out" is still reported, now on a line outside the diff: its comment stays as it is.
    const plan = planReview({ files: [DRV], findings: [stays, { ...movedOut, line: 50 }], existing });
    assert.equal(plan.outdated.length, 1);
    const [edit] = plan.outdated;
    const old = existing.find((c) => fingerprintsIn(c.body)[0] === 'gone');
    assert.ok(old);
    assert.equal(edit.id, old.id);
    assert.equal(edit.body, `${RESOLVED_LINE}\n\n${old.body}`);
    assert.deepEqual(fingerprintsIn(edit.body), ['gone']);
    assert.deepEqual(plan.comments, []);
    assert.deepEqual(plan.outsideDiff, []);

    // After the edit, a later push does not add the line again.
    const edited = existing.map((c) => (c.id === edit.id ? { ...c, body: edit.body } : c));
    const again = planReview({ files: [DRV], findings: [stays], existing: edited });
    assert.deepEqual(
      again.outdated.map((o) => o.id),
      existing.filter((c) => fingerprintsIn(c.body)[0] === 'moved-out').map((c) => c.id),
    );
    assert.ok(again.outdated.every((o) => o.body.split(RESOLVED_LINE).length === 2));
    // GitHub may hand the body back with CRLF line ends.
    const crlf = edited.map((c) => ({ ...c, body: c.body.replace(/\n/g, '\r\n') }));
    assert.ok(!planReview({ files: [DRV], findings: [stays], existing: crlf }).outdated.some((o) => o.id === edit.id));
  });

  it('caps the comments of one review, keeping the most severe', () => {
    const files = [newFile('a.c'), newFile('b.c')];
    const notes = Array.from({ length: 60 }, (_, i) => finding({ path: 'a.c', line: i + 1, severity: 'note' }));
    const error = finding({ path: 'b.c', line: 5, severity: 'error' });
    const notInPr = finding({ path: 'zz.c', line: 1 });
    const plan = planReview({ files, findings: [notInPr, ...notes, error], existing: [] });
    assert.equal(plan.comments.length, MAX_REVIEW_COMMENTS);
    assert.equal(plan.outsideDiff.length, 62 - MAX_REVIEW_COMMENTS);
    assert.ok(
      plan.comments.some((c) => c.path === 'b.c'),
      'the error keeps its comment',
    );
    // Capped findings join the others outside the diff, all in (path, line) order.
    assert.deepEqual(
      plan.outsideDiff.map((f) => `${f.path}:${String(f.line)}`),
      [...[50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60].map((n) => `a.c:${String(n)}`), 'zz.c:1'],
    );
    // Every finding is either commented or listed: none lost.
    const fps = new Set([
      ...plan.comments.flatMap((c) => fingerprintsIn(c.body)),
      ...plan.outsideDiff.map((f) => f.fingerprint),
    ]);
    assert.equal(fps.size, 62);

    const two = planReview({ files, findings: [...notes, error], existing: [], maxComments: 2 });
    assert.deepEqual(
      two.comments.map((c) => [c.path, c.line]),
      [
        ['a.c', 1],
        ['b.c', 5],
      ],
    );
  });

  it('gives the same plan whatever the input order, in (path, line) order', () => {
    const files = [newFile('b.c'), newFile('a.c'), newFile('dir/a.c')];
    const findings = [
      finding({ path: 'b.c', line: 2 }),
      finding({ path: 'a.c', line: 10 }),
      finding({ path: 'dir/a.c', line: 1 }),
      finding({ path: 'a.c', line: 9 }),
      finding({ path: 'zz.c', line: 1 }),
      finding({ path: 'a.c', line: 100 }),
    ];
    const plan = planReview({ files, findings, existing: [] });
    assert.deepEqual(
      plan.comments.map((c) => `${c.path}:${String(c.line)}`),
      ['a.c:9', 'a.c:10', 'b.c:2', 'dir/a.c:1'],
    );
    assert.deepEqual(
      plan.outsideDiff.map((f) => `${f.path}:${String(f.line)}`),
      ['a.c:100', 'zz.c:1'],
    );
    const reversed = planReview({ files: [...files].reverse(), findings: [...findings].reverse(), existing: [] });
    assert.deepEqual(reversed, plan);
  });

  it('links the rule documentation under docsBaseUrl', () => {
    const plan = planReview({
      files: [DRV],
      findings: [finding({ path: 'drv.c', line: 11 })],
      existing: [],
      docsBaseUrl: 'https://github.com/o/ndis-review/blob/v0.1.0/',
    });
    assert.ok(
      plan.comments[0].body.includes('(https://github.com/o/ndis-review/blob/v0.1.0/rules/ndis/mmap-context.md)'),
    );
  });
});

describe('suggested changes', () => {
  // New lines 20-23 of init.c, all in the diff: the goto on 22 leaks; the fix unmaps before it.
  const source = [
    ...Array.from({ length: 19 }, () => ''),
    '{',
    '    s = Start(a);',
    '    if (s) goto Out;',
    '}',
    '',
  ].join('\n');
  const patch = '@@ -20,3 +20,4 @@\n {\n+    s = Start(a);\n     if (s) goto Out;\n }';
  const file: PullRequestFile = { filename: 'init.c', status: 'modified', patch };
  const fix = {
    description: 'unmap a->Regs before the goto',
    edits: [
      {
        path: 'init.c',
        startLine: 22,
        startColumn: 1,
        endLine: 22,
        endColumn: 1,
        text: '    NdisMUnmapIoSpace(a->H, a->Regs, 0x100);\n',
      },
    ],
  };
  const leak = finding({ rule: 'ndis/unmap-on-failure', path: 'init.c', line: 22, fix });

  it('carries a suggestion block that rewrites the lines the fix touches, with the fix described', () => {
    const plan = planReview({ files: [file], findings: [leak], existing: [], sources: new Map([['init.c', source]]) });
    const [comment] = plan.comments;
    assert.equal(comment.line, 22);
    assert.equal(comment.start_line, undefined, 'one line');
    assert.ok(
      comment.body.includes(
        'unmap a-\\>Regs before the goto\n\n```suggestion\n    NdisMUnmapIoSpace(a->H, a->Regs, 0x100);\n    if (s) goto Out;\n```',
      ),
      comment.body,
    );
  });

  it('spans several lines when the fix does, with start_line and start_side', () => {
    const wide = { ...leak, line: 21, fix: { ...fix, edits: [{ ...fix.edits[0] }] } };
    const plan = planReview({ files: [file], findings: [wide], existing: [], sources: new Map([['init.c', source]]) });
    assert.deepEqual(
      [plan.comments[0].start_line, plan.comments[0].start_side, plan.comments[0].line],
      [21, 'RIGHT', 22],
    );
    assert.ok(plan.comments[0].body.includes('```suggestion\n    s = Start(a);\n    NdisMUnmapIoSpace('));
  });

  it('has no suggestion when a line the fix touches is not in the diff, or the text is unknown', () => {
    const outside = { ...leak, fix: { ...fix, edits: [{ ...fix.edits[0], startLine: 25, endLine: 25 }] } };
    const noSuggestion = planReview({
      files: [file],
      findings: [outside],
      existing: [],
      sources: new Map([['init.c', source]]),
    });
    assert.ok(!noSuggestion.comments[0].body.includes('```suggestion'));
    assert.equal(noSuggestion.comments[0].line, 22, 'still a comment on the finding');
    const unknown = planReview({ files: [file], findings: [leak], existing: [] });
    assert.ok(!unknown.comments[0].body.includes('```suggestion'));
  });

  it('a fence longer than any backtick run in the code', () => {
    const ticks = { ...leak, fix: { ...fix, edits: [{ ...fix.edits[0], text: '    x = "```";\n' }] } };
    const plan = planReview({ files: [file], findings: [ticks], existing: [], sources: new Map([['init.c', source]]) });
    assert.ok(plan.comments[0].body.includes('````suggestion\n    x = "```";\n'), plan.comments[0].body);
  });

  it("links the rule's page from the rule pack's docs base without docsBaseUrl", () => {
    const plan = planReview({ files: [file], findings: [leak], existing: [] });
    assert.ok(plan.comments[0].body.includes(`[Rule documentation](${ruleDocsUrl('rules/ndis/mmap-context.md')})`));
  });
});

describe('the app marker', () => {
  it('names the app in each comment, beside the fingerprint', () => {
    const body = commentBody(finding({ path: 'a.c', line: 3, fingerprint: 'f1' }), undefined, 123);
    assert.equal(appIdIn(body), 123);
    assert.deepEqual(fingerprintsIn(body), ['f1']);
    assert.equal(appIdIn(commentBody(finding({ path: 'a.c', line: 3, fingerprint: 'f1' }))), undefined);
  });

  it("tells this app's comments from another ndis-review app's, a person's, and ones from before the marker", () => {
    const ours = {
      body: commentBody(finding({ path: 'a.c', line: 3, fingerprint: 'f1' }), undefined, 123),
      user: { type: 'Bot' },
    };
    const staging = {
      body: commentBody(finding({ path: 'a.c', line: 3, fingerprint: 'f1' }), undefined, 999),
      user: { type: 'Bot' },
    };
    const older = { body: `old\n\n${markerFor('f1')}`, user: { type: 'Bot' } };
    const person = { body: ours.body, user: { type: 'User' } };
    assert.deepEqual(
      [ours, staging, older, person].map((c) => isOwnComment(c, 123)),
      [true, false, true, false],
    );
    assert.equal(
      isOwnComment(staging, undefined),
      true,
      'without its own ID the app cannot tell, and keeps the old behaviour',
    );
  });
});
