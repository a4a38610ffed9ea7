/**
 * Where the viewer's entries come from. The CLI builds one from a TailFeed over the
 * `Jobs` facade (local stores or a relay-backed LiveStore: the viewer cannot tell);
 * tests build one from entries they construct.
 */
import type {LogEntry} from '../entry.js'
import type {Jobs} from '../store/jobs.js'
import type {EntryFilter} from '../query/filter.js'
import type {ReadRange} from '../store/types.js'
import {TailFeed} from '../tail/tail-feed.js'
import {isSingleJob, type TailTargets} from '../job-targets.js'
import type {TailEvent} from '../tail/types.js'

export interface ViewerSource {
  /** Every followed job's events, merged in arrival order. */
  events(signal: AbortSignal): AsyncIterable<TailEvent>
  /**
   * Reads a stretch of one job from the store, for scroll-back beyond the buffer and for
   * jumps to the start or back to the newest entries. Only offered when exactly one job
   * is followed (paging needs one sequence axis); otherwise the buffer is the history.
   * Returns the stretch unfiltered: the viewer filters, and pages on by sequence number.
   */
  read?: (job: string, range: ReadRange) => Promise<LogEntry[]>
}

export interface JobsSourceOptions {
  jobs: Jobs
  targets: TailTargets
  /** Entries read before following: enough for the first screens; older ones come on demand. */
  backlog: number
  since?: number
  follow: boolean
  filter?: EntryFilter
}

export function jobsSource(options: JobsSourceOptions): ViewerSource {
  const {jobs} = options
  const source: ViewerSource = {
    events(signal) {
      const feed = new TailFeed({...options, retry: true, untilAllEnded: false})
      signal.addEventListener('abort', () => feed.close(), {once: true})
      return feed
    },
  }
  if (isSingleJob(options.targets)) {
    source.read = async (job, range) => {
      const entries: LogEntry[] = []
      for await (const entry of jobs.read(job, range)) entries.push(entry)
      return entries
    }
  }
  return source
}
