/**
 * A baseline: the JSON report of an earlier scan (`--format json`), whose
 * fingerprints mark findings as pre-existing. Fingerprints are only
 * comparable within one scheme, named in every JSON report; a baseline of
 * another scheme (or from a version that did not name one) matches nothing,
 * and a notice says so rather than letting every finding look old or new
 * without a word.
 */
import type { ReportNotice } from './report.js';

/** The fingerprint scheme of this version: the JSON report's `fingerprintVersion`, SARIF's `partialFingerprints` key. */
export const FINGERPRINT_VERSION = 'ndisReview/v1';

export interface Baseline {
  /** Fingerprints of the baseline's findings, reported and suppressed. */
  fingerprints: Set<string>;
  notices: ReportNotice[];
}

/** A baseline that is not an ndis-review JSON report: the user's mistake, worded for them. */
export class BaselineError extends Error {}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fingerprintsOf(list: unknown, where: string, name: string): string[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new BaselineError(`${where}: "${name}" is not a list`);
  return list.map((item: unknown, i) => {
    if (!isRecord(item) || typeof item.fingerprint !== 'string' || item.fingerprint === '') {
      throw new BaselineError(`${where}: ${name}[${String(i)}] has no fingerprint`);
    }
    return item.fingerprint;
  });
}

/** Reads a baseline from the text of a JSON report; `where` names it in messages. */
export function parseBaseline(text: string, where: string): Baseline {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(`${where} is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(value) || !Array.isArray(value.findings)) {
    throw new BaselineError(`${where} is not an ndis-review JSON report (write one with --format json)`);
  }
  const fingerprints = new Set([
    ...fingerprintsOf(value.findings, where, 'findings'),
    ...fingerprintsOf(value.suppressed, where, 'suppressed'),
  ]);
  const scheme = value.fingerprintVersion;
  if (scheme !== FINGERPRINT_VERSION) {
    const written =
      typeof scheme === 'string'
        ? `with fingerprints ${scheme}`
        : `by an ndis-review${typeof value.version === 'string' ? ` ${value.version}` : ''} that did not name its fingerprints`;
    return {
      fingerprints: new Set(),
      notices: [
        {
          kind: 'baseline',
          message: `The baseline ${where} was written ${written}; this version uses ${FINGERPRINT_VERSION}, so no finding can be matched with it and every finding is reported as new. Write the baseline again with this version.`,
        },
      ],
    };
  }
  return { fingerprints, notices: [] };
}
