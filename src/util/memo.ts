/**
 * A function of a string, remembered: the path analysis asks the same keys
 * again and again. The table is emptied when it passes `max` entries, so a
 * long run keeps at most that many.
 */
export function rememberedByString<V>(compute: (s: string) => V, max = 100_000): (s: string) => V {
  const table = new Map<string, V>();
  return (s: string): V => {
    let hit = table.get(s);
    if (hit === undefined) {
      if (table.size > max) table.clear();
      table.set(s, (hit = compute(s)));
    }
    return hit;
  };
}
