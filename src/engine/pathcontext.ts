/**
 * What one path analysis carries from call to call: the program and resource it
 * walks for, its counters and budgets, what it has met (acquire sites, damaged
 * functions) and the name facts of the walk (see `pathnames.ts`); and what one
 * invocation's walk carries (`Ctx`).
 *
 * An `Analysis` lives as long as its `PathAnalyzer`: the split counter runs on
 * across analyses of one resource, invocations are named by calling context (the
 * same context is the same name in every analysis: each starts from a new state),
 * and the step budget is reset by each analysis.
 */
import type { Later } from './pathdead.js';
import type { Expr, Pos, Stmt } from './ast.js';
import { castOfAddress, KeyMaker, stripCasts, type TypeEnv } from './keys.js';
import type { FnDef, Program } from './program.js';
import type { ResourceDef } from './rulepack.js';
import type { AcquireSite, State, Val } from './pathstate.js';
import type { Summary } from './pathsummary.js';
import type { Expansion } from './macros.js';

/** Steps one analysis may take; past it, a `budget` notice withholds the decision. */
export const MAX_STEPS = 500_000;

export class Analysis {
  readonly keys: KeyMaker;
  /** Counts the splits conditions make (see `State.split`). */
  splits = 0;
  /** Splits on something no call decided (storage, a helper's several outcomes): the branch itself decides. */
  openSplits = 0;
  steps = 0;
  /** Helper walks remembered in the current analysis (`pathsummary.ts`), by what they could read. */
  readonly summaries = new Map<string, Summary[]>();
  /** Some path bound a local pointer to storage (`pathalias.ts`): expressions are read through it. */
  aliasing = false;
  /** Whether helper walks are remembered (tests turn it off to compare). */
  remember = true;
  /** Whether the walk goes past idle statements (`pathidle.ts`; tests turn it off to compare). */
  skipIdle = true;
  /** Whether a helper's walk goes past what nothing after its call reads (`pathdead.ts`; tests turn it off). */
  skipDead = true;
  /** Helper walks replayed from a summary, over the analyzer's life. */
  replays = 0;
  /** Every function the current analysis's walks went through, in order (a summary keeps its share). */
  walkLog: FnDef[] = [];
  /** Invocation numbers by calling context (see `frameName` in `pathwalk.ts`). */
  readonly frameIds = new Map<string, number>();
  complete = true;
  /** Calls through pointers nothing resolves, by site (`file:line:column`). */
  unresolved = new Set<string>();
  readonly sites = new Map<string, { site: AcquireSite; names: Set<string> }>();
  damaged: FnDef[] = [];
  /** How often each name is read by a condition or return of the functions walked. */
  tested = new Map<string, number>();
  /** `isRetested` by key, for the current `tested`. */
  retested = new Map<string, boolean>();
  /** Names the functions walked assign with `=`. */
  assigned = new Set<string>();
  /** Keys whose last field is declared BOOLEAN (see `forgetDeviceMemory`). */
  readonly booleanFields = new Map<string, boolean>();
  readonly correlated = new Map<string, ResourceDef>();
  /**
   * Macro uses expanded where the walk is (`expandHere`), by use, then file, then name and the
   * macros around it: the same expression objects on every path, so what the walk remembers by
   * expression (keys, constant values) is found again.
   */
  readonly expansions = new WeakMap<Expr, Map<string, Map<string, { macro: object; x: Expansion }>>>();
  /** `quietIf` by statement (`pathinert.ts`): the answer depends on the resource, so it is kept here. */
  readonly inertIfs = new WeakMap<Stmt, boolean>();
  /** Names a test or return reads other than the tests the walk goes past (see `nameFacts`). */
  deciding = new Set<string>();
  /** `if`s and loops the walk may go past (`pathidle.ts`), with the tests each holds, for the current root. */
  idle: ReadonlyMap<Stmt, readonly Expr[]> = new Map();
  /** `nameFacts` by walk root. */
  readonly namesByRoot = new Map<
    FnDef,
    { tested: Map<string, number>; assigned: Set<string>; deciding: Set<string>; idle: Map<Stmt, Expr[]> }
  >();
  readonly decidingCounts = new WeakMap<Stmt, Map<string, number>>();
  /** Keys of expressions by invocation (an invocation's variables change only at its declarations). */
  readonly keyCache = new WeakMap<TypeEnv, Map<Expr, string | undefined>>();

