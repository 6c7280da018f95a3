/**
 * The GitHub App's data model: plain data shared by its stages (fetch
 * sources → scan head and base → classify → render check run and review).
 * GitHub I/O lives only in the adapter modules; everything here is pure.
 */
import type { Finding, Notice } from '../engine/types.js';

/** `.github/ndis-review.yml`, after defaults and validation. */
export interface AppConfig {
  /** Per-rule override: `off`, or a severity that replaces the rule's own. */
  rules: Record<string, 'off' | 'error' | 'warning' | 'note'>;
  /** Glob patterns (`**`, `*`, `?`) over repository paths; exclude wins. */
  paths: { include: string[]; exclude: string[] };
  /** Annotate and comment on findings new in the pull request only, or on all. */
  report: 'new' | 'all';
  /** Post review comments on changed lines. */
  reviewComments: boolean;
  conclusion: {
    /** A new finding at or above this severity makes the check run fail. */
    failOn: 'error' | 'warning' | 'never';
    /** Conclusion when findings exist but none is new at or above failOn. */
    otherwise: 'neutral' | 'success';
  };
}

/** Findings of the head commit, split by whether the base commit had them (by fingerprint). */
export interface ClassifiedFindings {
  /** In head, not in base. */
  added: Finding[];
  /** In head and in base. */
  existing: Finding[];
  /** In base, not in head: fixed by the pull request. */
  fixed: Finding[];
}

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
  line: number;
  side: 'RIGHT';
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
