/**
 * Runs one process's work on a job one at a time under the bucket's per-job lock
 * (./locks.ts), and keeps the lock between works queued back to back: push's shipper keeps
 * its next append queued behind the one being written, so a backlog ships under one lock
 * instead of taking it (three requests) and releasing it (two) around every chunk.
 *
 *   run(job, work) ─▶ queue of the job ─▶ acquire ─▶ work, work, … ─▶ release
 *                                                    (while queued, for at most MAX_HOLD_MS)
 *
 * After MAX_HOLD_MS the lock is released and taken again, so a lease renewed while we work
 * is not held for ever, and an archiver or another writer of the job polling for it can get in.
 * A work gets the session of the lock it runs under: what it `remembers` there (the job's
 * metadata as last read or written) is the store's state as long as the lock was held since,
 * and is forgotten when the lock is let go or a work fails (its writes may have landed or not).
 */
import {setTimeout as sleep} from 'node:timers/promises'
import {StoreUnavailableError} from '../errors/index.js'
import type {BucketLocks} from './locks.js'

/** Longest run of works under one taking of the lock. */
export const MAX_HOLD_MS = 5_000

export interface LockSession {
  /** What the works under this lock know of the job's state (the metadata's JSON). */
  remembered?: string
}

interface Task {
  work: (session: LockSession) => Promise<unknown>
  resolve: (value: unknown) => void
  reject: (error: unknown) => void
}

export interface HeldLocksOptions {
  locks: BucketLocks
  /** The store's name, for messages. */
  name: string
  ttlMs: number
  /** How long to wait for a lock held by someone else before failing the work. */
  waitMs: number
  maxHoldMs?: number
}

export class HeldLocks {
  private readonly queues = new Map<string, Task[]>()
  private readonly owner = `append:${process.pid}:${Math.random().toString(36).slice(2)}`

  constructor(private readonly options: HeldLocksOptions) {}

  run<T>(id: string, work: (session: LockSession) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const task: Task = {work, resolve: resolve as (value: unknown) => void, reject}
      const queue = this.queues.get(id)
      if (queue) queue.push(task)
      else {
        this.queues.set(id, [task])
        void this.drain(id)
      }
    })
  }

  private async drain(id: string): Promise<void> {
    const queue = this.queues.get(id)!
    const {locks, ttlMs, maxHoldMs = MAX_HOLD_MS} = this.options
    while (queue.length > 0) {
      try {
        await this.acquire(id)
      } catch (error) {
        queue.shift()!.reject(error)
        continue
      }
      const session: LockSession = {}
      const since = Date.now()
      // The last work of a taking of the lock is answered once the lock is released: a caller
      // that goes on to exit (push, at the end) leaves no lock behind.
      const last = await locks.hold(id, this.owner, ttlMs, async () => {
        for (;;) {
          const task = queue.shift()!
          const settle = await task.work(session).then(
            (value) => () => task.resolve(value),
            (error: unknown) => {
              delete session.remembered
              return () => task.reject(error)
            },
          )
          if (queue.length === 0 || Date.now() - since >= maxHoldMs) return settle
          settle()
        }
      })
      last()
    }
    this.queues.delete(id)
  }

  private async acquire(id: string): Promise<void> {
    const deadline = Date.now() + this.options.waitMs
    for (let wait = 20; !(await this.options.locks.acquire(id, this.owner, this.options.ttlMs)); wait = Math.min(wait * 2, 1000)) {
      if (Date.now() > deadline) throw new StoreUnavailableError(this.options.name, `job ${id} is locked by another writer or archiver`)
      await sleep(wait)
    }
  }
}