  constructor(
    readonly program: Program,
    readonly resource: ResourceDef,
    /** Functions worth stepping into: they reach the acquire or release call. */
    readonly relevant: Set<FnDef>,
    /** Some function whose address is taken can reach the release: a call through an unknown pointer may release. */
    readonly indirectMayRelease: boolean,
    /** Distinct states a join point explores in full before merging (tests set it low to exercise merging). */
    readonly joinWidth: number,
    /**
     * The pack's other resources whose acquire returns a status and writes a handle: not tracked here,
     * but their handle is non-NULL exactly where their status is success (`if (a->IoBase != NULL)`
     * guarding a free after the port registration succeeded).
     */
    others: ResourceDef[],
  ) {
    this.keys = new KeyMaker(program);
    for (const o of others)
      if (o.name !== resource.name && o.acquire.result === 'status' && o.acquire.handleIsOut)
        this.correlated.set(o.acquire.call, o);
  }
}

/** One invocation's walk: where it is and how it got there. */
export interface Ctx {
  fn: FnDef;
  env: TypeEnv;
  depth: number;
  stack: FnDef[];
  /** Invocations on the stack, outermost first (this one last). */
  frames: readonly string[];
  /** Position of the statement being evaluated. */
  p: Pos;
  /** Condition of the branch being evaluated. */
  cond?: Expr;
  /** The call an expression statement makes, whose result nothing reads (`Free(x);`). */
  discarded?: Expr;
  /** Inside a macro's expansion: the macros being expanded (outermost first) and how deeply they nest. */
  macros?: { painted: string[]; depth: number };
  /** The CFG node being walked (a helper called here reads what may run after it, `pathdead.ts`). */
  node?: number;
  /** What may be read after this invocation returns (`pathdead.ts`). */
  later?: Later;
  /** Statements of this invocation's body it goes past in its calling context (`pathdead.ts`). */
  dead?: ReadonlyMap<Stmt, readonly Expr[]>;
}

/** One way an invocation can return: its state, its value, where, and the resource it returns if any. */
export interface Exit {
  state: State;
  ret: Val;
  retP?: Pos;
  retRes?: string;
}

/** One way an expression can evaluate: the state after it, its value, and the resource it is if any. */
export interface Outcome {
  state: State;
  val: Val;
  res?: string;
}

/** Thrown past the step budget or a nesting limit: the analysis stops and is incomplete. */
export class BudgetExceeded extends Error {}

/** The key of an lvalue (`KeyMaker.key`), remembered per invocation and expression. */
export function keyOf(an: Analysis, e: Expr, env: TypeEnv): string | undefined {
  const m = an.keyCache.get(env);
  if (!m) return an.keys.key(e, env);
  let k = m.get(e);
  if (k === undefined && !m.has(e)) {
    k = an.keys.key(e, env);
    m.set(e, k);
  }
  return k;
}

/**
 * The key of field `f` of the storage an argument hands by address (`&A->Intr` with `InterruptObject`:
 * `A->Intr.InterruptObject`); none for an argument that is not an address. Named as a read of that
 * field names it (a fresh expression: not cached).
 */
export function addressedFieldKey(an: Analysis, arg: Expr, f: string, env: TypeEnv): string | undefined {
  const plain = castOfAddress(stripCasts(arg));
  if (plain.t !== 'un' || plain.op !== '&') return undefined;
  return an.keys.key({ t: 'fld', o: plain.e, f, ar: false }, env);
}
