/**
 * The last N entries of a job's range that pass a filter: the one reader behind `get -n`,
 * `tail`'s backlog and the relay's `tail=N`.
 *
 * Without a filter it is the store's own tail read (`{tail: N}`: Redis reads backwards,
 * the file store seeks, an archive keeps a ring), streamed in batches. With a filter it
 * reads backwards in pages (`{before, tail: PAGE}`) until N entries pass, so
 * `get X -n 10 --level error` shows the last ten errors, not the errors among the last
 * ten lines, and a million-line job costs a few pages, not a scan — unless the filter
 * matches almost nothing. Memory: one page plus N.
 */
import type {LogEntry} from '../entry.js'
import type {Jobs} from '../store/jobs.js'
import type {ReadRange} from '../store/types.js'
import {BATCH} from '../batched.js'
import type {EntryFilter} from './filter.js'

/** The range the last N are taken from, and the store hints (levels, seqRanges) that let it skip what cannot pass. */
export type LastRange = Pick<ReadRange, 'after' | 'before' | 'since' | 'until' | 'levels' | 'seqRanges' | 'signal' | 'onWarning' | 'onUnreadable'>

/** Entries read per backward page with a filter: at least this many, or four times N. */
const MIN_PAGE = 4096

/**
 * Yields the last `count` entries of `range` that pass `filter`, oldest first, in batches.
 * `cursor.last` is raised to the newest sequence number looked at, passing or not: where a
 * follow continues.
 */
export async function* lastEntries(jobs: Jobs, id: string, count: number, range: LastRange, filter?: EntryFilter, cursor?: {last: number}): AsyncGenerator<LogEntry[]> {
  const seen = (seq: number) => {
    if (cursor) cursor.last = Math.max(cursor.last, seq)
  }
  const {levels: _levels, seqRanges: _seqRanges, ...plain} = range
  if (count <= 0) {
    // None to show, but a follow (`get -n 0 -f`) still starts after the newest entry, not at the start.
    if (cursor) for await (const entry of jobs.read(id, {...plain, tail: 1})) seen(entry.seq)
    return
  }
  if (!filter) {
    for await (const batch of jobs.readBatches(id, {...plain, tail: count})) {
      seen(batch.at(-1)!.seq)
      yield batch
    }
    return
  }
  const size = Math.max(MIN_PAGE, count * 4)
  const pages: LogEntry[][] = []
  let found = 0
  let before = range.before
  while (found < count) {
    const page: LogEntry[] = []
    for await (const batch of jobs.readBatches(id, {...range, before, tail: size})) for (const entry of batch) page.push(entry)
    if (page.length === 0) break
    seen(page.at(-1)!.seq)
    const kept = page.filter(filter)
    pages.unshift(kept)
    found += kept.length
    before = page[0].seq
    if (before <= (range.after ?? 0) + 1) break
    // A short page reached the range's start (a store may leave out what the hints exclude, so only without them).
    if (page.length < size && !range.levels && !range.seqRanges) break
  }
  const entries = pages.flat()
  for (let i = Math.max(0, entries.length - count); i < entries.length; i += BATCH) yield entries.slice(i, Math.min(i + BATCH, entries.length))
}
