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
import {byteLength, entryFromBytes, ReadLine, type LogEntry, type NewEntry, type RecordMark, type Stream} from '../../entry.js'
import {LEVELS, type Level} from '../../level.js'
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
  const index = Buffer.allocUnsafe(1 + 10 + (end - start) * (1 + 10 + 5 + 5 + 1))
  index[0] = VERSION
  let at = writeVarint(index, 1, entries[start]?.ts ?? 0)
  let previousTs = entries[start]?.ts ?? 0
  for (let i = start; i < end; i++) {
    const entry = entries[i]
    index[at++] = flags(entry)
    at = writeVarint(index, at, zigzag(entry.ts - previousTs))
    at = writeVarint(index, at, byteLength(entry))
    if (entry.masked) {
      if (index[0] === VERSION) index[0] = VERSION_MASKED
      at = writeVarint(index, at, entry.masked)
    }
    if (entry.record) {
      index[0] = VERSION_RECORDS
      index[at++] = entry.record === 'start' ? 1 : 2
    }
    previousTs = entry.ts
  }
  return {index: index.subarray(0, at), data}
}

interface IndexedLine {
  ts: number
  flags: number
  length: number
  masked: number
  record: RecordMark | undefined
}

/** Calls `visit` with each line's fields, in order: the index decoded without an object per line. */
function visitIndex(index: Buffer, visit: (ts: number, flags: number, length: number, masked: number, record: number) => void): void {
  if (index[0] !== VERSION && index[0] !== VERSION_MASKED && index[0] !== VERSION_RECORDS) throw new Error(`unknown chunk format ${index[0]} (written by a newer version of logs?)`)
  cursor = 1
  let ts = readVarint(index)
  while (cursor < index.length) {
    const lineFlags = index[cursor++]
    const delta = readVarint(index)
    const length = readVarint(index)
    const masked = lineFlags & MASKED ? readVarint(index) : 0
    const record = lineFlags & RECORD ? readVarint(index) : 0
    ts += unzigzag(delta)
    const at = cursor // kept across the visit, in case it decodes another chunk
    visit(ts, lineFlags, length, masked, record)
    cursor = at
  }
}

function indexedLines(index: Buffer): IndexedLine[] {
  const lines: IndexedLine[] = []
  visitIndex(index, (ts, flags, length, masked, record) => lines.push({ts, flags, length, masked, record: RECORD_MARKS[record]}))
  return lines
}

/** Each line of a chunk as its time, level and where its bytes lie in the chunk's data, without an entry per line. */
export function forEachLine(index: Buffer, visit: (ts: number, level: Level | undefined, start: number, end: number) => void): void {
  let dataAt = 0
  visitIndex(index, (ts, flags, length) => {
    visit(ts, levelOf(flags), dataAt, dataAt + length)
    dataAt += length + 1
  })
}

/**
 * A chunk's lines as they were appended (bytes, not decoded text), checked: the lengths
 * must cover `data` exactly, and no line may be longer than `maxLineBytes`.
 */
export function decodeNewEntries(index: Buffer, data: Buffer, maxLineBytes: number): NewEntry[] {
  const lines = indexedLines(index)
  const entries: NewEntry[] = []
  let dataAt = 0
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]
    if (line.length > maxLineBytes) throw new RangeError(`a line of ${line.length} bytes (limit ${maxLineBytes})`)
    const end = dataAt + line.length
    const last = i === lines.length - 1
    if (last ? end !== data.length : end >= data.length || data[end] !== 10) throw new Error('chunk data does not match its index')
    // Offsets into `data`, not a Buffer per line (entry.ts ReadLine): the relay and push's shipper decode many.
    const entry = new ReadLine(data, dataAt, end, (line.flags & EOL) !== 0, line.ts, levelOf(line.flags), streamOf(line.flags))
    if (line.masked) entry.masked = line.masked
    if (line.record) entry.record = line.record
    entries.push(entry)
    dataAt = end + 1
  }
  if (lines.length === 0 && data.length > 0) throw new Error('chunk data does not match its index')
  return entries
}

/** The lines of one stream entry whose last line has sequence number `lastSeq`. */
export function decodeChunk(lastSeq: number, index: Buffer, data: Buffer): LogEntry[] {
  const lines = indexedLines(index)
  const entries: LogEntry[] = []
  let seq = lastSeq - lines.length + 1
  let dataAt = 0
  for (const line of lines) {
    const bytes = data.subarray(dataAt, dataAt + line.length)
    dataAt += line.length + 1
    entries.push(entryFromBytes(seq++, line.ts, bytes, (line.flags & EOL) !== 0, levelOf(line.flags), streamOf(line.flags), line.masked || undefined, line.record))
  }
  return entries
}

/**
 * The raw bytes (each line's bytes, then `\n` where it had one) of the lines from..to of a
 * stream entry, without decoding them: `d` already holds them joined by `\n`, so only
 * lines without a newline of their own need the separator taken out.
 */
export function rawLines(lastSeq: number, index: Buffer, data: Buffer, from: number, to: number): {first: number; last: number; bytes: Buffer} | undefined {
  const lines = indexedLines(index)
  const firstSeq = lastSeq - lines.length + 1
  const first = Math.max(from, firstSeq)
  const last = Math.min(to, lastSeq)
  if (first > last) return undefined
  const parts: Buffer[] = []
  let dataAt = 0
  let runStart = -1
  for (let i = 0, seq = firstSeq; seq <= last; i++, seq++) {
    const line = lines[i]
    if (seq >= first) {
      if (runStart === -1) runStart = dataAt
      if ((line.flags & EOL) === 0) {
        parts.push(data.subarray(runStart, dataAt + line.length))
        runStart = -1
      }
    }
    dataAt += line.length + 1
  }
  // The run's last newline is the separator after the range's last line (absent in `d` after the entry's last line).
  if (runStart !== -1) parts.push(data.subarray(runStart, dataAt - 1), NEWLINE)
  return {first, last, bytes: parts.length === 1 ? parts[0] : Buffer.concat(parts)}
}

const NEWLINE = Buffer.from('\n')

function flags(entry: NewEntry): number {
  const level = entry.level ? LEVELS.indexOf(entry.level) + 1 : 0
  const stream = entry.stream ? STREAMS.indexOf(entry.stream) + 1 : 0
  return level | (stream << 3) | (entry.eol ? EOL : 0) | (entry.masked ? MASKED : 0) | (entry.record ? RECORD : 0)
}

function levelOf(lineFlags: number): Level | undefined {
  const code = lineFlags & 0x07
  return code === 0 ? undefined : LEVELS[code - 1]
}

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

/** Where readVarint reads next: a position kept outside, so that decoding a line allocates nothing. */
let cursor = 0

function readVarint(buffer: Buffer): number {
  let value = 0
  let scale = 1
  for (;;) {
    const byte = buffer[cursor++]
    if (byte === undefined) throw new Error('truncated chunk index')
    value += (byte & 0x7f) * scale
    if (byte < 0x80) return value
    scale *= 0x80
  }
}
