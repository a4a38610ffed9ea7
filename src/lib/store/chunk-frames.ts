/**
 * The relay's compact batch body (`POST /v1/jobs/:id/logs?format=chunk`, what `push --url`
 * sends): frames of the Redis chunk codec (redis/codec.ts), each
 *
 *   u32 BE  index bytes │ u32 BE  data bytes │ index │ data
 *
 * so neither side encodes or parses a JSON record per line: the client sends the lines'
 * bytes as they were read (joined by newlines) with a binary index of their times,
 * levels, streams and lengths, and the relay cuts the data by those lengths.
 */
import type {NewEntry} from '../entry.js'
import {checkedChunk, type PackedEntries} from './packed-entries.js'
import {encodeChunk} from './redis/codec.js'

export const CHUNK_FORMAT = 'chunk'
const HEADER = 8

/** One frame holding all the entries. */
export function encodeFrame(entries: NewEntry[]): Buffer<ArrayBuffer> {
  const {index, data} = encodeChunk(entries)
  return Buffer.concat([frameHeader(index, data), index, data])
}

/** A packed batch as a body: a frame per chunk, its bytes as they are packed. */
export function encodeFrames(packed: PackedEntries): Buffer<ArrayBuffer> {
  const parts: Buffer[] = []
  for (const {index, data} of packed.chunks) parts.push(frameHeader(index, data), index, data)
  return Buffer.concat(parts)
}

function frameHeader(index: Buffer, data: Buffer): Buffer {
  const header = Buffer.allocUnsafe(HEADER)
  header.writeUInt32BE(index.length, 0)
  header.writeUInt32BE(data.length, 4)
  return header
}

/**
 * Frames → packed batches of one chunk each as the body arrives (checked, their bytes as
 * received: a store appends them without an entry per line), holding at most one frame of
 * up to `maxFrameBytes`.
 */
export class FrameReader {
  private held: Buffer[] = []
  private heldBytes = 0
  /** Bytes of the frame being received (header included), once its header is in. */
  private frameBytes: number | undefined

  constructor(
    private readonly maxFrameBytes: number,
    private readonly maxLineBytes: number,
  ) {}

  /** The frames this chunk completes; throws RangeError for a frame or a line too large, Error for a malformed one. */
  push(chunk: Buffer): PackedEntries[] {
    this.held.push(chunk)
    this.heldBytes += chunk.length
    const out: PackedEntries[] = []
    while (this.heldBytes >= (this.frameBytes ?? HEADER)) {
      const buffer = this.held.length === 1 ? this.held[0] : Buffer.concat(this.held, this.heldBytes)
      this.held = [buffer]
      const indexBytes = buffer.readUInt32BE(0)
      const dataBytes = buffer.readUInt32BE(4)
      if (indexBytes + dataBytes > this.maxFrameBytes) throw new RangeError(`a frame of ${indexBytes + dataBytes} bytes (limit ${this.maxFrameBytes})`)
      this.frameBytes = HEADER + indexBytes + dataBytes
      // Wait for the whole frame before joining what arrived: one copy per frame, not one per read.
      if (buffer.length < this.frameBytes) break
      const frame = checkedChunk(buffer.subarray(HEADER, HEADER + indexBytes), buffer.subarray(HEADER + indexBytes, this.frameBytes), this.maxLineBytes)
      if (frame.count > 0) out.push(frame)
      const rest = buffer.subarray(this.frameBytes)
      this.held = rest.length > 0 ? [rest] : []
      this.heldBytes = rest.length
      this.frameBytes = undefined
    }
    return out
  }

  /** At the end of the body: a frame cut short is an error. */
  end(): void {
    if (this.heldBytes > 0) throw new Error(`the body ends inside a frame (${this.heldBytes} bytes left over)`)
  }
}
