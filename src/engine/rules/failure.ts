/**
 * Rule kind `release-on-failure`: every failure path of initialize after the
 * acquisition succeeded releases it. Reads the path analysis of initialize
 * (paths.ts; leaks are read off its exits in pathverdict.ts): each leak is
 * reported at the first jump after which initialize can only fail, with a
 * trace of the path.
 */
import type { FixMaker } from '../fixes.js';
import type { InitAnalysis } from '../paths.js';
import { exprText } from '../extract.js';
import type { FnDef } from '../program.js';
import { formatMessage, type ReleaseOnFailureRule, type ResourceDef } from '../rulepack.js';
import type { TraceStep } from '../types.js';
import type { AcquireSite } from '../pathstate.js';
import { span, type Draft } from './common.js';

export function releaseOnFailure(
  rule: ReleaseOnFailureRule,
  resource: ResourceDef,
  analyses: Map<FnDef, InitAnalysis>,
  fixes: FixMaker,
): Draft[] {
  const held = resource.words.held;
  // Everything that leaks at one jump is one finding; its message is written once all are known (a
  // message rewritten for each of a thousand mappings leaking at one goto was most of a scan).
  const byJump = new Map<
    string,
    {
      draft: Draft;
      identity: string[];
      keys: Set<string>;
      /** Handle texts and sites, in the order met (each once). */
      handles: Set<string>;
      sites: Set<string>;
      data: Record<string, string>;
    }
  >();
  for (const [init, a] of analyses) {
    for (const leak of a.leaks) {
      const k = `${leak.jump.file}:${String(leak.jump.p[0])}:${String(leak.jump.p[1])}`;
      const name = leak.site.text;
      const existing = byJump.get(k);
      if (existing) {
        if (!existing.keys.has(leak.site.key)) {
          existing.keys.add(leak.site.key);
          existing.identity.push(leak.site.key);
          // Several sites under one text (a helper's parameter, registered for each of several fields) read once.
          existing.handles.add(name);
          existing.sites.add(siteText(leak.site));
        }
        continue;
      }
      const trace: TraceStep[] = [
        {
          path: leak.site.file,
          line: leak.site.p[0],
          message: `${leak.site.fn} ${resource.words.acquires} ${name} here`,
        },
      ];
      // The path from the acquisition to the jump, in the order it happens.
      const middle: (TraceStep & { at: number })[] = [];
      const s = leak.success;
      if (s?.text)
        middle.push({
          path: s.file,
          line: s.p[0],
          at: s.at,
          message: `${resource.acquire.call} succeeded (${s.text})`,
        });
      // Rounds of one loop in a row are one step that says how many: a line per round said nothing more.
      for (const l of loopRuns(leak.loops).slice(0, 3))
        middle.push({
          path: l.file,
          line: l.p[0],
          at: l.at,
          message:
            l.rounds === 1
              ? `next iteration of the loop at line ${String(l.p[0])}`
              : `${String(l.rounds)} more iterations of the loop at line ${String(l.p[0])}`,
        });
      const f = leak.fork;
      if (f) {
        const sameLine = (o: { file: string; p: readonly number[] } | undefined) =>
          o?.p[0] === f.p[0] && o.file === f.file;
        if (!sameLine(leak.decided) && !sameLine(s))
          middle.push({ path: f.file, line: f.p[0], at: f.at, message: `takes the branch where ${f.text}` });
      }
      const d = leak.decided;
      if (d?.decided?.callee && d.at > leak.jump.step)
        // Decided by a call's result that the path tests only after the jump: the call is where it failed.
        middle.push({
          path: d.decided.file,
          line: d.decided.p[0],
          at: d.decided.at,
          message: `${exprText(d.decided.callee)} fails here (${d.text} at ${d.file}:${String(d.p[0])}): ${init.name} can only fail from here`,
        });
      else if (d?.text && d.p[0] > 0 && !(d.file === leak.jump.file && d.p[0] === leak.jump.p[0]))
        middle.push({
          path: d.file,
          line: d.p[0],
          at: d.at,
          message:
            d.how === 'branch'
              ? `${d.text}: ${init.name} can only fail from here`
              : `failure status ${d.text} set here`,
        });
      middle.push({
        path: leak.jump.file,
        line: leak.jump.p[0],
        at: leak.jump.step,
        message: `${leak.jump.kind} with ${name} still ${held}`,
      });
      // In the order the path runs: a helper's goto can come before the caller sets the failure status.
      for (const { at: _at, ...step } of middle.sort((a, b) => a.at - b.at)) trace.push(step);
      if (leak.exit.p[0] !== leak.jump.p[0] || leak.exit.file !== leak.jump.file)
        trace.push({ path: leak.exit.file, line: leak.exit.p[0], message: `${init.name} returns the failure here` });
      // Certain only where every path through this jump fails (an inserted release never runs on success).
      const fix = a.notOnlyFailing.has(k) ? undefined : fixes.releaseBefore(resource, leak.site, leak.jump);
      const data = {
        held,
        site: siteText(leak.site),
        init: init.name,
        jump: leak.jump.kind,
        advice: rule.advice,
        is: 'is',
      };
      const identity = [rule.id, leak.jump.file, leak.jump.fn, leak.jump.kind, leak.site.key];
      byJump.set(k, {
        identity,
        keys: new Set([leak.site.key]),
        handles: new Set([name]),
        sites: new Set([data.site]),
        data,
        draft: {
          rule: rule.id,
          severity: rule.severity,
          path: leak.jump.file,
          ...span(leak.jump.p),
          ...(fix ? { fix } : {}),
          message: formatMessage(rule, 'leak', { ...data, handles: name }),
          messageId: 'leak',
          trace,
          docs: rule.docs,
          identity,
        },
      });
    }
  }
  return [...byJump.values()].map((x) => {
    if (x.keys.size > 1) {
      // Two mappings leak here: one inserted release would not fix it.
      delete x.draft.fix;
      x.draft.message = formatMessage(rule, 'leak', {
        ...x.data,
        handles: listed([...x.handles]),
        site: listed(shortSites([...x.sites])),
        is: x.handles.size > 1 ? 'are' : 'is',
      });
    }
    return x.draft;
  });
}

