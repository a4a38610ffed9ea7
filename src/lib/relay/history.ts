/**
 * Reading a stretch of history with an optional filter, for the JSON pages and the SSE
 * catch-up. `tail` with a filter means the last N *matching* entries, read backwards in
 * pages by the one last-N reader (query/last-entries.ts). Damaged blocks of an archived job
 * do not fail the page: it holds every entry that could be read and names them (`unreadable`).
 */
import type {LogEntry} from '../entry.js'
import {ArchiveReadError} from '../errors/index.js'
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
  /** Damaged blocks of an archived job met on this page: the entries are every other one. */
  unreadable?: ArchiveReadError
}

/** Up to `limit` matching entries of the range, and where to continue. */
export async function readPage(jobs: Jobs, jobId: string, range: ReadRange, filter: EntryFilter | undefined, limit: number): Promise<HistoryPage> {
  // Told as they are met: a page that stops at its limit still names a block it skipped before.
  const failures: ArchiveReadError[] = []
  const unreadable = (page: HistoryPage): HistoryPage => (failures.length > 0 ? {...page, unreadable: ArchiveReadError.merged(failures)[0]} : page)
  range = {...range, onUnreadable: (error) => failures.push(error)}
  if (range.tail !== undefined && filter) return unreadable(await readFilteredTail(jobs, jobId, range, filter, limit))
  const entries: LogEntry[] = []
  let cursor = range.after ?? 0
  const storeRange: ReadRange = filter ? {...range} : {...range, limit: range.tail === undefined ? limit + 1 : range.limit}
  for await (const entry of jobs.read(jobId, storeRange)) {
    if (entries.length === limit) return unreadable({entries, cursor, more: true})
    cursor = entry.seq
    if (!filter || filter(entry)) entries.push(entry)
  }
  return unreadable({entries, cursor, more: false})
}

/** `tail=N` with a filter: the last N matching entries (last-entries.ts), the first `limit` of them on this page. */
async function readFilteredTail(jobs: Jobs, jobId: string, range: ReadRange, filter: EntryFilter, limit: number): Promise<HistoryPage> {
  const {after, before, since, until, signal, onUnreadable} = range
  const cursor = {last: after ?? 0}
  const found: LogEntry[] = []
  for await (const batch of lastEntries(jobs, jobId, range.tail ?? 0, {after, before, since, until, signal, onUnreadable}, filter, cursor)) found.push(...batch)
  if (found.length <= limit) return {entries: found, cursor: cursor.last, more: false}
  const entries = found.slice(0, limit)
  return {entries, cursor: entries.at(-1)!.seq, more: true}
}
