/**
 * Worker thread of ./worker-pool.ts, the tasks of ./worker-tasks.ts off the main thread:
 *   encode    stored entries (a live store's bytes) → record lines (./stored-records.ts)
 *   compress  a block → its zstd frame + token filter
 * Memory comes and goes as transferred ArrayBuffers; a block's goes back with its answer,
 * and the buffer of the record lines of an earlier task comes with an encode task (`spare`),
 * so that they are filled again rather than left for this thread's GC (./block-bytes.ts).
 */
import {parentPort} from 'node:worker_threads'
import {compressBlockData} from './block-codec.js'
import type {StoredEntries} from '../store/types.js'
import {ownedBuffer} from './block-bytes.js'
import {workerExitFault} from '../fault-injection.js'
import {storedRecords} from './stored-records.js'
import {GramFilterBuilder} from './token-filter.js'

const filters = new GramFilterBuilder()
const fault = workerExitFault()

type Message =
  | {id: number; task: 'compress'; data: ArrayBuffer; offset: number; length: number; level: number; values?: Uint32Array}
  | {id: number; task: 'encode'; stored: Omit<StoredEntries, 'index' | 'data'> & {index: ArrayBuffer; data: ArrayBuffer}; spare?: ArrayBuffer}

parentPort!.on('message', (message: Message) => void answer(message))

async function answer(message: Message): Promise<void> {
  fault?.()
  try {
    if (message.task === 'compress') {
      const block = Buffer.from(message.data, message.offset, message.length)
      const compressed = ownedBuffer(await compressBlockData(block, message.level))
      const filter = ownedBuffer(filters.build(block, message.values))
      parentPort!.postMessage({id: message.id, compressed, filter, block: message.data}, [compressed, filter, message.data])
    } else {
      const {stored} = message
      const chunk = storedRecords({...stored, index: Buffer.from(stored.index), data: Buffer.from(stored.data)} as StoredEntries, message.spare)
      const arrays = [chunk.data, chunk.ends, chunk.values, chunk.seqs, chunk.ts, chunk.levels].map((array) => array.buffer as ArrayBuffer)
      parentPort!.postMessage({id: message.id, ...chunk}, arrays)
    }
  } catch (error) {
    parentPort!.postMessage({id: message.id, error: (error as Error).message})
  }
}
