/**
 * Appends entries with at most one append in flight. `add()` resolves once the entries
 * given are appended, and capture awaits it before reading on: a line is on disk before
 * the next read, so a kill -9 can lose at most the one read being written.
 *
 * Batching adapts without a timer: while an append is in flight, the job keeps writing
 * into the pipe (and a second stream, for `run`, into `pending`), so the next append
 * carries everything that arrived meanwhile — one line at a time when input is slow,
 * big batches when it floods.
 */
import type {NewEntry} from '../entry.js'

export interface BatchSink<T> {
  append(items: T[]): Promise<unknown>
}

/** Of entries, or of what stands for several (line-batch.ts). */
export class BatchWriter<T = NewEntry> {
  private pending: T[] = []
  /** `pending` is an array a caller handed to add(). */
  private borrowed = false
  private flushing: Promise<void> | undefined
  private failure: unknown

  constructor(private readonly sink: BatchSink<T>) {}

  add(entries: T[]): Promise<void> {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- the sink's own error, as it came
    if (this.failure) return Promise.reject(this.failure)
    if (this.pending.length === 0) {
      // Taken as it is when nothing waits, not copied line by line; copied before anything is added to it, as it is the caller's.
      this.pending = entries
      this.borrowed = true
    } else {
      if (this.borrowed) this.pending = this.pending.slice()
      this.borrowed = false
      for (const entry of entries) this.pending.push(entry)
    }
    this.flushing ??= this.drain()
    return this.flushing
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending
        this.pending = []
        this.borrowed = false
        await this.sink.append(batch)
      }
    } catch (error) {
      this.failure = error
      throw error
    } finally {
      this.flushing = undefined
    }
  }
}
