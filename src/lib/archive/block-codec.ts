/**
 * The codec of an archive object's blocks. Blocks are written as zstd frames with their
 * content checksum (`zstdcat` reads the object whole); blocks of objects written before
 * are gzip members, and a block is told by its first bytes, so every reader reads both.
 *
 * zstd comes from node:zlib where the runtime has it (Node 22.15, 23.8 and later), else from
 * @bokuweb/zstd-wasm (the zstd library built to WebAssembly, shipped in the package), whose
 * one-shot compress writes no checksum: its frame gets the one zstd itself would write (the
 * low 32 bits of XXH64 of the content, xxhash-wasm), so both write the same bytes.
 * Each is loaded by the first call: `ls` and most readers never decompress anything.
 */
import {gunzipAsync, inflateChunkSize} from './zlib-async.js'

/** zstd level 1: on 512 KiB blocks of the bench's NDJSON, smaller than `gzip -1` of the raw log, and less CPU than gzip level 2 (README, "Archive format"). */
export const ZSTD_LEVEL = 1

/**
 * The most a block read without its index may inflate to (with the index, the size it
 * records). Blocks hold about 512 KiB of records (block-writer.ts), and a record at most one
 * entry of --max-line-bytes (8 MiB at most) escaped as JSON; a frame or member that says or
 * makes more is damaged or not ours (a few KiB of zstd can declare gigabytes), and is refused
 * before it is allocated.
 */
export const MAX_BLOCK_BYTES = 64 * 1024 * 1024

/**
 * The output buffer of node:zlib's zstd compress: a block's frame mostly fits one (the bench's
 * NDJSON compresses more than 15:1), rather than one per 16 KiB (node:zlib's default) joined.
 */
const FRAME_CHUNK_BYTES = 128 * 1024

interface Codec {
  compress(data: Buffer, level: number): Promise<Buffer>
  /** `size`: what the frame inflates to, where known (an index's), else at most `maxBytes`. */
  decompress(frame: Buffer, maxBytes: number, size?: number): Promise<Buffer>
}

const ZSTD_MAGIC = 0xfd2fb528
const CHECKSUM_FLAG = 0x04
const RESERVED_FLAG = 0x08

/** Whether the bytes start a zstd frame (else they are taken for a gzip member). */
export function isZstdFrame(data: Buffer): boolean {
  return data.length >= 4 && data.readUInt32LE(0) === ZSTD_MAGIC
}

let codec: Promise<Codec> | undefined

/** See load(): decompressing five to ten blocks of 512 KiB, where V8's default is a fraction of one. */
const WASM_TIERING_BUDGET = 1_000_000_000

function zstd(): Promise<Codec> {
  return (codec ??= load())
}

type Done = (error: Error | null, result: Buffer) => void

/** What node:zlib has of zstd where it has it (Node 20's types have none of it). */
interface ZlibZstd {
  zstdCompressSync?: (data: Buffer, options: {params: Record<number, number>; pledgedSrcSize: number; chunkSize: number}) => Buffer
  zstdDecompress: (data: Buffer, options: {maxOutputLength: number; chunkSize: number}, done: Done) => void
  constants: {ZSTD_c_compressionLevel: number; ZSTD_c_checksumFlag: number}
}

const settled =
  (resolve: (data: Buffer) => void, reject: (error: Error) => void): Done =>
  (error, result) =>
    error ? reject(error) : resolve(result)

