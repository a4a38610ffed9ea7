/**
 * The viewer's model outside React: it drains the source's events into the bounded
 * LogBuffer, keeps each job's status, the line rate and the time of the last line, and
 * pages through the store on demand. It tells React at most every `notifyInterval` ms
 * (a version number for useSyncExternalStore), so 50 000 lines/s cost a handful of
 * renders, not one per batch.
 *
 *   source.events ──► ViewerFeed.run ──► LogBuffer (ring) ──► version++ (throttled) ──► Viewer
 *   keys (↑, g, G) ──► loadOlder / jumpToStart / jumpToNewest ──► source.read ──┘
 */
import type {LogEntry} from '../entry.js'
import type {JobMeta} from '../job.js'
import type {EntryFilter} from '../query/filter.js'
import type {TailEvent} from '../tail/types.js'
import {EndedJobs} from '../tail/exit-code.js'
import {LogBuffer, type ViewFilter} from './log-buffer.js'
import type {ViewerSource} from './viewer-source.js'

export type JobState = 'waiting' | 'live' | 'reconnecting' | 'ended'

export interface JobView {
  id: string
  meta?: JobMeta
  state: JobState
  error?: string
  /** Highest sequence number delivered so far. */
  lastSeq: number
}

export interface ViewerFeedOptions {
  source: ViewerSource
  /** Entries kept in memory (`--buffer`). */
  capacity: number
  /** `--level`/`--grep` from the command line: applied to everything, paged reads included. */
  baseFilter?: EntryFilter
  pageSize?: number
  notifyInterval?: number
  now?: () => number
}

const RATE_WINDOW = 1000

export class ViewerFeed {
  readonly buffer: LogBuffer
  readonly jobs = new Map<string, JobView>()
  /** The jobs seen to end, in that order: `--exit-code` decides on them as piped tail does. */
  readonly ended = new EndedJobs()
  version = 0
  lastLineAt: number | undefined
  /** Entries that arrived since the view was paused. */
  newWhilePaused = 0
  loading = false
  error: string | undefined
  private paused = false
  /** Entries below this sequence number have not been read from the store (single job only). */
  private olderThan = Number.POSITIVE_INFINITY
  private pending: LogEntry[] | undefined
  private readonly arrivals: Array<[number, number]> = []
  private readonly listeners = new Set<() => void>()
  private timer: NodeJS.Timeout | undefined
  private lastEmit = 0
  private readonly notifyInterval: number
  private readonly pageSize: number
  private readonly now: () => number

