/**
 * Reads one job's entries: `log` holds the exact bytes as read, `idx` one record per
 * entry (index-record.ts). Writers (job-log-writer.ts) append bytes to `log` first, then
 * records to `idx`, so a record is never visible before its bytes, and a reader that
 * counts whole records sees a consistent prefix.
 */
import {isAscii} from 'node:buffer'
import {fstatSync, readSync} from 'node:fs'
import {open, type FileHandle} from 'node:fs/promises'
import {join} from 'node:path'
import {entryFromBytes, entryFromText, type LogEntry} from '../../entry.js'
import {DamagedLogError} from '../../errors/index.js'
import type {Pattern} from '../../pattern.js'
import type {ReadRange} from '../types.js'
import {requiredLiteral} from '../../required-literal.js'
import {RECORD_SIZE, readRecord, recordEnd, recordOffset, type IndexRecord} from './index-record.js'
import {searchLiteral, type SearchFiles} from './literal-search.js'

export const LOG_FILE = 'log'
export const INDEX_FILE = 'idx'
export const LOCK_FILE = 'lock'

/** Records read per step when streaming a range: bounds memory whatever the job's size. */
const READ_STEP = 4096
/**
 * A follower's reads of what was just appended are small and in the page cache: up to this
 * many bytes it reads synchronously (microseconds) instead of a thread-pool round trip per
 * read — three per batch, each a wake-up of two threads that a busy machine delays. Bigger
 * reads (a follower catching up) stay asynchronous, so no read holds the event loop long.
 */
export const FOLLOW_SYNC_BYTES = 64 * 1024

/** Whose log it is, for the error a damaged one is (DamagedLogError). */
export interface JobLogOwner {
  id: string
  store: string
}

export class JobLog {
  private constructor(
    private readonly log: FileHandle,
    private readonly idx: FileHandle,
    private readonly owner: JobLogOwner,
  ) {}

  static async open(dir: string, owner: JobLogOwner): Promise<JobLog> {
    const log = await open(join(dir, LOG_FILE), 'r')
    try {
      return new JobLog(log, await open(join(dir, INDEX_FILE), 'r'), owner)
    } catch (error) {
      await log.close()
      throw error
    }
  }

  async close(): Promise<void> {
    await Promise.all([this.log.close(), this.idx.close()])
  }

  /** Number of complete records = the last sequence number. */
  async count(): Promise<number> {
    return Math.floor((await this.idx.stat()).size / RECORD_SIZE)
  }

  /** count() without a thread-pool round trip (one fstat), for a follower's look at the end. */
  countNow(): number {
    return Math.floor(fstatSync(this.idx.fd).size / RECORD_SIZE)
  }

  async record(seq: number): Promise<IndexRecord> {
    const buffer = Buffer.alloc(RECORD_SIZE)
    await this.idx.read(buffer, 0, RECORD_SIZE, (seq - 1) * RECORD_SIZE)
    return readRecord(buffer, 0)
  }

  /** True when `log` holds bytes no record covers (a writer died between its two writes). */
  async needsRecovery(): Promise<boolean> {
    const [idxSize, logSize] = await Promise.all([this.idx.stat().then((s) => s.size), this.log.stat().then((s) => s.size)])
    if (idxSize % RECORD_SIZE !== 0) return true
    const indexedEnd = idxSize === 0 ? 0 : recordEnd(await this.record(idxSize / RECORD_SIZE))
    return logSize > indexedEnd
  }

  /** The seq interval a range reads (time bounds by bisection), or undefined when it is empty. */
  async seqRange(range: ReadRange): Promise<{first: number; last: number} | undefined> {
    const count = await this.count()
    let first = Math.max(1, (range.after ?? 0) + 1)
    let last = Math.min(count, (range.before ?? Number.POSITIVE_INFINITY) - 1)
    if (first > last) return undefined
    if (range.since !== undefined) first = await this.seqAtTime(range.since, first, last)
    if (range.until !== undefined) last = (await this.seqAtTime(range.until, first, last)) - 1
    if (range.tail !== undefined) first = Math.max(first, last - range.tail + 1)
    if (range.limit !== undefined) last = Math.min(last, first + range.limit - 1)
    return first <= last ? {first, last} : undefined
  }

