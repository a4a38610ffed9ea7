/**
 * A sparse cache of a job's entries, by sequence number, in fixed-size pages. Sequence
 * numbers are gapless (DESIGN.md invariant 1), so page k holds seq k·size+1 … (k+1)·size
 * and is fetched with `after=k·size&limit=size`. Only the pages the user looks at (and the
 * live tail) are held; the least recently used are dropped, so memory does not grow with
 * the log: a 1 000 000-line job costs what the visible pages cost.
 *
 * The rows of a damaged archived block (the page's `unreadableBlocks`) are held as
 * unreadable: no later request can fill them, so they are not asked for again. So are the
 * rows after the damage in a live log cut short (a page's `failure` after its cursor, or a
 * page past the damage that the relay answers with the damaged-log error alone).
 */
import {isDamagedLog, type EntryRecord, type HistoryPage, type RelayFailure, type UnreadableBlock} from './api.js'

export type PageLoader = (after: number, limit: number) => Promise<Pick<HistoryPage, 'entries' | 'cursor' | 'unreadable' | 'unreadableBlocks' | 'failure'>>

/** A row no request can fill: a damaged archived block held it, or it is after the damage in a live log cut short. */
export interface UnreadableRow {
  unreadable: UnreadableBlock
}

export type CachedRow = EntryRecord | UnreadableRow

export function isUnreadable(row: CachedRow | undefined): row is UnreadableRow {
  return row !== undefined && 'unreadable' in row
}

interface Page {
  entries: (CachedRow | undefined)[]
  loading: boolean
  lastAttempt: number
}

export interface EntryCacheOptions {
  load: PageLoader
  /** Called when a page arrives, so the view can render what was missing. */
  onLoaded: () => void
  /** Told the phrases naming the damaged blocks a page (or the stream) met. */
  onUnreadable: (what: string[]) => void
  /** Told a live log's damage a page met (the relay's error, hints and all). */
  onFailure: (failure: RelayFailure) => void
  pageSize?: number
  maxPages?: number
  /** How long to wait before asking again for entries a page still lacks (ms). */
  retryAfter?: number
}

export class EntryCache {
  private readonly pages = new Map<number, Page>()
  private readonly pageSize: number
  private readonly maxPages: number
  private readonly retryAfter: number

  constructor(private readonly options: EntryCacheOptions) {
    this.pageSize = options.pageSize ?? 1000
    this.maxPages = options.maxPages ?? 100
    this.retryAfter = options.retryAfter ?? 1000
  }

  /** The entry with this seq (or that it is unreadable), or undefined while its page loads (the load is started here). */
  get(seq: number): CachedRow | undefined {
    const index = this.pageOf(seq)
    const page = this.touch(index)
    const entry = page.entries[seq - 1 - index * this.pageSize]
    if (!entry) this.fetch(index, page)
    return entry
  }

  /** Entries from the live stream: stored only when their page is held (the tail page always is). */
  put(entries: EntryRecord[]): void {
    for (const entry of entries) {
      const index = this.pageOf(entry.seq)
      let page = this.pages.get(index)
      if (page) this.pages.delete(index)
      else page = this.newPage()
      this.pages.set(index, page)
      page.entries[entry.seq - 1 - index * this.pageSize] = entry
    }
    this.evict()
  }

  /** A damaged block the live stream went past: its rows held as unreadable where their pages are held. */
  putUnreadable(block: UnreadableBlock): void {
    for (let index = this.pageOf(block.firstSeq); index <= this.pageOf(block.lastSeq); index++) {
      const page = this.pages.get(index)
      if (page) this.markUnreadable(page, index * this.pageSize, block)
    }
    this.options.onUnreadable([block.what])
    this.options.onLoaded()
  }

  /** Number of entries held (for the benchmark's memory figures). */
  held(): number {
    let count = 0
    for (const page of this.pages.values()) for (const entry of page.entries) if (entry && !isUnreadable(entry)) count++
    return count
  }

  private pageOf(seq: number): number {
    return Math.floor((seq - 1) / this.pageSize)
  }

  private touch(index: number): Page {
    let page = this.pages.get(index)
    if (page) this.pages.delete(index)
    else page = this.newPage()
    this.pages.set(index, page) // Map order = recency: re-inserting marks it most recently used
    this.evict()
    return page
  }

  private newPage(): Page {
    return {entries: new Array<CachedRow | undefined>(this.pageSize), loading: false, lastAttempt: 0}
  }

  private fetch(index: number, page: Page): void {
    const now = Date.now()
    if (page.loading || now - page.lastAttempt < this.retryAfter) return
    page.loading = true
    page.lastAttempt = now
    const first = index * this.pageSize
    this.options
      .load(first, this.pageSize)
      .then(({entries, cursor, unreadable, unreadableBlocks = [], failure}) => {
        for (const entry of entries) {
          const offset = entry.seq - 1 - first
          if (offset >= 0 && offset < this.pageSize) page.entries[offset] = entry
        }
        for (const block of unreadableBlocks) this.markUnreadable(page, first, block)
        if (unreadable) this.options.onUnreadable(unreadable)
        if (failure) this.markDamaged(page, first, cursor, failure)
      })
      .catch((error: unknown) => {
        if (isDamagedLog(error)) this.markDamaged(page, first, first, error.failure)
        else console.warn(`loading lines ${first + 1}…: ${String(error)}`)
      })
      .finally(() => {
        page.loading = false
        this.options.onLoaded()
      })
  }

  /** The rows after `after` of the page that starts after `first`, where a live log is damaged. */
  private markDamaged(page: Page, first: number, after: number, failure: RelayFailure): void {
    this.markUnreadable(page, first, {what: failure.error, firstSeq: after + 1, lastSeq: first + this.pageSize})
    this.options.onFailure(failure)
  }

  /** The rows of `block` within the page that starts after `first`. */
  private markUnreadable(page: Page, first: number, block: UnreadableBlock): void {
    const last = Math.min(block.lastSeq, first + this.pageSize)
    for (let seq = Math.max(block.firstSeq, first + 1); seq <= last; seq++) page.entries[seq - 1 - first] ??= {unreadable: block}
  }

  private evict(): void {
    while (this.pages.size > this.maxPages) {
      const oldest = this.pages.keys().next().value as number
      this.pages.delete(oldest)
    }
  }
}
