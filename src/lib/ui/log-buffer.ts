/**
 * The viewer's memory: a ring of the most recent entries (capacity `--buffer`), the
 * count of those that pass the current filter (kept up to date per append, not by
 * rescanning), and whether the ring still ends with the newest entry ("attached") or
 * holds an older stretch read back from the store ("detached").
 */
import type {LogEntry} from '../entry.js'
import {RingBuffer} from './ring-buffer.js'

export interface ViewEntry {
  job: string
  entry: LogEntry
}

export type ViewFilter = (item: ViewEntry) => boolean

export class LogBuffer {
  readonly ring: RingBuffer<ViewEntry>
  private filter: ViewFilter | undefined
  private matchingCount = 0
  private isAttached = true
  private readonly lastSeq = new Map<string, number>()

  constructor(capacity: number) {
    this.ring = new RingBuffer(capacity)
  }

  get attached(): boolean {
    return this.isAttached
  }

  /** Entries in the ring that pass the filter. */
  get matching(): number {
    return this.matchingCount
  }

  get length(): number {
    return this.ring.length
  }

  matches(item: ViewEntry): boolean {
    return this.filter ? this.filter(item) : true
  }

  setFilter(filter: ViewFilter | undefined): void {
    this.filter = filter
    if (!filter) {
      this.matchingCount = this.ring.length
      return
    }
    let count = 0
    for (let p = this.ring.start; p < this.ring.end; p++) if (filter(this.ring.get(p)!)) count++
    this.matchingCount = count
  }

  /**
   * Appends live entries of a job (already-seen sequence numbers are skipped). With
   * `keepView`, a full ring detaches instead of dropping its oldest entries, so a reader
   * who paused keeps their lines; detached, new entries are not stored. Returns how many
   * new entries arrived (stored or not).
   */
  append(job: string, entries: LogEntry[], keepView = false): number {
    const seen = this.lastSeq.get(job) ?? 0
    let arrived = 0
    for (const entry of entries) {
      if (entry.seq <= seen) continue
      arrived++
      if (!this.isAttached) continue
      if (keepView && this.ring.full) {
        this.isAttached = false
        continue
      }
      this.add({job, entry}, 'back')
      this.lastSeq.set(job, entry.seq)
    }
    return arrived
  }

  /** Puts an older page (oldest first) in front; when full, the newest entries go and the ring detaches. */
  prepend(job: string, entries: LogEntry[]): void {
    for (let i = entries.length - 1; i >= 0; i--) {
      if (this.add({job, entry: entries[i]}, 'front')) this.isAttached = false
    }
  }

  /**
   * Adds a newer page read from the store behind a detached stretch (scrolling down
   * after paging back); `reachesNewest` re-attaches the ring to the live entries.
   */
  extend(job: string, entries: LogEntry[], reachesNewest: boolean): void {
    for (const entry of entries) this.add({job, entry}, 'back')
    if (!reachesNewest) return
    this.isAttached = true
    const last = entries.at(-1)?.seq ?? this.newest()?.entry.seq ?? 0
    this.lastSeq.set(job, Math.max(this.lastSeq.get(job) ?? 0, last))
  }

  /** Replaces everything (a jump to the start or back to the newest entries). */
  reset(job: string, entries: LogEntry[], attached: boolean): void {
    this.ring.clear(this.ring.end + this.ring.capacity)
    this.matchingCount = 0
    for (const entry of entries) this.add({job, entry}, 'back')
    this.isAttached = attached
    if (attached) this.lastSeq.set(job, entries.at(-1)?.seq ?? 0)
  }

  /** The oldest and newest entry held, for paging through the store. */
  oldest(): ViewEntry | undefined {
    return this.ring.get(this.ring.start)
  }

  newest(): ViewEntry | undefined {
    return this.ring.get(this.ring.end - 1)
  }

  /** Adds one item; returns true when another had to be dropped. */
  private add(item: ViewEntry, side: 'back' | 'front'): boolean {
    const dropped = side === 'back' ? this.ring.pushBack(item) : this.ring.pushFront(item)
    if (this.matches(item)) this.matchingCount++
    if (dropped && this.matches(dropped)) this.matchingCount--
    return dropped !== undefined
  }
}
