/** Shapes of initialize for the path analyzer's own tests, and what a rule reads of its analysis. */
import { PathAnalyzer, type InitAnalysis } from '../../src/engine/paths.js';
import type { ResourceDef } from '../../src/engine/rulepack.js';
import { functionNamed, programOf } from './program.js';

/** What a rule reads of an initialize analysis, as text (two analyses that must agree compare it). */
export function initShape(a: InitAnalysis): string {
  const pos = (p: { file: string; p: number[] }) => `${p.file}:${String(p.p[0])}:${String(p.p[1])}`;
  return JSON.stringify({
    leaks: a.leaks.map((l) => `${l.site.text}@${pos(l.jump)}`).sort(),
    kept: a.kept.map((k) => k.site.text).sort(),
    withheld: a.withheld.map((w) => `${w.site.text}@${pos(w.jump)}`).sort(),
    complete: a.complete,
  });
}

/**
 * `MpInit` mapping `a->Regs`, then `n` steps that can each fail, each failure going to `Cleanup(a)`
 * (which `cleanup` defines) with its own status; the step `leakAt` returns instead. `preamble` holds
 * the adapter's type and anything else the cleanup needs. `opts` changes the adapter's pointer type
 * (`PADAPTER`), the statements of step `i` (a call `Step<i>(a)` into `s`; the test that follows
 * them stays) and what runs after the cleanup call.
 */
export function initWithSteps(
  preamble: string,
  cleanup: string,
  n: number,
  leakAt: number,
  opts: { type?: string; step?: (i: number) => string; afterCleanup?: string } = {},
): string {
  const type = opts.type ?? 'PADAPTER';
  const step = opts.step ?? ((i: number) => `    s = Step${String(i)}(a);`);
  const steps: string[] = [];
  for (let i = 0; i < n; i++)
    steps.push(`${step(i)}\n    if (s != NDIS_STATUS_SUCCESS) ${i === leakAt ? 'return s; /* LEAK */' : 'goto fail;'}`);
  const decls = opts.step
    ? ''
    : Array.from({ length: n }, (_, i) => `NDIS_STATUS Step${String(i)}(${type} a);`).join('\n');
  return `${preamble}
${decls}
${cleanup}
NDIS_STATUS MpInit(NDIS_HANDLE h, NDIS_HANDLE c, PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    ${type} a = (${type})c;
    NDIS_STATUS s;
    a->H = h;
    a->Regs = NULL;
    s = NdisMMapIoSpace(&a->Regs, h, a->Pa, REGS_LEN);
    if (s != NDIS_STATUS_SUCCESS) return s;
${steps.join('\n')}
    return NDIS_STATUS_SUCCESS;
fail:
    Cleanup(a);${opts.afterCleanup ? `\n${opts.afterCleanup}` : ''}
    return s;
}`;
}

/**
 * `MpInit` of `text` analysed as the engine does and by a reference analyzer (`reference` turns a
 * shortcut off, `walkIdle()` or `walkDead()`): what a rule reads of each, and each one's steps. Every
 * function of the text may be stepped into; `others` are the pack's other resources.
 */
export function againstReference(
  text: string,
  resource: ResourceDef,
  reference: (a: PathAnalyzer) => PathAnalyzer,
  others: ResourceDef[] = [],
): { shape: string; reference: string; steps: number; referenceSteps: number } {
  const program = programOf({ 'mp.c': text });
  const init = functionNamed(program, 'MpInit');
  const make = () => new PathAnalyzer(program, resource, new Set(program.functions), false, undefined, others);
  const on = make();
  const off = reference(make());
  const shape = initShape(on.analyzeInit(init));
  const steps = on.steps;
  return { shape, reference: initShape(off.analyzeInit(init)), steps, referenceSteps: off.steps };
}
