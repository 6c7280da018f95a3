/**
 * Coccinelle's time against the cold scan's. A driver spatch does not finish within the cap counts at
 * the cap, a lower bound that one file Coccinelle cannot finish inflates without limit (spatch was
 * still in gplpv-xennet-0.11.0.200's `xennet.c` after 900 s): the goal is judged only on the drivers
 * spatch finished without error, both sides summed over those drivers, and the ratio over every
 * driver is printed beside it as what it is, a lower bound.
 */
import { median, sum } from './stats.js';

/** One driver's spatch run: its wall time (at most the cap) and how it ended. */
export interface SpatchRun {
  ms: number;
  /** Stopped at the cap: `ms` is the cap, a lower bound. */
  capped: boolean;
  /** Exited non-zero: no comparable work was done. */
  failed: boolean;
}

export interface CoccinelleRatios {
  /** spatch / cold scan over the drivers spatch finished without error; undefined when none. */
  finished: number | undefined;
  /** How many drivers that is. */
  finishedDrivers: number;
  /** spatch / cold scan over every driver, capped runs at the cap. */
  lowerBound: number;
}

/**
 * `coldRounds[r][i]`: round r's cold scan of driver i (the drivers in `runs`' order); each side is a
 * sum over drivers, the cold one the median over the rounds, as every figure of the bench.
 */
export function coccinelleRatios(
  runs: readonly SpatchRun[],
  coldRounds: readonly (readonly number[])[],
): CoccinelleRatios {
  if (coldRounds.length === 0) throw new Error('no round of cold scans');
  for (const r of coldRounds)
    if (r.length !== runs.length)
      throw new Error(`a round has ${String(r.length)} cold scans for ${String(runs.length)} spatch runs`);
  const coldOver = (keep: (i: number) => boolean) => median(coldRounds.map((r) => sum(r.filter((_, i) => keep(i)))));
  const done = (i: number) => !runs[i].capped && !runs[i].failed;
  const finishedDrivers = runs.filter((_, i) => done(i)).length;
  const finishedCold = coldOver(done);
  return {
    finished:
      finishedDrivers && finishedCold > 0
        ? sum(runs.filter((_, i) => done(i)).map((r) => r.ms)) / finishedCold
        : undefined,
    finishedDrivers,
    lowerBound: sum(runs.map((r) => r.ms)) / coldOver(() => true),
  };
}
