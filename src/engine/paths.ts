/**
 * Path analysis of the initialize callback for acquire/release pairing.
 *
 * Walks every path through initialize, stepping into the helpers that
 * acquire or release (so a helper's NULL test sees the caller's state),
 * and tracks what the code tests: a status is zero (success) or not, a
 * pointer is NULL or not. A mapping is held only where its status was
 * success; where it failed its address is NULL. At each exit it records
 * which mappings are still held and whether initialize is failing.
 *
 * `PathAnalyzer` is the entry: one per resource, reused across walks. The
 * work is done in the `path*.ts` modules: the walk of one invocation
 * (`pathwalk.ts`), expressions (`patheval.ts`), conditions (`pathcond.ts`),
 * calls (`pathcalls.ts`), analysis-time macros (`pathmacro.ts`), the resource
 * model (`pathresource.ts`), flag-word and constant facts (`pathflags.ts`),
 * NULL facts (`pathnull.ts`), device-shared memory (`pathdevice.ts`), which
 * names are worth values (`pathnames.ts`), merging at joins and exits
 * (`pathmerge.ts`) and the reading of initialize's exits (`pathverdict.ts`),
 * over the state of `pathstate.ts`, with per-analysis context in
 * `pathcontext.ts`.
 */
import type { FnDef, Program } from './program.js';
import type { ResourceDef } from './rulepack.js';
import { newState, type AcquireSite } from './pathstate.js';
import { Analysis, BudgetExceeded, type Exit } from './pathcontext.js';
import { nameFacts, walkable } from './pathnames.js';
import { run } from './pathwalk.js';
import { readInitExits, type Kept, type Leak, type Withheld } from './pathverdict.js';

export { siteId, type AcquireSite } from './pathstate.js';
export type { Kept, Leak } from './pathverdict.js';

export interface InitAnalysis {
  leaks: Leak[];
  kept: Kept[];
  /** Every acquire the walk met, with all names it was stored under. */
  sites: Map<string, { site: AcquireSite; names: Set<string> }>;
  complete: boolean;
  /** Leaking paths not reported because a call through a pointer on them may release the mapping. */
  withheld: Withheld[];
  /** Functions on the walk whose text did not parse cleanly: their paths cannot be trusted. */
  damaged: { name: string; file: string; line: number }[];
  unresolvedCalls: number;
  /** Gotos and returns (`file:line:col`) some path that does not end in failure goes through. */
  notOnlyFailing: Set<string>;
}

/** What a walk of halt (or another releasing callback) found. */
export interface RoleAnalysis {
  /** Held mappings (by site id) that some allowed path releases. */
  released: Set<string>;
  /** Not released, but a call through an unknown pointer on the way may have released them. */
  mayRelease: Set<string>;
  complete: boolean;
  damaged: { name: string; file: string; line: number }[];
}

/**
 * Distinct states one join point explores in full; past this, arrivals that
 * agree on what is mapped are merged. Merging can only drop a path (a miss),
 * never invent a leak. Four, not eight, since stop 24: on the 72 drivers of
 * the evaluation the findings, the labelled figures and both mutation scores
 * were the same at 4 and at 8 (only some traces' example paths went round a
 * loop more), and the rules of the whole pack took 15 % less time. At 2 the
 * findings were still the same, but two of the analyzer's own tests failed (a
 * helper's replay, and the steps saved on a cleanup routine).
 */
const JOIN_WIDTH = 4;

/**
 * Nothing initialize can reach acquires the resource (no call of it, by name, through a macro or a
 * function stored in a field; the caller knows that no call through an unresolved pointer can), and
 * no function the walk could step into lost text to damage: every path holds nothing, so the walk is
 * not made. It stepped into the cleanup routines anyway (they reach the release): 14 % of the default
 * pack's walk steps over the corpus, for no finding.
 */
function acquiresNothing(program: Program, resource: ResourceDef, relevant: Set<FnDef>, init: FnDef): boolean {
  const reached = walkable(program, init);
  if (reached.some((f) => program.callsApi(f, resource.acquire.call))) return false;
  // Damaged text may have lost the acquire itself; the walk names such a function in its notice.
  return !reached.some((f) => (f === init || relevant.has(f)) && f.damaged);
}

export class PathAnalyzer {
  private readonly an: Analysis;
  private walked = 0;

  constructor(
    program: Program,
    resource: ResourceDef,
    /** Functions worth stepping into: they reach the acquire or release call. */
    relevant: Set<FnDef>,
    /** Some function whose address is taken can reach the release: a call through an unknown pointer may release. */
    indirectMayRelease = true,
    /** Distinct states a join point explores in full before merging (tests set it low to exercise merging). */
    joinWidth = JOIN_WIDTH,
    /**
     * The pack's other resources whose acquire returns a status and writes a handle: not tracked here,
     * but their handle is non-NULL exactly where their status is success (`if (a->IoBase != NULL)`
     * guarding a free after the port registration succeeded).
     */
    others: ResourceDef[] = [],
    /**
     * Some function a call through an unresolved pointer may call can reach the acquire: initialize
     * may acquire through such a call, and is walked even where no known call of it acquires.
     */
    private readonly indirectMayAcquire = true,
  ) {
    this.an = new Analysis(program, resource, relevant, indirectMayRelease, joinWidth, others);
  }

