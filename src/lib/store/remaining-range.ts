import type {ReadRange} from './types.js'

/**
 * The part of `range` not yet delivered, when `count` entries up to seq `last` were: where a
 * read continues after a move to the archive (./jobs.ts) or from a job's new archive object.
 */
export function remainingRange<R extends ReadRange>(range: R, last: number | undefined, count: number): R {
  if (last === undefined) return range
  const next: R = {...range, after: Math.max(range.after ?? 0, last)}
  if (range.limit !== undefined) next.limit = range.limit - count
  if (range.tail !== undefined) next.tail = range.tail - count
  return next
}