const siteTexts = new WeakMap<AcquireSite, string>();

/** `file:line` of an acquire site, made once per site (one site leaks at thousands of jumps). */
function siteText(site: AcquireSite): string {
  let t = siteTexts.get(site);
  if (t === undefined) siteTexts.set(site, (t = `${site.file}:${String(site.p[0])}`));
  return t;
}

/** Names a message lists before it only counts the rest: a reader takes in a few, not a thousand. */
const MAX_LISTED = 8;

/** `A`, `A and B`, `A, B and C`; past `MAX_LISTED`, `A, B, … H and 992 more`. */
function listed(items: readonly string[]): string {
  if (items.length > MAX_LISTED)
    return `${items.slice(0, MAX_LISTED).join(', ')} and ${String(items.length - MAX_LISTED)} more`;
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** `a.c:10, a.c:20, b.c:5` → `a.c:10, :20, b.c:5`: a file named once for its run of lines. */
function shortSites(sites: readonly string[]): string[] {
  return sites.map((site, i) => {
    const file = site.slice(0, site.lastIndexOf(':'));
    const prev = i > 0 ? sites[i - 1] : '';
    return prev.slice(0, prev.lastIndexOf(':')) === file ? site.slice(file.length) : site;
  });
}

/** Consecutive rounds of one loop (the same file and line) as one run: its first round and how many. */
function loopRuns<T extends { file: string; p: readonly number[]; at: number }>(
  loops: T[],
): (T & { rounds: number })[] {
  const out: (T & { rounds: number })[] = [];
  for (const l of loops) {
    const last = out.at(-1);
    if (last?.file === l.file && last.p[0] === l.p[0]) last.rounds++;
    else out.push({ ...l, rounds: 1 });
  }
  return out;
}
