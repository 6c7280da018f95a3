/**
 * Links per-file facts into one program: resolves names with C linkage
 * (a `static` function is visible only in its file; among several external
 * definitions the nearest by folder wins), expands function-like macros,
 * and finds every callback's role. Cheap: redone on every scan.
 */
import { posix } from 'node:path';
import type { FieldAssign, FunctionDetail, FunctionFact, ParsedFacts, Stmt, VarDecl } from './ast.js';
import { plainName } from './extract.js';
import { loadFunctionDetail, macroBodiesOf, macroBodyCandidates, parseMacroBodies } from './filefacts.js';
import { parsingOnDemand } from './parseclock.js';
import type { LexFacts, MacroDef } from './lexfacts.js';
import type { MacroTable } from './expand.js';
import type { SiteMemo } from './sites.js';
import { noteLimit } from './limits.js';
import type { RoleTable } from './rulepack.js';
import { defined } from '../util/defined.js';

export interface MacroBody {
  name: string;
  params: string[];
  body: Stmt;
  line: number;
}

export interface LinkedFile {
  path: string;
  lex: LexFacts;
  parsed?: ParsedFacts & { macroBodies?: (MacroBody | null)[] };
  /** The file's bytes, from which a function's detail is parsed when first needed. */
  bytes?: Uint8Array;
  /** The project's macros the file was parsed with: a body its parse left out is read with them. */
  macros?: MacroTable;
  /** The file's version a scan before this one read, whose unchanged bodies need no parse (`moveddetail.ts`). */
  earlier?: { bytes: Uint8Array; parsed: ParsedFacts & { macroDigest?: string } };
}

/** A function definition in the program; its parameters and body load on first use. */
export class FnDef {
  private detail: FunctionDetail | undefined;

  constructor(
    readonly id: number,
    readonly file: string,
    readonly fact: FunctionFact,
    private readonly load: () => FunctionDetail,
  ) {}

  get name(): string {
    return this.fact.name;
  }

  get body(): Stmt {
    return (this.detail ??= this.load()).body;
  }

  get params(): VarDecl[] {
    return (this.detail ??= this.load()).params;
  }

  /** Its syntax does not read cleanly (a body the file's parse left out is read to know). */
  get damaged(): boolean {
    if (this.fact.damaged) return true;
    return this.fact.bodyLeftOut === true && (this.detail ??= this.load()).damagedAt !== undefined;
  }

  /**
   * Where a body the file's parse left out was found not to read, once a rule has read it, with the
   * note to give when it nests too deep. Nothing is parsed to know: a body no rule read changed no result.
   */
  get bodyDamageSeen(): { line: number; deep?: string } | undefined {
    const d = this.fact.bodyLeftOut ? this.detail : undefined;
    return d?.damagedAt === undefined ? undefined : { line: d.damagedAt, ...(d.deep ? { deep: d.deep } : {}) };
  }
}

/** How a function came to have a role, for traces. */
export interface RoleEvidence {
  role: string;
  how: 'role-type' | 'function-class' | 'registration' | 'handoff' | 'name' | 'address-taken';
  path: string;
  line: number;
  /** e.g. `MPChar.InitializeHandlerEx`, `MINIPORT_HALT`, `NdisQueueIoWorkItem` */
  detail: string;
  /** Registration object identity (file|function|object) for pairing callbacks of one driver. */
  object?: string;
}

export interface CallEdge {
  callee: FnDef;
  /** Macros the call passes through, outermost first. */
  viaMacros: string[];
  /** The name used at the call site (the macro's name when via a macro). */
  siteName: string;
  /** The call goes through this struct field (`Dev->Ops->MapBar(Dev)`). */
  viaField?: string;
}

