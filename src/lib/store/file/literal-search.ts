/**
 * `get --grep` on the file store: the records of a range whose bytes hold a pattern's
 * required literal (../../required-literal.ts), found by a byte search of `log` itself.
 *
 *   log, in big positioned reads (two buffers: the next read runs while this one is searched)
 *     ─► LiteralFinder (../../literal-find.ts) ─► a hit's offset ─► its record, through a window of `idx`
 *        (interpolation on offsets, then bisection) ─► the caller's visit, for that record only
 *
 * Lines that do not hold the literal cost the search and nothing else: no record, string
 * or object is made for them, and `idx` is read only around hits. After a hit the search
 * goes on from the end of its record (one candidate per line). Callers test each
 * candidate with the full pattern.
 */
import type {FileHandle} from 'node:fs/promises'
import {CaselessFinder} from '../../caseless-find.js'
import {LiteralFinder} from '../../literal-find.js'
import {RECORD_SIZE, readRecord, recordEnd, recordOffset, type IndexRecord} from './index-record.js'

/** Bytes per read of `log`: big enough that a read costs its copy, small enough to stay in the CPU's cache for the search. */
export const SEARCH_CHUNK = 1 << 20
/** Records per read of `idx` around a hit (24 KiB). */
const WINDOW = 1024

export interface SearchFiles {
  log: FileHandle
  idx: FileHandle
  /** Fills `buffer` from `position` of `file`, or fails when the file is shorter. */
  read: (file: FileHandle, buffer: Buffer, position: number) => Promise<void>
  /** Reads what `file` holds of `buffer`'s bytes from `position`: the bytes read. */
  readUpTo: (file: FileHandle, buffer: Buffer, position: number) => Promise<number>
  /** The error for a `log` that ends at `at`, before the bytes its records cover. */
  damagedAt: (at: number) => Error
}

/**
 * One candidate: record `seq`, whose bytes are in `data` from `record.offset - dataAt` on
 * (`data` may be a reused buffer: copy what is kept); `hit` is where the literal starts in the log.
 */
export type VisitCandidate = (seq: number, record: IndexRecord, data: Buffer, dataAt: number, hit: number) => void

/**
 * Visits the records first..last whose bytes hold `literal` (in any ASCII case when
 * `caseless`: caseless-find.ts), in seq order; yields once each
 * read of `log` has been searched (the caller hands on what its visits kept). A `log` cut
 * short is searched up to the first record it cuts, then yields and throws (files.damagedAt).
 */
export async function* searchLiteral(
  files: SearchFiles,
  first: number,
  last: number,
  literal: Buffer,
  visit: VisitCandidate,
  signal?: AbortSignal,
  chunk = SEARCH_CHUNK,
  caseless = false,
): AsyncGenerator<void> {
  const records = new RecordWindow(files, first, last)
  const end = recordEnd(await records.record(last))
  const start = (await records.record(first)).offset
  // Consecutive chunks overlap by all but one byte of the literal, so a hit across a boundary is found once.
  const overlap = literal.length - 1
  const size = Math.min(chunk, end - start)
  const finder = caseless ? new CaselessFinder(literal, size) : new LiteralFinder(literal, size)
  const buffers = finder.buffers
  // `cutAt`: where `log` ends before the bytes its records cover, when this read found it cut short.
  const readChunk = async (at: number, into: Buffer): Promise<{data: Buffer; cutAt?: number}> => {
    const view = into.subarray(0, Math.min(into.length, end - at))
    const read = await files.readUpTo(files.log, view, at)
    return read === view.length ? {data: view} : {data: view.subarray(0, read), cutAt: at + read}
  }
  let from = start
  let at = start
  let reading: Promise<{data: Buffer; cutAt?: number}> | undefined = readChunk(at, buffers[0])
  try {
    for (let turn = 1; reading; turn ^= 1) {
      signal?.throwIfAborted()
      const {data, cutAt}: {data: Buffer; cutAt?: number} = await reading
      const next: number = at + data.length >= end ? end : at + data.length - overlap
      reading = next < end && cutAt === undefined ? readChunk(next, buffers[turn]) : undefined
      const hits = finder.hitsIn(data)
      for (let hit = hits.next(Math.max(0, from - at)); hit !== -1; hit = hits.next(Math.max(0, from - at))) {
        const offset = at + hit
        // Hits come close together: most are answered from the window of `idx` already read, without an await.
        const seq = records.seqInWindow(offset) ?? (await records.seqAt(offset))
        const record = records.recordInWindow(seq) ?? (await records.record(seq))
        if (cutAt !== undefined && recordEnd(record) > cutAt) break
        from = Math.max(offset + 1, recordEnd(record))
        // A hit in bytes no record covers (between records) is no line's.
        if (offset >= record.offset + record.length) continue
        if (record.offset >= at && record.offset + record.length <= at + data.length) visit(seq, record, data, at, offset)
        else visit(seq, record, await bytesOf(files, record), record.offset, offset)
      }
      yield
      if (cutAt !== undefined) throw files.damagedAt(cutAt)
      at = next
    }
  } finally {
    // Stopped early (a closed pipe, --head): the read ahead must end before the file is closed.
    await reading?.catch(() => undefined)
  }
}

