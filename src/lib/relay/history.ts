/**
 * Reading a stretch of history with an optional filter, for the JSON pages, the streamed
 * history (history-stream.ts) and the SSE catch-up. `tail` with a filter means the last N
 * *matching* entries, read backwards in pages by the one last-N reader
 * (query/last-entries.ts); so does `tail=0`, whose cursor is the end of the range (where a
 * client goes on from) though it reads no entry. Damaged blocks of an archived job do not
 * fail the read: it gives every entry that could be read and names them (`unreadable`). A
 * damaged live log ends a page: the entries before it come with it (`damaged`).
 */
import type {LogEntry} from '../entry.js'
import {ArchiveReadError, DamagedLogError, JobDeletedError} from '../errors/index.js'
import type {Jobs} from '../store/jobs.js'
import type {EntryFilter} from '../query/filter.js'
import {BATCH} from '../batched.js'
import {lastEntries} from '../query/last-entries.js'
import type {RawBlock, RawRange, ReadRange} from '../store/types.js'

export interface HistoryPage {
  entries: LogEntry[]
  /** The last sequence number looked at (matching or not): where the next page starts. */
  cursor: number
  /** False when the range was read to its end. */
  more: boolean
  /** Damaged blocks of an archived job met on this page: the entries are every other one. */
  unreadable?: ArchiveReadError
  /** A damaged live log met after the entries (every one before it): the read can go no further. */
  damaged?: DamagedLogError
}

/** Up to `limit` matching entries of the range, and where to continue. */
export async function readPage(jobs: Jobs, jobId: string, range: ReadRange, filter: EntryFilter | undefined, limit: number): Promise<HistoryPage> {
  // Told as they are met: a page that stops at its limit still names a block it skipped before.
  const failures: ArchiveReadError[] = []
  const unreadable = (page: HistoryPage): HistoryPage => (failures.length > 0 ? {...page, unreadable: ArchiveReadError.merged(failures)[0]} : page)
  range = {...range, onUnreadable: (error) => failures.push(error)}
  if (byLastEntries(range, filter)) return unreadable(await readTail(jobs, jobId, range, filter, limit))
  const entries: LogEntry[] = []
  let cursor = range.after ?? 0
  const storeRange: ReadRange = filter ? {...range} : {...range, limit: range.tail === undefined ? limit + 1 : range.limit}
  try {
    for await (const entry of jobs.read(jobId, storeRange)) {
      if (entries.length === limit) return unreadable({entries, cursor, more: true})
      cursor = entry.seq
      if (!filter || filter(entry)) entries.push(entry)
    }
  } catch (error) {
    // `more`: the log goes on past the damage, and asking for it (after the cursor) is the error alone.
    if (error instanceof DamagedLogError && entries.length > 0) return unreadable({entries, cursor, more: true, damaged: error})
    throw error
  }
  return unreadable({entries, cursor, more: false})
}

/**
 * A tail the store's own tail read does not give whole: with a filter (the last N *matching*
 * entries), or `tail=0` (no entry, but the cursor at the range's end rather than its start).
 */
function byLastEntries(range: ReadRange, filter: EntryFilter | undefined): boolean {
  return range.tail !== undefined && (filter !== undefined || range.tail === 0)
}

/** `tail=N` by the last-N reader (last-entries.ts): the last N matching entries, the first `limit` of them on this page. */
async function readTail(jobs: Jobs, jobId: string, range: ReadRange, filter: EntryFilter | undefined, limit: number): Promise<HistoryPage> {
  const {after, before, since, until, signal, onUnreadable} = range
  const cursor = {last: after ?? 0}
  const found: LogEntry[] = []
  for await (const batch of lastEntries(jobs, jobId, range.tail ?? 0, {after, before, since, until, signal, onUnreadable}, filter, cursor)) found.push(...batch)
  if (found.length <= limit) return {entries: found, cursor: cursor.last, more: false}
  const entries = found.slice(0, limit)
  return {entries, cursor: entries.at(-1)!.seq, more: true}
}

