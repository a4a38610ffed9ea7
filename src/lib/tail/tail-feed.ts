/**
 * The events of every job `logs tail` follows, merged in arrival order:
 *
 *   followJob(a) ─┐
 *   followJob(b) ─┼─► AsyncQueue (bounded) ─► consumer (plain printer or viewer)
 *   watchGlobs ───┘ (starts a followJob per new match)
 *
 * The queue is bounded, so a slow consumer slows the followers rather than growing
 * memory. With `untilAllEnded` the feed finishes once every followed job has ended
 * (plain mode); otherwise it runs until `close()` (the viewer stays open).
 */
import type {Jobs} from '../store/jobs.js'
import type {EntryFilter} from '../query/filter.js'
import {AsyncQueue} from './async-queue.js'
import {watchGlobs} from './glob-watcher.js'
import {followJob} from './job-follower.js'
import type {TailTargets} from './targets.js'
import type {TailEvent} from './types.js'

const QUEUED_ENTRIES = 10_000

export interface TailFeedOptions {
  jobs: Jobs
  targets: TailTargets
  /** Entries of each job shown from before the start. */
  backlog: number
  follow: boolean
  filter?: EntryFilter
  /** Retry store errors (viewer) instead of failing the feed (plain mode). */
  retry: boolean
  /** Finish once every followed job has ended (and at least one was followed). */
  untilAllEnded: boolean
  globMinInterval?: number
  globMaxInterval?: number
}

export class TailFeed implements AsyncIterable<TailEvent> {
  /** At most this many entries wait between the followers and the consumer. */
  private readonly queue = new AsyncQueue<TailEvent>(QUEUED_ENTRIES, (event) => (event.type === 'entries' ? event.entries.length : 1))
  private readonly controller = new AbortController()
  private readonly followed = new Set<string>()
  private readonly running = new Set<string>()
  private globsDone: boolean
  private started = false

  constructor(private readonly options: TailFeedOptions) {
    this.globsDone = options.targets.globs.length === 0
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
    this.controller.abort()
    this.queue.end()
  }

  private start(): void {
    if (this.started) return
    this.started = true
    const {targets, follow} = this.options
    for (const id of targets.ids) this.addJob(id)
    if (targets.globs.length > 0) {
      watchGlobs({
        jobs: this.options.jobs,
        globs: targets.globs,
        selector: targets.selector,
        signal: this.signal,
        once: !follow,
        retry: this.options.retry,
        minInterval: this.options.globMinInterval,
        maxInterval: this.options.globMaxInterval,
        onJob: (meta) => this.addJob(meta.id),
      }).then(
        () => {
          this.globsDone = true
          this.finishIfDone()
        },
        (error: unknown) => this.queue.fail(error),
      )
    }
    this.finishIfDone()
  }

  private addJob(id: string): void {
    if (this.followed.has(id) || this.signal.aborted) return
    this.followed.add(id)
    this.running.add(id)
    followJob({
      jobs: this.options.jobs,
      job: id,
      backlog: this.options.backlog,
      follow: this.options.follow,
      filter: this.options.filter,
      retry: this.options.retry,
      signal: this.signal,
      emit: (event) => this.queue.push(event),
    }).then(
      () => {
        this.running.delete(id)
        this.finishIfDone()
      },
      (error: unknown) => {
        this.running.delete(id)
        if (!this.signal.aborted) this.queue.fail(error)
      },
    )
  }

  private finishIfDone(): void {
    if (this.running.size > 0) return
    const done = this.options.untilAllEnded ? this.followed.size > 0 || this.globsDone : !this.options.follow && this.globsDone
    if (!done) return
    this.controller.abort()
    this.queue.end()
  }
}
