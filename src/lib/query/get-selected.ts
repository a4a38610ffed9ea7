/**
 * `logs get -l SELECTOR`: the entries of every job whose labels match, merged by time
 * (the time each line was read; one job's own order is kept). A k-way merge that holds
 * one entry per job, so memory does not grow with the logs; `tail` (-n N) keeps a ring of N.
 */
import type {LogEntry} from '../entry.js'
import {UsageError} from '../errors/index.js'
import type {LabelSelector} from '../label-selector.js'
import type {Jobs} from '../store/jobs.js'
import type {EntryFilter} from './filter.js'

export interface JobEntry {
  job: string
  entry: LogEntry
}

export interface GetSelectedOptions {
  selector: LabelSelector
  since?: number
  until?: number
  filter?: EntryFilter
  head?: number
  tail?: number
  signal?: AbortSignal
}

const BATCH = 1024

export async function* getSelectedEntries(jobs: Jobs, options: GetSelectedOptions): AsyncGenerator<JobEntry[]> {
  const matched = (await jobs.listJobs({selector: options.selector})).map((meta) => meta.id).sort()
  const heads: Array<{job: string; iterator: AsyncIterator<LogEntry>; next?: LogEntry}> = []
  const range = {since: options.since, until: options.until, signal: options.signal}
  try {
    for (const job of matched) {
      const iterator = filtered(jobs.read(job, range), options.filter)[Symbol.asyncIterator]()
      const first = await iterator.next()
      if (!first.done) heads.push({job, iterator, next: first.value})
    }
    const ring: JobEntry[] = []
    let batch: JobEntry[] = []
    let left = options.head ?? Number.POSITIVE_INFINITY
    while (heads.length > 0 && left > 0) {
      let oldest = 0
      for (let i = 1; i < heads.length; i++) if (heads[i].next!.ts < heads[oldest].next!.ts) oldest = i
      const head = heads[oldest]
      const item = {job: head.job, entry: head.next!}
      const following = await head.iterator.next()
      if (following.done) heads.splice(oldest, 1)
      else head.next = following.value
      left--
      if (options.tail !== undefined) {
        ring.push(item)
        if (ring.length > options.tail) ring.shift()
        continue
      }
      batch.push(item)
      if (batch.length >= BATCH) {
        yield batch
        batch = []
      }
    }
    if (options.tail !== undefined) yield ring
    else if (batch.length > 0) yield batch
  } finally {
    await Promise.all(heads.map(async (head) => head.iterator.return?.()))
  }
}

async function* filtered(entries: AsyncIterable<LogEntry>, filter: EntryFilter | undefined): AsyncIterable<LogEntry> {
  for await (const entry of entries) if (!filter || filter(entry)) yield entry
}

/** `get -l` reads many jobs once: the flags that need one job (or a follow) are usage errors with it. */
export function checkSelectedUse(id: string | undefined, flags: Record<string, unknown>): void {
  if (id !== undefined) throw new UsageError('give a job id or -l SELECTOR, not both', ['logs get JOB, or logs get -l env=prod for every job whose labels match'])
  const single = ['follow', 'exit-code', 'section', 'after', 'after-context', 'before-context', 'context'].filter((name) => flags[name] !== undefined && flags[name] !== false)
  if (single.length > 0) throw new UsageError(`--${single[0]} works on one job, not with -l`, ['logs tail -l SELECTOR follows every matching job'])
}
