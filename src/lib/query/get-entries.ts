/**
 * `logs get`: a job's entries from wherever it lives, filtered, then optionally followed.
 * Batches (not single entries) flow to the renderer so each write is one syscall.
 *
 * `-n N` is the last N *matching* entries, through the one last-N reader (last-entries.ts).
 *
 * With context (`-A/-B/-C`) every entry of the range is read and a ContextWindow picks
 * the matches and their neighbours; `-n N` then starts the forward read just before the
 * first of the last N matches.
 */
import type {LogEntry} from '../entry.js'
import {ArchiveReadError} from '../errors/index.js'
import type {JobMeta} from '../job.js'
import type {Pattern} from '../pattern.js'
import type {LineMatcher} from '../line-match.js'
import type {Jobs} from '../store/jobs.js'
import type {EntryFilter} from './filter.js'
import {ContextWindow, type ContextSpec} from './context-lines.js'
import type {Level} from '../level.js'
import {inRanges} from '../structure/job-sections.js'
import {lastEntries} from './last-entries.js'

export interface GetOptions {
  job: string
  /** The job's metadata when the caller has it already (a listing): saves looking the job up again. */
  meta?: JobMeta
  after?: number
  since?: number
  until?: number
  /** Last N matching entries. */
  tail?: number
  /** First N matching entries. */
  head?: number
  filter?: EntryFilter
  /** Lines around each match (grep's -A/-B/-C); only with a filter. */
  context?: ContextSpec
  /** One pattern every wanted line matches (the first --grep): lets the store skip lines early. */
  match?: Pattern
  /**
   * The filter as a test of a stored line's bytes and index fields, when it is one (no
   * --section): lets a store pick the lines for raw output, and for text output that prints
   * lines as stored, without making entries (get-raw.ts).
   */
  lines?: LineMatcher
  /** The levels the filter lets through: lets the store skip what has none of them. */
  levels?: Level[]
  /** The seq ranges the filter lets through (`--section`): lets the store skip what lies outside them. */
  seqRanges?: Array<[number, number]>
  /** Told about recoverable problems of the read (e.g. an archive index that had to be ignored). */
  onWarning?: (message: string) => void
  /**
   * Told about each damaged part of an archived job the read met (ReadRange.onUnreadable),
   * for a caller that may stop taking entries before the end (a merge of jobs). Without
   * it, getEntries throws them, merged, once the history is given.
   */
  onUnreadable?: (error: ArchiveReadError) => void
  /** Keep following until the job ends (waits for a job that has not started). */
  follow?: boolean
  /** With follow: wait for a job that has not started (default), or fail at once (false). */
  wait?: boolean
  /** With follow: the job has not started, so the follow waits for it. */
  onWaiting?: () => void
  signal?: AbortSignal
  /** Called with the job's final metadata when a follow ends with the job. */
  onEnd?: (meta: JobMeta) => void
}

/** `--section`: only the entries of these seq ranges (inclusive), read from the first of them on. */
export function inSections(options: GetOptions, ranges: Array<[number, number]>): GetOptions {
  const inSection = inRanges(ranges)
  const rest = options.filter
  return {
    ...options,
    filter: rest ? (entry) => inSection(entry) && rest(entry) : inSection,
    after: Math.max(options.after ?? 0, Math.min(...ranges.map(([first]) => first)) - 1),
    // Context lines may lie outside the sections: the store must hand them over.
    seqRanges: options.context ? undefined : ranges,
  }
}

/**
 * The job's metadata, or undefined for a job a follower waits for (said through
 * onWaiting); without -f, or with --no-wait, a job that is not there is an error.
 */
export async function jobToRead(jobs: Jobs, options: GetOptions): Promise<JobMeta | undefined> {
  const exists = options.meta ?? (options.follow && options.wait !== false ? await jobs.getJob(options.job) : await jobs.requireJob(options.job))
  if (!exists && options.head === undefined) options.onWaiting?.()
  return exists
}

