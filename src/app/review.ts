/**
 * Plans the pull request review: which new findings become line comments,
 * which earlier comments are now outdated, and which findings stay in the
 * check run because GitHub would reject a comment on their line.
 *
 * GitHub rejects a whole review when one of its comments is on a line that
 * is not in the diff. A comment with `line` and `side: 'RIGHT'` must be on a
 * line of the new file that one of the patch's hunks shows: an added line or
 * a context line. Every comment carries a hidden marker with the finding's
 * fingerprint, so a later push neither re-posts it nor loses track of it.
 *
 * Pure: no I/O. The adapter posts `comments` as one review, PATCHes the
 * bodies of `outdated`, and lists `outsideDiff` in the check run.
 */
import { ruleDocsUrl } from '../engine/rulepack.js';
import type { Finding, Severity } from '../engine/types.js';
import { severityRank, sortFindings } from '../report/order.js';
import { escapeMarkdown } from './checkrun.js';
import { suggestionFor, type Suggestion } from '../review/fixes.js';
import type { ExistingComment, PlannedComment, PullRequestFile, ReviewPlan } from './types.js';

/** At most this many comments in one review, so one push cannot flood a pull request. */
export const MAX_REVIEW_COMMENTS = 50;

/** At most this many trace steps in a comment body; the rest are counted. */
export const MAX_TRACE_STEPS = 30;

/** First line added to an earlier comment whose finding is gone. */
export const RESOLVED_LINE = '**Resolved:** this finding is no longer reported.';

const ZWJ = '\u200D';

// ---------------------------------------------------------------------------
// Diff hunks

const HUNK_HEADER = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/;

/**
 * New-file line numbers a RIGHT-side review comment may use: the added (`+`)
 * and context (` `) lines of the patch's hunks. Removed lines, `\ No newline
 * at end of file` and anything outside a hunk's counts (file headers, a
 * trailing newline) are not counted. Accepts LF or CRLF line ends and hunk
 * headers without counts (`@@ -1 +1 @@`, a count of 1).
 */
export function commentableLines(patch: string): Set<number> {
  const lines = new Set<number>();
  let next = 0; // new-file number of the next `+` or ` ` line
  let oldLeft = 0; // lines of the current hunk still expected on each side
  let newLeft = 0;
  const header = (line: string): void => {
    const h = HUNK_HEADER.exec(line);
    // The counts are optional in a hunk header: `@@ -3 +3,2 @@` has one line on the old side.
    const oldCount = h?.[2];
    const newCount = h?.[4];
    oldLeft = h ? (oldCount === undefined ? 1 : Number(oldCount)) : 0;
    newLeft = h ? (newCount === undefined ? 1 : Number(newCount)) : 0;
    if (h) next = Number(h[3]);
  };
  for (const raw of patch.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (oldLeft <= 0 && newLeft <= 0) {
      header(line);
      continue;
    }
    const mark = line.charAt(0);
    if (mark === '\\') continue; // "\ No newline at end of file"
    if (mark === '+') {
      lines.add(next++);
      newLeft--;
    } else if (mark === '-') {
      oldLeft--;
    } else if (mark === ' ' || line === '') {
      // A context line; some tools strip the space from an empty one.
      lines.add(next++);
      oldLeft--;
      newLeft--;
    } else {
      // Not a hunk line: the counts were wrong. This may be the next header.
      header(line);
    }
  }
  return lines;
}

// ---------------------------------------------------------------------------
// Hidden marker

/**
 * The hidden marker that identifies a comment's finding. The fingerprint is
 * URI-encoded, so whatever it holds cannot end the HTML comment; the
 * engine's hexadecimal fingerprints read the same encoded.
 */
export function markerFor(fingerprint: string): string {
  return `<!-- ndis-review:fingerprint=${encodeURIComponent(fingerprint)} -->`;
}

/**
 * A second hidden marker naming the app that wrote the comment, so that two
 * ndis-review apps on one repository (say staging and production) neither
 * skip each other's findings nor edit each other's comments.
 */
export function appMarker(appId: number): string {
  return `<!-- ndis-review:app=${String(Math.trunc(appId))} -->`;
}

