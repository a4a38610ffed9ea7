/**
 * Keeps a job's sections, phase and progress in its metadata while it is captured: the
 * lines are observed once they are appended (their sequence numbers known) and the result
 * is written with updateJob at most once per `interval`, and at the job's end. Sections
 * an earlier push of the same job recorded are kept in front of this push's.
 *
 * Metadata is secondary to lines: a failed update is retried with the next one, never
 * fails the push.
 */
import type {NewEntry} from '../entry.js'
import type {Section} from '../job.js'
import type {LiveStore} from '../store/types.js'
import {SectionTracker} from '../structure/sections.js'
import type {PackedEntries} from '../store/packed-entries.js'
import {ChunkLines} from '../store/redis/codec.js'

export class StructureRecorder {
  private readonly tracker = new SectionTracker()
  private earlier: Section[] | undefined
  private published = 0
  private lastPublish = 0
  private timer: NodeJS.Timeout | undefined
  private publishing: Promise<void> = Promise.resolve()
  private finished = false

  constructor(
    private readonly store: LiveStore,
    private readonly job: string,
    private readonly interval = 1000,
  ) {}

  /** Entries the store numbered first, first+1, … */
  observe(first: number, entries: NewEntry[]): void {
    this.tracker.observeBatch(first, entries)
    this.changed()
  }

  /** A packed batch the store numbered first, first+1, …: its lines read in the chunks, without an entry each. */
  observePacked(first: number, packed: PackedEntries): void {
    let seq = first
    for (const {index, data} of packed.chunks) {
      for (const line = new ChunkLines(index); line.next();) this.tracker.observeLine(seq++, line.ts, line.level, data, line.start, line.end)
    }
    this.changed()
  }

  /** Schedules a write of what changed, at most once per interval. */
  private changed(): void {
    if (this.tracker.version === this.published || this.timer) return
    const wait = Math.max(0, this.lastPublish + this.interval - Date.now())
    this.timer = setTimeout(() => {
      this.timer = undefined
      this.publishing = this.publishing.then(() => this.publish())
    }, wait)
    this.timer.unref()
  }

  /** Writes what changed now, without ending anything (a relay letting the job go). Never throws. */
  async flush(): Promise<void> {
    clearTimeout(this.timer)
    this.timer = undefined
    await this.publishing
    await this.publish()
  }

  /** Closes open sections (failed ones marked) and writes the final state. */
  async finish(failed: boolean): Promise<void> {
    this.finished = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.publishing
    if (this.tracker.version === 0 && this.published === 0) return
    this.tracker.end(failed)
    await this.publish()
  }

  private async publish(): Promise<void> {
    const version = this.tracker.version
    if (version === this.published) return
    this.lastPublish = Date.now()
    try {
      this.earlier ??= (await this.store.getJob(this.job))?.sections?.filter((s) => s.end !== undefined) ?? []
      const structure = this.tracker.structure()
      await this.store.updateJob(this.job, {...structure, sections: [...this.earlier, ...structure.sections]})
      this.published = version
    } catch {
      // Written again after the interval: a job that prints its phase and then works in
      // silence must not keep the old one until its end. finish() writes it a last time.
      if (!this.finished) this.changed()
    }
  }
}
