/**
 * JobFeed: the one reader of one job in the relay (DESIGN.md invariant 6).
 *
 *   store ──follow(after = position)──▶ JobFeed ──deliver()──▶ subscriber 1..n (non-blocking)
 *
 * The feed starts at the job's end (its last sequence number) and only fans out what
 * comes after; each follower catches up on older entries by itself (with backpressure)
 * and attaches once it has read up to `position` — see stream-handler.ts. Every event's
 * SSE text is built once per batch and shared by all subscribers.
 */
import type {LogEntry} from '../entry.js'
import {isEnded, type JobMeta} from '../job.js'
import type {Jobs} from '../store/jobs.js'
import {TextBytes} from '../text-bytes.js'
import {metaShape} from '../store/follow-loop.js'
import {logFrame} from './sse-frames.js'

/** A batch as the feed hands it out: entries plus their SSE frames, built once. */
export interface FeedBatch {
  entries: LogEntry[]
  frames: string[]
  /** All frames joined and encoded once: what every unfiltered subscriber writes (one shared Buffer, no copy per socket). */
  joined: Buffer
}

export interface FeedSubscriber {
  entries(batch: FeedBatch): void
  status(meta: JobMeta): void
  end(meta: JobMeta): void
  /** The reader failed: store down, the subscriber closes without `end` and the client reconnects; a damaged log, it says so. */
  fail(error: unknown): void
}

export type FeedState = 'starting' | 'running' | 'ended' | 'failed'

export class JobFeed {
  /** Sequence number of the last entry fanned out (or the job's end when the feed started). */
  position = 0
  state: FeedState = 'starting'
  meta: JobMeta | undefined
  /** Status changes sent to subscribers so far: a newcomer that caught up while one was sent gets it on attaching. */
  statuses = 0
  endMeta: JobMeta | undefined
  error: unknown
  readonly ready: Promise<void>
  private readonly subscribers = new Set<FeedSubscriber>()
  private readonly abort = new AbortController()

  constructor(
    readonly jobId: string,
    private readonly jobs: Jobs,
    private readonly onStop: (feed: JobFeed) => void,
  ) {
    this.ready = this.start()
  }

  get size(): number {
    return this.subscribers.size
  }

  /** Call only after catching up to `position` (synchronously after checking it). */
  attach(subscriber: FeedSubscriber): void {
    this.subscribers.add(subscriber)
  }

  detach(subscriber: FeedSubscriber): void {
    this.subscribers.delete(subscriber)
  }

  stop(): void {
    this.abort.abort()
  }

  private async start(): Promise<void> {
    try {
      this.meta = await this.jobs.getJob(this.jobId)
    } catch (error) {
      this.finishWithFailure(error)
      return
    }
    this.position = this.meta?.lines ?? 0
    if (this.meta && isEnded(this.meta.status)) {
      // Nothing more will come: followers read the history and get `end` without a reader.
      this.endMeta = this.meta
      this.state = 'ended'
      this.onStop(this)
      return
    }
    this.state = 'running'
    void this.run()
  }

  private async run(): Promise<void> {
    try {
      for await (const event of this.jobs.follow(this.jobId, {after: this.position, signal: this.abort.signal, waitForJob: true, known: this.meta})) {
        if (event.type === 'entries') {
          if (!this.meta) await this.appeared()
          this.deliver(event.entries)
        } else if (event.type === 'meta') {
          // The store's first look at a job that appeared repeats what appeared() sent already.
          const repeated = this.meta !== undefined && metaShape(this.meta) === metaShape(event.meta)
          this.meta = event.meta
          if (repeated) continue
          this.statuses++
          for (const subscriber of this.subscribers) subscriber.status(event.meta)
        } else {
          this.meta = event.meta
          this.endMeta = event.meta
          this.state = 'ended'
          for (const subscriber of this.subscribers) subscriber.end(event.meta)
          this.subscribers.clear()
          break
        }
      }
      if (this.state === 'running' && !this.abort.signal.aborted) throw new Error('the store ended the follow without an end event')
    } catch (error) {
      if (!this.abort.signal.aborted) {
        this.finishWithFailure(error)
        return
      }
    }
    this.onStop(this)
  }

  /** The job started while the feed waited for it: followers learn its status before its first lines. */
  private async appeared(): Promise<void> {
    this.meta = await this.jobs.getJob(this.jobId).catch(() => undefined)
    this.statuses++
    if (this.meta) for (const subscriber of this.subscribers) subscriber.status(this.meta)
  }

  private deliver(entries: LogEntry[]): void {
    const fresh = entries.filter((entry) => entry.seq > this.position)
    if (fresh.length === 0) return
    this.position = fresh.at(-1)!.seq
    const frames = fresh.map(logFrame)
    const joined = new TextBytes()
    for (const frame of frames) joined.add(frame)
    const batch: FeedBatch = {entries: fresh, frames, joined: joined.takeBytes()}
    for (const subscriber of this.subscribers) subscriber.entries(batch)
  }

  private finishWithFailure(error: unknown): void {
    this.error = error
    this.state = 'failed'
    for (const subscriber of this.subscribers) subscriber.fail(error)
    this.subscribers.clear()
    this.onStop(this)
  }
}
