/**
 * Rule kind `argument-match`: a release's length against the length
 * acquired for the same resource. Compared as integers after `#define`
 * expansion, or as identical expressions; otherwise no verdict.
 */
import type { Expr, Pos } from '../ast.js';
import { exprText } from '../extract.js';
import type { FixMaker } from '../fixes.js';
import { KeyMaker, sameResource, stripCasts, type TypeEnv } from '../keys.js';
import type { InitAnalysis } from '../paths.js';
import type { FnDef, Program } from '../program.js';
import { formatMessage, type ArgumentMatchRule, type ResourceDef } from '../rulepack.js';
import { apiCalls } from '../sites.js';
import { integerValue } from '../values.js';
import { handleKey, span, type Draft } from './common.js';
import { defined } from '../../util/defined.js';

export function argumentMatch(
  program: Program,
  rule: ArgumentMatchRule,
  resource: ResourceDef,
  analyses: Map<FnDef, InitAnalysis>,
  fixes: FixMaker,
): Draft[] {
  const w = resource.words;
  const keys = new KeyMaker(program);
  const aliases = new Map<string, Set<string>>();
  for (const a of analyses.values())
    for (const [id, rec] of a.sites) {
      const set = aliases.get(id) ?? new Set<string>();
      for (const n of rec.names) set.add(n);
      aliases.set(id, set);
    }
  interface Acq {
    fn: FnDef;
    p: Pos;
    call: Pos;
    viaMacro?: string;
    names: string[];
    length: Expr;
    env: TypeEnv;
    text: string;
  }
  const acquires: Acq[] = [];
  const releases: {
    fn: FnDef;
    p: Pos;
    call: Pos;
    viaMacro?: string;
    key: string;
    length: Expr;
    env: TypeEnv;
    text: string;
  }[] = [];
  for (const fn of program.functions) {
    if (program.callsApi(fn, resource.acquire.call)) {
      for (const c of apiCalls(program, fn, resource.acquire.call)) {
        const key = handleKey(keys, c.call.a[resource.acquire.handleArg], resource.acquire.handleIsOut, c.env);
        const length = c.call.a[resource.acquire.lengthArg] as Expr | undefined;
        if (!key || !length) continue;
        const id = `${fn.file}:${String(c.call.p[0])}:${String(c.call.p[1])}:${key}`;
        acquires.push({
          fn,
          p: c.p,
          call: c.call.p,
          ...(c.viaMacro ? { viaMacro: c.viaMacro } : {}),
          names: [key, ...(aliases.get(id) ?? [])],
          length,
          env: c.env,
          text: exprText(length),
        });
      }
    }
    if (program.callsApi(fn, resource.release.call)) {
      for (const c of apiCalls(program, fn, resource.release.call)) {
        const key = handleKey(keys, c.call.a[resource.release.handleArg], resource.release.handleIsOut ?? false, c.env);
        const length = c.call.a[resource.release.lengthArg] as Expr | undefined;
        if (!key || !length) continue;
        releases.push({
          fn,
          p: c.p,
          call: c.call.p,
          ...(c.viaMacro ? { viaMacro: c.viaMacro } : {}),
          key,
          length,
          env: c.env,
          text: exprText(stripCasts(c.call.a[resource.release.handleArg])),
        });
      }
    }
  }
  const drafts: Draft[] = [];
  for (const r of releases) {
    const matches = acquires.filter((a) => a.names.some((n) => sameResource(n, r.key)));
    if (!matches.length) continue;
    const rv = integerValue(r.length, program, r.fn.file);
    let differs = true;
    for (const a of matches) {
      const av = integerValue(a.length, program, a.fn.file);
      if (av !== undefined && rv !== undefined) {
        if (av === rv) {
          differs = false;
          break;
        }
        continue;
      }
      // Not both integers: equal only when the same expression; otherwise no verdict.
      differs = false;
      break;
    }
    if (!differs) continue;
    const a = matches[0];
    const av = defined(integerValue(a.length, program, a.fn.file), 'length as an integer');
    const fix = fixes.lengthAt(
      resource,
      { fn: a.fn, p: a.call, ...(a.viaMacro ? { viaMacro: a.viaMacro } : {}) },
      { fn: r.fn, p: r.call, ...(r.viaMacro ? { viaMacro: r.viaMacro } : {}) },
    );
    drafts.push({
      rule: rule.id,
      severity: rule.severity,
      path: r.fn.file,
      ...span(r.p),
      ...(fix ? { fix } : {}),
      message: formatMessage(rule, 'lengthDiffers', {
        release: resource.release.call,
        length: exprText(r.length),
        value: String(rv),
        unit: w.unit,
        handle: r.text,
        acquirer: a.fn.name,
        held: w.held,
        acquired: a.text,
        acquiredValue: String(av),
        advice: rule.advice,
      }),
      messageId: 'lengthDiffers',
      trace: [
        { path: a.fn.file, line: a.p[0], message: `${a.fn.name} ${w.acquires} ${a.text} = ${String(av)} ${w.unit}` },
        {
          path: r.fn.file,
          line: r.p[0],
          message: `${r.fn.name} ${w.releases} ${exprText(r.length)} = ${String(rv)} ${w.unit}`,
        },
      ],
      docs: rule.docs,
      identity: [rule.id, r.fn.file, r.fn.name, r.key, exprText(r.length)],
    });
  }
  return drafts;
}
