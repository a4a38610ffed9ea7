/**
 * A whole archive object decompressed as it streams in, for reads from the start (format 1,
 * an index that cannot be trusted) and chunk objects: gzip members (older objects) through
 * zlib's gunzip, zstd frames (./block-codec.ts) one at a time, each cut from the stream by
 * its own block headers (RFC 8878, section 3.1), so that memory is a frame whatever the size.
 */
import {PassThrough, pipeline, type Readable} from 'node:stream'
import {contentSizeField, inflateBlock, isZstdFrame} from './block-codec.js'

export async function* inflateObject(compressed: Readable): AsyncIterable<Buffer> {
  const input = compressed[Symbol.asyncIterator]() as AsyncIterator<Buffer>
  let head: Buffer = Buffer.alloc(0)
  let ended = false
  while (head.length < 4 && !ended) {
    const next = await input.next()
    if (next.done) ended = true
    else head = Buffer.concat([head, next.value])
  }
  const rest = (async function* () {
    if (head.length > 0) yield head
    if (ended) return
    for (let next = await input.next(); !next.done; next = await input.next()) yield next.value
  })()
  if (isZstdFrame(head)) {
    yield* zstdFrames(rest)
    return
  }
  const gunzip = process.getBuiltinModule('node:zlib').createGunzip()
  const out = pipeline(rest, gunzip, new PassThrough(), () => undefined)
  try {
    yield* out as AsyncIterable<Buffer>
  } finally {
    gunzip.destroy()
  }
}

async function* zstdFrames(chunks: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  // The chunks of the frame being read, joined once when it is whole: joining each chunk
  // to the ones before it copied a frame that comes in n chunks n times over.
  let parts: Buffer[] = []
  let held = 0
  let frame = new FrameEnd()
  for await (const chunk of chunks) {
    parts.push(chunk)
    held += chunk.length
    for (let length = frame.learn(parts, held); length !== undefined; length = frame.learn(parts, held)) {
      const joined = parts.length === 1 ? parts[0] : Buffer.concat(parts, held)
      if (isZstdFrame(joined)) yield await inflateBlock(joined.subarray(0, length))
      parts = length < held ? [joined.subarray(length)] : []
      held -= length
      frame = new FrameEnd()
    }
  }
  if (held > 0) throw new Error(`the object ends inside a zstd frame (${held} bytes left over)`)
}

const SKIPPABLE = 0x184d2a50

/**
 * The length of the frame at the start of a stream, learnt from its headers as its bytes
 * come in: the frame header, then each block's 3-byte header, which says where the next
 * one is. Each header is read once, however many chunks the frame comes in.
 */
class FrameEnd {
  /** Where the next block header starts; undefined before the frame header was read. */
  private next: number | undefined
  private checksumBytes = 0
  private end: number | undefined

  /** The frame's length once the `held` bytes of `parts` hold it all, else undefined. */
  learn(parts: Buffer[], held: number): number | undefined {
    if (this.next === undefined) {
      if (held < 8) return undefined
      const head = bytesAt(parts, 0, 8)
      const magic = head.readUInt32LE(0)
      if ((magic & 0xfffffff0) === SKIPPABLE >>> 0) {
        this.next = 8
        this.end = 8 + head.readUInt32LE(4)
      } else {
        if (!isZstdFrame(head)) throw new Error('the object holds bytes that are not a zstd frame')
        const {at, bytes} = contentSizeField(head[4])
        this.next = at + bytes
        this.checksumBytes = head[4] & 0x04 ? 4 : 0
      }
    }
    while (this.end === undefined) {
      if (held < this.next + 3) return undefined
      const bytes = bytesAt(parts, this.next, 3)
      const header = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16)
      const type = (header >> 1) & 3
      if (type === 3) throw new Error('the object holds a zstd block of a reserved type')
      this.next += 3 + (type === 1 ? 1 : header >>> 3)
      if (header & 1) this.end = this.next + this.checksumBytes
    }
    return held >= this.end ? this.end : undefined
  }
}

/** `length` bytes from `offset` on across `parts`: a view where one part holds them, else a copy of those few bytes. */
function bytesAt(parts: Buffer[], offset: number, length: number): Buffer {
  let start = 0
  let index = 0
  while (start + parts[index].length <= offset) start += parts[index++].length
  const part = parts[index]
  if (offset - start + length <= part.length) return part.subarray(offset - start, offset - start + length)
  const bytes = Buffer.alloc(length)
  for (let copied = 0; copied < length; index++, start = offset + copied) {
    copied += parts[index].copy(bytes, copied, offset + copied - start)
  }
  return bytes
}
