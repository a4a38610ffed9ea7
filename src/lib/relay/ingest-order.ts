/**
 * Pipelined ingest requests of one writer, kept in order. `push --url` keeps a few requests
 * in flight, each naming the batch before it (`Logs-After`); they reach the relay on
 * separate connections, so a request may be read before its predecessor, or while it is
 * still being appended. It waits for that one (to arrive, for at most ARRIVAL_WAIT_MS, and
 * to finish) before it appends anything. The store behind the relay checks the order
 * itself (AppendToken.after) and refuses a batch whose predecessor failed or never came
 * (409), and the client re-sends from there: waiting here only spares it those refusals.
 *
 * Kept: the requests in progress (bounded by the relay's connections) and the last few
 * batches each writer completed here (a bounded window, for a bounded number of writers).
 */
import {RecentJobs} from './recent-jobs.js'

const ARRIVAL_WAIT_MS = 1000
const RECENT_BATCHES = 4
const MAX_WRITERS = 4096

export class IngestOrder {
  private readonly running = new Map<string, Promise<void>>()
  private readonly arrivals = new Map<string, Array<() => void>>()
  /** Per writer, the batches it completed here lately, newest last. */
  private readonly completed = new RecentJobs<number[]>(() => [], MAX_WRITERS)

  /** A request for `batch` of this writer is being handled; call the result, saying whether it was applied, when it is done. */
  start(job: string, writer: string, batch: number): (applied: boolean) => void {
    const key = batchKey(job, writer, batch)
    let done = () => {}
    const finished = new Promise<void>((resolve) => (done = resolve))
    // A request retried while the first is still running: its successor waits for both.
    const entry = Promise.all([this.running.get(key), finished]).then(() => undefined)
    this.running.set(key, entry)
    for (const wake of this.arrivals.get(key) ?? []) wake()
    this.arrivals.delete(key)
    return (applied) => {
      done()
      if (this.running.get(key) === entry) this.running.delete(key)
      if (applied) this.remember(writerKey(job, writer), batch)
    }
  }

  /** Resolves once the request for batch `after` of this writer is done here, or could not be waited for. */
  async turn(job: string, writer: string, after: number): Promise<void> {
    if (after === 0) return
    const key = batchKey(job, writer, after)
    if (!this.running.has(key) && !this.completed.peek(writerKey(job, writer))?.includes(after)) await this.arrival(key)
    await this.running.get(key)
  }

  private arrival(key: string): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer)
        resolve()
      }
      const timer = setTimeout(() => {
        const waiting = this.arrivals.get(key)?.filter((other) => other !== wake) ?? []
        if (waiting.length > 0) this.arrivals.set(key, waiting)
        else this.arrivals.delete(key)
        resolve()
      }, ARRIVAL_WAIT_MS)
      timer.unref()
      this.arrivals.set(key, [...(this.arrivals.get(key) ?? []), wake])
    })
  }

  private remember(writer: string, batch: number): void {
    const batches = this.completed.use(writer)
    batches.push(batch)
    if (batches.length > RECENT_BATCHES) batches.shift()
  }
}

function writerKey(job: string, writer: string): string {
  return `${job}\n${writer}`
}

function batchKey(job: string, writer: string, batch: number): string {
  return `${job}\n${writer}\n${batch}`
}
