/**
 * Rule kind `constant-argument`: an argument of a call that is a constant
 * (after `#define`, enumeration and WDK constant expansion) compared with a
 * limit. An argument whose value is not constant is never reported: the
 * analysis does not guess what a variable holds.
 */
import type { Expr } from '../ast.js';
import { exprText } from '../extract.js';
import { walkExprs, type Program } from '../program.js';
import { formatMessage, type ConstantArgumentRule } from '../rulepack.js';
import { apiCalls } from '../sites.js';
import { integerValue, textValue } from '../values.js';
import { callDraft, callStep, type Draft } from './common.js';
import { conditionalMacro } from './uncertain.js';

export function constantArgument(program: Program, rule: ConstantArgumentRule): Draft[] {
  const drafts: Draft[] = [];
  const limit = BigInt(rule.limit);
  for (const fn of program.functions) {
    for (const c of rule.calls) {
      if (!program.callsApi(fn, c.call)) continue;
      for (const site of apiCalls(program, fn, c.call)) {
        const arg = site.call.a[c.arg] as (typeof site.call.a)[number] | undefined;
        if (!arg || (site.viaMacro && conditionalMacro(program, site.viaMacro))) continue;
        // A constant defined one way per #if branch has no one value.
        let branchDefined = false as boolean; // set by the walk's callback
        walkExprs({ k: 'exp', e: arg, p: site.p }, (x) => {
          if (x.t === 'id' && conditionalMacro(program, x.n)) branchDefined = true;
        });
        if (branchDefined) continue;
        const value = constantValue(program, fn.file, arg);
        if (value === undefined || !compare(rule.compare, value, limit)) continue;
        const text = exprText(arg);
        const shown = text === value.toString() ? text : `${text} (${value.toString()})`;
        const messageId = site.viaMacro ? 'throughMacro' : 'direct';
        const message = formatMessage(rule, messageId, {
          call: c.call,
          argument: c.name,
          value: shown,
          limit: rule.limit,
          macro: site.viaMacro ?? '',
          advice: rule.advice,
        });
        drafts.push(
          callDraft(rule, fn, site.p, {
            message,
            messageId,
            trace: [callStep(fn, site, `calls ${c.call}`, ` with ${c.name} ${shown}`)],
            identity: [rule.id, fn.file, fn.name, exprText(site.call)],
          }),
        );
      }
    }
  }
  return drafts;
}

function compare(op: ConstantArgumentRule['compare'], v: bigint, limit: bigint): boolean {
  switch (op) {
    case '>':
      return v > limit;
    case '>=':
      return v >= limit;
    case '<':
      return v < limit;
    case '<=':
      return v <= limit;
    case '==':
      return v === limit;
    case '!=':
      return v !== limit;
  }
}

/** How many function-like macros deep a constant is expanded (`MS_TO_US(2)`). */
const MAX_CONSTANT_MACROS = 8;

/**
 * The value of an argument, with function-like macro uses in it expanded
 * (`MS_TO_US(2)` with `#define MS_TO_US(ms) ((ms) * 1000)` is 2000).
 */
function constantValue(program: Program, file: string, e: Expr): bigint | undefined {
  const direct = integerValue(e, program, file);
  if (direct !== undefined) return direct;
  const text = constantText(program, file, e, 0);
  return text === undefined ? undefined : textValue(text, program, file);
}

/** The expression as fully parenthesised text with macro uses expanded, or undefined when it is not a constant's. */
function constantText(program: Program, file: string, e: Expr, depth: number): string | undefined {
  if (depth > MAX_CONSTANT_MACROS) return undefined;
  const again = (x: Expr) => constantText(program, file, x, depth + 1);
  switch (e.t) {
    case 'num':
      return e.v;
    case 'id':
      return e.n;
    case 'bin': {
      const l = again(e.l);
      const r = again(e.r);
      return l === undefined || r === undefined ? undefined : `(${l} ${e.op} ${r})`;
    }
    case 'un': {
      const x = again(e.e);
      return x === undefined || !['-', '+', '~'].includes(e.op) ? undefined : `(${e.op}${x})`;
    }
    case 'cast':
      return again(e.e);
    case 'call': {
      if (e.f.t !== 'id' || program.resolve(file, e.f.n).length) return undefined;
      const m = program.macro(file, e.f.n);
      if (!m || m.params?.length !== e.a.length) return undefined;
      const args = e.a.map(again);
      if (!args.every((a) => a !== undefined)) return undefined;
      const params = m.params;
      return `(${m.body.replace(/[A-Za-z_]\w*/g, (w) => {
        const i = params.indexOf(w);
        return i < 0 ? w : `(${args[i]})`;
      })})`;
    }
    default:
      return undefined;
  }
}