  /** The first seq in [from, to] whose ts >= time (ts grow with seq for one writer; bisection). */
  async seqAtTime(time: number, from: number, to: number): Promise<number> {
    let lo = from
    let hi = to + 1
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2)
      if ((await this.record(mid)).ts < time) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /**
   * Records first..last (inclusive) and the bytes they cover, in bounded steps: one read
   * of `idx` and one of `log` per block. `data` is exactly the log's bytes from `start`
   * (the first record's offset) to the end of the block's last record, newlines included.
   * A `log` cut short yields the block's records whose bytes are all there, then throws.
   */
  async *blocks(first: number, last: number, {signal, step = READ_STEP, syncBytes = 0}: ReadOptions = {}): AsyncGenerator<LogBlock> {
    for (let from = first; from <= last; from += step) {
      signal?.throwIfAborted()
      const count = Math.min(last, from + step - 1) - from + 1
      const index = Buffer.allocUnsafe(count * RECORD_SIZE)
      await this.fill(this.idx, index, (from - 1) * RECORD_SIZE, syncBytes)
      const start = recordOffset(index, 0)
      const data = Buffer.allocUnsafe(recordEnd(readRecord(index, (count - 1) * RECORD_SIZE)) - start)
      const read = await readUpTo(this.log, data, start, syncBytes)
      if (read === data.length) {
        yield {from, count, index, data, start}
        continue
      }
      const whole = wholeRecords(index, count, start + read)
      if (whole > 0)
        yield {from, count: whole, index: index.subarray(0, whole * RECORD_SIZE), data: data.subarray(0, recordEnd(readRecord(index, (whole - 1) * RECORD_SIZE)) - start), start}
      throw this.damaged(shortDamage(start + read))
    }
  }

  /** The files for a byte search of `log` (literal-search.ts). */
  searchFiles(): SearchFiles {
    return {
      log: this.log,
      idx: this.idx,
      read: (file, buffer, position) => this.fill(file, buffer, position, FOLLOW_SYNC_BYTES),
      readUpTo: (file, buffer, position) => readUpTo(file, buffer, position, FOLLOW_SYNC_BYTES),
      damagedAt: (at) => this.damaged(shortDamage(at)),
    }
  }

  private async fill(file: FileHandle, buffer: Buffer, position: number, syncBytes: number): Promise<void> {
    try {
      await readFully(file, buffer, position, syncBytes)
    } catch (error) {
      throw error instanceof ShortReadError ? this.damaged(error.message) : error
    }
  }

  private damaged(damage: string): DamagedLogError {
    return DamagedLogError.inStore(this.owner.id, this.owner.store, damage)
  }

  /**
   * Entries first..last (inclusive), read in bounded steps: one read of `idx` and one of
   * `log` per step. With `match`, only the lines that may match: those holding its required
   * literal, found by a byte search of `log` (literal-search.ts); without one, every entry
   * (the caller filters).
   */
  async *entries(first: number, last: number, {signal, match, step, syncBytes}: ReadOptions & {match?: Pattern} = {}): AsyncGenerator<LogEntry[]> {
    const literal = match && requiredLiteral(match)
    if (literal) {
      let found: LogEntry[] = []
      const visit = (seq: number, record: IndexRecord, data: Buffer, dataAt: number) => {
        const at = record.offset - dataAt
        found.push(entryOf(seq, record, data.subarray(at, at + record.length)))
      }
      for await (const _ of searchLiteral(this.searchFiles(), first, last, literal, visit, signal)) {
        if (found.length === 0) continue
        yield found
        found = []
      }
      return
    }
    for await (const block of this.blocks(first, last, {signal, step, syncBytes})) yield entriesOf(block)
  }
}

