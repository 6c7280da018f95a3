/** Words of messages: articles and counts that read as English. */

/** A noun with its indefinite article, by its first letter: "a mapping", "an I/O work item", "an interrupt registration". */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}

/** A count with its noun: "1 call site", "2 call sites" (`plural` where adding an s is wrong). */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${String(n)} ${n === 1 ? noun : plural}`;
}
