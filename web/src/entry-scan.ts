/**
 * The entries of a job that match a query (a level filter, a search), found by the relay
 * (`GET …/logs?level=…&grep=…`, page after page from the cursor) and then kept up to date
 * from the live stream with the same test done here. Live entries that arrive while the
 * scan is still reading history are held back and added once it has passed them, so the
 * result has no gap and no duplicate. Only the latest `cap` matches are kept. A live log
 * damaged where the scan reaches ends it there, and says so (onFailure).
 */
import {getHistory, isDamagedLog, type EntryRecord, type HistoryQuery, type RelayFailure} from './api.js'

export interface EntryScanOptions {
  jobId: string
  query: Omit<HistoryQuery, 'after' | 'limit' | 'tail'>
  /** The same test the relay applies, for live entries. */
  matches: (entry: EntryRecord) => boolean
  onChange: () => void
  /** Told why the scan stopped short of the log's end: a live log damaged where it reached (no page after it can come). */
  onFailure: (failure: RelayFailure) => void
  /** At most this many matches are kept (the latest), to bound memory. */
  cap?: number
  batch?: number
}

export class EntryScan {
  readonly entries: EntryRecord[] = []
  /** True while history is still being read. */
  scanning = true
  /** Matches dropped from the front to stay under the cap (the oldest go first: a log's end matters most). */
  dropped = 0
  private cursor = 0
  private pending: EntryRecord[] = []
  private readonly abort = new AbortController()
  private readonly cap: number

  constructor(private readonly options: EntryScanOptions) {
    this.cap = options.cap ?? 100_000
    void this.run()
  }

  close(): void {
    this.abort.abort()
  }

  /** Live entries, in order, from the stream. */
  add(entries: EntryRecord[]): void {
    const matched = entries.filter((entry) => this.options.matches(entry))
    if (matched.length === 0) return
    if (this.scanning) this.pending.push(...matched)
    else this.append(matched)
  }

  /** Index of the first entry with seq ≥ the given one (entries.length when none). */
  indexAtOrAfter(seq: number): number {
    let low = 0
    let high = this.entries.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.entries[mid].seq < seq) low = mid + 1
      else high = mid
    }
    return low
  }

  private async run(): Promise<void> {
    const {jobId, query, onChange} = this.options
    const batch = this.options.batch ?? 5000
    try {
      for (;;) {
        const page = await getHistory(jobId, {...query, after: this.cursor, limit: batch}, this.abort.signal)
        this.append(page.entries)
        this.cursor = Math.max(this.cursor, page.cursor)
        onChange()
        if (page.failure) {
          this.options.onFailure(page.failure)
          break
        }
        if (page.done) break
      }
    } catch (error) {
      if (this.abort.signal.aborted) return
      if (isDamagedLog(error)) this.options.onFailure(error.failure)
      else console.warn(`scan ${JSON.stringify(query)}: ${String(error)}`)
    }
    this.scanning = false
    this.append(this.pending.filter((entry) => entry.seq > this.cursor))
    this.pending = []
    onChange()
  }

  private append(entries: EntryRecord[]): void {
    const last = this.entries.length > 0 ? this.entries[this.entries.length - 1].seq : 0
    for (const entry of entries) if (entry.seq > last) this.entries.push(entry)
    // Trim in steps of a tenth, so that dropping from the front stays cheap.
    if (this.entries.length > this.cap + this.cap / 10) {
      const excess = this.entries.length - this.cap
      this.entries.splice(0, excess)
      this.dropped += excess
    }
    if (entries.length > 0) this.options.onChange()
  }
}
