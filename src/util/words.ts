/** Numbers and nouns in words for every report and message: the same on every machine (no locale). */

/** Digits grouped by commas: `12,345`. */
export function count(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `1 file`, `2 files`, `1,000 findings`; `many` defaults to `one` + `s`. */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** A noun with its indefinite article, by its first letter: "a mapping", "an I/O work item", "an interrupt registration". */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}
