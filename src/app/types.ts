/**
 * The GitHub App's data model: plain data shared by its stages (fetch
 * sources → scan head and base → classify → render check run and review).
 * GitHub I/O lives only in the adapter modules; everything here is pure.
 */
import type { Finding, Notice } from '../engine/types.js';
import type { ClassifiedFindings } from '../review/classify.js';
import type { ReviewConfig } from '../review/config.js';

/** `.github/ndis-review.yml`, after defaults and validation: the shared review configuration. */
export type AppConfig = ReviewConfig;

export type { ClassifiedFindings };

/** One annotation as the check runs API takes it. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  start_column?: number;
  end_column?: number;
  annotation_level: 'failure' | 'warning' | 'notice';
  message: string;
  title: string;
  raw_details?: string;
}

/** What the app sends to complete a check run (before batching annotations). */
export interface CheckRunReport {
  conclusion: 'success' | 'failure' | 'neutral';
  title: string;
  /** Markdown, at most 65,535 characters. */
  summary: string;
  /** Markdown, at most 65,535 characters; omitted when empty. */
  text?: string;
  annotations: CheckAnnotation[];
}

/** A file of the pull request as `GET /repos/{o}/{r}/pulls/{n}/files` lists it. */
export interface PullRequestFile {
  filename: string;
  status: string;
  /** The old path of a renamed file. */
  previous_filename?: string;
  /** Unified diff hunks; absent for binary or very large files. */
  patch?: string;
}

/** An existing review comment of this app (from `GET /repos/{o}/{r}/pulls/{n}/comments`). */
export interface ExistingComment {
  id: number;
  body: string;
  path: string;
  line: number | null;
}

export interface PlannedComment {
  path: string;
  /** The last line the comment covers (its only line without `start_line`). */
  line: number;
  side: 'RIGHT';
  /** A comment over several lines (a suggested change that rewrites them) starts here. */
  start_line?: number;
  start_side?: 'RIGHT';
  body: string;
}

export interface ReviewPlan {
  /** Comments to post in one review (new findings on commentable lines, not posted before). */
  comments: PlannedComment[];
  /** Earlier comments whose finding is gone: to be edited to say so. */
  outdated: { id: number; body: string }[];
  /** New findings that are not on a line of the diff (summarised in the check run instead). */
  outsideDiff: Finding[];
}

export type { Finding, Notice };
