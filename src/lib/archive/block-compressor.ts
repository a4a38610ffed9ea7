/**
 * Compresses blocks (gzip member + token filter) on worker threads, so that archiving a
 * big job uses every core: the main thread turns entries into NDJSON while the workers
 * compress. One pool per process, started on first use; its threads do not keep the
 * process alive while idle. Small blocks, and code run from TypeScript sources (tests),
 * are compressed on the main thread (gzip itself still runs on libuv's pool there).
 */
import {availableParallelism} from 'node:os'
import {join} from 'node:path'
import {promisify} from 'node:util'
import {Worker} from 'node:worker_threads'
import {gzip} from 'node:zlib'
import {packageDir} from '../paths.js'
import {TrigramFilterBuilder} from './token-filter.js'

export interface CompressedBlock {
  compressed: Buffer
  filter: Buffer
}

/** Blocks smaller than this are not worth a trip to a worker. */
const WORKER_MIN_BYTES = 64 * 1024
export const WORKERS = Math.max(1, Math.min(4, availableParallelism()))
/** Run from TypeScript sources (vitest): there is no compiled worker to start. */
const FROM_SOURCES = !import.meta.url.endsWith('.js')
const gzipAsync = promisify(gzip)
const local = new TrigramFilterBuilder()

interface Task {
  worker: Worker
  resolve: (block: CompressedBlock) => void
  reject: (error: Error) => void
}

class Pool {
  private readonly workers: Worker[] = []
  private readonly tasks = new Map<number, Task>()
  private readonly load = new Map<Worker, number>()
  private nextId = 0

  compress(data: Buffer, level: number): Promise<CompressedBlock> {
    const worker = this.pick()
    const id = this.nextId++
    return new Promise<CompressedBlock>((resolve, reject) => {
      this.tasks.set(id, {worker, resolve, reject})
      this.load.set(worker, this.load.get(worker)! + 1)
      worker.ref()
      const buffer = data.buffer as ArrayBuffer
      worker.postMessage({id, data: buffer, offset: data.byteOffset, length: data.length, level}, [buffer])
    })
  }

  private pick(): Worker {
    if (this.workers.length < WORKERS) return this.start()
    return this.workers.reduce((best, w) => (this.load.get(w)! < this.load.get(best)! ? w : best))
  }

  private start(): Worker {
    // scripts/bundle.mjs builds ./block-worker.ts as its own entry, dist/block-worker.js.
    const worker = new Worker(join(packageDir(), 'dist', 'block-worker.js'))
    worker.unref()
    this.workers.push(worker)
    this.load.set(worker, 0)
    worker.on('message', (answer: {id: number; compressed?: ArrayBuffer; filter?: ArrayBuffer; error?: string}) => {
      const task = this.tasks.get(answer.id)
      this.tasks.delete(answer.id)
      const load = this.load.get(worker)! - 1
      this.load.set(worker, load)
      if (load === 0) worker.unref()
      if (!task) return
      if (answer.error !== undefined) task.reject(new Error(`compressing a block failed: ${answer.error}`))
      else task.resolve({compressed: toBuffer(answer.compressed!), filter: toBuffer(answer.filter!)})
    })
    worker.on('error', (error) => this.fail(worker, error))
    worker.on('exit', (code) => this.fail(worker, new Error(`a compression worker exited (code ${code})`)))
    return worker
  }

  /** A worker died: its tasks fail (the archive of that job fails and its live copy is kept), later blocks get a new worker. */
  private fail(worker: Worker, error: Error): void {
    const at = this.workers.indexOf(worker)
    if (at === -1) return
    this.workers.splice(at, 1)
    this.load.delete(worker)
    for (const [id, task] of this.tasks) {
      if (task.worker !== worker) continue
      task.reject(error)
      this.tasks.delete(id)
    }
  }
}

let pool: Pool | undefined

/**
 * A block's gzip member and token filter. Takes `data`'s memory: a block big enough for a
 * worker has its ArrayBuffer transferred there, so `data` must own that ArrayBuffer (not
 * a slice of Node's shared buffer pool) and must not be used afterwards.
 */
export async function compressBlock(data: Buffer, level: number): Promise<CompressedBlock> {
  if (data.length >= WORKER_MIN_BYTES && !FROM_SOURCES) {
    pool ??= new Pool()
    return pool.compress(data, level)
  }
  const filter = local.build(data)
  return {compressed: await gzipAsync(data, {level, memLevel: 9}), filter}
}

function toBuffer(data: ArrayBuffer): Buffer {
  return Buffer.from(data)
}