/** A record's bytes that do not lie in one read of the search, read on their own. */
async function bytesOf(files: SearchFiles, record: IndexRecord): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(record.length)
  await files.read(files.log, bytes, record.offset)
  return bytes
}

/**
 * Records of `idx` read a window at a time, where hits fall. Hits come in increasing
 * offsets, so a search starts from the last record found.
 */
class RecordWindow {
  private window = Buffer.alloc(0)
  /** Seq of the window's first record. */
  private from = 0
  private lastFound: number
  /** Offset of the range's last record, once read. */
  private lastOffset?: number

  constructor(
    private readonly files: SearchFiles,
    private readonly first: number,
    private readonly last: number,
  ) {
    this.lastFound = first
  }

  /** Record `seq` when the window holds it. */
  recordInWindow(seq: number): IndexRecord | undefined {
    return this.holds(seq) ? readRecord(this.window, (seq - this.from) * RECORD_SIZE) : undefined
  }

  /** seqAt(offset) when the window of the last record found answers it. */
  seqInWindow(offset: number): number | undefined {
    const windowLast = this.from + this.count() - 1
    if (!this.holds(this.lastFound) || recordOffset(this.window, windowLast - this.from) <= offset) return undefined
    // Many hits fall a few records after the last: look there first, in growing steps, then bisect what is left.
    let lo = this.lastFound
    for (let step = 1; ; step *= 2) {
      const probe = Math.min(lo + step, windowLast)
      if (recordOffset(this.window, probe - this.from) > offset) return (this.lastFound = this.bisect(lo, probe - 1, offset))
      lo = probe
    }
  }

  async record(seq: number): Promise<IndexRecord> {
    if (!this.holds(seq)) await this.load(seq)
    return readRecord(this.window, (seq - this.from) * RECORD_SIZE)
  }

  /** The last record of the range that starts at or before `offset` (offset at or after the range's first byte). */
  async seqAt(offset: number): Promise<number> {
    const inWindow = this.seqInWindow(offset)
    if (inWindow !== undefined) return inWindow
    this.lastOffset ??= (await this.record(this.last)).offset
    let lo = this.lastFound
    let hi = this.last
    let loOffset = (await this.record(lo)).offset
    let hiOffset = this.lastOffset
    for (let step = 0; ; step++) {
      if (hiOffset <= offset) return (this.lastFound = hi)
      // Now offset(lo) <= offset < offset(hi): is the answer in the window?
      const inWindowLast = this.from + this.count() - 1
      if (this.holds(lo) && this.holds(hi)) return (this.lastFound = this.bisect(lo, hi, offset))
      if (this.holds(lo) && recordOffset(this.window, inWindowLast - this.from) > offset) return (this.lastFound = this.bisect(lo, inWindowLast, offset))
      // Interpolate on offsets (lines have similar lengths), falling back to halving.
      const guess = step < 2 ? lo + Math.floor(((offset - loOffset) / (hiOffset - loOffset)) * (hi - lo)) : Math.floor((lo + hi) / 2)
      await this.load(Math.max(lo, Math.min(hi, guess) - WINDOW / 2))
      const windowFirst = Math.max(lo, this.from)
      const windowLast = Math.min(hi, this.from + this.count() - 1)
      const firstOffset = recordOffset(this.window, windowFirst - this.from)
      const lastOffset = recordOffset(this.window, windowLast - this.from)
      if (firstOffset > offset) {
        hi = windowFirst
        hiOffset = firstOffset
      } else if (lastOffset <= offset) {
        lo = windowLast
        loOffset = lastOffset
      } else {
        return (this.lastFound = this.bisect(windowFirst, windowLast, offset))
      }
    }
  }

  private count(): number {
    return this.window.length / RECORD_SIZE
  }

  private holds(seq: number): boolean {
    return seq >= this.from && seq < this.from + this.count()
  }

  /** Within the window, lo..hi with offset(lo) <= offset < offset(hi) or hi the answer: the last record starting at or before offset. */
  private bisect(lo: number, hi: number, offset: number): number {
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2)
      if (recordOffset(this.window, mid - this.from) <= offset) lo = mid
      else hi = mid - 1
    }
    return lo
  }

  private async load(seq: number): Promise<void> {
    const from = Math.max(this.first, Math.min(seq, this.last - WINDOW + 1))
    const count = Math.min(WINDOW, this.last - from + 1)
    const window = this.window.length === count * RECORD_SIZE ? this.window : Buffer.allocUnsafe(count * RECORD_SIZE)
    await this.files.read(this.files.idx, window, (from - 1) * RECORD_SIZE)
    this.window = window
    this.from = from
  }
}
