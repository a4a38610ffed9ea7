/**
 * Follows one job for `logs tail`: its backlog, then new entries as the store delivers
 * them, until it ends. Store errors either fail the follow (plain mode: an error must not
 * look like success) or are retried from the last delivered sequence number (viewer:
 * the status bar says "reconnecting"), so no entry is lost or doubled.
 */
import type {LogEntry} from '../entry.js'
import {ArchiveReadError, JobDeletedError, JobNotFoundError} from '../errors/index.js'
import type {Jobs} from '../store/jobs.js'
import type {JobMeta} from '../job.js'
import type {EntryFilter} from '../query/filter.js'
import {lastEntries} from '../query/last-entries.js'
import type {ReadRange} from '../store/types.js'
import {sleep} from './sleep.js'
import type {TailEvent} from './types.js'

export interface FollowJobOptions {
  jobs: Jobs
  job: string
  /** Entries shown from before the start (the last N that pass the filter; Infinity: all of them). */
  backlog: number
  /** `--since`: the backlog holds only entries at or after this time (ms). */
  since?: number
  /** The job is known to exist (a glob listed it): missing is JobNotFoundError, not a job to wait for. */
  listed?: boolean
  /** Called once the backlog has been emitted (or there was none), before following. */
  onCaughtUp?: () => void
  follow: boolean
  filter?: EntryFilter
  /** Retry store errors (true) or throw them (false). */
  retry: boolean
  signal: AbortSignal
  emit: (event: TailEvent) => Promise<void>
  /** Milliseconds to wait before a retry (grows up to 5 s). */
  retryDelay?: number
}

const MAX_RETRY_DELAY = 5000

export async function followJob(options: FollowJobOptions): Promise<void> {
  const {jobs, job, signal, emit, filter} = options
  const meta = options.follow && !options.listed ? await jobs.getJob(job) : await jobs.requireJob(job)
  await emit({type: 'job', job, meta})
  let after = meta?.lines ?? 0
  // Damaged blocks of an archived job: the backlog shows every entry it can, then they are named.
  const unreadable: ArchiveReadError[] = []
  const onUnreadable = (error: ArchiveReadError): number => unreadable.push(error)
  if (meta && options.backlog === Number.POSITIVE_INFINITY) {
    after = Math.max(after, await emitEverySince(options, onUnreadable))
  } else if (meta && options.backlog > 0) {
    const cursor = {last: after}
    const backlog: LogEntry[] = []
    for await (const batch of lastEntries(jobs, job, options.backlog, {since: options.since, signal, onUnreadable}, filter, cursor)) backlog.push(...batch)
    after = cursor.last
    if (backlog.length > 0) await emit({type: 'entries', job, entries: backlog, backlog: true})
  }
  if (unreadable.length > 0) throw ArchiveReadError.merged(unreadable)[0]
  options.onCaughtUp?.()
  if (!options.follow || (meta && meta.location.kind === 'archived')) {
    await emit({type: 'end', job, meta})
    return
  }
  let delay = options.retryDelay ?? 250
  let reconnecting = false
  // The follow's own waits for a store that stopped answering (resumed-follow.ts), told in order with the entries.
  let told = Promise.resolve()
  const onWaiting = (waiting: boolean, error?: Error) => {
    if (waiting === reconnecting) return
    reconnecting = waiting
    told = told.then(() => emit({type: 'state', job, state: waiting ? 'reconnecting' : 'live', ...(error && {error: error.message})}))
  }
  // What the follower has shown: a change made between the first look and the follow's own is then still sent.
  let known = meta
  while (!signal.aborted) {
    try {
      for await (const event of jobs.follow(job, {after, signal, known, onWaiting})) {
        await told
        if (reconnecting) {
          reconnecting = false
          delay = options.retryDelay ?? 250
          await emit({type: 'state', job, state: 'live'})
        }
        if (event.type === 'entries') {
          if (event.entries.length === 0) continue
          const fresh = event.entries[0].seq > after ? event.entries : event.entries.filter((e) => e.seq > after)
          if (fresh.length === 0) continue
          after = fresh.at(-1)!.seq
          const kept = filter ? fresh.filter(filter) : fresh
          if (kept.length > 0) await emit({type: 'entries', job, entries: kept})
        } else if (event.type === 'meta') {
          known = event.meta
          await emit({type: 'meta', job, meta: event.meta})
        } else {
          await emit({type: 'end', job, meta: event.meta})
          return
        }
      }
      if (signal.aborted) return
      // The store finished the iteration without an end event: treat it as ended, unless it is gone.
      const last: JobMeta | undefined = await jobs.getJob(job)
      if (!last) throw new JobDeletedError(job, jobs.live.name)
      await emit({type: 'end', job, meta: last})
      return
    } catch (error) {
      if (signal.aborted) return
      // A job that was there and is gone (logs rm, gc) does not come back by retrying.
      if (error instanceof JobDeletedError) throw error
      if (error instanceof JobNotFoundError && known) throw new JobDeletedError(job, jobs.live.name)
      if (!options.retry) throw error
      await told
      reconnecting = true
      await emit({type: 'state', job, state: 'reconnecting', error: (error as Error).message})
      await sleep(delay, signal)
      delay = Math.min(delay * 2, MAX_RETRY_DELAY)
    }
  }
}

const SINCE_BATCH = 1000

/** `--since` without `-n`: every entry since then, in batches; returns the last sequence number read. */
async function emitEverySince(options: FollowJobOptions, onUnreadable: ReadRange['onUnreadable']): Promise<number> {
  const {jobs, job, filter, signal, emit} = options
  let last = 0
  let batch: LogEntry[] = []
  for await (const entry of jobs.read(job, {since: options.since, signal, onUnreadable})) {
    last = entry.seq
    if (filter && !filter(entry)) continue
    batch.push(entry)
    if (batch.length >= SINCE_BATCH) {
      await emit({type: 'entries', job, entries: batch, backlog: true})
      batch = []
    }
  }
  if (batch.length > 0) await emit({type: 'entries', job, entries: batch, backlog: true})
  return last
}