export async function* getEntries(jobs: Jobs, options: GetOptions): AsyncGenerator<LogEntry[]> {
  // Damaged blocks are told as they are met: --head N stops reading at the Nth entry, and a
  // block skipped before it must still be named (exit 1).
  const unreadable: ArchiveReadError[] = []
  if (!options.onUnreadable) options = {...options, onUnreadable: (error) => unreadable.push(error)}
  const {job, filter, signal} = options
  let last = options.after ?? 0
  const exists = await jobToRead(jobs, options)
  const window = filter && options.context ? new ContextWindow(filter, options.context, options.head) : undefined
  if (exists) {
    const cursor = {last}
    const history = window ? withContext(jobs, options, window, cursor) : options.tail !== undefined ? lastMatching(jobs, options, cursor) : firstMatching(jobs, options)
    for await (const batch of history) {
      if (batch.length === 0) continue
      last = batch.at(-1)!.seq
      yield batch
    }
    // The history looked at every line the job had before it began, matching or not: a
    // follow starts after them, not after the last match (that would read them all again).
    // Past --until a read stops early, so there the last line looked at is all we know.
    last = Math.max(last, cursor.last, options.until === undefined ? exists.lines : 0)
  }
  if (unreadable.length > 0) throw ArchiveReadError.merged(unreadable)[0]
  // `--head` asks for the first N: nothing to follow after them.
  if (!options.follow || options.head !== undefined) return
  for await (const event of jobs.follow(job, {after: last, signal})) {
    if (event.type === 'entries') {
      const inRange = options.until === undefined ? event.entries : event.entries.filter((e) => e.ts < options.until!)
      const wanted = window ? window.take(inRange) : filter ? inRange.filter(filter) : inRange
      if (wanted.length > 0) yield wanted
    } else if (event.type === 'end') {
      options.onEnd?.(event.meta)
      return
    }
  }
}

async function* firstMatching(jobs: Jobs, options: GetOptions): AsyncGenerator<LogEntry[]> {
  const {job, filter} = options
  const range = {
    after: options.after,
    since: options.since,
    until: options.until,
    signal: options.signal,
    limit: filter ? undefined : options.head,
    match: options.match,
    levels: options.levels,
    seqRanges: options.seqRanges,
    onWarning: options.onWarning,
    onUnreadable: options.onUnreadable,
  }
  // The entries that pass `filter`, until --head N of them have.
  let left = options.head ?? Number.POSITIVE_INFINITY
  for await (const batch of jobs.readBatches(job, range)) {
    const passed = filter ? batch.filter(filter) : batch
    const taken = passed.length > left ? passed.slice(0, left) : passed
    left -= taken.length
    if (taken.length > 0) yield taken
    if (left <= 0) return
  }
}

/** `-n N`: the last N matching entries (last-entries.ts); `cursor.last` is the newest entry looked at. */
function lastMatching(jobs: Jobs, options: GetOptions, cursor?: {last: number}): AsyncGenerator<LogEntry[]> {
  const {after, since, until, signal, onWarning, onUnreadable, levels, seqRanges} = options
  return lastEntries(jobs, options.job, options.tail!, {after, since, until, signal, onWarning, onUnreadable, levels, seqRanges}, options.filter, cursor)
}

/** Matches and their context lines; `cursor.last` is the last entry read, shown or not. */
async function* withContext(jobs: Jobs, options: GetOptions, window: ContextWindow, cursor: {last: number}): AsyncGenerator<LogEntry[]> {
  let after = options.after
  if (options.tail !== undefined) {
    let first: number | undefined
    for await (const batch of lastMatching(jobs, options)) first ??= batch[0]?.seq
    // No match to show: a follow starts after what the job had (getEntries).
    if (first === undefined) return
    after = Math.max(after ?? 0, first - options.context!.before - 1)
  }
  const range = {after, since: options.since, until: options.until, signal: options.signal, onUnreadable: options.onUnreadable}
  for await (const batch of jobs.readBatches(options.job, range)) {
    cursor.last = batch.at(-1)!.seq
    const shown = window.take(batch)
    if (shown.length > 0) yield shown
    if (window.done) return
  }
}
