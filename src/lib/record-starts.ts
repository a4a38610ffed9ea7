/**
 * A multi-line record's first line, found where entries are read. Capture
 * (structure/records.ts) marks a record's first line `start` only when it is in the same
 * read as its first continuation; on a live stream the first line is often stored before
 * its continuation arrives, and a stored entry is not rewritten. Readers complete the mark:
 * a line of no record immediately followed (next seq, same stream) by a continuation is
 * the start of that continuation's record — capture's tracker, one per stream, starts a
 * record at every line that does not continue one.
 */
import type {LogEntry} from './entry.js'

export function startsRecord(entry: LogEntry, next: LogEntry): boolean {
  return entry.record === undefined && next.record === 'continuation' && next.seq === entry.seq + 1 && next.stream === entry.stream
}

/** Marks the starts among consecutive entries in place (a follow event's batch). */
export function markStarts(entries: LogEntry[]): void {
  for (let i = 0; i + 1 < entries.length; i++) if (startsRecord(entries[i], entries[i + 1])) entries[i].record = 'start'
}

/**
 * Marks the starts of a read, in order: each entry is handed on once the one after it is
 * seen. A class, not a wrapping generator, so a reader's own loop does it (a generator
 * per entry costs as much again as the read's).
 */
export class RecordStarts {
  private held: LogEntry | undefined
  /** The batch takeBatch has marked and not yet handed on. */
  private batch: LogEntry[] = []

  /** Takes the next entry read; returns the one before it, marked, to hand on. */
  take(entry: LogEntry): LogEntry | undefined {
    const held = this.held
    if (held && startsRecord(held, entry)) held.record = 'start'
    this.held = entry
    return held
  }

  /**
   * Takes the next batch read; returns the batch before it, marked: each entry is handed on
   * in the batch read after it, so a read in batches ends with its last batch whole
   * (rest), not with a batch of one entry.
   */
  takeBatch(batch: LogEntry[]): LogEntry[] {
    const ready = this.batch
    this.batch = []
    for (const entry of batch) {
      const marked = this.take(entry)
      if (marked) this.batch.push(marked)
    }
    return ready
  }

  /** What takeBatch still holds once the read is over (or failed), its last entry checked as last() does. */
  async rest(next?: (seq: number) => Promise<LogEntry | undefined>): Promise<LogEntry[]> {
    const rest = this.batch
    this.batch = []
    const last = await this.last(next)
    if (last) rest.push(last)
    return rest
  }

  /**
   * The last entry, once the read is over (or failed: what was read is still handed on).
   * When it may be a start it is checked against the entry after it, fetched by `next`
   * when the read's range may end right before a continuation.
   */
  async last(next?: (seq: number) => Promise<LogEntry | undefined>): Promise<LogEntry | undefined> {
    const held = this.held
    this.held = undefined
    if (held && held.record === undefined && next) {
      const after = await next(held.seq)
      if (after && startsRecord(held, after)) held.record = 'start'
    }
    return held
  }
}
