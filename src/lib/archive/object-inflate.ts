/**
 * A whole archive object decompressed as it streams in, for reads from the start (format 1,
 * an index that cannot be trusted) and chunk objects: gzip members (older objects) through
 * zlib's gunzip, zstd frames (./block-codec.ts) one at a time, each cut from the stream by
 * its own block headers (RFC 8878, section 3.1), so that memory is a frame whatever the size.
 */
import {PassThrough, pipeline, type Readable} from 'node:stream'
import {inflateBlock, isZstdFrame} from './block-codec.js'

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
  let pending: Buffer = Buffer.alloc(0)
  for await (const chunk of chunks) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    for (let length = frameLength(pending); length !== undefined; length = frameLength(pending)) {
      const frame = pending.subarray(0, length)
      pending = pending.subarray(length)
      if (isZstdFrame(frame)) yield await inflateBlock(frame)
    }
  }
  if (pending.length > 0) throw new Error(`the object ends inside a zstd frame (${pending.length} bytes left over)`)
}

const SKIPPABLE = 0x184d2a50
const DICTIONARY_ID_BYTES = [0, 1, 2, 4]
const CONTENT_SIZE_BYTES = [0, 2, 4, 8]

/** The length of the frame at the start of `data`, undefined when `data` ends before it does. */
export function frameLength(data: Buffer): number | undefined {
  if (data.length < 8) return undefined
  const magic = data.readUInt32LE(0)
  if ((magic & 0xfffffff0) === SKIPPABLE >>> 0) return at(8 + data.readUInt32LE(4), data)
  if (!isZstdFrame(data)) throw new Error('the object holds bytes that are not a zstd frame')
  const descriptor = data[4]
  const singleSegment = (descriptor >> 5) & 1
  const contentSize = descriptor >> 6 === 0 ? singleSegment : CONTENT_SIZE_BYTES[descriptor >> 6]
  let end = 5 + (singleSegment ? 0 : 1) + DICTIONARY_ID_BYTES[descriptor & 3] + contentSize
  for (;;) {
    if (data.length < end + 3) return undefined
    const header = data[end] | (data[end + 1] << 8) | (data[end + 2] << 16)
    const type = (header >> 1) & 3
    if (type === 3) throw new Error('the object holds a zstd block of a reserved type')
    end += 3 + (type === 1 ? 1 : header >>> 3)
    if (header & 1) break
  }
  return at(end + (descriptor & 0x04 ? 4 : 0), data)
}

const at = (end: number, data: Buffer): number | undefined => (data.length >= end ? end : undefined)
