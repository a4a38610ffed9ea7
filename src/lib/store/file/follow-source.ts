/**
 * The file store's follow primitives (the loop itself is ../follow-loop.ts): entries
 * read from the job's index and log after a cursor, and a wait on inotify of the job's
 * directory. An append writes `log`, then `idx`, then `stats` under the job's `lock`: only
 * `idx` wakes the follower, once the batch's bytes and records are written. A change of
 * status, phase, progress or sections replaces `meta.json` — only that wakes a metadata read.
 */
import type {LogEntry} from '../../entry.js'
import type {JobMeta} from '../../job.js'
import type {FollowSource} from '../follow-loop.js'
import {FOLLOW_SYNC_BYTES, INDEX_FILE, JobLog, type JobLogOwner} from './job-log.js'
import {DirectoryWake} from './wake.js'

/** Entries handed to a follower per event, so a follower far behind still gets steady batches. */
const FOLLOW_BATCH = 4096

export interface FileFollowOptions {
  dir: string
  owner: JobLogOwner
  /** The metadata file's name: a change of it is a change of metadata. */
  metaFile: string
  meta: () => Promise<JobMeta | undefined>
  notFound: () => Error
}

export async function openFileFollowSource(options: FileFollowOptions): Promise<FollowSource> {
  // Watching starts before the first read, so no change falls between the two.
  const wake = new DirectoryWake(options.dir, (name) => (name.startsWith(options.metaFile) ? 'notable' : name === INDEX_FILE ? 'change' : 'ignored'))
  let log: JobLog
  try {
    log = await JobLog.open(options.dir, options.owner)
  } catch (error) {
    wake.close()
    throw error
  }
  return {
    meta: options.meta,
    async *entries(after: number, _meta: JobMeta, signal?: AbortSignal): AsyncIterable<LogEntry[]> {
      // Up to the count seen now: a writer that never pauses still lets metadata through between reads.
      const count = log.countNow()
      let seen = after
      while (seen < count && !signal?.aborted) {
        const before = seen
        for await (const entries of log.entries(seen + 1, Math.min(count, seen + FOLLOW_BATCH), {signal, syncBytes: FOLLOW_SYNC_BYTES})) {
          yield entries
          seen = entries.at(-1)!.seq
        }
        if (seen === before) return
      }
    },
    wait: (signal) => wake.next(signal),
    notFound: options.notFound,
    async close() {
      wake.close()
      await log.close()
    },
  }
}
