/**
 * The archive's worker threads (./block-worker.ts), so that archiving a big job uses every
 * core: they decode the live store's stored entries into record lines, and compress blocks
 * (./worker-tasks.ts), while the main thread reads, cuts blocks and writes. One pool per
 * process, started on first use; its threads do not keep the process alive while idle.
 * Memory moves between threads by transfer (ownedBuffer), never by copy.
 */
import {availableParallelism} from 'node:os'
import type {Worker} from 'node:worker_threads'
import {startWorker} from '../worker-thread.js'

/**
 * A core is left to the main thread, which reads, cuts blocks, hashes and writes (some 20% of
 * an archive's CPU): on 2 cores one worker archived a 180 MB job no slower than two, with 9%
 * less CPU and 46 MB less peak RSS (an isolate fewer, and the garbage it would hold).
 */
export const WORKERS = Math.max(1, Math.min(4, availableParallelism() - 1))

/** A task's answer: its result, or the message of the error it threw. */
export type Answer<T> = {id: number; error?: string} & Partial<T>

interface Task {
  worker: Worker
  resolve: (answer: Answer<unknown>) => void
  reject: (error: Error) => void
}

class Pool {
  private readonly workers: Worker[] = []
  private readonly tasks = new Map<number, Task>()
  private readonly load = new Map<Worker, number>()
  private nextId = 0

  run<T>(message: object, transfer: ArrayBuffer[]): Promise<Answer<T>> {
    const worker = this.pick()
    const id = this.nextId++
    return new Promise<Answer<T>>((resolve, reject) => {
      this.tasks.set(id, {worker, resolve: resolve, reject})
      this.load.set(worker, this.load.get(worker)! + 1)
      worker.ref()
      worker.postMessage({...message, id}, transfer)
    })
  }

  private pick(): Worker {
    if (this.workers.length < WORKERS) return this.start()
    return this.workers.reduce((best, w) => (this.load.get(w)! < this.load.get(best)! ? w : best))
  }

  private start(): Worker {
    const worker = startWorker('block-worker')
    worker.unref()
    this.workers.push(worker)
    this.load.set(worker, 0)
    worker.on('message', (answer: Answer<unknown>) => {
      const task = this.tasks.get(answer.id)
      this.tasks.delete(answer.id)
      const load = this.load.get(worker)! - 1
      this.load.set(worker, load)
      if (load === 0) worker.unref()
      task?.resolve(answer)
    })
    worker.on('error', (error) => this.fail(worker, error))
    worker.on('exit', (code) => this.fail(worker, new Error(`an archive worker thread exited (code ${code})`)))
    return worker
  }

  /** A worker died: its tasks fail (the archive of that job fails and its live copy is kept), later tasks get a new worker. */
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

/** Runs a task of ./block-worker.ts on a worker thread; `transfer` moves those ArrayBuffers there (the sender must not use them afterwards). */
export function runOnWorker<T>(message: object, transfer: ArrayBuffer[]): Promise<Answer<T>> {
  pool ??= new Pool()
  return pool.run<T>(message, transfer)
}
