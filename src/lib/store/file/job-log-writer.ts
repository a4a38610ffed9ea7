/**
 * Appends to one job's files (`log`, then `idx`, then `stats`). Every method runs inside the job's
 * lock and is synchronous: a handful of syscalls per batch on descriptors kept open
 * for the writer's lifetime.
 *
 * A writer killed between its two writes leaves bytes in `log` that no record covers;
 * recover() indexes them as lines, so nothing a push had written is lost. The writer
 * remembers the sizes it left behind, so when no one else wrote in between, the check
 * costs two fstat calls and the counters in `stats` need not be read back.
 */
import {closeSync, fstatSync, ftruncateSync, openSync, readSync, writeSync, writevSync} from 'node:fs'
import {join} from 'node:path'
import {detectLevelInBytes, type NewEntry} from '../../entry.js'
import {levelCode} from '../../level.js'
import {EOL_FLAG, LineBatch, RECORD_CONTINUATION_FLAG, RECORD_START_FLAG} from '../../line-batch.js'
import type {PackedEntries} from '../packed-entries.js'
import {ChunkLines} from '../redis/codec.js'
import {JoinedRuns} from '../joined-bytes.js'
import {JobStatsFile, LevelCounts} from './job-stats.js'
import {RECORD_SIZE, readRecord, recordEnd, streamCode, writeRecord, writeRecordCodes, writeRecordFields, type IndexRecord} from './index-record.js'
export type {IndexRecord}
import {INDEX_FILE, LOCK_FILE, LOG_FILE} from './job-log.js'

export interface Appended {
  first: number
  last: number
  bytes: number
}

export class JobLogWriter {
  private readonly log: number
  private readonly idx: number
  private readonly stats: JobStatsFile
  /** Sizes after our last write; equal sizes now mean no one else wrote meanwhile. */
  private known: {log: number; idx: number} | undefined

  /** The records of the last append, reused by the next: a fresh buffer per read was memory to map and fault in each time. */
  private records = Buffer.alloc(0)

  /** The job's lock file (lock.ts), which every method's caller holds. */
  readonly lock: string

  constructor(readonly dir: string) {
    this.lock = join(dir, LOCK_FILE)
    const opened: number[] = []
    try {
      this.log = openSync(join(dir, LOG_FILE), 'a+')
      opened.push(this.log)
      this.idx = openSync(join(dir, INDEX_FILE), 'a+')
      opened.push(this.idx)
      this.stats = new JobStatsFile(dir)
    } catch (error) {
      for (const fd of opened) closeSync(fd)
      throw error
    }
  }

  close(): void {
    closeSync(this.log)
    closeSync(this.idx)
    this.stats.close()
  }

  /** Drops a torn record, then indexes (and counts) bytes no record covers. */
  recover(now = Date.now()): void {
    const logSize = fstatSync(this.log).size
    const idxSize = fstatSync(this.idx).size
    if (this.known && this.known.log === logSize && this.known.idx === idxSize) return
    // Someone else appended (or this is the first look): the counters on disk are theirs too.
    this.stats.forget()
    const whole = Math.floor(idxSize / RECORD_SIZE)
    if (idxSize !== whole * RECORD_SIZE) ftruncateSync(this.idx, whole * RECORD_SIZE)
    const start = whole === 0 ? 0 : recordEnd(this.record(whole))
    const records: IndexRecord[] = []
    if (logSize > start) {
      const orphan = Buffer.alloc(logSize - start)
      readSync(this.log, orphan, 0, orphan.length, start)
      for (let at = 0; at < orphan.length;) {
        const newline = orphan.indexOf(10, at)
        const stop = newline === -1 ? orphan.length : newline
        const bytes = orphan.subarray(at, stop)
        records.push({offset: start + at, ts: now, length: bytes.length, level: detectLevelInBytes(bytes), eol: newline !== -1})
        at = stop + 1
      }
      this.writeRecords(records)
      this.stats.add(records, now)
    }
    this.known = {log: logSize, idx: (whole + records.length) * RECORD_SIZE}
  }

  /** Call recover() first, in the same lock. No entries only marks the job as updated. */
  append(entries: NewEntry[]): Appended {
    return this.appendBatches([LineBatch.of(entries)])
  }

