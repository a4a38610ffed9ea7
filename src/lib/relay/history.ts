/**
 * Reading a stretch of history with an optional filter, for the JSON pages and the SSE
 * catch-up. `tail` with a filter means the last N *matching* entries, read backwards in
 * pages by the one last-N reader (query/last-entries.ts).
 */
import type {LogEntry} from '../entry.js'
import type {Jobs} from '../store/jobs.js'
import type {EntryFilter} from '../query/filter.js'
import {lastEntries} from '../query/last-entries.js'
import type {ReadRange} from '../store/types.js'

export interface HistoryPage {
  entries: LogEntry[]
  /** The last sequence number looked at (matching or not): where the next page starts. */
  cursor: number
  /** False when the range was read to its end. */
  more: boolean
}

/** Up to `limit` matching entries of the range, and where to continue. */
export async function readPage(jobs: Jobs, jobId: string, range: ReadRange, filter: EntryFilter | undefined, limit: number): Promise<HistoryPage> {
  if (range.tail !== undefined && filter) return readFilteredTail(jobs, jobId, range, filter, limit)
  const entries: LogEntry[] = []
  let cursor = range.after ?? 0
  const storeRange: ReadRange = filter ? {...range} : {...range, limit: range.tail === undefined ? limit + 1 : range.limit}
  for await (const entry of jobs.read(jobId, storeRange)) {
    if (entries.length === limit) return {entries, cursor, more: true}
    cursor = entry.seq
    if (!filter || filter(entry)) entries.push(entry)
  }
  return {entries, cursor, more: false}
}

/** `tail=N` with a filter: the last N matching entries (last-entries.ts), the first `limit` of them on this page. */
async function readFilteredTail(jobs: Jobs, jobId: string, range: ReadRange, filter: EntryFilter, limit: number): Promise<HistoryPage> {
  const {after, before, since, until, signal} = range
  const cursor = {last: after ?? 0}
  const found: LogEntry[] = []
  for await (const batch of lastEntries(jobs, jobId, range.tail ?? 0, {after, before, since, until, signal}, filter, cursor)) found.push(...batch)
  if (found.length <= limit) return {entries: found, cursor: cursor.last, more: false}
  const entries = found.slice(0, limit)
  return {entries, cursor: entries.at(-1)!.seq, more: true}
}