export class Program {
  readonly files = new Map<string, LinkedFile>();
  readonly functions: FnDef[] = [];
  private readonly external = new Map<string, FnDef[]>();
  private readonly statics = new Map<string, Map<string, FnDef[]>>();
  private readonly macros = new Map<string, (MacroDef & { file: string })[]>();
  /** The macros of parsed files whose bodies the analyses may read, by name: file and place in its list. */
  private readonly macroBodyDefs = new Map<string, { file: string; index: number }[]>();
  private readonly lexMacroBodies = new Map<string, Map<string, MacroBody>>();
  readonly typedefs = new Map<string, string>();
  readonly structs = new Map<string, Record<string, string>>();
  readonly globals = new Map<string, { ty: string; ptr: number; file: string }>();
  private readonly enums = new Map<string, { value: string; file: string }[]>();
  readonly roles = new Map<FnDef, RoleEvidence[]>();
  private readonly edgeCache = new Map<FnDef, CallEdge[]>();
  private readonly macroCache = new Map<string, Map<string, (MacroDef & { file: string }) | undefined>>();
  private readonly expandCache = new Map<string, Map<string, { name: string; viaMacros: string[] }[]>>();
  private readonly callsParameterCache = new Map<string, Map<string, boolean>>();
  private fieldStores: Map<string, { fn: FnDef; line: number; path: string }[]> | undefined;
  private calledFieldSet: Set<string> | undefined;
  private addressTakenSet: Set<FnDef> | undefined;
  private readonly writesCache = new Map<FnDef, Set<string>>();
  private readonly maskedCache = new Map<FnDef, Set<string>>();
  /** What a macro expands to (names, with the macros passed through), where that does not depend on where it is used. */
  private readonly expansionMemo = new Map<string, Map<string, string[]>>();
  /** Whether a macro's expansion calls a parameter of one of its macros, by file and name. */
  private readonly callsParameter = new Map<string, boolean>();
  private readonly calledNamesCache = new WeakMap<FnDef, Set<string>>();
  private readonly resolveCache = new Map<string, Map<string, FnDef[]>>();
  private readonly macroBodyCache = new Map<string, Map<string, (MacroBody & { file: string }) | undefined>>();
  private readonly macroDefinitionsCache = new Map<string, (MacroBody & { file: string })[] | undefined>();
  /** Calls found in bodies by earlier programs of the same link signature, where a cache keeps them (sites.ts). */
  sites: SiteMemo | undefined;

  constructor(
    files: LinkedFile[],
    readonly roleTable: RoleTable,
  ) {
    let id = 0;
    for (const f of files) {
      this.files.set(f.path, f);
      for (const m of f.lex.macros) push(this.macros, m.name, { ...m, file: f.path });
      for (const [k, v] of Object.entries(f.lex.typedefs)) if (!this.typedefs.has(k)) this.typedefs.set(k, v);
      // Older cached facts have no enums.
      for (const [k, v] of Object.entries((f.lex.enums as Record<string, string> | undefined) ?? {}))
        push(this.enums, k, { value: v, file: f.path });
      for (const [k, v] of Object.entries(f.lex.structs))
        this.structs.set(k, Object.assign(this.structs.get(k) ?? {}, v));
      if (!f.parsed) continue;
      macroBodyCandidates(f.lex).forEach((m, index) => {
        push(this.macroBodyDefs, m.name, { file: f.path, index });
      });
      for (const d of f.parsed.decls)
        if (!d.isFunction && !this.globals.has(d.name))
          this.globals.set(d.name, { ty: d.ty, ptr: d.ptr, file: f.path });
      const staticNames = declaredStatic(f.parsed);
      for (const fact of f.parsed.functions) {
        const parsed = f.parsed;
        const { bytes, macros, earlier } = f;
        const def = new FnDef(id++, f.path, fact, () =>
          bytes ? loadFunctionDetail(bytes, parsed, fact, macros, earlier) : { params: [], body: { k: 'nop' } },
        );
        this.functions.push(def);
        if (fact.isStatic || staticNames.has(fact.name)) {
          let m = this.statics.get(f.path);
          if (!m) this.statics.set(f.path, (m = new Map<string, FnDef[]>()));
          push(m, fact.name, def);
        } else {
          push(this.external, fact.name, def);
        }
      }
    }
    this.findRoles();
  }

  /** Definitions a name used in `fromFile` can mean: the file's static one, else the nearest external ones. */
  resolve(fromFile: string, name: string): FnDef[] {
    const local = this.statics.get(fromFile)?.get(name);
    if (local) return local;
    const ext = this.external.get(name);
    if (!ext || ext.length <= 1) return ext ?? NO_FUNCTIONS;
    return this.once(this.resolveCache, fromFile, name, () => nearest(fromFile, ext, (d) => d.file));
  }

  /** An answer about a name as seen from a file, worked out once (the rules ask the same ones very often). */
  private once<T>(cache: Map<string, Map<string, T>>, fromFile: string, name: string, work: () => T): T {
    let byName = cache.get(fromFile);
    if (!byName) cache.set(fromFile, (byName = new Map<string, T>()));
    if (byName.has(name)) return byName.get(name) as T;
    const hit = work();
    byName.set(name, hit);
    return hit;
  }

