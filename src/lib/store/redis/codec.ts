/**
 * How a chunk of lines is stored in one stream entry: two fields,
 *
 *   d  the lines' exact bytes joined by `\n` (readable with `redis-cli XRANGE`)
 *   i  a compact binary index: version byte, first ts (varint), then per line
 *      flags (level, stream, eol), ts delta from the previous line (zigzag varint)
 *      and byte length (varint)
 *
 * The lengths make `d` binary-safe (a line may hold any byte, `\n` included); the
 * sequence numbers are not stored: the entry's id is its last line's seq.
 */
import {entryFromBytes, type LogEntry, type NewEntry, type Stream} from '../../entry.js'
import {LEVELS, type Level} from '../../level.js'

const VERSION = 1
const STREAMS: Stream[] = ['stdout', 'stderr']
const SEPARATOR = 0x0a

export interface EncodedChunk {
  index: Buffer
  data: Buffer
}

export function encodeChunk(entries: NewEntry[], start = 0, end = entries.length): EncodedChunk {
  let dataLength = end - start - 1
  for (let i = start; i < end; i++) dataLength += entries[i].bytes.length
  const data = Buffer.allocUnsafe(Math.max(dataLength, 0))
  const index = Buffer.allocUnsafe(1 + 10 + (end - start) * (1 + 10 + 5))
  index[0] = VERSION
  let at = writeVarint(index, 1, entries[start]?.ts ?? 0)
  let dataAt = 0
  let previousTs = entries[start]?.ts ?? 0
  for (let i = start; i < end; i++) {
    const entry = entries[i]
    if (i > start) data[dataAt++] = SEPARATOR
    dataAt += entry.bytes.copy(data, dataAt)
    index[at++] = flags(entry)
    at = writeVarint(index, at, zigzag(entry.ts - previousTs))
    at = writeVarint(index, at, entry.bytes.length)
    previousTs = entry.ts
  }
  return {index: index.subarray(0, at), data}
}

/** The lines of one stream entry whose last line has sequence number `lastSeq`. */
export function decodeChunk(lastSeq: number, index: Buffer, data: Buffer): LogEntry[] {
  if (index[0] !== VERSION) throw new Error(`unknown chunk format ${index[0]} (written by a newer version of logs?)`)
  const lines: Array<{ts: number; flags: number; length: number}> = []
  let [ts, at] = readVarint(index, 1)
  while (at < index.length) {
    const lineFlags = index[at++]
    let delta: number
    let length: number
    ;[delta, at] = readVarint(index, at)
    ;[length, at] = readVarint(index, at)
    ts += unzigzag(delta)
    lines.push({ts, flags: lineFlags, length})
  }
  const entries: LogEntry[] = []
  let seq = lastSeq - lines.length + 1
  let dataAt = 0
  for (const line of lines) {
    const bytes = data.subarray(dataAt, dataAt + line.length)
    dataAt += line.length + 1
    entries.push(entryFromBytes(seq++, line.ts, bytes, (line.flags & 0x20) !== 0, levelOf(line.flags), streamOf(line.flags)))
  }
  return entries
}

function flags(entry: NewEntry): number {
  const level = entry.level ? LEVELS.indexOf(entry.level) + 1 : 0
  const stream = entry.stream ? STREAMS.indexOf(entry.stream) + 1 : 0
  return level | (stream << 3) | (entry.eol ? 0x20 : 0)
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

function readVarint(buffer: Buffer, start: number): [number, number] {
  let value = 0
  let scale = 1
  let at = start
  for (;;) {
    const byte = buffer[at++]
    if (byte === undefined) throw new Error('truncated chunk index')
    value += (byte & 0x7f) * scale
    if (byte < 0x80) return [value, at]
    scale *= 0x80
  }
}
