/**
 * Gathers entries and appends them with at most one append in flight: a slow trickle of
 * lines is written one by one at once (low latency), a flood is written in big batches
 * (throughput) — batching adapts to the input without a timer.
 *
 * `add()` returns a promise only when too much is pending, which is how backpressure
 * reaches the reader; `close()` waits until everything added has been appended.
 */
import type {NewEntry} from '../entry.js'

export interface BatchSink {
  append(entries: NewEntry[]): Promise<unknown>
}

export interface BatchWriterOptions {
  /** Bytes per append at most. */
  maxBatchBytes?: number
  /** Pending bytes above which add() makes the caller wait. */
  maxPendingBytes?: number
}

export class BatchWriter {
  private pending: NewEntry[] = []
  private pendingBytes = 0
  private flushing: Promise<void> | undefined
  private failure: unknown
  private readonly maxBatchBytes: number
  private readonly maxPendingBytes: number

  constructor(
    private readonly sink: BatchSink,
    options: BatchWriterOptions = {},
  ) {
    this.maxBatchBytes = options.maxBatchBytes ?? 1024 * 1024
    this.maxPendingBytes = options.maxPendingBytes ?? 16 * 1024 * 1024
  }

  add(entries: NewEntry[]): Promise<void> | undefined {
    if (this.failure) throw this.failure
    for (const entry of entries) {
      this.pending.push(entry)
      this.pendingBytes += entry.bytes.length + 1
    }
    this.flushing ??= this.drain()
    return this.pendingBytes > this.maxPendingBytes ? this.flushing : undefined
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing
    if (this.failure) throw this.failure
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.take()
        await this.sink.append(batch)
      }
    } catch (error) {
      this.failure = error
    } finally {
      this.flushing = undefined
    }
  }

  private take(): NewEntry[] {
    let bytes = 0
    let count = 0
    while (count < this.pending.length && (count === 0 || bytes < this.maxBatchBytes)) {
      bytes += this.pending[count].bytes.length + 1
      count++
    }
    const batch = this.pending.splice(0, count)
    this.pendingBytes -= bytes
    return batch
  }
}
