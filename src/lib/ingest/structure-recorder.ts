/**
 * Keeps a job's sections, phase and progress in its metadata while it is captured: the
 * lines are observed once they are appended (their sequence numbers known) and the result
 * is written with updateJob at most once per `interval`, and at the job's end. Sections
 * an earlier push of the same job recorded are kept in front of this push's, whose numbered
 * names go on from theirs (run-sections.ts).
 *
 * Metadata is secondary to lines: a failed update never fails the push. It is made again
 * after a wait that doubles with each failure in a row (interval, 2·interval, … up to
 * RETRY_CAP_MS), back to the interval once a write succeeds, so a store that refuses for
 * an hour is not asked every second.
 */
import {ReadChunk, type NewEntry} from '../entry.js'
import type {LineBatch} from '../line-batch.js'
import type {Section} from '../job.js'
import {joinRunSections} from '../run-sections.js'
import type {LiveStore} from '../store/types.js'
import {SectionTracker} from '../structure/sections.js'
import type {PackedEntries} from '../store/packed-entries.js'
import {ChunkLines} from '../store/redis/codec.js'
import {Backoff} from '../store/retry.js'

/** The longest wait between two attempts at a write the store keeps refusing. */
export const RETRY_CAP_MS = 30_000

/** The clock and timer a recorder schedules its writes with (tests hand in their own). */
export interface RecorderTimers {
  now(): number
  setTimeout(run: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const realTimers: RecorderTimers = {
  now: Date.now,
  setTimeout: (run, ms) => setTimeout(run, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

export interface StructureRecorderOptions {
  /** The shortest time between two writes, and the first wait after a failed one. */
  interval?: number
  timers?: RecorderTimers
}

export class StructureRecorder {
  private readonly tracker = new SectionTracker()
  private earlier: Section[] | undefined
  private published = 0
  private lastPublish = 0
  private timer: unknown
  private publishing: Promise<void> = Promise.resolve()
  private finished = false
  private readonly interval: number
  private readonly timers: RecorderTimers
  /** Wait from the last write to the next: the interval, or the backoff's after a failure. */
  private nextWait: number
  private readonly backoff: Backoff

  constructor(
    private readonly store: LiveStore,
    private readonly job: string,
    options: StructureRecorderOptions = {},
  ) {
    this.interval = options.interval ?? 1000
    this.timers = options.timers ?? realTimers
    this.nextWait = this.interval
    this.backoff = new Backoff({
      policy: {baseMs: this.interval, capMs: RETRY_CAP_MS, budgetMs: Infinity},
      classify: () => ({}),
      clock: () => this.timers.now(),
      random: () => 1,
    })
  }

  /** Entries the store numbered first, first+1, … */
  observe(first: number, entries: NewEntry[]): void {
    this.tracker.observeBatch(first, entries)
    this.changed()
  }

  /** A batch's lines the store numbered first, first+1, … */
  observeBatch(first: number, batch: LineBatch): void {
    this.tracker.observeLineBatch(first, batch)
    this.changed()
  }

  /** A packed batch the store numbered first, first+1, …: its lines read in the chunks, without an entry each. */
  observePacked(first: number, packed: PackedEntries): void {
    let seq = first
    for (const {index, data} of packed.chunks) {
      // As a read: its text is decoded once (when ASCII) for every JSON line's search for keys, not once per line.
      const read = new ReadChunk(data, 0, undefined)
      for (const line = new ChunkLines(index); line.next();) this.tracker.observeLine(seq++, line.ts, line.level, data, line.start, line.end, read)
    }
    this.changed()
  }

  /** Schedules a write of what changed, at most once per interval. */
  private changed(): void {
    if (this.tracker.version === this.published || this.timer !== undefined) return
    const wait = Math.max(0, this.lastPublish + this.nextWait - this.timers.now())
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined
      this.publishing = this.publishing.then(() => this.publish())
    }, wait)
  }

  /** Writes what changed now, without ending anything (a relay letting the job go). Never throws. */
  async flush(): Promise<void> {
    this.cancelTimer()
    await this.publishing
    await this.publish()
  }

  /** Closes open sections now, as the job ends (failed ones marked), and writes the final state. */
  async finish(failed: boolean): Promise<void> {
    this.finished = true
    this.cancelTimer()
    await this.publishing
    if (this.tracker.version === 0 && this.published === 0) return
    this.tracker.end(failed, this.timers.now())
    await this.publish()
  }

  private async publish(): Promise<void> {
    const version = this.tracker.version
    if (version === this.published) return
    this.lastPublish = this.timers.now()
    try {
      this.earlier ??= (await this.store.getJob(this.job))?.sections?.filter((s) => s.end !== undefined) ?? []
      const structure = this.tracker.structure()
      // phase given even when there is none: the section it came from has closed since the last write.
      await this.store.updateJob(this.job, {...structure, phase: structure.phase, sections: joinRunSections(this.earlier, structure.sections)})
      this.published = version
      this.backoff.reset()
      this.nextWait = this.interval
    } catch (error) {
      // Written again after the backoff's wait, not at the next line: a job that prints
      // its phase and then works in silence must not keep the old one until its end.
      // finish() writes it a last time.
      this.nextWait = this.backoff.delayFor(error) ?? RETRY_CAP_MS
      if (!this.finished) this.changed()
    }
  }

  private cancelTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer)
    this.timer = undefined
  }
}