/**
 * The entries of a block read by JobLog.blocks: all of them, or those at the given (0-based)
 * positions. Pure, so that it also runs on a worker thread (the archive's, for lines that
 * are not UTF-8 in the blocks of readStored).
 */
export function entriesOf({from, count, index, data, start}: LogBlock, positions?: number[]): LogEntry[] {
  // Most logs are ASCII: then each line's text is its bytes, decoded without a view or a UTF-8 check per line.
  const ascii = isAscii(data)
  const entry = (i: number): LogEntry => {
    const r = readRecord(index, i * RECORD_SIZE)
    const at = r.offset - start
    return ascii
      ? entryFromText(from + i, r.ts, data.toString('latin1', at, at + r.length), r.eol, r.level, r.stream, r.masked, r.record)
      : entryFromBytes(from + i, r.ts, data.subarray(at, at + r.length), r.eol, r.level, r.stream, r.masked, r.record)
  }
  return positions ? positions.map(entry) : Array.from({length: count}, (_, i) => entry(i))
}

/** One record's entry from its bytes, which may be a view of a buffer that is reused: kept bytes are copied. */
function entryOf(seq: number, r: IndexRecord, bytes: Buffer): LogEntry {
  return isAscii(bytes)
    ? entryFromText(seq, r.ts, bytes.toString('latin1'), r.eol, r.level, r.stream, r.masked, r.record)
    : entryFromBytes(seq, r.ts, Buffer.from(bytes), r.eol, r.level, r.stream, r.masked, r.record)
}

export interface ReadOptions {
  signal?: AbortSignal
  /** Records per block (one read of `idx` and one of `log` each). */
  step?: number
  /** Reads of at most this many bytes are made synchronously (see readFully). */
  syncBytes?: number
}

export interface LogBlock {
  /** Sequence number of the first record. */
  from: number
  count: number
  /** `count` index records (index-record.ts). */
  index: Buffer
  data: Buffer
  /** Offset of `data` in the log. */
  start: number
}

/**
 * Fills `buffer` from `position` (synchronously when it is at most `syncBytes`); a short
 * read means the files are not what the index says.
 */
export async function readFully(file: FileHandle, buffer: Buffer, position: number, syncBytes = 0): Promise<void> {
  if (buffer.length <= syncBytes) return readFullySync(file.fd, buffer, position)
  for (let done = 0; done < buffer.length;) {
    const {bytesRead} = await file.read(buffer, done, buffer.length - done, position + done)
    if (bytesRead === 0) throw new ShortReadError(position + done)
    done += bytesRead
  }
}

/** Reads into `buffer` from `position` what the file holds of it: the bytes read (fewer only at its end). */
export async function readUpTo(file: FileHandle, buffer: Buffer, position: number, syncBytes = 0): Promise<number> {
  try {
    await readFully(file, buffer, position, syncBytes)
    return buffer.length
  } catch (error) {
    if (error instanceof ShortReadError) return error.at - position
    throw error
  }
}

/** readFully without waiting: for small reads in the page cache, and for a thread that may block (a shipper's). */
export function readFullySync(fd: number, buffer: Buffer, position: number): void {
  for (let done = 0; done < buffer.length;) {
    const bytesRead = readSync(fd, buffer, done, buffer.length - done, position + done)
    if (bytesRead === 0) throw new ShortReadError(position + done)
    done += bytesRead
  }
}

/** How many of a block's `count` records end at or before `end` (records are in offset order). */
function wholeRecords(index: Buffer, count: number, end: number): number {
  let whole = 0
  while (whole < count && recordEnd(readRecord(index, whole * RECORD_SIZE)) <= end) whole++
  return whole
}

class ShortReadError extends Error {
  constructor(readonly at: number) {
    super(shortDamage(at))
  }
}

function shortDamage(at: number): string {
  return `its log or index is shorter than recorded (at byte ${at})`
}
