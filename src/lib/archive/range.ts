/**
 * Applies a ReadRange to entries that arrive in ascending seq order, as they do from an
 * archive object. Objects cannot be read from the end, so `tail` keeps a ring buffer of
 * at most N entries while scanning: memory is bounded by N, not by the log.
 */
import type {LogEntry} from '../entry.js'
import type {ReadRange} from '../store/types.js'

export function inRange(entry: LogEntry, range: ReadRange): boolean {
  if (range.after !== undefined && entry.seq <= range.after) return false
  if (range.before !== undefined && entry.seq >= range.before) return false
  if (range.since !== undefined && entry.ts < range.since) return false
  if (range.until !== undefined && entry.ts >= range.until) return false
  return true
}

/** True once no later entry can be in the range (seq only grows; ts is not trusted to). */
function pastEnd(entry: LogEntry, range: ReadRange): boolean {
  return range.before !== undefined && entry.seq >= range.before - 1
}

export async function* applyRange(entries: AsyncIterable<LogEntry>, range: ReadRange = {}): AsyncIterable<LogEntry> {
  if (range.limit !== undefined && range.limit <= 0) return
  if (range.tail !== undefined) {
    if (range.tail <= 0) return
    yield* lastOf(entries, range)
    return
  }
  let emitted = 0
  for await (const entry of entries) {
    range.signal?.throwIfAborted()
    if (inRange(entry, range)) {
      yield entry
      emitted++
      if (range.limit !== undefined && emitted >= range.limit) return
    }
    if (pastEnd(entry, range)) return
  }
}

async function* lastOf(entries: AsyncIterable<LogEntry>, range: ReadRange & {tail?: number}): AsyncIterable<LogEntry> {
  const size = range.tail as number
  const ring = new Array<LogEntry>(size)
  let count = 0
  for await (const entry of entries) {
    range.signal?.throwIfAborted()
    if (inRange(entry, range)) ring[count++ % size] = entry
    if (pastEnd(entry, range)) break
  }
  const kept = Math.min(count, size)
  const first = count - kept
  const limit = range.limit === undefined ? kept : Math.min(kept, range.limit)
  for (let i = 0; i < limit; i++) yield ring[(first + i) % size]
}
