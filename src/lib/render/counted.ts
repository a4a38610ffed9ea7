/** `1 line`, `2 lines`, `0 jobs`: a count and its noun, plural unless the count is one (nouns that take an `s`). */
export function counted(count: number, noun: string): string {
  return `${count} ${count === 1 ? noun : `${noun}s`}`
}