  /**
   * The functions a name stored as a callback stands for, looking through object-like alias macros
   * (`#define MpSendPacketsHandler MPSendPackets`) in every `#if` branch: `#if OFFLOAD` may alias it to
   * one function and `#else` to another, and either build registers its own.
   */
  resolveCallback(fromFile: string, name: string, depth = 0): FnDef[] {
    const direct = this.resolve(fromFile, name);
    if (direct.length || depth >= 8) return direct;
    const out: FnDef[] = [];
    for (const m of this.macros.get(name) ?? []) {
      if (m.params !== null || !/^[A-Za-z_]\w*$/.test(m.body.trim()) || m.body.trim() === name) continue;
      for (const fn of this.resolveCallback(fromFile, m.body.trim(), depth + 1)) if (!out.includes(fn)) out.push(fn);
    }
    return out;
  }

  macro(fromFile: string, name: string): (MacroDef & { file: string }) | undefined {
    const defs = this.macros.get(name);
    if (!defs) return undefined;
    if (defs.length === 1) return defs[0];
    // Looked up for nearly every name the rules meet: remembered per file and name.
    return this.once(this.macroCache, fromFile, name, () => nearest(fromFile, defs, (d) => d.file).at(0));
  }

  /** An enumeration constant's value text, from the nearest definition. */
  enumValue(fromFile: string, name: string): { value: string; file: string } | undefined {
    const defs = this.enums.get(name);
    if (!defs) return undefined;
    return defs.length === 1 ? defs[0] : nearest(fromFile, defs, (d) => d.file)[0];
  }

  /** A name behind object-like alias macros (`#define MAP_IT NdisMMapIoSpace`), or the name itself. */
  aliasOf(fromFile: string, name: string): string {
    let cur = name;
    for (let i = 0; i < 8; i++) {
      if (this.statics.get(fromFile)?.has(cur) || this.external.has(cur)) return cur;
      const m = this.macro(fromFile, cur);
      if (m?.params !== null || !/^[A-Za-z_]\w*$/.test(m.body)) return cur;
      cur = m.body;
    }
    return cur;
  }

  macroBody(fromFile: string, name: string): (MacroBody & { file: string }) | undefined {
    const defs = this.macroBodyDefs.get(name);
    if (!defs) return this.lexMacroBody(fromFile, name);
    return this.once(this.macroBodyCache, fromFile, name, () => {
      // The nearest definition whose body reads as statements (the first in file order among the
      // equally near); where none does, as where a parsed file defines none.
      const ranked =
        defs.length === 1
          ? defs
          : defs
              .map((d, order) => ({ d, order, distance: pathDistance(fromFile, d.file) }))
              .sort((a, b) => a.distance - b.distance || a.order - b.order)
              .map((x) => x.d);
      for (const d of ranked) {
        const body = this.parsedMacroBodies(d.file)[d.index];
        if (body) return { ...body, file: d.file };
      }
      return this.lexMacroBody(fromFile, name);
    });
  }

  /**
   * Every definition the repository has of a function-like macro (more than one where `#if` branches
   * define it differently: a debug build's `MPAuditFreeMem(p)` beside a release build's
   * `NdisFreeMemory(p, 0, 0)`), each read as code, one per distinct text. A body with no call, store
   * or address in it (`#define LOG(x)`) reads as an empty statement. Undefined when one cannot be
   * read: an object-like definition of the name, or a body that does not parse.
   */
  macroDefinitions(name: string): (MacroBody & { file: string })[] | undefined {
    if (this.macroDefinitionsCache.has(name)) return this.macroDefinitionsCache.get(name);
    const out: (MacroBody & { file: string })[] = [];
    const seen = new Set<string>();
    let readable = true;
    for (const d of this.macros.get(name) ?? []) {
      if (d.params === null) {
        readable = false;
        break;
      }
      const text = `${d.params.join(',')}|${d.body.replace(/\s+/g, ' ').trim()}`;
      if (seen.has(text)) continue;
      seen.add(text);
      const file = defined(this.files.get(d.file), d.file);
      const index = macroBodyCandidates(file.lex).findIndex((c) => c.name === name && c.line === d.line);
      if (index < 0) {
        out.push({ name, params: d.params, body: { k: 'nop' }, line: d.line, file: d.file });
        continue;
      }
      const body = file.parsed
        ? this.parsedMacroBodies(d.file)[index]
        : parsingOnDemand(() => macroBodiesOf(file.lex))[index];
      if (!body) {
        readable = false;
        break;
      }
      out.push({ ...body, file: d.file });
    }
    const result = readable && out.length ? out : undefined;
    this.macroDefinitionsCache.set(name, result);
    return result;
  }

