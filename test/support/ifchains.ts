/** Generated sources for the preparation's and the parse's property tests: `#if` chains around spans of lines. */

export interface IfChain {
  /** Where the span starts (taken modulo the lines there are) and how many lines it takes. */
  at: number;
  len: number;
  /** Where the span is split between the first branch and the rest (modulo its length). */
  split: number;
  /** The opening directive (`#if defined(BUILD_A)` unless given). */
  open?: string;
  elif?: boolean;
  els: boolean;
}

/** `lines` with each chain wrapped around its span, in turn (a later chain may wrap an earlier one). */
export function wrapInIfChains(lines: string[], chains: IfChain[]): string[] {
  const out = lines.slice();
  for (const c of chains) {
    const at = c.at % (out.length + 1);
    const end = Math.min(out.length, at + c.len);
    const body = out.slice(at, end);
    const mid = body.length ? c.split % (body.length + 1) : 0;
    const chain = [c.open ?? '#if defined(BUILD_A)', ...body.slice(0, mid)];
    if (c.elif) chain.push('#elif BUILD_B > 1');
    if (c.els) chain.push('#else');
    chain.push(...body.slice(mid), '#endif');
    out.splice(at, end - at, ...chain);
  }
  return out;
}
