/**
 * Rule kind `return-value`: every `return` of a callback of one role gives
 * one of the allowed values. A path walk of the callback's own body over
 * its control-flow graph, remembering what its local variables were last
 * given (`Status = NDIS_STATUS_FAILURE; ... return Status;`), and deciding
 * the branches it can (`if (Status != NDIS_STATUS_SUCCESS)` on a path where
 * Status is known). A value the walk does not know (a call's result, a
 * field, a parameter, a variable whose address is taken) is never reported.
 */
import type { Expr, Pos, Stmt } from '../ast.js';
import { buildCfg } from '../cfg.js';
import { walkExprs, type Program } from '../program.js';
import { formatMessage, type ReturnValueRule, type RulePack } from '../rulepack.js';
import { functionEnv } from '../sites.js';
import { constantTruth, integerValue } from '../values.js';
import { evidenceText, roleLabel, span, type Draft } from './common.js';
import { givenByNdis, nullTested, testThroughMacros } from './nonnull.js';
import { defined } from '../../util/defined.js';

/** A value known on a path: its name when it has one, its integer value when that is known. */
interface Known {
  name?: string;
  value?: bigint;
  /** Where a variable was given it. */
  line?: number;
}
type State = Map<string, Known>;

/** Steps of one callback's walk: far past a real pause callback, far below a hang. */
const MAX_STEPS = 50_000;

