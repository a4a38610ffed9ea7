/**
 * Worker thread of ./block-compressor.ts: compresses a block into a gzip member and builds
 * its token filter, off the main thread. Blocks come and go as transferred ArrayBuffers.
 */
import {parentPort} from 'node:worker_threads'
import {gzipSync} from 'node:zlib'
import {TrigramFilterBuilder} from './token-filter.js'

const filters = new TrigramFilterBuilder()

interface Task {
  id: number
  data: ArrayBuffer
  offset: number
  length: number
  level: number
}

parentPort!.on('message', ({id, data, offset, length, level}: Task) => {
  try {
    const block = Buffer.from(data, offset, length)
    const compressed = owned(gzipSync(block, {level, memLevel: 9}))
    const filter = owned(filters.build(block))
    parentPort!.postMessage({id, compressed, filter}, [compressed, filter])
  } catch (error) {
    parentPort!.postMessage({id, error: (error as Error).message})
  }
})

/** The buffer's bytes as an ArrayBuffer of their own, safe to transfer (small Buffers share Node's pool). */
function owned(buffer: Buffer): ArrayBuffer {
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength) return buffer.buffer as ArrayBuffer
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer
}
