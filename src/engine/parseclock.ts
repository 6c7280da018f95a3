/**
 * Milliseconds this thread spent parsing on demand: function bodies on first read, macro bodies of
 * files the closure did not parse. The rules ask for them, but it is parse work: `--stats` gives it
 * apart from the rules' own time (`ms.bodies`). A module of its own, so a warm run that reads the
 * clock loads no parser code.
 */
export const onDemandParse = { ms: 0 };

/** `f`'s result, its time added to `onDemandParse`. */
export function parsingOnDemand<T>(f: () => T): T {
  const t0 = performance.now();
  try {
    return f();
  } finally {
    onDemandParse.ms += performance.now() - t0;
  }
}
