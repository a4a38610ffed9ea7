/** Small async-iterable utilities for tests. */
export async function* iterate<T>(items: T[]): AsyncIterable<T> {
  yield* items
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const item of iterable) out.push(item)
  return out
}
