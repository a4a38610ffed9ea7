/**
 * The last N entries of a job that pass a filter, read from the end in pages
 * (`{before, tail}`), so a million-line job costs a few pages, never a full scan,
 * unless the filter matches almost nothing.
 */
import type {LogEntry} from '../entry.js'
import type {Jobs} from '../store/jobs.js'
import type {EntryFilter} from '../query/filter.js'

export interface Backlog {
  entries: LogEntry[]
  /** The newest sequence number looked at: following continues after it. */
  lastSeq: number
}

const MIN_PAGE = 1000

export async function readBacklog(jobs: Jobs, id: string, count: number, filter: EntryFilter | undefined, signal?: AbortSignal, since?: number): Promise<Backlog> {
  let lastSeq = 0
  let before: number | undefined
  const pages: LogEntry[][] = []
  let found = 0
  const pageSize = filter ? Math.max(count * 4, MIN_PAGE) : count
  while (found < count) {
    const page: LogEntry[] = []
    for await (const entry of jobs.read(id, {before, since, tail: pageSize, signal})) page.push(entry)
    if (page.length === 0) break
    if (lastSeq === 0) lastSeq = page.at(-1)!.seq
    const kept = filter ? page.filter(filter) : page
    pages.unshift(kept)
    found += kept.length
    before = page[0].seq
    if (page.length < pageSize || before <= 1) break
  }
  const entries = pages.flat()
  return {entries: entries.length > count ? entries.slice(entries.length - count) : entries, lastSeq}
}
