/**
 * The engine's public data model. Everything here is plain data (JSON-able):
 * findings travel to reporters, to the GitHub adapter and into caches.
 */

import type { Directive } from './directives.js';

export type Severity = 'error' | 'warning' | 'note';

/** One step of a finding's explanation: where, and what happens there. */
export interface TraceStep {
  /** Path relative to the scanned root, with forward slashes. */
  path: string;
  /** 1-based line. */
  line: number;
  /** 1-based column (characters), when known. */
  column?: number;
  message: string;
}

/** One text replacement; lines and columns 1-based, the end exclusive. */
export interface TextEdit {
  path: string;
  startLine: number;
  startColumn: number;
  endLine: number;
  endColumn: number;
  /** Text that replaces the range (an insertion when the range is empty). */
  text: string;
}

/** A fix the engine is certain of: applying every edit removes the finding and adds none. */
export interface Fix {
  description: string;
  edits: TextEdit[];
}

export interface Finding {
  /** Rule id, e.g. `ndis/mmap-context`. */
  rule: string;
  severity: Severity;
  /** Path relative to the scanned root, with forward slashes. */
  path: string;
  /** 1-based start line and column; columns count characters of the decoded line. */
  line: number;
  column: number;
  /** 1-based end line and column (exclusive end column). */
  endLine: number;
  endColumn: number;
  /** What is wrong and what to do. */
  message: string;
  /** Which of the rule's messages (its `messages` in the rule pack), as ESLint's message ids. */
  messageId?: string;
  /**
   * Stable identity: does not change when unrelated lines move, so a pull
   * request can tell new findings from pre-existing ones.
   */
  fingerprint: string;
  /** The explanation: call chain, leaking path, lengths compared. */
  trace: TraceStep[];
  /** Rule documentation, relative to the package root (e.g. `rules/ndis/mmap-context.md`). */
  docs: string;
  /** Offered only where the fix is certain (see each rule's page). */
  fix?: Fix;
}

export type NoticeKind =
  | 'not-applicable' // e.g. no initialize callback in the repository
  | 'parse-recovered' // a file did not parse cleanly; intact parts were analysed
  | 'skipped-file' // unreadable, too large, binary
  | 'unresolved' // calls through function pointers the engine cannot follow
  | 'budget'; // a path analysis stopped at its step budget

export interface Notice {
  kind: NoticeKind;
  message: string;
  path?: string;
  line?: number;
  /**
   * A decision was withheld: a rule could not say yes or no somewhere (a
   * budget ran out, a source file was skipped, damage or an unresolved call
   * switched a check off). Any such notice makes the result incomplete.
   */
  withheld?: boolean;
}

/** Static description of a rule, read from the rule pack in `rules/`. */
export interface RuleMeta {
  id: string;
  severity: Severity;
  /** One-line title. */
  title: string;
  /** Short description (a sentence or two). */
  description: string;
  /** Documentation page, relative to the package root. */
  docs: string;
  /** The Static Driver Verifier rules it stands for; absent for ndis-review's own. */
  sdv?: string[];
  /**
   * Off unless the configuration names it with a severity: a rule that, on by default, would cost
   * more than it should (the pairing rules' initialize walks; each page gives its figures).
   */
  preview?: boolean;
}

export interface ScanStats {
  /** Source files considered (C sources and headers). */
  files: number;
  /** Files whose bytes were lexed this run (not served from cache). */
  lexed: number;
  /** Files parsed with tree-sitter this run (not served from cache). */
  parsed: number;
  /**
   * Files whose facts were moved from the version an earlier scan parsed (an edit that kept every
   * token), not parsed; only where a cache keeps earlier versions (`movedfacts.ts`).
   */
  moved?: number;
  /** Files the whole-program closure needed parsed facts for (parsed or cached). */
  needed: number;
  /** Worker threads used for parsing (0: parsed in the calling thread). */
  workers: number;
  /**
   * Milliseconds per stage. `bodies` is the parsing the rules asked for on first read (a function's
   * body, the macro bodies of a file the closure did not parse), not counted in `rules`: the stages
   * add up to `total`.
   */
  ms: { read: number; lex: number; parse: number; link: number; rules: number; bodies: number; total: number };
  /**
   * Milliseconds per rule id, when the rules ran in this scan (absent when their output was
   * remembered), without the parsing on first read (in `ms.bodies`). The initialize walks of one
   * resource count in the first of its rules that asks.
   */
  ruleMs?: Record<string, number>;
  /**
   * Steps of the path walks the rules made in this scan (initialize, halt and the other functions the
   * pairing rules walk; a walk remembered from an earlier scan took none), when the rules ran. The
   * path analysis's work as a count no machine's speed changes: two builds compare by it exactly.
   */
  walkSteps?: number;
  /**
   * The lock rule's callback walks this run made (a remembered walk is not counted), and how many of
   * them left a path or a lock unfollowed (see the rule's page: what it does not report); absent
   * where the rules did not run.
   */
  lockWalks?: { callbacks: number; notFollowed: number };
  /** How much of what the rules read parsed cleanly. */
  health: ParseHealth;
  /**
   * Call sites of each API the rule pack names, as the engine sees them in
   * function bodies: `direct` (the API's own name at the call) and `viaMacro`
   * (the call comes from a macro's expansion, counted at each use). Only when
   * the scan was asked for them (`countApis`, the CLI's `--api-counts`): the
   * count reads the body of every function that calls one, which a scan's
   * rules do not need.
   */
  apiCalls?: Record<string, { direct: number; viaMacro: number }>;
}

export interface ParseHealth {
  /** Files parsed (the whole-program closure needed them). */
  parsedFiles: number;
  /** Of those, files where part of the text did not parse as C. */
  damagedFiles: number;
  /** Functions that matter: initialize and halt callbacks, what they reach, and every caller of a rule's API. */
  functions: number;
  /** Of those, functions whose definition did not parse cleanly, each with where it is. */
  damagedFunctions: { name: string; path: string; line: number }[];
}

export interface ScanResult {
  /** ndis-review version. */
  version: string;
  /** The scanned root as given (absolute path for a directory scan). */
  root: string;
  /** Number of source files considered. */
  files: number;
  findings: Finding[];
  notices: Notice[];
  /** Rules that ran, in the order of the pack. */
  rules: RuleMeta[];
  /** False when any notice withheld a decision (see `Notice.withheld`): the findings may be missing some. */
  complete: boolean;
  stats: ScanStats;
  /** Suppression directives in the sources' comments (applied by the review layer, not the engine). */
  directives?: Directive[];
}
