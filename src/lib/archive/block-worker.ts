/**
 * Worker thread of ./block-compressor.ts: compresses a block into a gzip member and builds
 * its token filter, off the main thread.
 */
import {parentPort} from 'node:worker_threads'
import {gzipSync} from 'node:zlib'
import {TrigramFilterBuilder} from './token-filter.js'

const filters = new TrigramFilterBuilder()

parentPort!.on('message', ({id, data, level}: {id: number; data: Uint8Array; level: number}) => {
  try {
    const block = Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    parentPort!.postMessage({id, compressed: gzipSync(block, {level, memLevel: 9}), filter: filters.build(block)})
  } catch (error) {
    parentPort!.postMessage({id, error: (error as Error).message})
  }
})