  /**
   * Walks a callback (halt) that starts with these mappings held and tells,
   * for each, whether some path the code allows releases it. The callback's
   * own flags and tests count: a release skipped on every path is no release.
   */
  analyzeRole(root: FnDef, held: { id: string; site: AcquireSite; names: string[] }[]): RoleAnalysis {
    const an = this.an;
    an.steps = 0;
    an.complete = true;
    an.unresolved = new Set();
    an.summaries.clear();
    an.walkLog = [];
    an.damaged = root.damaged ? [root] : [];
    nameFacts(an, root);
    const start = newState();
    // Acquisitions stored under a shared name (the same field mapped by two builds of one helper)
    // are one storage in halt: one group stands for all of them.
    const groupOf = new Map<string, string>();
    for (const h of held) {
      const shared = h.names.map((n) => start.res.get(n)).find((g) => g !== undefined);
      const gid = shared ?? h.id;
      groupOf.set(h.id, gid);
      if (!shared) start.groups.set(gid, { st: 'held', site: h.site, acqStep: 0, frames: [] });
      for (const n of h.names) if (!start.res.has(n)) start.res.set(n, gid);
    }
    const released = new Set<string>();
    const mayRelease = new Set<string>();
    let exits: Exit[] = [];
    try {
      exits = run(an, root, start, [], 0, [root]);
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      an.complete = false;
    }
    this.walked += an.steps;
    for (const { state } of exits)
      for (const h of held) {
        const g = state.groups.get(groupOf.get(h.id) ?? h.id);
        // Halt starts every group held, and a held group is dropped only once released or NULL and
        // nameless (`dropNameless`: `Dma = (NDIS_HANDLE) -1` after the release): gone is released.
        if (!g || g.st === 'released' || g.st === 'null') released.add(h.id);
        else if (g.behindPointer) mayRelease.add(h.id);
      }
    return {
      released,
      mayRelease,
      complete: an.complete,
      damaged: an.damaged.map((d) => ({ name: d.name, file: d.file, line: d.fact.p[0] })),
    };
  }

  /** Walks initialize from nothing held: the mappings it leaks on failing paths and keeps on succeeding ones. */
  analyzeInit(init: FnDef): InitAnalysis {
    const an = this.an;
    if (!this.indirectMayAcquire && acquiresNothing(an.program, an.resource, an.relevant, init)) {
      an.steps = 0;
      return {
        leaks: [],
        kept: [],
        withheld: [],
        sites: new Map(),
        complete: true,
        damaged: [],
        unresolvedCalls: 0,
        notOnlyFailing: new Set(),
      };
    }
    an.steps = 0;
    an.complete = true;
    an.unresolved = new Set();
    an.summaries.clear();
    an.walkLog = [];
    an.sites.clear();
    an.damaged = init.damaged ? [init] : [];
    nameFacts(an, init);
    const start = newState();
    let exits: Exit[] = [];
    try {
      exits = run(an, init, start, [], 0, [init]);
    } catch (e) {
      if (!(e instanceof BudgetExceeded)) throw e;
      an.complete = false;
    }
    this.walked += an.steps;
    const { leaks, kept, withheld, notOnlyFailing } = readInitExits(init, exits);
    if (an.damaged.length) {
      // Half-parsed code has lost statements: its paths would invent leaks, so none are reported.
      const damaged = an.damaged.map((d) => ({ name: d.name, file: d.file, line: d.fact.p[0] }));
      return {
        leaks: [],
        kept: [],
        withheld: [],
        sites: new Map(an.sites),
        complete: false,
        damaged,
        unresolvedCalls: an.unresolved.size,
        notOnlyFailing,
      };
    }
    return {
      leaks,
      kept,
      withheld,
      sites: new Map(an.sites),
      complete: an.complete,
      damaged: [],
      unresolvedCalls: an.unresolved.size,
      notOnlyFailing,
    };
  }

  /** Walks every helper afresh, remembering none (tests compare the two). */
  forgetHelpers(): this {
    this.an.remember = false;
    return this;
  }

  /** Walks idle statements too (`pathidle.ts`), as a reference for tests. */
  walkIdle(): this {
    this.an.skipIdle = false;
    return this;
  }

  /** Walks what nothing after a helper's call reads too (`pathdead.ts`), as a reference for tests. */
  walkDead(): this {
    this.an.skipDead = false;
    return this;
  }

  /** Steps the last analysis took. */
  get steps(): number {
    return this.an.steps;
  }

  /** Steps of every analysis this analyzer ran (initialize and role walks alike). */
  get walkSteps(): number {
    return this.walked;
  }

  /** How many helper walks were replayed from a summary so far. */
  get replays(): number {
    return this.an.replays;
  }

  /** The functions a walk from `init` can step into: init and the relevant functions it reaches. */
  walkable(init: FnDef): FnDef[] {
    return walkable(this.an.program, init);
  }
}
