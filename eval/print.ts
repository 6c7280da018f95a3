/** The evaluation's figures as text for a person: per driver, then in total. Pure formatting. */

import type { FindingKey } from './score.js';
import type { DriverResult, OperatorFigures, Results, RuleMutation, Totals } from './results.js';
import { keyOf, ratio } from './score.js';

export function percent(share: number | null): string {
  return share === null ? 'n/a' : `${(share * 100).toFixed(1)}%`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function where(f: FindingKey): string {
  return `${f.rule} ${f.file}:${String(f.line)}`;
}

function list(fs: readonly FindingKey[]): string {
  return fs.length === 0 ? '(none)' : fs.map(where).join(', ');
}

function operatorLine(id: string, f: OperatorFigures): string {
  return `    ${id.padEnd(16)} ${String(f.killed).padStart(4)} / ${String(f.mutants).padEnd(4)} killed (${percent(f.score)}), ${String(f.excluded)} excluded${f.sampledOut > 0 ? `, ${String(f.sampledOut)} sampled out` : ''}`;
}

function excludedLines(byRule: Record<string, Record<string, number>>): string[] {
  const lines: string[] = [];
  for (const [op, rules] of Object.entries(byRule)) {
    for (const [rule, n] of Object.entries(rules)) lines.push(`    excluded ${op}: ${rule}: ${String(n)}`);
  }
  return lines;
}

export function formatDriver(d: DriverResult): string {
  const out: string[] = [`== ${d.id} (${d.folder})  ${seconds(d.wallMs)}`];
  if (d.error !== undefined) {
    out.push(`  ERROR ${d.error}`);
    return out.join('\n') + '\n';
  }
  const c = d.counts;
  out.push(
    `  findings: ${String(c.truePositives)} true, ${String(c.falsePositives)} false positive, ${String(c.falseNegatives)} false negative; precision ${percent(d.precision)}, recall ${percent(d.recall)}${d.complete ? '' : '; result incomplete'}`,
  );
  if (c.debatableReported + c.debatableSilent > 0) {
    out.push(`  debatable: ${String(c.debatableReported)} reported, ${String(c.debatableSilent)} not (counted apart)`);
  }
  const known = new Set(d.knownFalse.map(keyOf));
  for (const f of d.falsePositives)
    out.push(`  FP ${where(f)}${known.has(keyOf(f)) ? ' (judged false)' : ''} ${f.message}`);
  for (const f of d.falseNegatives)
    out.push(`  FN ${where(f)}${f.site ? ` (${f.site})` : ''}${f.why ? ` ${f.why}` : ''}`);
  const h = d.health;
  out.push(
    `  health: ${String(h.parsedFiles)} files parsed, ${String(h.damagedFiles)} damaged (${percent(h.damagedFilesShare)}); ${String(h.functions)} functions that matter, ${String(h.damagedFunctions)} damaged (${percent(h.damagedFunctionsShare)})`,
  );
  for (const f of h.damagedFunctionList) out.push(`    damaged ${f.name} ${f.path}:${String(f.line)}`);
  out.push(`  notices that withheld a decision: ${String(d.withheld.length)}`);
  for (const n of d.withheld) {
    out.push(`    ${n.kind}${n.path ? ` ${n.path}${n.line ? `:${String(n.line)}` : ''}` : ''} ${n.message}`);
  }
  for (const [api, a] of Object.entries(d.apiCalls)) {
    out.push(
      `  ${api}: engine ${String(a.direct)} direct + ${String(a.viaMacro)} via macro; raw tokens ${String(a.raw)}${a.rawInCpp > 0 ? ` + ${String(a.rawInCpp)} in C++ files` : ''}`,
    );
    if (a.mismatch) {
      out.push(
        `  MISMATCH ${api}: the engine sees ${String(a.direct)} direct call sites, the raw files have ${String(a.raw + a.rawInCpp)} tokens`,
      );
    }
  }
  const m = d.mutation;
  if (m) {
    out.push(
      `  mutants: ${String(m.killed)} / ${String(m.mutants)} killed (${percent(m.score)})  ${seconds(m.wallMs)}`,
    );
    for (const [id, f] of Object.entries(m.byOperator)) out.push(operatorLine(id, f));
    out.push(...excludedLines(m.excludedByRule));
    for (const s of m.survivors) {
      out.push(
        `  SURVIVED ${s.operator} ${s.file}:${String(s.line)} expected ${list(s.expected)}; got ${list(s.got)}${s.error ? `; error: ${s.error}` : ''}${s.complete ? '' : ' (incomplete)'}`,
      );
    }
  }
  return out.join('\n') + '\n';
}

function ruleMutation(m: RuleMutation | undefined): string {
  return m === undefined ? 'no mutant' : `${String(m.killed)}/${String(m.mutants)} killed (${percent(m.score)})`;
}

/** One line per rule: labelled places, TP/FP/FN, precision, recall, and the rule's mutants. */
function ruleLines(t: Totals): string[] {
  const lines = [
    '  by rule (labelled places; true, false positive (judged false), false negative; precision, recall; mutants):',
  ];
  for (const [rule, r] of Object.entries(t.byRule)) {
    lines.push(
      `    ${rule.padEnd(29)} ${String(r.labelled).padStart(3)} labelled; ${String(r.truePositives)} TP, ${String(r.falsePositives)} FP (${String(r.knownFalse)}), ${String(r.falseNegatives)} FN; ${percent(r.precision)}, ${percent(r.recall)}; ${ruleMutation(t.mutation.byRule[rule])}${r.truePositives + r.falseNegatives === 0 ? '; no expected finding' : ''}`,
    );
  }
  return lines;
}

export function formatTotals(t: Totals): string {
  const out: string[] = [
    `== total: ${String(t.drivers)} drivers${t.driversWithErrors > 0 ? ` (${String(t.driversWithErrors)} with errors)` : ''}  ${seconds(t.wallMs)}`,
  ];
  out.push(
    `  findings: ${String(t.truePositives)} true, ${String(t.falsePositives)} false positive, ${String(t.falseNegatives)} false negative; precision ${percent(t.precision)}, recall ${percent(t.recall)}`,
  );
  if (t.debatableReported + t.debatableSilent > 0) {
    out.push(`  debatable: ${String(t.debatableReported)} reported, ${String(t.debatableSilent)} not (counted apart)`);
  }
  if (t.knownFalse > 0) out.push(`  false positives judged false by a label: ${String(t.knownFalse)}`);
  out.push(...ruleLines(t));
  out.push(
    `  health: ${String(t.parsedFiles)} files parsed, ${String(t.damagedFiles)} damaged (${percent(t.damagedFilesShare)}); ${String(t.functions)} functions that matter, ${String(t.damagedFunctions)} damaged (${percent(t.damagedFunctionsShare)})`,
  );
  out.push(
    `  notices that withheld a decision: ${String(t.withheld)}; API count mismatches: ${String(t.apiMismatches)}`,
  );
  if (t.lockWalks && t.lockWalks.callbacks > 0)
    out.push(
      `  spinlock-balance: ${String(t.lockWalks.callbacks)} callbacks walked, ${String(t.lockWalks.notFollowed)} with a path or a lock not followed (${percent(ratio(t.lockWalks.notFollowed, t.lockWalks.callbacks))})`,
    );
  const m = t.mutation;
  if (m.mutants > 0 || Object.keys(m.byOperator).length > 0) {
    out.push(
      `  mutation score: ${String(m.killed)} / ${String(m.mutants)} killed (${percent(m.score)}) over ${String(m.drivers)} drivers`,
    );
    for (const [id, f] of Object.entries(m.byOperator)) out.push(operatorLine(id, f));
    out.push(...excludedLines(m.excludedByRule));
  }
  return out.join('\n') + '\n';
}

export function formatResults(r: Results): string {
  return r.drivers.map(formatDriver).join('') + formatTotals(r.totals);
}
