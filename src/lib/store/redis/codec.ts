/**
 * How a chunk of lines is stored in one stream entry: two fields,
 *
 *   d  the lines' exact bytes joined by `\n` (readable with `redis-cli XRANGE`)
 *   i  a compact binary index: version byte, first ts (varint), then per line
 *      flags (level, stream, eol, masked, record), ts delta from the previous line (zigzag
 *      varint), byte length (varint) and, when flagged, the secrets masked in it (varint)
 *      and its place in a multi-line record (varint: 1 start, 2 continuation)
 *
 * The lengths make `d` binary-safe (a line may hold any byte, `\n` included); the
 * sequence numbers are not stored: the entry's id is its last line's seq. Version 2 is a
 * chunk with masked counts, version 3 one with record marks (and maybe masked counts); one
 * without either is still written as version 1, so older readers read what they can. The relay's
 * compact batch body is made of these chunks too (../chunk-frames.ts).
 */
import {byteLength, entryFromBytes, ReadChunk, ReadLine, type LogEntry, type NewEntry, type RecordMark, type Stream} from '../../entry.js'
import {levelCode, levelOfCode, type Level} from '../../level.js'
import {joinedBytes} from '../joined-bytes.js'

const VERSION = 1
const VERSION_MASKED = 2
const STREAMS: Stream[] = ['stdout', 'stderr']
const EOL = 0x20
const MASKED = 0x40
const VERSION_RECORDS = 3
const RECORD = 0x80
const RECORD_MARKS: Array<RecordMark | undefined> = [undefined, 'start', 'continuation']

export interface EncodedChunk {
  index: Buffer
  data: Buffer
}

export function encodeChunk(entries: NewEntry[], start = 0, end = entries.length): EncodedChunk {
  const data = joinedBytes(entries, start, end, (i) => i < end - 1)
  const index = new ChunkIndexWriter(end - start, entries[start]?.ts ?? 0)
  for (let i = start; i < end; i++) {
    const entry = entries[i]
    const level = levelCode(entry.level)
    const stream = entry.stream ? STREAMS.indexOf(entry.stream) + 1 : 0
    index.add(entry.ts, byteLength(entry), entry.eol, level, stream, entry.masked ?? 0, entry.record === 'start' ? 1 : entry.record ? 2 : 0)
  }
  return {index: index.finish(), data}
}

/**
 * A chunk's index written one line at a time, from codes rather than an entry (the file
 * store's index records hold the same ones): encodeChunk's, and the spool's packed reader's.
 */
export class ChunkIndexWriter {
  private readonly index: Buffer
  private at: number
  private previousTs: number

  /** The most bytes an index of `lines` lines takes. */
  static maxBytes(lines: number): number {
    return 1 + 10 + lines * (1 + 10 + 5 + 5 + 1)
  }

  /** `memory`: where to write it, at least maxBytes(lines) long (default: a buffer of its own). */
  constructor(lines: number, firstTs: number, memory: Buffer = Buffer.allocUnsafe(ChunkIndexWriter.maxBytes(lines))) {
    this.index = memory
    this.index[0] = VERSION
    this.at = writeVarint(this.index, 1, firstTs)
    this.previousTs = firstTs
  }

  /** `level`: 0 or 1 + its index in LEVELS; `stream`: 0, 1 stdout, 2 stderr; `record`: 0, 1 start, 2 continuation. */
  add(ts: number, length: number, eol: boolean, level: number, stream: number, masked: number, record: number): void {
    const index = this.index
    index[this.at++] = level | (stream << 3) | (eol ? EOL : 0) | (masked ? MASKED : 0) | (record ? RECORD : 0)
    this.at = writeVarint(index, this.at, zigzag(ts - this.previousTs))
    this.at = writeVarint(index, this.at, length)
    if (masked) {
      if (index[0] === VERSION) index[0] = VERSION_MASKED
      this.at = writeVarint(index, this.at, masked)
    }
    if (record) {
      index[0] = VERSION_RECORDS
      index[this.at++] = record
    }
    this.previousTs = ts
  }

  finish(): Buffer {
    return this.index.subarray(0, this.at)
  }
}

/**
 * A chunk's index read one line at a time, without an object or a call back per line:
 * `next()` moves to the next line and sets its fields. The hot readers (a shipper's
 * structure recorder, the relay) go through every line of every chunk.
 */
export class ChunkLines {
  ts = 0
  flags = 0
  masked = 0
  /** 0 none, 1 start, 2 continuation (RECORD_MARKS). */
  record = 0
  /** The line's bytes are start..end of the chunk's data. */
  start = 0
  end = -1
  /** Lines read so far. */
  count = 0
  private at = 1

  constructor(private readonly index: Buffer) {
    if (index[0] !== VERSION && index[0] !== VERSION_MASKED && index[0] !== VERSION_RECORDS)
      throw new Error(`unknown chunk format ${index[0]} (written by a newer version of logs?)`)
    this.ts = this.varint()
  }

  next(): boolean {
    const index = this.index
    if (this.at >= index.length) return false
    const lineFlags = index[this.at++]
    this.ts += unzigzag(this.varint())
    const length = this.varint()
    this.masked = lineFlags & MASKED ? this.varint() : 0
    this.record = lineFlags & RECORD ? this.varint() : 0
    this.flags = lineFlags
    // Lines are joined by one newline in the data.
    this.start = this.end + 1
    this.end = this.start + length
    this.count++
    return true
  }

