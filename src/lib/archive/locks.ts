/**
 * Per-job locks for `logs archive` and object-store pushes, kept in the bucket itself so
 * that writers on several hosts see the same locks whatever the live store is. A lock is
 * a small object `.locks/<job>.lock` recording its owner (host, pid, the process's start
 * time) and the end of its lease, created with an exclusive write (O_EXCL for a
 * directory, `If-None-Match: *` for S3, no-upsert for Supabase, allowOverwrite: false for
 * Vercel Blob).
 *
 * Taking a lock over:
 * - same host, and the owner's process is gone (killed, crashed) or its pid now belongs to
 *   a process started at another time: at once;
 * - anywhere else: when the lease has run out. A live owner renews it every third of the
 *   lease while it works (`hold`), so the lease only bounds how long a crashed owner on
 *   another host blocks its jobs.
 *
 * The lock is looked up before and read back after it is created: a store that ignores
 * the exclusive write (s3rver; Supabase, whose no-upsert upload is not exclusive under a
 * race) then lets two writers proceed only if they raced within one round trip, and even
 * then archiving stays correct — it is idempotent — only done twice.
 *
 * Turns: a writer that finds the lock taken says it waits (`.locks/<job>.waiting`, its owner
 * and a short expiry, renewed as it polls), and a holder that let the lock go a moment ago
 * reads that before it takes the lock again, so it can let the waiter in first (held-locks.ts).
 * The marker is only advice: the lock alone keeps writers apart.
 */
import {readFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {lockKey, waitingKey} from './layout.js'
import {readBytes, type ObjectBucket} from '../store/object/bucket.js'

export interface LockRecord {
  owner: string
  host: string
  pid: number
  /** When the owner's process started (ms since epoch), to tell a reused pid from the owner. */
  startedAt?: number
  expiresAt: number
}

/** The lease; a holder renews it every third of this while it works (see `hold`). */
export const DEFAULT_LOCK_TTL_MS = 30_000

export class BucketLocks {
  constructor(
    private readonly bucket: ObjectBucket,
    private readonly clock: () => number = Date.now,
  ) {}

  async acquire(id: string, owner: string, ttlMs = DEFAULT_LOCK_TTL_MS): Promise<boolean> {
    const key = lockKey(id)
    for (let attempt = 0; attempt < 3; attempt++) {
      // Looked up first as well: the exclusive write alone is not enforced by every store.
      const current = await this.read(id)
      if (current?.owner === owner) return true // ours: an earlier attempt's write landed though its answer was lost
      if (current && current.expiresAt > this.clock() && !ownerIsGone(current)) return false
      if (current) await this.bucket.delete([key]) // lease over, or its process is gone
      if (await this.bucket.writeBytes(key, this.record(owner, ttlMs), {exclusive: true})) {
        return (await this.read(id))?.owner === owner
      }
    }
    return false
  }

  /** Keeps the lock alive while `work` runs (renewed every ttl/3), then releases it. */
  async hold<T>(id: string, owner: string, ttlMs: number, work: () => Promise<T>): Promise<T> {
    const refresh = setInterval(
      () => {
        this.bucket.writeBytes(lockKey(id), this.record(owner, ttlMs)).catch(() => undefined) // a missed renewal only shortens the lease
      },
      Math.max(1000, ttlMs / 3),
    )
    refresh.unref()
    try {
      return await work()
    } finally {
      clearInterval(refresh)
      await this.release(id, owner).catch(() => undefined) // an unreleased lock only expires
    }
  }

  async release(id: string, owner: string): Promise<void> {
    const current = await this.read(id)
    if (current?.owner === owner) await this.bucket.delete([lockKey(id)])
  }

  async read(id: string): Promise<LockRecord | undefined> {
    return this.readRecord(lockKey(id))
  }

  /** Says `owner` waits for the job's lock, until `ttlMs` from now (renewed by each call). */
  async markWaiting(id: string, owner: string, ttlMs: number): Promise<void> {
    await this.bucket.writeBytes(waitingKey(id), this.record(owner, ttlMs))
  }

  /** Someone else than `owner` waits for the job's lock (said so lately, and its process is not gone). */
  async othersWaiting(id: string, owner: string): Promise<boolean> {
    const waiting = await this.readRecord(waitingKey(id))
    return waiting !== undefined && waiting.owner !== owner && waiting.expiresAt > this.clock() && !ownerIsGone(waiting)
  }

  /** `owner` waits no more (a marker another waiter wrote since is theirs and stays). */
  async unmarkWaiting(id: string, owner: string): Promise<void> {
    if ((await this.readRecord(waitingKey(id)))?.owner === owner) await this.bucket.delete([waitingKey(id)])
  }

  /** A lock or waiting record by its key (`logs gc` removes those expired). */
  async readRecord(key: string): Promise<LockRecord | undefined> {
    const data = await readBytes(this.bucket, key)
    if (!data) return undefined
    try {
      return JSON.parse(data.toString('utf8')) as LockRecord
    } catch {
      return {owner: '', host: '', pid: 0, expiresAt: 0} // torn write of a crashed holder: treat as expired
    }
  }

  private record(owner: string, ttlMs: number): Buffer {
    const record: LockRecord = {owner, host: hostname(), pid: process.pid, startedAt: PROCESS_STARTED_AT, expiresAt: this.clock() + ttlMs}
    return Buffer.from(JSON.stringify(record))
  }
}

const PROCESS_STARTED_AT = Math.round(Date.now() - process.uptime() * 1000)
/** Start times read from /proc are in clock ticks; two readings of one process differ by less than this. */
const START_TIME_TOLERANCE_MS = 2000

/** The owner ran on this host and its process no longer exists (killed, crashed; or its pid was reused). */
export function ownerIsGone(lock: LockRecord): boolean {
  if (lock.host !== hostname() || !lock.pid) return false
  try {
    process.kill(lock.pid, 0)
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
  if (lock.startedAt === undefined) return false
  const started = processStartTime(lock.pid)
  return started !== undefined && Math.abs(started - lock.startedAt) > START_TIME_TOLERANCE_MS
}

/** When a process started (ms since epoch), from /proc on Linux; undefined elsewhere. */
function processStartTime(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const ticks = Number(fields[19]) // field 22 of stat, counted from the state field (3)
    const bootTime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1])
    if (!Number.isFinite(ticks) || !Number.isFinite(bootTime)) return undefined
    return bootTime * 1000 + (ticks * 1000) / CLOCK_TICKS_PER_SECOND
  } catch {
    return undefined
  }
}

/** USER_HZ, 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100