export function returnValue(program: Program, pack: RulePack, rule: ReturnValueRule): Draft[] {
  const drafts: Draft[] = [];
  const known = new RegExp(rule.knownNames);
  const allowedValues = new Set(Object.values(rule.allowed).map((v) => BigInt(v)));
  for (const fn of program.functions) {
    const ev = program.rolesOf(fn).find((r) => r.role === rule.role);
    if (!ev || fn.fact.damaged) continue;
    const locals = new Set(functionEnv(fn).vars.keys());
    const escaped = addressTaken(fn.body);
    const tracked = (n: string) => locals.has(n) && !escaped.has(n);
    const nonNull = givenByNdis(fn);
    const constant = (name: string, depth = 0): Known | undefined => {
      if (name in rule.allowed) return { name, value: BigInt(rule.allowed[name]) };
      if (depth > 8) return undefined;
      const m = program.macro(fn.file, name);
      if (m) {
        if (m.params !== null) return undefined;
        const body = m.body.replace(/^[\s(]*(?:\(\s*[A-Za-z_]\w*\s*\))?\s*/, '').replace(/[\s)]*$/, '');
        if (/^[A-Za-z_]\w*$/.test(body) && body !== name) {
          const inner = constant(body, depth + 1);
          if (inner) return inner.value === undefined && inner.name === body ? { name } : inner;
        }
        const v = integerValue({ t: 'id', n: name }, program, fn.file);
        return v === undefined ? undefined : { name, value: v };
      }
      const v = integerValue({ t: 'id', n: name }, program, fn.file);
      if (v !== undefined) return { name, value: v };
      return known.test(name) ? { name } : undefined;
    };
    const evaluate = (e: Expr, s: State): Known | undefined => {
      switch (e.t) {
        case 'id':
          if (locals.has(e.n)) return tracked(e.n) ? s.get(e.n) : undefined;
          return constant(e.n);
        case 'num': {
          const v = integerValue(e, program, fn.file);
          return v === undefined ? undefined : { name: e.v, value: v };
        }
        case 'cast':
          return evaluate(e.e, s);
        case 'asg':
          return e.op === '=' ? evaluate(e.r, s) : undefined;
        case 'un':
        case 'bin': {
          // A test's outcome stored (`BOOLEAN gone = !Adapter;`): 1 or 0 where the test is decided.
          const t = truth(e, s);
          return t === undefined ? undefined : { value: t ? 1n : 0n };
        }
        default:
          return undefined;
      }
    };
    const bad = (v: Known): boolean => {
      if (v.name !== undefined && v.name in rule.allowed) return false;
      if (v.value !== undefined) return !allowedValues.has(v.value);
      return v.name !== undefined;
    };
    const truth = (c: Expr, s: State): boolean | undefined => {
      switch (c.t) {
        case 'num': {
          const v = integerValue(c, program, fn.file);
          return v === undefined ? undefined : v !== 0n;
        }
        case 'id': {
          if (nonNull.has(c.n)) return true;
          if (locals.has(c.n)) {
            const v = tracked(c.n) ? s.get(c.n) : undefined;
            return v?.value === undefined ? undefined : v.value !== 0n;
          }
          const t = constantTruth(c.n, program, fn.file);
          return t === undefined ? undefined : t === 'NZ';
        }
        case 'cast':
          return truth(c.e, s);
        case 'call': {
          // A test through a project macro (`if (IS_NULL(nic))`): the expression it expands to.
          const x = testThroughMacros(program, fn.file, c);
          return x === c ? undefined : truth(x, s);
        }
        case 'un':
          if (c.op === '!') {
            const t = truth(c.e, s);
            return t === undefined ? undefined : !t;
          }
          return undefined;
        case 'bin': {
          if (c.op === '&&' || c.op === '||') {
            const l = truth(c.l, s);
            const r = truth(c.r, s);
            if (c.op === '&&') return l === false || r === false ? false : l && r ? true : undefined;
            return l === true || r === true ? true : l === false && r === false ? false : undefined;
          }
          if (c.op !== '==' && c.op !== '!=') return undefined;
          const nullTest = nullTested(c);
          if (nullTest && nonNull.has(nullTest)) return c.op === '!=';
          const l = evaluate(c.l, s);
          const r = evaluate(c.r, s);
          if (!l || !r) return undefined;
          let eq: boolean | undefined;
          if (l.value !== undefined && r.value !== undefined) eq = l.value === r.value;
          else if (l.name !== undefined && l.name === r.name) eq = true;
          if (eq === undefined) return undefined;
          return c.op === '==' ? eq : !eq;
        }
        default:
          return undefined;
      }
    };
    const assign = (e: Expr | undefined, s: State, line: number): State => {
      if (!e) return s;
      let out = s;
      walkExprs({ k: 'exp', e, p: [0, 0, 0, 0] }, (x) => {
        let target: string | undefined;
        let value: Known | undefined;
        if (x.t === 'asg' && x.l.t === 'id' && locals.has(x.l.n)) {
          target = x.l.n;
          value = x.op === '=' ? evaluate(x.r, s) : undefined;
        } else if ((x.t === 'post' || x.t === 'un') && (x.op === '++' || x.op === '--') && x.e.t === 'id') {
          target = x.e.n;
        }
        if (target === undefined || !tracked(target)) return;
        if (out === s) out = new Map(s);
        if (value) out.set(target, { ...value, line });
        else out.delete(target);
      });
      return out;
    };

    const cfg = buildCfg(fn.body);
    const reported = new Map<number, { v: Known; variable?: string; p: Pos }>();
    const seen = new Set<string>();
    const todo: { at: number; s: State }[] = [{ at: cfg.entry, s: new Map() }];
    let steps = 0;
    while (todo.length && steps++ < MAX_STEPS) {
      const { at, s } = defined(todo.pop(), 'step to walk');
      const key = `${String(at)}|${stateKey(s)}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const n = cfg.nodes[at];
      switch (n.t) {
        case 'exp':
          todo.push({ at: n.next, s: assign(n.e, s, n.p[0]) });
          break;
        case 'decl': {
          let out = s;
          for (const d of n.d) {
            if (!tracked(d.n)) continue;
            if (out === s) out = new Map(s);
            const v = d.init ? evaluate(d.init, s) : undefined;
            if (v) out.set(d.n, { ...v, line: n.p[0] });
            else out.delete(d.n);
          }
          todo.push({ at: n.next, s: out });
          break;
        }
        case 'br': {
          const after = assign(n.c, s, n.p[0]);
          const t = truth(n.c, after);
          if (t !== false) todo.push({ at: n.yes, s: after });
          if (t !== true) todo.push({ at: n.no, s: after });
          break;
        }
        case 'sw': {
          const after = assign(n.c, s, n.p[0]);
          for (const c of n.cases) todo.push({ at: c.to, s: after });
          todo.push({ at: n.dflt, s: after });
          break;
        }
        case 'ret': {
          if (!n.e) break;
          const v = evaluate(n.e, s);
          if (v && bad(v) && !reported.has(at)) {
            const plain = n.e.t === 'cast' ? n.e.e : n.e;
            reported.set(at, { v, p: n.p, ...(plain.t === 'id' && locals.has(plain.n) ? { variable: plain.n } : {}) });
          }
          break;
        }
        case 'jump':
        case 'nop':
          todo.push({ at: n.next, s });
          break;
        case 'end':
          break;
      }
    }
    for (const { v, variable, p } of reported.values()) {
      const shown = v.name ?? (v.value !== undefined ? v.value.toString() : '?');
      const messageId = variable ? 'returnsVariable' : 'returnsConstant';
      const message = formatMessage(rule, messageId, {
        callback: roleLabel(pack, rule.role),
        fn: fn.name,
        value: shown,
        variable: variable ?? '',
        allowed: Object.keys(rule.allowed)
          .filter((k) => !k.startsWith('STATUS_'))
          .join(' or '),
        advice: rule.advice,
      });
      drafts.push({
        rule: rule.id,
        severity: rule.severity,
        path: fn.file,
        ...span(p),
        message,
        messageId,
        trace: [
          { path: ev.path, line: ev.line, message: `${fn.name} is ${roleLabel(pack, ev.role)}: ${evidenceText(ev)}` },
          ...(variable && v.line
            ? [{ path: fn.file, line: v.line, message: `${variable} is given ${shown} here` }]
            : []),
          { path: fn.file, line: p[0], message: `${fn.name} returns ${variable ?? shown}` },
        ],
        docs: rule.docs,
        identity: [rule.id, fn.file, fn.name, variable ?? shown],
      });
    }
  }
  return drafts;
}

/** Variables whose address is taken anywhere in the body: anything may write them. */
function addressTaken(body: Stmt): Set<string> {
  const out = new Set<string>();
  walkExprs(body, (e) => {
    if (e.t === 'un' && e.op === '&') {
      let x = e.e;
      while (x.t === 'fld' || x.t === 'idx' || x.t === 'cast') x = x.t === 'cast' ? x.e : x.o;
      if (x.t === 'id') out.add(x.n);
    }
  });
  return out;
}

function stateKey(s: State): string {
  return [...s]
    .map(([k, v]) => `${k}=${v.name ?? ''}:${v.value?.toString() ?? ''}:${String(v.line ?? '')}`)
    .sort()
    .join(',');
}
