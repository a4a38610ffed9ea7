/**
 * `get --output raw` with line filters on the file store: the stored bytes of the lines a
 * LineMatcher takes, copied from the reads of `log` into big blocks for the output. No
 * entry is made of a line, and no string either where the matcher decides on bytes (a
 * plain --grep, --level, --stream).
 *
 *   a search literal (any ASCII case for -i): literal-search.ts visits the lines holding it ─┐
 *   none (`a|b`, -i with only k or s runs, --level alone): every record, a block at a time ──┴─► matcher ─► ByteSink ─► a block per read
 */
import {isAscii} from 'node:buffer'
import type {LineMatcher} from '../../line-match.js'
import type {MatchedBlock, RawMatchRange} from '../types.js'
import {RECORD_SIZE, readRecord, type IndexRecord} from './index-record.js'
import type {JobLog} from './job-log.js'
import {SEARCH_CHUNK, searchLiteral} from './literal-search.js'

/** Size of the buffers the lines taken are copied into (a write to the output each). */
const SINK_SIZE = 1 << 20

/** The taken lines of records first..last, as blocks of their bytes; `chunk`: bytes per read of the search. */
export async function* matchingRaw(log: JobLog, first: number, last: number, range: RawMatchRange, matcher: LineMatcher, chunk = SEARCH_CHUNK): AsyncGenerator<MatchedBlock> {
  const sink = new ByteSink(range.limit ?? Number.POSITIVE_INFINITY)
  const {since, until} = range
  let data: Buffer = Buffer.alloc(0)
  let ascii: boolean | undefined
  // Asked only when a pattern needs a line's text: once per buffer read.
  const dataAscii = () => (ascii ??= isAscii(data))
  const take = (seq: number, record: IndexRecord, from: Buffer, dataAt: number, holdsLiteral: boolean) => {
    if (sink.full || !matcher.takesFields(record.level, record.stream)) return
    if ((until !== undefined && record.ts >= until) || (since !== undefined && record.ts < since)) return
    if (from !== data) {
      data = from
      ascii = undefined
    }
    const start = record.offset - dataAt
    const end = start + record.length
    if (matcher.takesBytes(data, start, end, holdsLiteral, dataAscii)) sink.push(seq, data, start, end, record.eol)
  }
  const {literal} = matcher
  if (literal) {
    const visit = (seq: number, record: IndexRecord, data: Buffer, dataAt: number, hit: number) =>
      take(seq, record, data, dataAt, hit + literal.length <= record.offset + record.length)
    for await (const _ of searchLiteral(log.searchFiles(), first, last, literal, visit, range.signal, chunk, matcher.caseless)) {
      const block = sink.take()
      if (block) yield block
      if (sink.full) return
    }
    return
  }
  for await (const read of log.blocks(first, last, {signal: range.signal})) {
    for (let i = 0; i < read.count && !sink.full; i++) take(read.from + i, readRecord(read.index, i * RECORD_SIZE), read.data, read.start, false)
    const block = sink.take()
    if (block) yield block
    if (sink.full) return
  }
}

/**
 * Lines' bytes, copied back to back into big buffers. A line that follows the last one in
 * the same read (consecutive lines taken) extends one copy instead of starting another.
 */
class ByteSink {
  private buffer = Buffer.allocUnsafe(0)
  private length = 0
  /** Where the part not yet taken starts. */
  private mark = 0
  private count = 0
  private first = 0
  private last = 0
  private partial = false
  private taken = 0
  /** The run of bytes of the current read waiting to be copied. */
  private run?: Buffer
  private runStart = 0
  private runEnd = 0

  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.taken >= this.limit
  }

  push(seq: number, data: Buffer, start: number, end: number, eol: boolean): void {
    if (data !== this.run || start !== this.runEnd) {
      this.copyRun()
      this.run = data
      this.runStart = start
    }
    this.runEnd = end
    if (this.count === 0) this.first = seq
    if (!eol) this.partial = true
    if (eol) {
      // The newline is in the read when the line is not its last bytes: copied with the run.
      if (end < data.length) this.runEnd++
      else {
        this.copyRun()
        this.room(1)
        this.buffer[this.length++] = 10
      }
    }
    this.last = seq
    this.count++
    this.taken++
  }

  /** The lines pushed since the last take, or undefined when there are none. */
  take(): MatchedBlock | undefined {
    this.copyRun()
    if (this.count === 0) return undefined
    const block = {first: this.first, last: this.last, count: this.count, bytes: this.buffer.subarray(this.mark, this.length), partial: this.partial}
    this.mark = this.length
    this.count = 0
    this.partial = false
    return block
  }

  private copyRun(): void {
    if (!this.run) return
    const size = this.runEnd - this.runStart
    this.room(size)
    this.length += this.run.copy(this.buffer, this.length, this.runStart, this.runEnd)
    this.run = undefined
  }

  /** Makes room for `size` more bytes: a new buffer when needed, the part taken left to its reader. */
  private room(size: number): void {
    if (this.length + size <= this.buffer.length) return
    const pending = this.buffer.subarray(this.mark, this.length)
    const next = Buffer.allocUnsafe(Math.max(SINK_SIZE, 2 * (pending.length + size)))
    pending.copy(next)
    this.buffer = next
    this.length = pending.length
    this.mark = 0
  }
}
