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
 * Another writer does get in: while it waits it says so (./locks.ts turns), and we, about to
 * take the lock again within TURN_GAP_MS of letting it go, first wait for it to take the lock.
 * Without that, a writer with a backlog took the lock back within a round trip, while the
 * other one polled once a second and rarely got in. A lone writer pays one read at most.
 * A work gets the session of the lock it runs under: what it `remembers` there (the job's
 * metadata as last read or written) is the store's state as long as the lock was held since,
 * and is forgotten when the lock is let go or a work fails (its writes may have landed or not).
 */
import {setTimeout as sleep} from 'node:timers/promises'
import {StoreUnavailableError} from '../errors/index.js'
import type {BucketLocks} from './locks.js'

/** Longest run of works under one taking of the lock. */
export const MAX_HOLD_MS = 5_000
/** Longest pause between two polls of a lock held by someone else. */
const MAX_POLL_MS = 1000
/** Taking the lock again this soon after letting it go, a writer first lets a waiting one in. */
const TURN_GAP_MS = 2 * MAX_POLL_MS
/** A waiter renews its marker at every poll: one older than this is of a waiter gone or served. */
const WAITING_TTL_MS = 3 * MAX_POLL_MS
/** How long a writer letting another in waits for it to take the lock. */
const HANDOVER_MS = 3 * MAX_POLL_MS
const HANDOVER_POLL_MS = 50

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
  /** When this process last let each job's lock go, kept for TURN_GAP_MS. */
  private readonly releasedAt = new Map<string, number>()

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
      this.released(id)
      last()
    }
    this.queues.delete(id)
  }

  private async acquire(id: string): Promise<void> {
    const {locks, ttlMs, waitMs} = this.options
    const deadline = Date.now() + waitMs
    await this.letWaiterIn(id)
    let waited = false
    for (let wait = 20; !(await locks.acquire(id, this.owner, ttlMs)); wait = Math.min(wait * 2, MAX_POLL_MS)) {
      if (Date.now() > deadline) throw new StoreUnavailableError(this.options.name, `job ${id} is locked by another writer or archiver`)
      await locks.markWaiting(id, this.owner, WAITING_TTL_MS)
      waited = true
      await sleep(wait * (0.5 + Math.random())) // two writers that took the lock at once both back off (locks.ts): not in step again
    }
    if (waited) await locks.unmarkWaiting(id, this.owner).catch(() => undefined) // a marker left behind expires
  }

  /** We let the lock go a moment ago and another writer waits for it: it goes first (its turn ends within MAX_HOLD_MS). */
  private async letWaiterIn(id: string): Promise<void> {
    const {locks} = this.options
    const released = this.releasedAt.get(id)
    if (released === undefined || Date.now() - released > TURN_GAP_MS || !(await locks.othersWaiting(id, this.owner))) return
    for (const until = Date.now() + HANDOVER_MS; Date.now() < until; await sleep(HANDOVER_POLL_MS)) {
      const holder = await locks.read(id)
      if ((holder && holder.owner !== this.owner) || !(await locks.othersWaiting(id, this.owner))) return
    }
  }

  private released(id: string): void {
    const now = Date.now()
    for (const [job, at] of this.releasedAt) if (now - at > TURN_GAP_MS) this.releasedAt.delete(job)
    this.releasedAt.set(id, now)
  }
}
