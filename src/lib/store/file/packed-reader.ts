/**
 * A job's lines after a sequence number, packed for shipping (../packed-entries.ts)
 * straight from its index records and log bytes: push's shipper reads its spool so.
 * No entry object per line: each record's codes go into the chunk's index as they are,
 * and a run of lines that each end with a newline is its chunk's data as read (the log's
 * `\n` is the chunk's separator), so most chunks are views of one read.
 *
 * Synchronous, on descriptors kept open: a shipper reads a few lines at a time from the
 * page cache, where a thread-pool round trip per read would be most of a line's way out.
 * Appends write `log` before `idx`, so the records counted are always covered by bytes.
 *
 * A read's memory (its bytes, its chunks' indexes) comes from pools (../buffer-pool.ts):
 * recycle() gives it back once the remote store has the batch.
 */
import {closeSync, fstatSync, openSync} from 'node:fs'
import {join} from 'node:path'
import {BufferPool} from '../buffer-pool.js'
import {ChunkIndexWriter} from '../redis/codec.js'
import {CHUNK_BYTES, CHUNK_LINES, PackTotals, type PackedChunk, type PackedEntries} from '../packed-entries.js'
import {FIELD_AT, RECORD_SIZE, eolBit, markCode, recordEndAt} from './index-record.js'
import {INDEX_FILE, LOG_FILE, readFullySync} from './job-log.js'

/** Records looked at per read of `idx` while finding where `maxBytes` ends. */
const RECORDS_STEP = 4096
const NEWLINE = Buffer.from('\n')
/** Reads held for reuse: as many as a shipper has batches in flight, and one more. */
const KEEP = 5

export class PackedReader {
  private readonly bytes = new BufferPool(KEEP, 1024 * 1024 + 64 * 1024)
  private readonly indexes = new BufferPool(KEEP, 256 * 1024)
  private readonly records = new BufferPool(1, RECORDS_STEP * RECORD_SIZE)
  /** What each read took from the pools, until recycled. */
  private readonly taken = new WeakMap<PackedEntries, Buffer[]>()
  /** Lines the job holds at least: as the last look at `idx` found, or as its writer said (holds()). */
  private known = 0

  private constructor(
    private readonly log: number,
    private readonly idx: number,
  ) {}

  static open(dir: string): PackedReader {
    const log = openSync(join(dir, LOG_FILE), 'r')
    try {
      return new PackedReader(log, openSync(join(dir, INDEX_FILE), 'r'))
    } catch (error) {
      closeSync(log)
      throw error
    }
  }

  /** Lines the job holds now. */
  count(): number {
    this.known = Math.max(this.known, Math.floor(fstatSync(this.idx).size / RECORD_SIZE))
    return this.known
  }

  /**
   * The job's writer has appended `lines` lines (their records are written): reads up to
   * there need no look at `idx` (an fstat per batch, when a slow job ships line by line).
   */
  holds(lines: number): void {
    this.known = Math.max(this.known, lines)
  }

  /** The lines after seq `after`: at most `limit`, and once `maxBytes` is reached (with their newlines) no more. */
  read(after: number, maxBytes: number, limit = Number.POSITIVE_INFINITY): PackedEntries {
    const available = Math.min((after + limit <= this.known ? this.known : this.count()) - after, limit)
    const totals = new PackTotals()
    if (available <= 0) return totals.packed([])
    // The records first, as many as the byte bound takes; then the bytes they cover, in one read.
    const steps: Buffer[] = []
    let taken = 0
    let bytes = 0
    while (taken < available && bytes < maxBytes) {
      const step = readFully(this.idx, this.records.take(Math.min(RECORDS_STEP, available - taken) * RECORD_SIZE), (after + taken) * RECORD_SIZE)
      const {u32} = recordViews(step)
      const records = step.length / RECORD_SIZE
      let n = 0
      while (n < records && bytes < maxBytes) {
        bytes += u32[n * U32_PER_RECORD + LENGTH_U32] + (step[n * RECORD_SIZE + FIELD_AT.flags] & 1)
        n++
      }
      steps.push(step.subarray(0, n * RECORD_SIZE))
      taken += n
    }
    const records = steps.length === 1 ? steps[0] : Buffer.concat(steps)
    const start = records.readDoubleLE(FIELD_AT.offset)
    const end = recordEndAt(records, (taken - 1) * RECORD_SIZE)
    const data = readFully(this.log, this.bytes.take(end - start), start)
    const indexes = this.indexes.take(taken * ChunkIndexWriter.maxBytes(1))
    const packed = totals.packed(chunksOf(records, taken, data, start, indexes, totals))
    for (const step of steps) this.records.give(step)
    this.taken.set(packed, [data, indexes])
    return packed
  }

