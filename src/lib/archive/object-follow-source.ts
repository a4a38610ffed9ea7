/**
 * The object live store's follow primitives (the loop itself is ../store/follow-loop.ts).
 * Object stores cannot notify, so `wait` polls, adaptively: at once after new entries,
 * then 250 ms, doubling to at most 5 s while nothing changes. Every poll reads the job's
 * metadata (one small object), which is also how new entries are noticed.
 *
 * A transient failure (a 502, a reset connection, even mid-object) is retried under the
 * bucket's policy from the last entry handed out, so the follower sees no gap and no
 * duplicate; a permanent one, or an outage longer than the policy's budget, ends the
 * follow with the error.
 */
import {setTimeout as sleep} from 'node:timers/promises'
import type {LogEntry} from '../entry.js'
import type {JobMeta} from '../job.js'
import type {FollowSource} from '../store/follow-loop.js'
import {classifyForRetry} from '../store/object/failure.js'
import {Backoff, type RetryPolicy} from '../store/retry.js'
import type {ReadRange} from '../store/types.js'

export const POLL_MIN_MS = 250
export const POLL_MAX_MS = 5000
/** Entries per event when a follower catches up. */
const BATCH = 1000

export interface ObjectFollowOptions {
  getJob(): Promise<JobMeta | undefined>
  read(range: ReadRange): AsyncIterable<LogEntry>
  notFound(): Error
  retry?: RetryPolicy
  signal?: AbortSignal
}

export class ObjectFollowSource implements FollowSource {
  private delay = POLL_MIN_MS
  private progressed = false
  private readonly backoff: Backoff

  constructor(private readonly options: ObjectFollowOptions) {
    this.backoff = new Backoff({policy: options.retry, classify: classifyForRetry, signal: options.signal})
  }

  async meta(): Promise<JobMeta | undefined> {
    for (;;) {
      try {
        const meta = await this.options.getJob()
        this.backoff.reset()
        return meta
      } catch (error) {
        await this.retry(error)
        if (this.options.signal?.aborted) return undefined
      }
    }
  }

  async *entries(after: number, meta: JobMeta, signal?: AbortSignal): AsyncIterable<LogEntry[]> {
    let seen = after
    while (meta.lines > seen && !signal?.aborted) {
      let batch: LogEntry[] = []
      let failure: unknown
      try {
        for await (const entry of this.options.read({after: seen, signal})) {
          batch.push(entry)
          if (batch.length >= BATCH) {
            seen = entry.seq
            yield batch
            batch = []
          }
        }
      } catch (error) {
        failure = error
      }
      if (batch.length > 0) {
        seen = batch.at(-1)!.seq
        yield batch
      }
      if (seen > after) this.progressed = true
      if (failure === undefined) {
        this.backoff.reset()
        return
      }
      await this.retry(failure)
    }
  }

  async wait(signal?: AbortSignal): Promise<boolean> {
    if (this.progressed) {
      this.progressed = false
      this.delay = POLL_MIN_MS
      return true
    }
    await sleep(this.delay, undefined, {signal}).catch(() => undefined)
    this.delay = Math.min(this.delay * 2, POLL_MAX_MS)
    return true
  }

  notFound(): Error {
    return this.options.notFound()
  }

  close(): void {}

  /** Waits before another attempt; a permanent failure, a spent budget or an abort throws (an abort quietly ends the follow). */
  private async retry(error: unknown): Promise<void> {
    try {
      await this.backoff.retryAfter(error)
    } catch (final) {
      if (!this.options.signal?.aborted) throw final
    }
  }
}