  constructor(private readonly options: ViewerFeedOptions) {
    this.buffer = new LogBuffer(options.capacity)
    this.notifyInterval = options.notifyInterval ?? 33
    this.pageSize = options.pageSize ?? Math.min(2000, options.capacity)
    this.now = options.now ?? Date.now
    this.setViewFilter(undefined)
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  getVersion = (): number => this.version

  private running: {controller: AbortController; done: Promise<void>} | undefined

  /**
   * Starts draining the source (once; later calls return the same run). The CLI starts
   * it before the viewer's modules have loaded, so the first screen has its lines ready.
   */
  start(): Promise<void> {
    if (!this.running) {
      const controller = new AbortController()
      this.running = {controller, done: this.run(controller.signal)}
    }
    return this.running.done
  }

  /** Stops following (the viewer unmounted). */
  stop(): void {
    this.running?.controller.abort()
  }

  /** Drains the source until it ends or the signal aborts. */
  private async run(signal: AbortSignal): Promise<void> {
    try {
      for await (const event of this.options.source.events(signal)) {
        if (signal.aborted) break
        this.apply(event)
      }
    } catch (error) {
      if (!signal.aborted) {
        this.error = (error as Error).message
        this.notify(true)
      }
    } finally {
      if (this.timer) clearTimeout(this.timer)
      this.timer = undefined
    }
  }

  /** The job whose history can be paged through the store: the one job, when only one is followed. */
  get pageJob(): string | undefined {
    return this.options.source.read && this.jobs.size === 1 ? [...this.jobs.keys()][0] : undefined
  }

  /** True when nothing older than the buffer exists (or cannot be read). */
  get atStart(): boolean {
    return !this.pageJob || this.olderThan <= 1
  }

  setPaused(paused: boolean): void {
    if (paused && !this.paused) this.newWhilePaused = 0
    this.paused = paused
  }

  /** The viewer's own filter (level, hidden jobs) on top of the command line's. `quiet`: the caller is rendering already. */
  setViewFilter(view: ViewFilter | undefined, quiet = false): void {
    const base = this.options.baseFilter
    if (!base) this.buffer.setFilter(view)
    else this.buffer.setFilter(view ? (item) => base(item.entry) && view(item) : (item) => base(item.entry))
    if (!quiet) this.notify(true)
  }

  linesPerSecond(now = this.now()): number {
    let sum = 0
    for (const [t, n] of this.arrivals) if (t > now - RATE_WINDOW) sum += n
    return sum
  }

  /** Lines of every job, as far as known. */
  get total(): number {
    let total = 0
    for (const job of this.jobs.values()) total += Math.max(job.meta?.lines ?? 0, job.lastSeq)
    return total
  }

  /** Reads the page before the oldest entry held (scroll-back beyond the buffer). */
  async loadOlder(): Promise<boolean> {
    const job = this.pageJob
    if (!job || this.loading || this.atStart) return false
    return this.load(async (read) => {
      const page = await read(job, {before: Number.isFinite(this.olderThan) ? this.olderThan : undefined, tail: this.pageSize})
      this.olderThan = page[0]?.seq ?? 1
      this.buffer.prepend(job, this.kept(page))
    })
  }

  /** Reads the page after the newest entry held, while the buffer holds an older stretch (scrolling down). */
  async loadNewer(): Promise<boolean> {
    const job = this.pageJob
    if (!job || this.loading || this.buffer.attached) return false
    const newest = this.buffer.newest()?.entry.seq ?? 0
    this.pending = []
    return this.load(async (read) => {
      const page = await read(job, {after: newest, limit: this.pageSize})
      const reachesNewest = page.length < this.pageSize
      this.buffer.extend(job, this.kept(page), reachesNewest)
      const pending = this.pending ?? []
      this.pending = undefined
      // Lines that arrived during the read are kept once the buffer reaches the newest again.
      if (reachesNewest) this.buffer.append(job, pending)
    })
  }

  /** `g`: the first entries of the job, read from the store. */
  async jumpToStart(): Promise<boolean> {
    const job = this.pageJob
    if (!job || this.loading || this.atStart) return false
    return this.load(async (read) => {
      const page = await read(job, {limit: this.pageSize})
      this.olderThan = 1
      const newest = this.jobs.get(job)!.lastSeq
      this.buffer.reset(job, this.kept(page), (page.at(-1)?.seq ?? 0) >= newest)
    })
  }

  /** `G` after paging back: the newest entries again, read from the store, with no gap to what follows. */
  async jumpToNewest(): Promise<boolean> {
    const job = this.pageJob
    if (!job || this.loading || this.buffer.attached) return false
    this.pending = []
    return this.load(async (read) => {
      const page = await read(job, {tail: this.pageSize})
      this.olderThan = page[0]?.seq ?? 1
      this.buffer.reset(job, this.kept(page), true)
      const pending = this.pending ?? []
      this.pending = undefined
      this.buffer.append(job, pending)
    })
  }

  /**
   * `e`/`E`, `n`/`N` past the buffer: searches the store beyond what is held, a page at a
   * time (older: direction -1; newer, while the buffer holds an older stretch: 1), for the
   * nearest entry that passes `test`, and loads the page around it. Returns its sequence
   * number; undefined when there is none (or nothing beyond the buffer can be read).
   */
  async findInStore(direction: 1 | -1, test: (entry: LogEntry) => boolean): Promise<number | undefined> {
    const job = this.pageJob
    if (!job || this.loading || (direction === -1 ? this.atStart : this.buffer.attached)) return undefined
    const wanted = (entry: LogEntry) => this.kept([entry]).length === 1 && test(entry)
    let found: number | undefined
    this.pending = []
    await this.load(async (read) => {
      found = direction === -1 ? await this.searchOlder(read, job, wanted) : await this.searchNewer(read, job, wanted)
      const pending = this.pending ?? []
      this.pending = undefined
      if (found === undefined) return
      const page = await read(job, {after: Math.max(0, found - Math.floor(this.pageSize / 2) - 1), limit: this.pageSize})
      const attached = (page.at(-1)?.seq ?? 0) >= this.jobs.get(job)!.lastSeq
      this.olderThan = page[0]?.seq ?? 1
      this.buffer.reset(job, this.kept(page), attached)
      if (attached) this.buffer.append(job, pending)
    })
    return found
  }

  private async searchOlder(read: NonNullable<ViewerSource['read']>, job: string, wanted: (entry: LogEntry) => boolean): Promise<number | undefined> {
    const oldest = Math.min(this.olderThan, this.buffer.oldest()?.entry.seq ?? Number.POSITIVE_INFINITY)
    let before = Number.isFinite(oldest) ? oldest : undefined
    for (;;) {
      const page = await read(job, {before, tail: this.pageSize})
      for (let i = page.length - 1; i >= 0; i--) if (wanted(page[i])) return page[i].seq
      if (page.length === 0 || page[0].seq <= 1) return undefined
      before = page[0].seq
    }
  }

  private async searchNewer(read: NonNullable<ViewerSource['read']>, job: string, wanted: (entry: LogEntry) => boolean): Promise<number | undefined> {
    let after = this.buffer.newest()?.entry.seq ?? 0
    for (;;) {
      const page = await read(job, {after, limit: this.pageSize})
      for (const entry of page) if (wanted(entry)) return entry.seq
      if (page.length < this.pageSize) return undefined
      after = page.at(-1)!.seq
    }
  }

  private async load(work: (read: NonNullable<ViewerSource['read']>) => Promise<void>): Promise<boolean> {
    this.loading = true
    try {
      await work(this.options.source.read!)
      return true
    } catch (error) {
      this.error = `reading the store: ${(error as Error).message}`
      this.pending = undefined
      return false
    } finally {
      this.loading = false
      this.notify(true)
    }
  }

  private kept(entries: LogEntry[]): LogEntry[] {
    const base = this.options.baseFilter
    return base ? entries.filter(base) : entries
  }

  private job(id: string): JobView {
    let job = this.jobs.get(id)
    if (!job) {
      job = {id, state: 'waiting', lastSeq: 0}
      this.jobs.set(id, job)
    }
    return job
  }

  private apply(event: TailEvent): void {
    this.ended.note(event)
    const job = this.job(event.job)
    switch (event.type) {
      case 'job':
        job.meta = event.meta ?? job.meta
        if (job.state === 'waiting' && event.meta) job.state = 'live'
        break
      case 'entries':
        this.receive(job, event.entries, event.backlog === true)
        break
      case 'meta':
        job.meta = event.meta
        break
      case 'end':
        job.meta = event.meta ?? job.meta
        job.state = 'ended'
        if (event.gone !== undefined) job.error = event.gone
        if (event.unreadable) job.error = event.unreadable.message
        break
      case 'state':
        job.state = event.state
        job.error = event.error
        break
    }
    this.notify(event.type !== 'entries')
  }

  private receive(job: JobView, entries: LogEntry[], backlog: boolean): void {
    if (entries.length === 0) return
    if (job.state === 'waiting' || job.state === 'reconnecting') job.state = 'live'
    const first = entries[0].seq
    if (first < this.olderThan && this.buffer.length === 0) this.olderThan = first
    job.lastSeq = Math.max(job.lastSeq, entries.at(-1)!.seq)
    const now = this.now()
    if (backlog) this.lastLineAt = Math.max(this.lastLineAt ?? 0, entries.at(-1)!.ts)
    else {
      this.lastLineAt = now
      this.arrivals.push([now, entries.length])
    }
    while (this.arrivals.length > 0 && this.arrivals[0][0] <= now - RATE_WINDOW) this.arrivals.shift()
    if (this.pending) {
      this.pending.push(...entries)
      if (this.pending.length > this.options.capacity) this.pending.splice(0, this.pending.length - this.options.capacity)
      if (this.paused) this.newWhilePaused += entries.length
      return
    }
    // Keeping a paused reader's lines only makes sense when the newest can be read back later.
    const arrived = this.buffer.append(job.id, entries, this.paused && this.pageJob !== undefined)
    if (this.paused) this.newWhilePaused += arrived
  }

  /**
   * Tells subscribers about a change: at once for things people act on; else at most
   * every notifyInterval ms — on the leading edge, so a quiet job's line shows at once.
   */
  notify(now = false): void {
    const wait = this.lastEmit + this.notifyInterval - this.now()
    if (now || (wait <= 0 && !this.timer)) {
      if (this.timer) clearTimeout(this.timer)
      this.timer = undefined
      this.emit()
      return
    }
    this.timer ??= setTimeout(
      () => {
        this.timer = undefined
        this.emit()
      },
      Math.max(0, wait),
    )
  }

  private emit(): void {
    this.lastEmit = this.now()
    this.version++
    for (const listener of this.listeners) listener()
  }
}
