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

/**
 * A function of an owner and a key, remembered per owner for as long as the owner lives (an
 * analysis and a function of the program); undefined results are remembered too.
 */
export function rememberedPer<O extends object, K, V>(compute: (owner: O, key: K) => V): (owner: O, key: K) => V {
  const tables = new WeakMap<O, Map<K, V>>();
  return (owner: O, key: K): V => {
    let table = tables.get(owner);
    if (!table) tables.set(owner, (table = new Map<K, V>()));
    if (table.has(key)) return table.get(key) as V;
    const value = compute(owner, key);
    table.set(key, value);
    return value;
  };
}
