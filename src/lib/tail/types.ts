/** What `logs tail` reads from one or several jobs, whoever consumes it (plain printer or viewer). */
import type {LogEntry} from '../entry.js'
import type {ArchiveReadError, DamagedManifestError} from '../errors/index.js'
import type {JobMeta} from '../job.js'

export type FeedState = 'live' | 'reconnecting'

export type TailEvent =
  /** A job joined the feed (named on the command line or matched by a glob). */
  | {type: 'job'; job: string; meta?: JobMeta}
  /** `backlog`: entries from before the start (not counted as arriving lines). */
  | {type: 'entries'; job: string; entries: LogEntry[]; backlog?: boolean}
  | {type: 'meta'; job: string; meta: JobMeta}
  /**
   * The job ended (or was archived / not followed) and every entry has been delivered.
   * `gone`: a job a glob matched was deleted (gc, rm) before or while it was read; it is left out, and this says why.
   * `unreadable`: one of several jobs had damaged archived blocks; every other entry of it was delivered, and the others go on.
   */
  | {type: 'end'; job: string; meta?: JobMeta; gone?: string; unreadable?: ArchiveReadError | DamagedManifestError}
  /** The connection to the store changed for this job (errors are retried, not fatal, in the viewer). */
  | {type: 'state'; job: string; state: FeedState; error?: string}
