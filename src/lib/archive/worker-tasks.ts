/**
 * The archive's work that runs on worker threads (./worker-pool.ts, ./block-worker.ts):
 * decoding a live store's stored entries into record lines, and compressing a block into
 * a zstd frame with its token filter. Small pieces, and code run from TypeScript sources
 * (tests), are done on the main thread.
 */
import {compressBlockData} from './block-codec.js'
import type {StoredEntries} from '../store/types.js'
import {ownedBuffer} from './block-bytes.js'
import type {RecordChunk} from './record-chunk.js'
import {storedRecords} from './stored-records.js'
import {GramFilterBuilder} from './token-filter.js'
import {FROM_SOURCES} from '../paths.js'
import {runOnWorker} from './worker-pool.js'

export interface CompressedBlock {
  compressed: Buffer
  filter: Buffer
  /** The block's own buffer, back from the worker, done with: to be filled again (BlockBytes.recycle). */
  spare: ArrayBuffer
}

/** Pieces smaller than this are not worth a trip to a worker (nor starting one: small jobs never do). */
const WORKER_MIN_BYTES = 64 * 1024
const local = new GramFilterBuilder()

/**
 * A block's zstd frame and token filter (`values`: where its records' line values start
 * and end, see GramFilterBuilder.build). Takes the memory of `data` and `values` (all of their ArrayBuffers): a block
 * big enough for a worker has its ArrayBuffer transferred there, so `data` must own that
 * ArrayBuffer (not a slice of Node's shared buffer pool) and must not be used afterwards.
 */
export async function compressBlock(data: Buffer, level: number, values?: Uint32Array): Promise<CompressedBlock> {
  if (data.length < WORKER_MIN_BYTES || FROM_SOURCES) {
    const filter = local.build(data, values)
    return {compressed: await compressBlockData(data, level), filter, spare: data.buffer as ArrayBuffer}
  }
  const buffer = data.buffer as ArrayBuffer
  const transfer = values ? [buffer, values.buffer as ArrayBuffer] : [buffer]
  const answer = await runOnWorker<{compressed: ArrayBuffer; filter: ArrayBuffer; block: ArrayBuffer}>(
    {task: 'compress', data: buffer, offset: data.byteOffset, length: data.length, level, values},
    transfer,
  )
  if (answer.error !== undefined) throw new Error(`compressing a block failed: ${answer.error}`)
  return {compressed: Buffer.from(answer.compressed!), filter: Buffer.from(answer.filter!), spare: answer.block!}
}

/**
 * Stored entries as record lines. Takes the memory of `stored`'s buffers (they must not be
 * used afterwards), and of `spare`: the buffer of earlier record lines, done with, to write
 * these into rather than a new one.
 */
export async function encodeStored(stored: StoredEntries, spare?: ArrayBuffer): Promise<RecordChunk> {
  if (stored.data.length < WORKER_MIN_BYTES || FROM_SOURCES) return storedRecords(stored, spare)
  const index = ownedBuffer(stored.index)
  const data = ownedBuffer(stored.data)
  const transfer = stored.kind === 'redis' ? [index, data, ownedBuffer(stored.chunks)] : [index, data]
  const chunks = stored.kind === 'redis' ? new Float64Array(transfer[2]) : undefined
  if (spare) transfer.push(spare)
  const answer = await runOnWorker<RecordChunk>({task: 'encode', stored: {...stored, index, data, chunks}, spare}, transfer)
  if (answer.error !== undefined) throw new Error(`decoding the live store's entries failed: ${answer.error}`)
  return {...(answer as RecordChunk), data: Buffer.from(answer.data!.buffer, answer.data!.byteOffset, answer.data!.byteLength)}
}