  /**
   * A parsed file's macro bodies, read on the first use of one (most are never used): kept in its
   * facts, so a cache that saves them reads them once.
   */
  private parsedMacroBodies(path: string): readonly (MacroBody | null)[] {
    const f = defined(this.files.get(path), path);
    const parsed = defined(f.parsed, path);
    return (parsed.macroBodies ??= parsingOnDemand(() => macroBodiesOf(f.lex)));
  }

  /**
   * A macro that stores or reads a field (`MP_SET_FLAG`, `MP_TEST_FLAG`) or tests a value through
   * other macros (`NG(v)`) defined in a file that was not parsed (a header that names nothing the rules
   * track): its body, parsed from the file's lexical facts on first use. Macros that call a function
   * are left as they were: a file defining one that matters names what it calls, and is parsed.
   */
  private lexMacroBody(fromFile: string, name: string): (MacroBody & { file: string }) | undefined {
    const m = this.macro(fromFile, name);
    if (!m?.params || !this.callsOnlyMacros(fromFile, m.body)) return undefined;
    const file = this.files.get(m.file);
    if (!file || file.parsed) return undefined;
    let bodies = this.lexMacroBodies.get(m.file);
    if (!bodies) {
      const lex = file.lex;
      bodies = new Map(parsingOnDemand(() => parseMacroBodies(lex)).map((b) => [b.name, b]));
      this.lexMacroBodies.set(m.file, bodies);
    }
    const body = bodies.get(name);
    return body ? { ...body, file: m.file } : undefined;
  }

