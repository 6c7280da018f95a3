/** A noun with its indefinite article, by its first letter: "a mapping", "an I/O work item", "an interrupt registration". */
export function withArticle(noun: string): string {
  return `${/^[aeiou]/i.test(noun) ? 'an' : 'a'} ${noun}`;
}