const APP_MARKER = /^<!-- ndis-review:app=(\d+) -->$/;
const FINGERPRINT_MARKER = /^<!-- ndis-review:fingerprint=([A-Za-z0-9\-_.!~*'()%]+) -->$/;

/**
 * The marker lines the app writes at the end of its comments, and only
 * those: read from the last line up, stopping at the first line that is not
 * a marker. Text above them (a message naming a hostile file, a quote) can
 * never count as a marker, whatever it holds.
 */
function trailingMarkers(body: string): string[] {
  const lines = body.replace(/\r\n?/g, '\n').trimEnd().split('\n');
  const out: string[] = [];
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (line === '' && out.length > 0) continue;
    if (!APP_MARKER.test(line) && !FINGERPRINT_MARKER.test(line)) break;
    out.unshift(line);
  }
  return out;
}

/** The app ID a comment's marker names, if any (comments from before the marker existed have none). */
export function appIdIn(body: string): number | undefined {
  for (const line of trailingMarkers(body)) {
    const m = APP_MARKER.exec(line);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/**
 * Whether an existing review comment is this app's: written by a bot, with a
 * fingerprint marker, and naming this app (or no app, or this app's ID is
 * not known).
 */
export function isOwnComment(c: { body: string; user?: { type?: string } | null }, appId?: number): boolean {
  if (c.user?.type !== 'Bot' || fingerprintsIn(c.body).length === 0) return false;
  const named = appIdIn(c.body);
  return named === undefined || appId === undefined || named === appId;
}

/** Fingerprints of the markers at the end of a comment body, in order of appearance, without repeats. */
export function fingerprintsIn(body: string): string[] {
  const out: string[] = [];
  for (const line of trailingMarkers(body)) {
    const m = FINGERPRINT_MARKER.exec(line);
    if (!m) continue;
    let fp: string;
    try {
      fp = decodeURIComponent(m[1]);
    } catch {
      continue; // a malformed escape: not a marker we wrote
    }
    if (fp !== '' && !out.includes(fp)) out.push(fp);
  }
  return out;
}

// ---------------------------------------------------------------------------
// Comment body

/** Text that cannot open or close an HTML comment (a zero-width joiner splits the sequence). */
function noHtmlComment(s: string): string {
  return s.replace(/<!--/g, `<${ZWJ}!--`).replace(/--!?>/g, (m) => `--${ZWJ}${m.slice(2)}`);
}

/** Text whose `@name` and `@org/team` do not notify anyone. */
function noMention(s: string): string {
  return s.replace(/@(?=[A-Za-z0-9_])/g, `@${ZWJ}`);
}

/**
 * Prose from a finding, which quotes file names and code from the pull
 * request: Markdown characters are escaped (a file named `![x](http://…).c`
 * shows as text, loads nothing), it pings no one, and it cannot open or
 * close an HTML comment. Line breaks are kept.
 */
function prose(s: string): string {
  return s
    .split('\n')
    .map((line) => noMention(noHtmlComment(escapeMarkdown(line))))
    .join('\n');
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** A Markdown code span holding `s` literally, whatever backticks it contains. */
function codeSpan(s: string): string {
  const text = noHtmlComment(oneLine(s));
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

const SEVERITY_LABEL: Record<Severity, string> = { error: 'Error', warning: 'Warning', note: 'Note' };

/** Joins a documentation base URL and a finding's `docs` path (relative to the package root). */
export function docsUrlFor(docsBaseUrl: string, docs: string): string {
  const path = encodeURI(docs.replace(/^\/+/, '')).replace(/\(/g, '%28').replace(/\)/g, '%29');
  return `${docsBaseUrl.replace(/\/+$/, '')}/${path}`;
}

/**
 * The Markdown of one review comment: bold severity and the rule, the
 * message, the trace as a list, the rule's documentation, and the hidden
 * marker last. Finding text is not escaped, but it cannot mention anyone
 * (`@` is followed by a zero-width joiner) nor open or close an HTML comment.
 */
export function commentBody(finding: Finding, docsUrl?: string, appId?: number, suggestion?: Suggestion): string {
  const parts: string[] = [];
  parts.push(
    `**${(SEVERITY_LABEL[finding.severity] as string | undefined) ?? prose(finding.severity)}** ${codeSpan(finding.rule)}`,
  );
  const message = prose(finding.message.replace(/\r\n?/g, '\n').trim());
  if (message !== '') parts.push(message);
  if (finding.trace.length > 0) {
    const steps = finding.trace
      .slice(0, MAX_TRACE_STEPS)
      .map((step) => `- ${codeSpan(`${step.path}:${String(step.line)}`)} — ${prose(oneLine(step.message))}`);
    const more = finding.trace.length - MAX_TRACE_STEPS;
    if (more > 0) steps.push(`- … and ${String(more)} more step${more === 1 ? '' : 's'}`);
    parts.push(steps.join('\n'));
  }
  if (suggestion !== undefined && finding.fix !== undefined) {
    parts.push(`${prose(oneLine(finding.fix.description))}\n\n${suggestionBlock(suggestion.text)}`);
  }
  if (docsUrl !== undefined && docsUrl !== '') {
    parts.push(`[Rule documentation](${docsUrl.replace(/\s/g, '%20').replace(/\(/g, '%28').replace(/\)/g, '%29')})`);
  } else if (finding.docs !== '') {
    parts.push(`Rule documentation: ${codeSpan(finding.docs)} in the ndis-review package.`);
  }
  parts.push(
    appId === undefined ? markerFor(finding.fingerprint) : `${appMarker(appId)}\n${markerFor(finding.fingerprint)}`,
  );
  return parts.join('\n\n');
}

/**
 * A GitHub suggested change: a fenced block GitHub offers to commit in
 * place of the lines the comment covers. The fence outgrows any backtick
 * run in the code, so the code cannot close it.
 */
function suggestionBlock(text: string): string {
  let longest = 2;
  for (const run of text.match(/`{3,}/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(longest + 1);
  return `${fence}suggestion\n${text}\n${fence}`;
}

// ---------------------------------------------------------------------------
// Review plan

export interface ReviewInput {
  /** The pull request's files, with their patches. */
  files: PullRequestFile[];
  /** Findings new in this pull request (already selected by the caller). */
  findings: Finding[];
  /** The app's earlier review comments on this pull request. */
  existing: ExistingComment[];
  /** Where the rule pack's `docs` paths resolve, e.g. `https://github.com/o/ndis-review/blob/v0.1.0`. */
  docsBaseUrl?: string;
  /** Comments per review at most; default MAX_REVIEW_COMMENTS. */
  maxComments?: number;
  /** This app's ID, written into each comment's markers. */
  appId?: number;
  /**
   * The head commit's text of each file (decoded as the engine decodes it).
   * A finding with a fix whose every line is in the diff then gets a
   * suggested change; without the text, the comment has none.
   */
  sources?: ReadonlyMap<string, string>;
}

function isResolved(body: string): boolean {
  return body.trimStart().startsWith('**Resolved:**');
}

/**
 * Decides the review for one push.
 *
 * - A finding gets a comment when its `path` is a file of the pull request
 *   whose patch shows its `line` on the RIGHT side; otherwise it goes to
 *   `outsideDiff`.
 * - A finding whose fingerprint is in an earlier comment's marker is not
 *   posted again (nor listed in `outsideDiff`: it has its comment).
 * - One finding per fingerprint; comments in (path, line) order.
 * - At most `maxComments` comments; past the cap, the most severe findings
 *   keep their comments and the rest go to `outsideDiff`.
 * - Earlier comments with a marker whose fingerprint is no longer among the
 *   findings get RESOLVED_LINE as a first line, once.
 */
export function planReview(input: ReviewInput): ReviewPlan {
  const max = Math.max(0, Math.floor(input.maxComments ?? MAX_REVIEW_COMMENTS));

  const commentable = new Map<string, Set<number>>();
  for (const file of input.files) {
    const lines = commentableLines(file.patch ?? '');
    const known = commentable.get(file.filename);
    if (known) for (const n of lines) known.add(n);
    else commentable.set(file.filename, lines);
  }
  const onDiff = (f: Finding): boolean => commentable.get(f.path)?.has(f.line) ?? false;

  const posted = new Set<string>();
  for (const c of input.existing) for (const fp of fingerprintsIn(c.body)) posted.add(fp);

  // One finding per fingerprint: the first on a line of the diff, else the first.
  const byFingerprint = new Map<string, Finding>();
  for (const f of sortFindings(input.findings)) {
    const chosen = byFingerprint.get(f.fingerprint);
    if (!chosen || (!onDiff(chosen) && onDiff(f))) byFingerprint.set(f.fingerprint, f);
  }

  const candidates: Finding[] = [];
  const outside: Finding[] = [];
  for (const f of byFingerprint.values()) {
    if (posted.has(f.fingerprint)) continue;
    (onDiff(f) ? candidates : outside).push(f);
  }

  // Past the cap, keep the most severe; the order within a severity is (path, line).
  const ranked = sortFindings(candidates).sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  const kept = ranked.slice(0, max);
  outside.push(...ranked.slice(max));

  const comments: PlannedComment[] = sortFindings(kept).map((f) => {
    const source = f.fix ? input.sources?.get(f.path) : undefined;
    const lines = commentable.get(f.path);
    const suggestion = source !== undefined && lines ? suggestionFor(f, source, lines) : undefined;
    const docsUrl =
      f.docs === '' ? undefined : input.docsBaseUrl ? docsUrlFor(input.docsBaseUrl, f.docs) : ruleDocsUrl(f.docs);
    const comment: PlannedComment = {
      path: f.path,
      line: suggestion?.endLine ?? f.line,
      side: 'RIGHT',
      body: commentBody(f, docsUrl, input.appId, suggestion),
    };
    if (suggestion && suggestion.startLine < suggestion.endLine) {
      comment.start_line = suggestion.startLine;
      comment.start_side = 'RIGHT';
    }
    return comment;
  });

  const current = new Set(input.findings.map((f) => f.fingerprint));
  const outdated = input.existing
    .filter((c) => {
      const fps = fingerprintsIn(c.body);
      return fps.length > 0 && !fps.some((fp) => current.has(fp)) && !isResolved(c.body);
    })
    .sort((a, b) => a.id - b.id)
    .map((c) => ({ id: c.id, body: `${RESOLVED_LINE}\n\n${c.body}` }));

  return { comments, outdated, outsideDiff: sortFindings(outside) };
}