  /** append() of batches' lines in order, read from their columns (line-batch.ts). */
  appendBatches(batches: readonly LineBatch[]): Appended {
    const {log: offsetAtStart, idx: idxSize} = this.known!
    const first = idxSize / RECORD_SIZE + 1
    let lines = 0
    for (const batch of batches) lines += batch.length
    let offset = offsetAtStart
    const index = this.indexBuffer(lines * RECORD_SIZE)
    const records = new DataView(index.buffer, index.byteOffset, index.length)
    // One pass over the lines for the log's bytes, the index records and the counters.
    const log = new JoinedRuns()
    const counts = new LevelCounts()
    let firstTs: number | undefined
    let lastTs: number | undefined
    let at = 0
    const byCode = counts.byCode
    for (const batch of batches) {
      const {read, starts, ends, levels, flags} = batch
      const {memory, ts} = read
      const stream = streamCode(read.stream)
      // The read's own lines lie back to back with their newlines: a run of them is one span of its memory.
      let runStart = -1
      let runEnd = -1
      for (let i = 0; i < batch.length; i++, at += RECORD_SIZE) {
        const entry = batch.entry(i)
        if (entry) {
          if (runStart !== -1) log.addSpan(memory, runStart, runEnd)
          runStart = -1
          const length = log.addEntry(entry)
          if (entry.eol) log.newline()
          const level = levelCode(entry.level)
          writeRecordFields(records, at, offset, entry.ts, length, level, entry.stream, entry.eol, entry.masked, entry.record)
          counts.count(level, entry.masked)
          offset += length + (entry.eol ? 1 : 0)
          firstTs ??= entry.ts
          lastTs = entry.ts
          continue
        }
        const start = starts[i]
        const end = ends[i]
        if (start !== runEnd || runStart === -1) {
          if (runStart !== -1) log.addSpan(memory, runStart, runEnd)
          runStart = start
        }
        runEnd = end
        const eol = flags[i] & EOL_FLAG
        if (eol) {
          if (memory[end] === 10) {
            runEnd = end + 1
          } else {
            log.addSpan(memory, runStart, end)
            log.newline()
            runStart = -1
          }
        }
        writeRecordCodes(records, at, offset, ts, end - start, levels[i], stream, flags[i], undefined)
        byCode[levels[i]]++
        offset += end - start + eol
        firstTs ??= ts
        lastTs = ts
      }
      if (runStart !== -1) log.addSpan(memory, runStart, runEnd)
    }
    const bytes = offset - offsetAtStart
    writeParts(this.log, log.finish())
    writeAll(this.idx, index)
    this.stats.addCounts(counts, firstTs, lastTs)
    this.known = {log: offset, idx: idxSize + index.length}
    return {first, last: first + lines - 1, bytes}
  }

  /**
   * append() of a packed batch's chunks (packed-entries.ts), read from their indexes: a
   * chunk's data is its lines joined by one newline, which is the log's layout but for the
   * newline after its last line, and the one after a line that had none (left out).
   */
  appendPacked(packed: PackedEntries): Appended {
    const {log: offsetAtStart, idx: idxSize} = this.known!
    const first = idxSize / RECORD_SIZE + 1
    const index = this.indexBuffer(packed.count * RECORD_SIZE)
    const records = new DataView(index.buffer, index.byteOffset, index.length)
    const parts: Buffer[] = []
    const counts = new LevelCounts()
    let offset = offsetAtStart
    let at = 0
    for (const {index: chunkIndex, data} of packed.chunks) {
      let runStart = 0
      let eol = false
      for (const line = new ChunkLines(chunkIndex); line.next(); at += RECORD_SIZE) {
        const length = line.end - line.start
        eol = line.eol
        const mark = line.record === 1 ? RECORD_START_FLAG : line.record === 2 ? RECORD_CONTINUATION_FLAG : 0
        writeRecordCodes(records, at, offset, line.ts, length, line.levelCode, line.streamCode, (eol ? EOL_FLAG : 0) | mark, line.masked)
        counts.count(line.levelCode, line.masked)
        offset += length + (eol ? 1 : 0)
        if (!eol) {
          if (line.end > runStart) parts.push(data.subarray(runStart, line.end))
          runStart = line.end + 1
        }
      }
      if (eol) parts.push(runStart === 0 ? data : data.subarray(runStart), NEWLINE)
    }
    if (at !== index.length) throw new Error('a packed batch whose chunks do not hold its count of lines')
    writeParts(this.log, {parts, total: offset - offsetAtStart})
    writeAll(this.idx, index)
    this.stats.addCounts(counts, packed.count > 0 ? packed.firstTs : undefined, packed.count > 0 ? packed.lastTs : undefined)
    this.known = {log: offset, idx: idxSize + index.length}
    return {first, last: first + packed.count - 1, bytes: offset - offsetAtStart}
  }

  /** `bytes` of the reused records buffer; one kept past an append that needed more than MAX_KEPT_RECORDS_BYTES is not. */
  private indexBuffer(bytes: number): Buffer {
    if (bytes > this.records.length) {
      const buffer = Buffer.allocUnsafeSlow(bytes)
      if (bytes > MAX_KEPT_RECORDS_BYTES) return buffer
      this.records = buffer
    }
    return this.records.subarray(0, bytes)
  }

  private record(seq: number): IndexRecord {
    const buffer = Buffer.alloc(RECORD_SIZE)
    readSync(this.idx, buffer, 0, RECORD_SIZE, (seq - 1) * RECORD_SIZE)
    return readRecord(buffer, 0)
  }

  private writeRecords(records: IndexRecord[]): void {
    const buffer = Buffer.allocUnsafe(records.length * RECORD_SIZE)
    records.forEach((record, i) => writeRecord(buffer, i * RECORD_SIZE, record))
    writeAll(this.idx, buffer)
  }
}

/** The parts in one vectored write (the reads' memory, not a copy of it); what a short write left, after it. */
function writeParts(fd: number, {parts, total}: {parts: Buffer[]; total: number}): void {
  if (parts.length === 0) return
  const written = parts.length === 1 ? 0 : writevSync(fd, parts)
  if (written < total) writeAll(fd, (parts.length === 1 ? parts[0] : Buffer.concat(parts, total)).subarray(written))
}

const NEWLINE = Buffer.from('\n')
/** The records of a 1 MiB append of 100-byte lines: more than a 64 KiB read of push ever makes. */
const MAX_KEPT_RECORDS_BYTES = 256 * 1024

function writeAll(fd: number, buffer: Buffer): void {
  for (let written = 0; written < buffer.length;) written += writeSync(fd, buffer, written, buffer.length - written)
}