  get level(): Level | undefined {
    return levelOfCode(this.flags & 0x07)
  }

  /** 0 or 1 + the level's index in LEVELS, as index records keep it. */
  get levelCode(): number {
    return this.flags & 0x07
  }

  /** 0 unknown, 1 stdout, 2 stderr, as index records keep it. */
  get streamCode(): number {
    return (this.flags >> 3) & 0x03
  }

  get stream(): Stream | undefined {
    return streamOf(this.flags)
  }

  get eol(): boolean {
    return (this.flags & EOL) !== 0
  }

  /** Unsigned LEB128 for numbers up to 2^53 (timestamps do not fit 32-bit bit operations). */
  private varint(): number {
    const index = this.index
    let value = 0
    let scale = 1
    for (;;) {
      const byte = index[this.at++]
      if (byte === undefined) throw new Error('truncated chunk index')
      value += (byte & 0x7f) * scale
      if (byte < 0x80) return value
      scale *= 0x80
    }
  }
}

/** The number of lines a chunk's index holds. */
export function chunkLineCount(index: Buffer): number {
  const lines = new ChunkLines(index)
  while (lines.next());
  return lines.count
}

/**
 * A chunk's lines as they were appended (bytes, not decoded text), checked: the lengths
 * must cover `data` exactly, and no line may be longer than `maxLineBytes`.
 */
export function decodeNewEntries(index: Buffer, data: Buffer, maxLineBytes: number): NewEntry[] {
  const entries: NewEntry[] = []
  const line = new ChunkLines(index)
  // Lines of one read share a time and a stream, and so one ReadChunk.
  let read: ReadChunk | undefined
  for (let more = line.next(); more;) {
    const {start, end} = line
    if (end - start > maxLineBytes) throw new RangeError(`a line of ${end - start} bytes (limit ${maxLineBytes})`)
    if (read?.ts !== line.ts || read.stream !== line.stream) read = new ReadChunk(data, line.ts, line.stream)
    // Offsets into `data`, not a Buffer per line (entry.ts ReadLine): the relay and push's shipper decode many.
    const entry = new ReadLine(read, start, end, line.eol, line.level)
    if (line.masked) entry.masked = line.masked
    if (line.record) entry.record = RECORD_MARKS[line.record]
    entries.push(entry)
    more = line.next()
    // A newline after every line but the last, which ends the data.
    if (more ? end >= data.length || data[end] !== 10 : end !== data.length) throw new Error('chunk data does not match its index')
  }
  if (line.count === 0 && data.length > 0) throw new Error('chunk data does not match its index')
  return entries
}

/** The lines of one stream entry whose last line has sequence number `lastSeq`. */
export function decodeChunk(lastSeq: number, index: Buffer, data: Buffer): LogEntry[] {
  const entries: LogEntry[] = []
  let seq = lastSeq - chunkLineCount(index) + 1
  for (const line = new ChunkLines(index); line.next();) {
    entries.push(entryFromBytes(seq++, line.ts, data.subarray(line.start, line.end), line.eol, line.level, line.stream, line.masked || undefined, RECORD_MARKS[line.record]))
  }
  return entries
}

/**
 * The raw bytes (each line's bytes, then `\n` where it had one) of the lines from..to of a
 * stream entry, without decoding them: `d` already holds them joined by `\n`, so only
 * lines without a newline of their own need the separator taken out.
 */
export function rawLines(lastSeq: number, index: Buffer, data: Buffer, from: number, to: number): {first: number; last: number; bytes: Buffer} | undefined {
  const firstSeq = lastSeq - chunkLineCount(index) + 1
  const first = Math.max(from, firstSeq)
  const last = Math.min(to, lastSeq)
  if (first > last) return undefined
  const parts: Buffer[] = []
  let runStart = -1
  const line = new ChunkLines(index)
  for (let seq = firstSeq; seq <= last && line.next(); seq++) {
    if (seq < first) continue
    if (runStart === -1) runStart = line.start
    if (!line.eol) {
      parts.push(data.subarray(runStart, line.end))
      runStart = -1
    }
  }
  // The run's last line is followed by the separator in `d`, absent after the entry's last line: the newline is added.
  if (runStart !== -1) parts.push(data.subarray(runStart, line.end), NEWLINE)
  return {first, last, bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts)}
}

const NEWLINE = Buffer.from('\n')

function streamOf(lineFlags: number): Stream | undefined {
  const code = (lineFlags >> 3) & 0x03
  return code === 0 ? undefined : STREAMS[code - 1]
}

function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1
}

function unzigzag(n: number): number {
  return n % 2 === 0 ? n / 2 : -(n + 1) / 2
}

/** Unsigned LEB128 for numbers up to 2^53 (timestamps do not fit 32-bit bit operations). */
function writeVarint(buffer: Buffer, at: number, value: number): number {
  let rest = value
  while (rest >= 0x80) {
    buffer[at++] = (rest % 0x80) | 0x80
    rest = Math.floor(rest / 0x80)
  }
  buffer[at++] = rest
  return at
}