/** Where a streamed read stands: what it has told so far, and at its end where to go on. */
export interface StreamState {
  /** The last sequence number looked at (matching or not). */
  cursor: number
  /** True when the read stopped at its `limit` with entries after it. */
  more: boolean
  /** Damaged blocks of an archived job met and not yet told (the response takes them out). */
  unreadable: ArchiveReadError[]
  /**
   * Set where every matching entry up to it has been handed on: a client cut off after
   * this point may go on after it rather than after its last entry (the response takes it
   * out). Also what keeps a long search that finds little from looking like a silent relay.
   */
  passed?: number
}

/**
 * Entries looked at between two looks at the job: a store that reads on from files still
 * open (the file store) would otherwise give the whole of a job deleted meanwhile, where a
 * paged read fails at its next page.
 */
export const DELETION_CHECK_ENTRIES = 10_000

/**
 * A range's matching entries in batches for a streamed response: one read of the store
 * (with the hints it can use to skip: `match`, `levels`), up to `limit` matches, and
 * paused while the caller is. `state` says where it stopped.
 */
export async function* historyBatches(jobs: Jobs, jobId: string, range: ReadRange, filter: EntryFilter | undefined, limit: number, state: StreamState): AsyncGenerator<LogEntry[]> {
  range = {...range, onUnreadable: (error) => state.unreadable.push(error)}
  if (byLastEntries(range, filter)) {
    const page = await readTail(jobs, jobId, range, filter, limit)
    Object.assign(state, {cursor: page.cursor, more: page.more})
    for (let i = 0; i < page.entries.length; i += BATCH) yield page.entries.slice(i, i + BATCH)
    return
  }
  // The matches of each batch the store reads, split where the job is looked at: nothing is
  // held across reads, so a read that fails part way has handed on all it read.
  let shown = 0
  let unchecked = 0
  for await (const read of jobs.readBatches(jobId, range)) {
    let batch: LogEntry[] = []
    for (const entry of read) {
      if (shown === limit) {
        state.more = true
        if (batch.length > 0) yield batch
        return
      }
      state.cursor = entry.seq
      if (!filter || filter(entry)) {
        batch.push(entry)
        shown++
      }
      if (++unchecked === DELETION_CHECK_ENTRIES) {
        unchecked = 0
        if (batch.length > 0) yield batch // handed on before the look, which may fail
        batch = []
        await stillThere(jobs, jobId)
        state.passed = entry.seq
        yield [] // carries `passed`
      }
    }
    if (batch.length > 0) yield batch
  }
}

/** A range's stored bytes (Jobs.readRaw) for a streamed raw response, the job looked at as historyBatches does. */
export async function* rawHistory(jobs: Jobs, jobId: string, range: RawRange, state: StreamState): AsyncGenerator<RawBlock> {
  if (range.tail === 0) {
    const onUnreadable = (error: ArchiveReadError) => state.unreadable.push(error)
    state.cursor = (await readTail(jobs, jobId, {after: range.after, tail: 0, signal: range.signal, onUnreadable}, undefined, 0)).cursor
    return
  }
  let count = 0
  let unchecked = 0
  for await (const block of jobs.readRaw(jobId, {...range, onUnreadable: (error) => state.unreadable.push(error)})) {
    yield block
    state.cursor = block.last
    count += block.last - block.first + 1
    unchecked += block.last - block.first + 1
    if (unchecked >= DELETION_CHECK_ENTRIES) {
      unchecked = 0
      await stillThere(jobs, jobId)
    }
  }
  if (range.limit !== undefined && count >= range.limit) state.more = true
}

async function stillThere(jobs: Jobs, jobId: string): Promise<void> {
  if (!(await jobs.getJob(jobId))) throw new JobDeletedError(jobId, jobs.live.name)
}
