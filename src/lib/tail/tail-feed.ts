/**
 * The events of every job `logs tail` follows, merged by time:
 *
 *   followJob(a) ─┐
 *   followJob(b) ─┼─► TimeMerger ─► AsyncQueue (bounded) ─► consumer (plain printer or viewer)
 *   watchGlobs ───┘ (starts a followJob per new match)
 *
 * With one plain job id there is nothing to merge and the merger is skipped. Otherwise
 * the backlogs of the jobs known at start (the ids, and what the globs' first listing
 * found) are merged by time before anything is shown, and live entries wait up to the
 * reorder window (REORDER_WINDOW_MS) so lines of different jobs come out in time order.
 *
 * A job a glob matched that is deleted (gc, rm) before or while it is read is left out
 * (an `end` event with `gone`), and the others go on; a job named by its id fails the feed.
 * One of several jobs with a damaged archived block ends with every entry it could read
 * (an `end` event with `unreadable`), and the others go on; a single job fails the feed.
 *
 * The queue is bounded, so a slow consumer slows the followers rather than growing
 * memory. With `untilAllEnded` the feed finishes once every followed job has ended
 * (plain mode); otherwise it runs until `close()` (the viewer stays open).
 */
import type {Jobs} from '../store/jobs.js'
import type {EntryFilter} from '../query/filter.js'
import {AsyncQueue} from './async-queue.js'
import {TimeMerger} from './time-merge.js'
import {watchGlobs, type GlobWatch} from './glob-watcher.js'
import {followJob} from './job-follower.js'
import {isSingleJob, type TailTargets} from '../job-targets.js'
import {ArchiveReadError, JobDeletedError, JobNotFoundError, type DamagedManifestError} from '../errors/index.js'
import type {TailEvent} from './types.js'

const QUEUED_ENTRIES = 10_000
/** How long a live entry of one job waits for earlier entries of the others (documented in `tail --help`). */
export const REORDER_WINDOW_MS = 200
/** The backlogs of the jobs known at start are awaited at most this long before lines are shown. */
const START_WAIT_MS = 2000

export interface TailFeedOptions {
  jobs: Jobs
  targets: TailTargets
  /** Entries of each job shown from before the start (Infinity: every one since `since`). */
  backlog: number
  /** `--since`: the backlog starts at this time (ms). */
  since?: number
  /** The reorder window (ms) for merging several jobs by time. */
  reorderWindow?: number
  follow: boolean
  filter?: EntryFilter
  /** Retry store errors (viewer) instead of failing the feed (plain mode). */
  retry: boolean
  /** Finish once every followed job has ended (and at least one was followed). */
  untilAllEnded: boolean
  globMinInterval?: number
  globMaxInterval?: number
  /** Globs take the ended jobs of their first listing too (GlobWatchOptions.history). */
  history?: boolean
  /** The globs' first listing found no job to follow, and no job is named: the feed waits for a match. */
  onNothingMatched?: () => void
}

export class TailFeed implements AsyncIterable<TailEvent> {
  /** At most this many entries wait between the followers and the consumer. */
  private readonly queue = new AsyncQueue<TailEvent>(QUEUED_ENTRIES, (event) => (event.type === 'entries' ? event.entries.length : 1))
  private readonly controller = new AbortController()
  private readonly followed = new Set<string>()
  private readonly running = new Set<string>()
  private globsDone: boolean
  private started = false
  private readonly merger: TimeMerger | undefined
  /** Jobs known at start whose backlog has not arrived yet; undefined once the merger is ready. */
  private catchingUp: Set<string> | undefined = new Set()
  private firstListingDone: boolean
  private startTimer: NodeJS.Timeout | undefined
  private failing = false
  private globWatch: GlobWatch | undefined
  /** When the globs' last listing began, and when every followed job was last seen ended (performance.now()). */
  private lastListingBegan = Number.NEGATIVE_INFINITY
  private allEndedAt: number | undefined