async function load(): Promise<Codec> {
  const zlib = process.getBuiltinModule('node:zlib') as unknown as ZlibZstd
  if (zlib.zstdCompressSync) {
    const {zstdCompressSync, zstdDecompress} = zlib
    const {ZSTD_c_compressionLevel, ZSTD_c_checksumFlag} = zlib.constants
    const params = (level: number) => ({[ZSTD_c_compressionLevel]: level, [ZSTD_c_checksumFlag]: 1})
    return {
      // With its size pledged, the frame's header declares it, as the one-shot WebAssembly compress writes
      // it; without, node:zlib's streaming compress declares none, and the release of logs before this one
      // could not read such frames on a Node without node:zlib's zstd.
      // On the thread that asks (a block is about half a millisecond of work; a big job's blocks are
      // compressed on a worker thread, worker-tasks.ts): the async compress hands each block to libuv's
      // pool and back, which made `archive` of a 100 MB job some 15% slower on 2 cores (a third busy
      // thread, and 60 ms more CPU).
      compress: async (data, level) =>
        zstdCompressSync(data, {params: params(level), pledgedSrcSize: data.length, chunkSize: Math.min(FRAME_CHUNK_BYTES, Math.max(1024, data.length))}),
      decompress: (frame, maxBytes, size) =>
        new Promise((resolve, reject) => zstdDecompress(frame, {maxOutputLength: maxBytes, chunkSize: inflateChunkSize(frame.length, size)}, settled(resolve, reject))),
    }
  }
  // A read of a few blocks would otherwise wait as long again at its end: V8 sends zstd's hot function
  // to its optimizing compiler after a few milliseconds of use, and Node does not exit before that
  // compile is done (about 50 ms here). With this budget (a rough count of bytes executed, 1.8 M by
  // default) a read of up to about five blocks (2.5 MiB of records) is done first; a longer one has
  // it compiled, and goes faster for it.
  process.getBuiltinModule('node:v8').setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`)
  // Required, not imported: an ES import of a CommonJS package makes Node 20 scan it for its exports.
  const wasm = process.getBuiltinModule('node:module').createRequire(import.meta.url)('@bokuweb/zstd-wasm') as typeof import('@bokuweb/zstd-wasm')
  const {default: xxhash} = await import('xxhash-wasm')
  await wasm.init()
  const hasher = await xxhash()
  return {
    compress: async (data, level) => {
      const frame = Buffer.from(wasm.compress(data, level))
      frame[4] |= CHECKSUM_FLAG // the frame header's descriptor, after the magic number
      const checksum = Buffer.alloc(4)
      checksum.writeUInt32LE(Number(hasher.h64Raw(data, 0n) & 0xffffffffn))
      return Buffer.concat([frame, checksum])
    },
    decompress: async (frame, maxBytes) => {
      // The WebAssembly inflates into a buffer of the size the frame's header declares (at most
      // maxBytes: inflateBlock checks), else of defaultHeapSize, and fails where the frame makes
      // more (node:zlib's zstd, Node 22.15 and later, wrote frames that declare none before logs
      // pledged their size).
      try {
        const data = wasm.decompress(frame, {defaultHeapSize: maxBytes}) // copied out of the WebAssembly's memory
        return Buffer.from(data.buffer, data.byteOffset, data.length)
      } catch (error) {
        // Its message says "compress" and zstd's error code: what the other codec would say instead.
        throw /code -70$/.test((error as Error).message) ? tooLarge(maxBytes) : damagedFrame() // -70: ZSTD_error_dstSize_tooSmall
      }
    },
  }
}

/** A block as one zstd frame. */
export async function compressBlockData(data: Buffer, level = ZSTD_LEVEL): Promise<Buffer> {
  return (await zstd()).compress(data, level)
}

/**
 * A block's bytes, from its zstd frame or gzip member; rejects one that is damaged
 * (checksum, truncation, more than `maxBytes`: the size its index records, where known).
 */
export async function inflateBlock(compressed: Buffer, maxBytes = MAX_BLOCK_BYTES): Promise<Buffer> {
  const size = maxBytes < MAX_BLOCK_BYTES ? maxBytes : undefined
  try {
    if (!isZstdFrame(compressed)) return await gunzipAsync(compressed, maxBytes, size)
    const declared = declaredContentSize(compressed)
    if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes) // before anything is allocated
    const data = await (await zstd()).decompress(compressed, maxBytes, size)
    // Node 22's node:zlib ends a frame cut short with what it inflated so far and no error (Node 24: "unexpected end of file").
    if (declared !== undefined && data.length !== declared) throw damagedFrame()
    return data
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? tooLarge(maxBytes) : error
  }
}

const damagedFrame = (): Error => new Error('the zstd frame is damaged or truncated')

function tooLarge(maxBytes: number): Error {
  return new Error(`the block inflates to more than ${maxBytes} bytes: it is damaged, or was not written by logs`)
}

/** Where a zstd frame header's content size field starts and how many bytes it has (RFC 8878, 3.1.1.1), from the header's descriptor byte. */
export function contentSizeField(descriptor: number): {at: number; bytes: number} {
  const singleSegment = (descriptor >> 5) & 1
  const flag = descriptor >> 6
  return {at: 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][descriptor & 3], bytes: flag === 0 ? singleSegment : [0, 2, 4, 8][flag]}
}

/** The content size a zstd frame's header declares, or undefined when it declares none; throws for a header cut short. */
function declaredContentSize(frame: Buffer): number | undefined {
  const {at, bytes} = contentSizeField(frame[4] ?? 0)
  if (frame.length < at + bytes || frame[4] & RESERVED_FLAG) throw damagedFrame()
  if (bytes === 0) return undefined
  if (bytes === 1) return frame[at]
  if (bytes === 2) return frame.readUInt16LE(at) + 256
  if (bytes === 4) return frame.readUInt32LE(at)
  return Number(frame.readBigUInt64LE(at))
}
