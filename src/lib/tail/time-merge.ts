/**
 * Several jobs followed at once are shown merged by time, not one job's backlog after
 * another's: entries wait here and leave in the order of their timestamps.
 *
 *   followers ─► add(event) ─► one queue per job ─► flush: the job whose next entry is
 *                                                   oldest goes next ─► out(event)
 *
 * Until `setReady()` (every job known at start has delivered its backlog) nothing leaves,
 * so backlogs interleave by time. After that a backlog entry leaves at once and a live
 * entry once it has waited
 * `windowMs` since it arrived (the reorder window): a line another job wrote slightly
 * earlier but delivered slightly later still comes first. Within one job the order is
 * always the job's own (sequence numbers). `flushAll()` lets everything out (the feed ends).
 * Other events of a job (meta, end) keep their place behind that job's entries.
 */
import type {LogEntry} from '../entry.js'
import type {TailEvent} from './types.js'

type Item = {entry: LogEntry; backlog: boolean; arrival: number} | {event: TailEvent}

/** A queue with O(1) removal at the head (Array#shift is O(n)). */
class Fifo {
  private items: Item[] = []
  private head = 0
  get length(): number {
    return this.items.length - this.head
  }
  peek(): Item {
    return this.items[this.head]
  }
  push(item: Item): void {
    this.items.push(item)
  }
  shift(): void {
    this.head++
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head)
      this.head = 0
    }
  }
}

/** Held before the start is ready at most this many entries; then order gives way to memory. */
const MAX_HELD = 50_000

export interface TimeMergerOptions {
  out: (event: TailEvent) => Promise<void>
  windowMs: number
  now?: () => number
}

export class TimeMerger {
  private readonly queues = new Map<string, Fifo>()
  private held = 0
  private ready = false
  private timer: NodeJS.Timeout | undefined
  private chain: Promise<void> = Promise.resolve()
  private closed = false

  constructor(private readonly options: TimeMergerOptions) {}

  async add(event: TailEvent): Promise<void> {
    const queue = this.queues.get(event.job) ?? new Fifo()
    this.queues.set(event.job, queue)
    if (event.type !== 'entries') {
      if (queue.length === 0) return this.options.out(event)
      queue.push({event})
      return
    }
    const arrival = this.now()
    for (const entry of event.entries) queue.push({entry, backlog: event.backlog === true, arrival})
    this.held += event.entries.length
    if (this.held > MAX_HELD) this.ready = true
    await this.flush(false)
  }

  setReady(): Promise<void> {
    this.ready = true
    return this.flush(false)
  }

  flushAll(): Promise<void> {
    return this.flush(true)
  }

  close(): void {
    this.closed = true
    clearTimeout(this.timer)
  }

  private now(): number {
    return (this.options.now ?? Date.now)()
  }

  /** Flushes run one after another: two followers (or a follower and the timer) never interleave output. */
  private flush(all: boolean): Promise<void> {
    this.chain = this.chain.then(() => this.release(all))
    return this.chain
  }

  private async release(all: boolean): Promise<void> {
    if (this.closed) return
    clearTimeout(this.timer)
    this.timer = undefined
    let batch: {job: string; backlog: boolean; entries: LogEntry[]} | undefined
    const send = async () => {
      if (batch) await this.options.out({type: 'entries', job: batch.job, entries: batch.entries, ...(batch.backlog ? {backlog: true} : {})})
      batch = undefined
    }
    for (;;) {
      const next = this.oldest()
      if (!next) break
      const [job, queue] = next
      const item = queue.peek()
      if ('event' in item) {
        await send()
        queue.shift()
        await this.options.out(item.event)
        continue
      }
      // Once ready, backlog entries leave at once (every backlog known at start is in); live ones wait out the window.
      if (!all && (!this.ready || (!item.backlog && item.arrival > this.now() - this.options.windowMs))) break
      queue.shift()
      this.held--
      if (!batch || batch.job !== job || batch.backlog !== item.backlog) {
        await send()
        batch = {job, backlog: item.backlog, entries: []}
      }
      batch.entries.push(item.entry)
    }
    await send()
    this.schedule()
  }

  /** The queue whose head goes next: an event at once, else the oldest entry (ties: the job that came first). */
  private oldest(): [string, Fifo] | undefined {
    let best: [string, Fifo] | undefined
    for (const [job, queue] of this.queues) {
      if (queue.length === 0) continue
      const head = queue.peek()
      if ('event' in head) return [job, queue]
      const bestHead = best?.[1].peek()
      if (!bestHead || ('entry' in bestHead && head.entry.ts < bestHead.entry.ts)) best = [job, queue]
    }
    return best
  }

  private schedule(): void {
    if (!this.ready || this.closed) return
    const next = this.oldest()?.[1].peek()
    if (!next || !('entry' in next)) return
    const wait = Math.max(0, next.arrival + this.options.windowMs - this.now())
    this.timer = setTimeout(() => void this.flush(false), wait).unref()
  }
}
