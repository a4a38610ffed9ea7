/**
 * One job's entries on disk: `log` holds the exact bytes as read, `idx` one record per
 * entry (index-record.ts). Writers append under the job's lock: bytes to `log` first,
 * then records to `idx`, so a record is never visible before its bytes and sequence
 * numbers (= record positions) are gapless across processes.
 *
 * A writer killed between the two writes leaves bytes in `log` that no record covers;
 * `recover()` (run under the lock before every append, and by readers that notice)
 * indexes them, so a line push had written is never lost.
 */
import {open, type FileHandle} from 'node:fs/promises'
import {join} from 'node:path'
import {detectLevel, entryFromBytes, type LogEntry, type NewEntry} from '../../entry.js'
import {RECORD_SIZE, readRecord, recordEnd, writeRecord, type IndexRecord} from './index-record.js'

export const LOG_FILE = 'log'
export const INDEX_FILE = 'idx'

/** Records read per step when streaming a range: bounds memory whatever the job's size. */
const READ_STEP = 4096

export interface Appended {
  first: number
  last: number
  bytes: number
}

export class JobLog {
  private constructor(
    private readonly log: FileHandle,
    private readonly idx: FileHandle,
  ) {}

  static async open(dir: string, mode: 'read' | 'append'): Promise<JobLog> {
    const flags = mode === 'append' ? 'a+' : 'r'
    const log = await open(join(dir, LOG_FILE), flags)
    try {
      return new JobLog(log, await open(join(dir, INDEX_FILE), flags))
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

  /** Caller holds the lock. Drops a torn record, then indexes unindexed bytes as recovered lines. */
  async recover(now = Date.now()): Promise<number> {
    const idxSize = (await this.idx.stat()).size
    const whole = Math.floor(idxSize / RECORD_SIZE)
    if (idxSize !== whole * RECORD_SIZE) await this.idx.truncate(whole * RECORD_SIZE)
    const start = whole === 0 ? 0 : recordEnd(await this.record(whole))
    const end = (await this.log.stat()).size
    if (end <= start) return 0
    const orphan = Buffer.alloc(end - start)
    await this.log.read(orphan, 0, orphan.length, start)
    const records: IndexRecord[] = []
    let at = 0
    while (at < orphan.length) {
      const newline = orphan.indexOf(10, at)
      const stop = newline === -1 ? orphan.length : newline
      const bytes = orphan.subarray(at, stop)
      records.push({offset: start + at, ts: now, length: bytes.length, level: detectLevel(bytes.toString('utf8')), eol: newline !== -1})
      at = stop + 1
    }
    await this.writeRecords(records)
    return records.length
  }

  /** Caller holds the lock and has run recover(). */
  async append(entries: NewEntry[]): Promise<Appended> {
    const first = (await this.count()) + 1
    let offset = (await this.log.stat()).size
    const parts: Buffer[] = []
    const records: IndexRecord[] = []
    let bytes = 0
    for (const entry of entries) {
      records.push({offset, ts: entry.ts, length: entry.bytes.length, level: entry.level, stream: entry.stream, eol: entry.eol})
      parts.push(entry.bytes)
      if (entry.eol) parts.push(NEWLINE)
      const size = entry.bytes.length + (entry.eol ? 1 : 0)
      offset += size
      bytes += size
    }
    await writeAll(this.log, Buffer.concat(parts, bytes))
    await this.writeRecords(records)
    return {first, last: first + entries.length - 1, bytes}
  }

  private async writeRecords(records: IndexRecord[]): Promise<void> {
    const buffer = Buffer.allocUnsafe(records.length * RECORD_SIZE)
    records.forEach((record, i) => writeRecord(buffer, i * RECORD_SIZE, record))
    await writeAll(this.idx, buffer)
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

  /** Entries first..last (inclusive), read in bounded steps: one read of `idx` and one of `log` per step. */
  async *entries(first: number, last: number, signal?: AbortSignal): AsyncGenerator<LogEntry[]> {
    for (let from = first; from <= last; from += READ_STEP) {
      signal?.throwIfAborted()
      const to = Math.min(last, from + READ_STEP - 1)
      const index = Buffer.alloc((to - from + 1) * RECORD_SIZE)
      await this.idx.read(index, 0, index.length, (from - 1) * RECORD_SIZE)
      const records = Array.from({length: to - from + 1}, (_, i) => readRecord(index, i * RECORD_SIZE))
      const start = records[0].offset
      const data = Buffer.alloc(recordEnd(records.at(-1)!) - start)
      await this.log.read(data, 0, data.length, start)
      yield records.map((r, i) =>
        entryFromBytes(from + i, r.ts, data.subarray(r.offset - start, r.offset - start + r.length), r.eol, r.level, r.stream),
      )
    }
  }
}

const NEWLINE = Buffer.from('\n')

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let written = 0
  while (written < buffer.length) {
    const {bytesWritten} = await handle.write(buffer, written, buffer.length - written)
    written += bytesWritten
  }
}