  /**
   * A body that calls nothing but other function-like macros (`#define NG(v) (!OK(v))`): its
   * expansion reaches no function, so it is as safe to read from lexical facts as a body that calls
   * nothing.
   */
  private callsOnlyMacros(fromFile: string, body: string): boolean {
    for (const m of body.matchAll(/([A-Za-z_]\w*)\s*\(/g)) {
      const callee = m[1];
      if (this.resolve(fromFile, callee).length) return false;
      const def = this.macro(fromFile, callee);
      if (!def?.params) return false;
    }
    return true;
  }

  /**
   * Names a use of `name` in `fromFile` ends up calling, looking through
   * function-like and alias macros; each with the macros passed through
   * (outermost first), each name once. As in C, a macro is not expanded
   * again inside its own expansion: there its name stays a plain name.
   */
  expandName(fromFile: string, name: string): { name: string; viaMacros: string[] }[] {
    if (this.isFunction(fromFile, name) || !this.macros.has(name)) return [{ name, viaMacros: [] }];
    return this.once(this.expandCache, fromFile, name, () =>
      [...this.expandMacro(fromFile, name)].map(([n, viaMacros]) => ({ name: n, viaMacros })),
    );
  }

  /** Does some macro in the expansion of `name` call one of its own parameters (`#define CALL(f, x) f(x)`)? */
  expansionCallsParameter(fromFile: string, name: string): boolean {
    return this.once(this.callsParameterCache, fromFile, name, () => {
      this.expandName(fromFile, name);
      return this.callsParameter.get(`${fromFile}\u0000${name}`) ?? false;
    });
  }

  private isFunction(fromFile: string, name: string): boolean {
    return this.statics.get(fromFile)?.has(name) === true || this.external.has(name);
  }

  /**
   * The expansion, walked with a stack of its own (a chain of thousands of
   * macros costs no call stack). What a macro expands to is remembered and
   * reused, unless it depended on an enclosing macro being left unexpanded
   * (mutual recursion); the work on one use is bounded, and running out of
   * it is said in a notice.
   */
  private expandMacro(fromFile: string, root: string): Map<string, string[]> {
    interface Frame {
      name: string;
      callees: string[];
      next: number;
      out: Map<string, string[]>;
      /** Lowest stack index of an enclosing macro left unexpanded below this frame. */
      low: number;
      /** Left unexpanded somewhere below itself (not directly in its own body): on a cycle of macros. */
      cyclic: boolean;
      callsParameter: boolean;
    }
    const stack: Frame[] = [];
    const onStack = new Map<string, number>();
    const keyOf = (n: string) => `${fromFile}\u0000${n}`;
    const open = (n: string, m: MacroDef) => {
      onStack.set(n, stack.length);
      const c = macroCallees(m);
      stack.push({
        name: n,
        callees: c.names,
        next: 0,
        out: new Map(),
        low: Infinity,
        cyclic: false,
        callsParameter: c.callsParameter,
      });
    };
    const merge = (into: Frame, from: Map<string, string[]>) => {
      for (const [n, via] of from) if (!into.out.has(n)) into.out.set(n, [into.name, ...via]);
      work += from.size;
    };
    let work = 0;
    let truncated = false;
    open(root, defined(this.macro(fromFile, root), `macro ${root}`));
    for (;;) {
      const top = stack[stack.length - 1];
      if (top.next < top.callees.length && !truncated) {
        const callee = top.callees[top.next++];
        if (++work > MAX_EXPANSION_WORK) {
          truncated = true;
          continue;
        }
        const m = this.isFunction(fromFile, callee) ? undefined : this.macro(fromFile, callee);
        const at = onStack.get(callee);
        if (!m || at !== undefined) {
          // A function, an unknown name, or a macro being expanded already (left as a plain name).
          if (!top.out.has(callee)) top.out.set(callee, [top.name]);
          if (at !== undefined) {
            top.low = Math.min(top.low, at);
            if (at < stack.length - 1) stack[at].cyclic = true;
          }
          continue;
        }
        const known = this.expansionMemo.get(keyOf(callee));
        if (known) {
          merge(top, known);
          if (this.callsParameter.get(keyOf(callee))) top.callsParameter = true;
          continue;
        }
        open(callee, m);
        continue;
      }
      stack.pop();
      onStack.delete(top.name);
      // Independent of what encloses it (no enclosing macro was left unexpanded in it, and it
      // reaches no macro that could enclose it): the same wherever it is used, so remembered.
      if (top.low >= stack.length && !top.cyclic && !truncated) {
        this.expansionMemo.set(keyOf(top.name), top.out);
        this.callsParameter.set(keyOf(top.name), top.callsParameter);
      }
      const parent = stack[stack.length - 1] as Frame | undefined;
      if (!parent) {
        this.callsParameter.set(keyOf(root), top.callsParameter || truncated);
        if (truncated) {
          const m = defined(this.macro(fromFile, root), `macro ${root}`);
          noteLimit(this, {
            kind: 'budget',
            withheld: true,
            path: m.file,
            line: m.line,
            message: `The expansion of the macro ${root} takes more than ${String(MAX_EXPANSION_WORK)} steps; the functions it calls past that were not followed, so calls made through it may be missed.`,
          });
        }
        return top.out;
      }
      merge(parent, top.out);
      parent.low = Math.min(parent.low, top.low);
      if (top.callsParameter) parent.callsParameter = true;
    }
  }

  /**
   * Functions stored into a struct field of this name anywhere in the program
   * (assignment, initializer, designated initializer), each with where: a
   * call through that field may call any of them.
   */
  fieldTargets(field: string): { fn: FnDef; line: number; path: string }[] {
    if (!this.fieldStores) {
      this.fieldStores = new Map();
      for (const [path, f] of this.files) {
        if (!f.parsed) continue;
        for (const a of f.parsed.assigns)
          for (const fn of this.resolve(path, a.value)) push(this.fieldStores, a.field, { fn, line: a.line, path });
      }
    }
    return this.fieldStores.get(field) ?? [];
  }

  /**
   * Fields a function may write, directly or through the functions it calls
   * (`x->State = …`, `x->Flags |= …`, `x->Count++`), by field name.
   */
  fieldWritesOf(fn: FnDef): Set<string> {
    return this.writesOf(fn, this.writesCache, (f) => f.fact.fieldWrites ?? []);
  }

  /** Bits a function may set or clear with a constant mask, directly or through its callees (`Flags|=F_X`). */
  maskedWritesOf(fn: FnDef): Set<string> {
    return this.writesOf(fn, this.maskedCache, (f) => f.fact.maskedWrites ?? []);
  }

  private writesOf(fn: FnDef, cache: Map<FnDef, Set<string>>, own: (f: FnDef) => string[]): Set<string> {
    const hit = cache.get(fn);
    if (hit) return hit;
    const out = new Set<string>();
    cache.set(fn, out);
    const seen = new Set<FnDef>([fn]);
    const queue = [fn];
    while (queue.length && seen.size < 2000) {
      const f = defined(queue.pop(), 'queued function');
      for (const w of own(f)) out.add(w);
      for (const e of this.callees(f))
        if (!seen.has(e.callee)) {
          seen.add(e.callee);
          queue.push(e.callee);
        }
    }
    return out;
  }

  /** Functions whose address is taken anywhere (a value, a stored callback, a registration). */
  addressTakenFunctions(): Set<FnDef> {
    if (this.addressTakenSet) return this.addressTakenSet;
    const out = new Set<FnDef>();
    for (const fn of this.functions) for (const r of fn.fact.refs) for (const t of this.resolve(fn.file, r)) out.add(t);
    for (const [path, f] of this.files) {
      if (!f.parsed) continue;
      for (const r of f.parsed.fileRefs) for (const t of this.resolve(path, r.n)) out.add(t);
      for (const a of f.parsed.assigns) for (const t of this.resolve(path, a.value)) out.add(t);
    }
    this.addressTakenSet = out;
    return out;
  }

  /** Field names some function of the program calls through (`x->Ops->Start(x)` calls through `Start`). */
  calledFields(): Set<string> {
    if (!this.calledFieldSet) {
      this.calledFieldSet = new Set();
      for (const fn of this.functions) for (const f of fn.fact.fieldCalls ?? []) this.calledFieldSet.add(f);
    }
    return this.calledFieldSet;
  }

  /** The functions `fn` calls, directly, through macros or through struct fields (address-taking is not a call). */
  callees(fn: FnDef): CallEdge[] {
    const cached = this.edgeCache.get(fn);
    if (cached) return cached;
    const edges: CallEdge[] = [];
    for (const siteName of fn.fact.calls) {
      for (const { name, viaMacros } of this.expandName(fn.file, siteName)) {
        for (const callee of this.resolve(fn.file, name)) {
          edges.push({ callee, viaMacros, siteName });
        }
      }
    }
    for (const field of fn.fact.fieldCalls ?? []) {
      const seen = new Set<FnDef>();
      for (const t of this.fieldTargets(field)) {
        if (seen.has(t.fn)) continue;
        seen.add(t.fn);
        edges.push({ callee: t.fn, viaMacros: [], siteName: `->${field}`, viaField: field });
      }
    }
    this.edgeCache.set(fn, edges);
    return edges;
  }

  /** True when `fn` calls `api` directly or through a macro. */
  callsApi(fn: FnDef, api: string): boolean {
    return this.calledNames(fn).has(api);
  }

  /**
   * Every name a function's calls reach by name or through macros, worked out once per function: the
   * rules ask it for each API of the pack, and walking the calls and their expansions for every one of
   * them was a large share of the rules' allocations.
   */
  private calledNames(fn: FnDef): Set<string> {
    let names = this.calledNamesCache.get(fn);
    if (!names) {
      names = new Set<string>();
      for (const siteName of fn.fact.calls) {
        names.add(siteName);
        if (this.macro(fn.file, siteName)) for (const x of this.expandName(fn.file, siteName)) names.add(x.name);
      }
      this.calledNamesCache.set(fn, names);
    }
    return names;
  }

  rolesOf(fn: FnDef): RoleEvidence[] {
    return this.roles.get(fn) ?? [];
  }

  private addRole(fn: FnDef, ev: RoleEvidence): void {
    const list = this.roles.get(fn) ?? [];
    if (!list.some((r) => r.role === ev.role && r.how === ev.how && r.path === ev.path && r.line === ev.line))
      list.push(ev);
    this.roles.set(fn, list);
  }

  private findRoles(): void {
    const t = this.roleTable;
    const knownByRole = new Set<FnDef>();
    for (const [path, f] of this.files) {
      if (!f.parsed) continue;
      for (const d of f.parsed.decls) {
        const role = t.roleTypes[d.ty];
        if (!role || d.ptr > 0) continue;
        for (const fn of this.resolve(path, d.name)) {
          this.addRole(fn, { role, how: 'role-type', path, line: d.line, detail: d.ty });
          knownByRole.add(fn);
        }
      }
      for (const c of f.parsed.functionClass) {
        const role = t.roleTypes[c.roleType];
        if (!role) continue;
        for (const fn of this.resolve(path, c.name)) {
          this.addRole(fn, {
            role,
            how: 'function-class',
            path,
            line: c.line,
            detail: `_Function_class_(${c.roleType})`,
          });
          knownByRole.add(fn);
        }
      }
      for (const a of f.parsed.assigns) {
        const role = t.fields[a.field];
        if (!role) continue;
        for (const fn of this.resolveCallback(path, a.value)) {
          this.addRole(fn, {
            role,
            how: 'registration',
            path,
            line: a.line,
            detail: `${a.obj === '{}' ? '' : a.obj}.${a.field}`,
            object: objectKey(path, a),
          });
          knownByRole.add(fn);
        }
      }
    }
    for (const fn of this.functions) {
      const named = t.named[fn.name];
      if (named) {
        this.addRole(fn, { role: named, how: 'name', path: fn.file, line: fn.fact.p[0], detail: fn.name });
        knownByRole.add(fn);
      }
      // Callbacks handed to NDIS by pointer argument: NdisQueueIoWorkItem(h, F, ctx) ...
      for (const api of fn.fact.calls) {
        const h = t.handoffCalls[api] as (typeof t.handoffCalls)[string] | undefined;
        if (!h) continue;
        for (const { arg, line } of callArgsNamed(fn.body, api, h.arg)) {
          for (const target of this.resolveCallback(fn.file, arg)) {
            this.addRole(target, { role: h.role, how: 'handoff', path: fn.file, line, detail: api });
            knownByRole.add(target);
          }
        }
      }
    }
    // A function whose address is taken, with no role known otherwise, runs in a context we cannot name,
    // unless every place its address goes is a struct field that calls of the program read: then it runs
    // in the context of those calls (the call graph has those edges).
    const called = this.calledFields();
    const storedOnly = new Set<FnDef>();
    const storedElsewhere = new Set<FnDef>();
    const storeLines = new Map<FnDef, Set<string>>();
    for (const [path, f] of this.files) {
      if (!f.parsed) continue;
      for (const a of f.parsed.assigns)
        for (const fn of this.resolve(path, a.value)) {
          (called.has(a.field) ? storedOnly : storedElsewhere).add(fn);
          let lines = storeLines.get(fn);
          if (!lines) storeLines.set(fn, (lines = new Set()));
          lines.add(`${path}:${String(a.line)}`);
        }
    }
    const addressTaken = (path: string, refs: string[], line: (name: string) => number) => {
      for (const name of refs) {
        for (const fn of this.resolve(path, name)) {
          if (knownByRole.has(fn)) continue;
          const at = line(name);
          // This use is one of its stores into a called field: not an escape.
          if (storedOnly.has(fn) && !storedElsewhere.has(fn) && storeLines.get(fn)?.has(`${path}:${String(at)}`))
            continue;
          this.addRole(fn, { role: 'unknown', how: 'address-taken', path, line: at, detail: name });
        }
      }
    };
    for (const fn of this.functions) {
      const lines = new Map(fn.fact.refs.map((r, i) => [r, fn.fact.refLines[i] ?? fn.fact.p[0]]));
      addressTaken(fn.file, fn.fact.refs, (name) => lines.get(name) ?? fn.fact.p[0]);
    }
    for (const [path, f] of this.files) {
      if (!f.parsed) continue;
      const lines = new Map(f.parsed.fileRefs.map((r) => [r.n, r.line]));
      addressTaken(path, [...lines.keys()], (name) => lines.get(name) ?? 1);
    }
  }
}

/** Work allowed on expanding one macro by name: far past any real expansion, far below a hang. */
const MAX_EXPANSION_WORK = 100_000;

const calleesCache = new WeakMap<MacroDef, { names: string[]; callsParameter: boolean }>();
/** Names a macro's body calls (an alias macro's body is the name itself), and whether it calls a parameter. */
function macroCallees(m: MacroDef): { names: string[]; callsParameter: boolean } {
  let hit = calleesCache.get(m);
  if (!hit) {
    const callRe = m.params === null ? /^([A-Za-z_]\w*)$|([A-Za-z_]\w*)\s*\(/g : /([A-Za-z_]\w*)\s*\(/g;
    const names: string[] = [];
    let callsParameter = false;
    for (const x of m.body.matchAll(callRe)) {
      const callee = (x[1] as string | undefined) ?? x[2];
      if (m.params?.includes(callee)) callsParameter = true;
      else names.push(callee);
    }
    hit = { names, callsParameter };
    calleesCache.set(m, hit);
  }
  return hit;
}

function objectKey(path: string, a: FieldAssign): string {
  return `${path}|${a.fn ?? ''}|${a.obj.replace(/^&/, '')}`;
}

/**
 * The functions a file declares `static` (`static T F(...);`), which makes its `T F(...) {}` static
 * too: one set per file, as a file of many prototypes and definitions asked each one of every
 * declaration (20,000 of each: 1.6 s).
 */
function declaredStatic(parsed: ParsedFacts): Set<string> {
  const out = new Set<string>();
  for (const d of parsed.decls) if (d.isFunction && d.isStatic) out.add(d.name);
  return out;
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

/** Folder distance between two files: steps up from one and down to the other. */
export function pathDistance(a: string, b: string): number {
  if (a === b) return -1;
  const da = posix
    .dirname(a)
    .split('/')
    .filter((s) => s && s !== '.');
  const db = posix
    .dirname(b)
    .split('/')
    .filter((s) => s && s !== '.');
  let common = 0;
  while (common < da.length && common < db.length && da[common] === db[common]) common++;
  return da.length - common + (db.length - common);
}

/** The candidates nearest to `from` (ties kept: two builds side by side are both possible). */
/** The answer for a name no function has: one shared empty list (asked for nearly every name an expression uses). */
const NO_FUNCTIONS = Object.freeze([]) as unknown as FnDef[];

export function nearest<T>(from: string, items: T[], fileOf: (t: T) => string): T[] {
  let best = Infinity;
  let out: T[] = [];
  for (const it of items) {
    const d = pathDistance(from, fileOf(it));
    if (d < best) {
      best = d;
      out = [it];
    } else if (d === best) out.push(it);
  }
  return out;
}

/** Plain identifiers passed at argument `index` of calls to `api` in a body. */
export function callArgsNamed(body: Stmt, api: string, index: number): { arg: string; line: number }[] {
  const out: { arg: string; line: number }[] = [];
  walkExprs(body, (e) => {
    if (e.t === 'call' && e.f.t === 'id' && e.f.n === api && e.a[index]) {
      const name = plainName(e.a[index]);
      if (name) out.push({ arg: name, line: e.p[0] });
    }
  });
  return out;
}

type AnyExpr = import('./ast.js').Expr;

/**
 * Visits every expression in a statement tree, outer before inner, in
 * source order. Walked with a stack of its own: a macro expansion or a
 * hostile file can nest deeper than the call stack allows.
 */
/**
 * Every statement of a body in source order, the body first: blocks, both
 * branches of an `if`, loop and `switch` bodies, a `for`'s initializer. A
 * stack, not recursion: a body nests as deep as extraction allowed.
 */
export function walkStmts(body: Stmt, visit: (s: Stmt) => void): void {
  const todo: (Stmt | undefined)[] = [body];
  while (todo.length) {
    const s = todo.pop();
    if (!s) continue;
    visit(s);
    switch (s.k) {
      case 'blk':
        for (let i = s.b.length - 1; i >= 0; i--) todo.push(s.b[i]);
        break;
      case 'if':
        todo.push(s.f, s.t);
        break;
      case 'while':
      case 'do':
      case 'sw':
        todo.push(s.b);
        break;
      case 'for':
        todo.push(s.b, s.i);
        break;
      default:
        break;
    }
  }
}

export function walkExprs(s: Stmt, visit: (e: AnyExpr) => void): void {
  const todo: (Stmt | AnyExpr | undefined)[] = [s];
  // Children are pushed last-first, so they come off the stack in source order. Pushed one by one:
  // spreading them into a helper allocated arrays and iterators on every node, and this walk runs over
  // every body once per API the rules look for.
  const pushAll = (xs: readonly (Stmt | AnyExpr | undefined)[]) => {
    for (let i = xs.length - 1; i >= 0; i--) todo.push(xs[i]);
  };
  while (todo.length) {
    const x = todo.pop();
    if (!x) continue;
    // Statements carry `k`; expressions never do (an `if` statement's `t` is its then-branch).
    if (!('k' in x)) {
      visit(x);
      switch (x.t) {
        case 'call':
          pushAll(x.a);
          todo.push(x.f);
          break;
        case 'fld':
          todo.push(x.o);
          break;
        case 'idx':
          todo.push(x.i, x.o);
          break;
        case 'un':
        case 'post':
        case 'cast':
          todo.push(x.e);
          break;
        case 'bin':
        case 'asg':
        case 'seq':
          todo.push(x.r, x.l);
          break;
        case 'cond':
          todo.push(x.b, x.a, x.c);
          break;
        case 'init':
          for (let i = x.items.length - 1; i >= 0; i--) todo.push(x.items[i].e);
          break;
        default:
          break;
      }
      continue;
    }
    switch (x.k) {
      case 'blk':
        pushAll(x.b);
        break;
      case 'exp':
        todo.push(x.e);
        break;
      case 'decl':
        for (let i = x.d.length - 1; i >= 0; i--) todo.push(x.d[i].init);
        break;
      case 'if':
        todo.push(x.f, x.t, x.c);
        break;
      case 'while':
        todo.push(x.b, x.c);
        break;
      case 'do':
        todo.push(x.c, x.b);
        break;
      case 'for':
        todo.push(x.b, x.u, x.c, x.i);
        break;
      case 'sw':
        todo.push(x.b, x.c);
        break;
      case 'case':
        todo.push(x.v);
        break;
      case 'ret':
        todo.push(x.e);
        break;
      default:
        break;
    }
  }
}