  constructor(private readonly options: TailFeedOptions) {
    this.globsDone = options.targets.globs.length === 0
    this.firstListingDone = this.globsDone
    if (!isSingleJob(options.targets)) {
      this.merger = new TimeMerger({out: (event) => this.queue.push(event), windowMs: options.reorderWindow ?? REORDER_WINDOW_MS})
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  /** Ids of every job followed so far, in the order they joined. */
  get jobIds(): string[] {
    return [...this.followed]
  }

  [Symbol.asyncIterator](): AsyncIterator<TailEvent> {
    this.start()
    return this.queue[Symbol.asyncIterator]()
  }

  close(): void {
    clearTimeout(this.startTimer)
    this.merger?.close()
    this.controller.abort()
    this.queue.end()
  }

  private start(): void {
    if (this.started) return
    this.started = true
    const {targets, follow} = this.options
    if (this.merger) this.startTimer = setTimeout(() => this.startMerging(), START_WAIT_MS).unref()
    for (const id of targets.ids) this.addJob(id, false)
    if (targets.globs.length > 0) {
      this.globWatch = watchGlobs({
        jobs: this.options.jobs,
        globs: targets.globs,
        selector: targets.selector,
        signal: this.signal,
        once: !follow,
        history: this.options.history,
        retry: this.options.retry,
        minInterval: this.options.globMinInterval,
        maxInterval: this.options.globMaxInterval,
        onJob: (meta) => this.addJob(meta.id, true),
        // Named, and left out as a job that could not be read; the others go on.
        onDamaged: (error) => this.leaveOut(error.jobId, {unreadable: error}),
        onListed: (began) => {
          this.lastListingBegan = began
          if (!this.firstListingDone && this.followed.size === 0) this.options.onNothingMatched?.()
          this.firstListingDone = true
          this.caughtUp()
          this.finishIfDone()
        },
      })
      this.globWatch.done.then(
        () => {
          this.globsDone = true
          this.finishIfDone()
        },
        (error: unknown) => this.fail(error),
      )
    }
    this.finishIfDone()
  }

  /** `listed`: a glob matched the job (it may vanish and be left out); else it was named. */
  private addJob(id: string, listed: boolean): void {
    if (this.followed.has(id) || this.signal.aborted) return
    this.followed.add(id)
    this.running.add(id)
    this.allEndedAt = undefined
    this.catchingUp?.add(id)
    followJob({
      jobs: this.options.jobs,
      job: id,
      listed,
      // A job a glob finds after its first listing started after tail did: all of it is new, as for a job named before it starts.
      backlog: listed && this.firstListingDone ? Number.POSITIVE_INFINITY : this.options.backlog,
      since: this.options.since,
      follow: this.options.follow,
      filter: this.options.filter,
      retry: this.options.retry,
      signal: this.signal,
      emit: (event) => (this.merger ? this.merger.add(event) : this.queue.push(event)),
      onCaughtUp: () => this.caughtUp(id),
    }).then(
      () => {
        this.running.delete(id)
        this.finishIfDone()
      },
      async (error: unknown) => {
        if (listed && (error instanceof JobNotFoundError || error instanceof JobDeletedError) && !this.signal.aborted) {
          await this.leaveOut(id, {gone: error.message})
          return
        }
        if (error instanceof ArchiveReadError && this.merger && !this.signal.aborted) {
          await this.leaveOut(id, {unreadable: error})
          return
        }
        this.running.delete(id)
        this.caughtUp(id)
        if (!this.signal.aborted) this.fail(error)
      },
    )
  }

  /** A job a glob matched is gone, or one of several could not be read in full: the lines read of it stay, the job ends, the others go on. */
  private async leaveOut(id: string, why: {gone: string} | {unreadable: ArchiveReadError | DamagedManifestError}): Promise<void> {
    const event = {type: 'end', job: id, ...why} as const
    await (this.merger ? this.merger.add(event) : this.queue.push(event))
    this.running.delete(id)
    this.caughtUp(id)
    this.finishIfDone()
  }

  /** A job known at start has delivered its backlog (no id: the globs' first listing is in). */
  private caughtUp(id?: string): void {
    if (!this.catchingUp) return
    if (id !== undefined) this.catchingUp.delete(id)
    if (this.catchingUp.size === 0 && this.firstListingDone) this.startMerging()
  }

  /** Backlogs are in (or waited for long enough): lines may leave the merger. */
  private startMerging(): void {
    this.catchingUp = undefined
    clearTimeout(this.startTimer)
    void this.merger?.setReady()
  }

  /**
   * The feed fails: the others stop reading, and what they read before still waiting in
   * the merger is let out before the error (nothing read is lost).
   */
  private fail(error: unknown): void {
    if (this.failing) return
    this.failing = true
    this.controller.abort()
    const failQueue = () => this.queue.fail(error)
    if (this.merger) void this.merger.flushAll().then(failQueue, failQueue)
    else failQueue()
  }

  private finishIfDone(): void {
    if (this.running.size > 0 || this.failing) return
    // Not before the globs' first listing is in: a named job that ended at once must not end the feed before the matches join.
    const done = this.options.untilAllEnded ? (this.followed.size > 0 && this.firstListingDone) || this.globsDone : !this.options.follow && this.globsDone
    if (!done) return
    if (this.options.untilAllEnded && !this.globsDone) {
      // A match that started just before the last followed job ended may not be listed yet (the
      // listing backs off to 2 s): the feed ends only after a listing begun once all had ended.
      this.allEndedAt ??= performance.now()
      if (this.lastListingBegan <= this.allEndedAt) return this.globWatch?.listNow()
    }
    const end = () => {
      this.controller.abort()
      this.queue.end()
    }
    if (this.merger) void this.merger.flushAll().then(end, (error: unknown) => this.queue.fail(error))
    else end()
  }
}