  /** The remote store has `packed` (from read()): its memory may be read into again. Anything else: nothing. */
  recycle(packed: PackedEntries): void {
    const taken = this.taken.get(packed)
    if (!taken) return
    this.taken.delete(packed)
    this.bytes.give(taken[0])
    this.indexes.give(taken[1])
  }

  close(): void {
    closeSync(this.log)
    closeSync(this.idx)
  }
}

/** `count` records cut into chunks as packEntries cuts entries, their totals added to `totals`. */
function chunksOf(records: Buffer, count: number, data: Buffer, start: number, indexes: Buffer, totals: PackTotals): PackedChunk[] {
  const {f64, u32} = recordViews(records)
  const chunks: PackedChunk[] = []
  let indexAt = 0
  for (let first = 0; first < count;) {
    let end = first
    let chunkBytes = 0
    while (end < count && end - first < CHUNK_LINES) {
      const length = u32[end * U32_PER_RECORD + LENGTH_U32]
      if (end > first && chunkBytes + length > CHUNK_BYTES) break
      chunkBytes += length + 1
      end++
    }
    const index = new ChunkIndexWriter(end - first, f64[first * F64_PER_RECORD + TS_F64], indexes.subarray(indexAt))
    // Lines are joined by one newline in a chunk's data: the log's own, or one put in after a line that had none.
    const parts: Buffer[] = []
    let runStart = f64[first * F64_PER_RECORD + OFFSET_F64] - start
    for (let i = first; i < end; i++) {
      const r = i * RECORD_SIZE
      const ts = f64[i * F64_PER_RECORD + TS_F64]
      const length = u32[i * U32_PER_RECORD + LENGTH_U32]
      const level = records[r + FIELD_AT.level]
      const flags = records[r + FIELD_AT.flags]
      const masked = records[r + FIELD_AT.masked]
      const eol = eolBit(flags) === 1
      index.add(ts, length, eol, level, records[r + FIELD_AT.stream], masked, markCode(flags))
      totals.add(ts, length + (eol ? 1 : 0), level, masked)
      const lineEnd = f64[i * F64_PER_RECORD + OFFSET_F64] - start + length
      if (i === end - 1) parts.push(data.subarray(runStart, lineEnd))
      else if (!eol) {
        parts.push(data.subarray(runStart, lineEnd), NEWLINE)
        runStart = lineEnd
      }
    }
    const written = index.finish()
    indexAt += written.length
    chunks.push({count: end - first, index: written, data: parts.length === 1 ? parts[0] : Buffer.concat(parts)})
    first = end
  }
  return chunks
}

const F64_PER_RECORD = RECORD_SIZE / 8
const U32_PER_RECORD = RECORD_SIZE / 4
const OFFSET_F64 = FIELD_AT.offset / 8
const TS_F64 = FIELD_AT.ts / 8
const LENGTH_U32 = FIELD_AT.length / 4
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1

/**
 * Records' numbers read through typed arrays rather than readDoubleLE/readUInt32LE per field
 * (a third of the reader's time): the index is little-endian, as the typed arrays are on
 * every machine Node runs on; a buffer not on an 8-byte boundary is copied to one that is.
 */
function recordViews(records: Buffer): {f64: Float64Array; u32: Uint32Array} {
  if (!LITTLE_ENDIAN) throw new Error('the spool reader needs a little-endian machine')
  let aligned = records
  if (records.byteOffset % 8 !== 0) {
    aligned = Buffer.allocUnsafeSlow(records.length)
    records.copy(aligned)
  }
  const length = Math.floor(aligned.length / RECORD_SIZE)
  return {
    f64: new Float64Array(aligned.buffer, aligned.byteOffset, length * F64_PER_RECORD),
    u32: new Uint32Array(aligned.buffer, aligned.byteOffset, length * U32_PER_RECORD),
  }
}

/** Fills `buffer` from `position`. */
function readFully(fd: number, buffer: Buffer, position: number): Buffer {
  readFullySync(fd, buffer, position)
  return buffer
}
