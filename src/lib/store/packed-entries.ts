/**
 * Entries packed for shipping: the chunks of the chunk codec (redis/codec.ts), up to
 * CHUNK_LINES lines each, with the totals an append needs (counts, bytes, times, levels).
 *
 * A batch waiting for a remote store (push's queue, appends in flight) held as entries is
 * an object and a buffer view per line that outlive the young generation, which the
 * garbage collector then pays for; packed, it is two buffers per chunk. The Redis store
 * writes the chunks as its stream entries and the relay client sends them as its body's
 * frames (chunk-frames.ts), so a packed batch is never unpacked on its way.
 */
import {byteLength, type NewEntry} from '../entry.js'
import {LEVELS, levelCode} from '../level.js'
import {ChunkLines, decodeNewEntries, encodeChunk} from './redis/codec.js'

/** Lines per chunk (a Redis stream entry): few round trips and little per-entry overhead, yet a cheap tail. */
export const CHUNK_LINES = 256
/** A chunk takes lines while their bytes and newlines stay within this (and always one line). */
export const CHUNK_BYTES = 64 * 1024

export interface PackedChunk {
  count: number
  index: Buffer
  data: Buffer
}

export interface PackedEntries {
  count: number
  /** The lines' bytes plus their newlines, as the job's `bytes` counts them. */
  bytes: number
  /** Memory held: index and data of every chunk. */
  size: number
  firstTs: number
  lastTs: number
  minTs: number
  maxTs: number
  /** No line's time is before the previous line's. */
  ordered: boolean
  /** Lines per level, in LEVELS order. */
  levels: number[]
  masked: number
  chunks: PackedChunk[]
}

export function packEntries(entries: NewEntry[]): PackedEntries {
  const totals = new PackTotals()
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]
    totals.add(entry.ts, byteLength(entry) + (entry.eol ? 1 : 0), levelCode(entry.level), entry.masked ?? 0)
  }
  const chunks: PackedChunk[] = []
  for (let start = 0; start < entries.length;) {
    let end = start
    let chunkBytes = 0
    while (end < entries.length && end - start < CHUNK_LINES && (end === start || chunkBytes + byteLength(entries[end]) <= CHUNK_BYTES)) {
      chunkBytes += byteLength(entries[end]) + 1
      end++
    }
    const {index, data} = encodeChunk(entries, start, end)
    chunks.push({count: end - start, index, data})
    start = end
  }
  return totals.packed(chunks)
}

/**
 * A chunk received as it was packed (the relay's chunk bodies), checked as decodeNewEntries
 * checks it — the lengths cover `data` exactly, no line is longer than `maxLineBytes`, every
 * level, stream and record mark is one that exists — and
 * totalled, without an entry per line: a batch of one chunk, its bytes as they are.
 */
export function checkedChunk(index: Buffer, data: Buffer, maxLineBytes: number): PackedEntries {
  const totals = new PackTotals()
  const line = new ChunkLines(index)
  for (let more = line.next(); more;) {
    const {start, end} = line
    if (end - start > maxLineBytes) throw new RangeError(`a line of ${end - start} bytes (limit ${maxLineBytes})`)
    // Its flags are stored as sent: a code no reader knows would be a level, stream or mark of no name.
    if (line.levelCode > LEVELS.length || line.streamCode > 2 || line.record > 2) throw new Error('chunk index holds a level, stream or record mark that does not exist')
    totals.add(line.ts, end - start + (line.eol ? 1 : 0), line.levelCode, line.masked)
    more = line.next()
    // A newline after every line but the last, which ends the data.
    if (more ? end >= data.length || data[end] !== 10 : end !== data.length) throw new Error('chunk data does not match its index')
  }
  if (line.count === 0 && data.length > 0) throw new Error('chunk data does not match its index')
  return totals.packed(line.count === 0 ? [] : [{count: line.count, index, data}])
}

/** The totals of a packed batch, added up line by line (packEntries, and the spool's packed reader). */
export class PackTotals {
  private count = 0
  private bytes = 0
  private firstTs = 0
  private lastTs = 0
  private minTs = 0
  private maxTs = 0
  private ordered = true
  private masked = 0
  private readonly levels = LEVELS.map(() => 0)

  /** `bytes`: the line's and its newline's; `level`: 0 or 1 + its index in LEVELS. */
  add(ts: number, bytes: number, level: number, masked: number): void {
    if (this.count++ === 0) this.firstTs = this.minTs = this.maxTs = ts
    else {
      if (ts < this.lastTs) this.ordered = false
      if (ts < this.minTs) this.minTs = ts
      if (ts > this.maxTs) this.maxTs = ts
    }
    this.lastTs = ts
    this.bytes += bytes
    if (level) this.levels[level - 1]++
    this.masked += masked
  }

  packed(chunks: PackedChunk[]): PackedEntries {
    let size = 0
    for (const chunk of chunks) size += chunk.index.length + chunk.data.length
    const {count, bytes, firstTs, lastTs, minTs, maxTs, ordered, levels, masked} = this
    return {count, bytes, size, firstTs, lastTs, minTs, maxTs, ordered, levels, masked, chunks}
  }
}

/** Consecutive packed batches as one (their chunks as they are). */
export function joinPacked(parts: PackedEntries[]): PackedEntries {
  if (parts.length === 1) return parts[0]
  const joined: PackedEntries = {...parts[0], levels: [...parts[0].levels], chunks: [...parts[0].chunks]}
  for (const part of parts.slice(1)) {
    joined.ordered = joined.ordered && part.ordered && part.firstTs >= joined.lastTs
    joined.count += part.count
    joined.bytes += part.bytes
    joined.size += part.size
    joined.lastTs = part.lastTs
    joined.minTs = Math.min(joined.minTs, part.minTs)
    joined.maxTs = Math.max(joined.maxTs, part.maxTs)
    joined.masked += part.masked
    part.levels.forEach((n, i) => (joined.levels[i] += n))
    for (const chunk of part.chunks) joined.chunks.push(chunk)
  }
  return joined
}

/** The entries back, for stores that take only entries (their bytes are views of the chunks' data). */
export function unpackEntries(packed: PackedEntries): NewEntry[] {
  const entries: NewEntry[] = []
  for (const chunk of packed.chunks) for (const entry of decodeNewEntries(chunk.index, chunk.data, Number.POSITIVE_INFINITY)) entries.push(entry)
  return entries
}
