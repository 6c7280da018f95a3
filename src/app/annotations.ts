/**
 * Check run annotations: one per finding, within the API's limits, ordered
 * so that a cap keeps the most severe, and batched 50 to a request.
 */
import type { Finding, Severity } from '../engine/types.js';
import { joinWithinLimit, truncateUtf8 } from '../report/utf8.js';
import type { CheckAnnotation } from './types.js';

/** Longest `output.title` (characters; kept in bytes, which is stricter). */
export const CHECK_RUN_TITLE_LIMIT = 255;
/** Largest annotation `message` and `raw_details` (64 KB), in UTF-8 bytes. */
export const ANNOTATION_TEXT_LIMIT = 65_535;
/** Longest annotation `title`. */
export const ANNOTATION_TITLE_LIMIT = 255;
/** The check runs API takes at most this many annotations per request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** Annotations the app sends for one check run at most; the rest are counted in the summary. */
export const MAX_ANNOTATIONS = 1000;

const ANNOTATION_LEVEL: Record<Severity, CheckAnnotation['annotation_level']> = {
  error: 'failure',
  warning: 'warning',
  note: 'notice',
};

const LEVEL_RANK: Record<CheckAnnotation['annotation_level'], number> = { failure: 0, warning: 1, notice: 2 };

/** The annotation of one finding. Columns only when it starts and ends on one line (the API rejects them otherwise). */
export function toAnnotation(f: Finding): CheckAnnotation {
  const start = Math.max(1, Math.trunc(f.line));
  const end = Math.max(start, Math.trunc(f.endLine));
  const annotation: CheckAnnotation = {
    path: f.path,
    start_line: start,
    end_line: end,
    annotation_level: ANNOTATION_LEVEL[f.severity],
    message: truncateUtf8(f.message, ANNOTATION_TEXT_LIMIT),
    title: truncateUtf8(f.rule, ANNOTATION_TITLE_LIMIT),
  };
  if (start === end) {
    const startColumn = Math.max(1, Math.trunc(f.column));
    annotation.start_column = startColumn;
    annotation.end_column = Math.max(startColumn, Math.trunc(f.endColumn));
  }
  if (f.trace.length > 0) {
    annotation.raw_details = joinWithinLimit(
      f.trace.map((step) => `${step.path}:${String(step.line)}: ${step.message}`),
      ANNOTATION_TEXT_LIMIT,
    );
  }
  return annotation;
}

function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Errors (failure) first, then warnings, then notices; within a level by path, line, column, title, message. */
export function sortAnnotations(annotations: readonly CheckAnnotation[]): CheckAnnotation[] {
  return [...annotations].sort(
    (a, b) =>
      LEVEL_RANK[a.annotation_level] - LEVEL_RANK[b.annotation_level] ||
      compareStrings(a.path, b.path) ||
      a.start_line - b.start_line ||
      (a.start_column ?? 0) - (b.start_column ?? 0) ||
      a.end_line - b.end_line ||
      compareStrings(a.title, b.title) ||
      compareStrings(a.message, b.message),
  );
}

/** Sorts (see `sortAnnotations`) and keeps the first `max`; `omitted` counts the rest. */
export function capAnnotations(
  annotations: readonly CheckAnnotation[],
  max = MAX_ANNOTATIONS,
): { kept: CheckAnnotation[]; omitted: number } {
  const sorted = sortAnnotations(annotations);
  const limit = Math.max(0, Math.floor(max));
  return { kept: sorted.slice(0, limit), omitted: Math.max(0, sorted.length - limit) };
}

/** Consecutive requests' worth of annotations, order kept (the API takes at most 50 per request). */
export function batchAnnotations(
  annotations: readonly CheckAnnotation[],
  size = ANNOTATIONS_PER_REQUEST,
): CheckAnnotation[][] {
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`batch size must be a positive integer, not ${String(size)}`);
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < annotations.length; i += size) batches.push(annotations.slice(i, i + size));
  return batches;
}
