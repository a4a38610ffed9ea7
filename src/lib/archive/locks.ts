/**
 * Per-job locks for `logs archive`, kept in the archive itself so that archivers on
 * several hosts see the same locks whatever the live store is. A lock is a small object
 * `.locks/<job>.lock` holding its owner and expiry, created with an exclusive write
 * (O_EXCL for a directory, `If-None-Match: *` for S3, no-upsert for Supabase). A lock
 * past its expiry (its holder crashed) is taken over.
 *
 * The lock is looked up before and read back after it is created: a store that ignores
 * the exclusive write (s3rver does; real S3 honours `If-None-Match: *` since 2024) then
 * lets two archivers proceed only if they raced within one round trip, and even then
 * archiving stays correct — it is idempotent — only done twice.
 */
import {hostname} from 'node:os'
import {lockKey} from './layout.js'
import {readBytes, type ObjectBucket} from '../store/object/bucket.js'

export interface LockRecord {
  owner: string
  host: string
  pid: number
  expiresAt: number
}

/**
 * A holder refreshes its lock every third of this while it works (see `hold`), so the TTL
 * only bounds how long a crashed holder on another host blocks its jobs. On the same
 * host, a lock whose process is gone is taken over at once.
 */
export const DEFAULT_LOCK_TTL_MS = 2 * 60_000

export class BucketLocks {
  constructor(
    private readonly bucket: ObjectBucket,
    private readonly clock: () => number = Date.now,
  ) {}

  async acquire(id: string, owner: string, ttlMs = DEFAULT_LOCK_TTL_MS): Promise<boolean> {
    const key = lockKey(id)
    const record: LockRecord = {owner, host: hostname(), pid: process.pid, expiresAt: this.clock() + ttlMs}
    for (let attempt = 0; attempt < 3; attempt++) {
      // Looked up first as well: the exclusive write alone is not enforced by every S3 look-alike.
      const current = await this.read(id)
      if (current && current.expiresAt > this.clock() && !holderIsDead(current)) return false
      if (current) await this.bucket.delete([key]) // expired, or its process is gone
      if (await this.bucket.writeBytes(key, Buffer.from(JSON.stringify(record)), {exclusive: true})) {
        return (await this.read(id))?.owner === owner
      }
    }
    return false
  }

  /** Keeps the lock alive while `work` runs (refreshed every ttl/3), then releases it. */
  async hold<T>(id: string, owner: string, ttlMs: number, work: () => Promise<T>): Promise<T> {
    const refresh = setInterval(() => {
      const record: LockRecord = {owner, host: hostname(), pid: process.pid, expiresAt: this.clock() + ttlMs}
      this.bucket.writeBytes(lockKey(id), Buffer.from(JSON.stringify(record))).catch(() => undefined) // a missed refresh only shortens the lock
    }, Math.max(1000, ttlMs / 3))
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
    const data = await readBytes(this.bucket, lockKey(id))
    if (!data) return undefined
    try {
      return JSON.parse(data.toString('utf8')) as LockRecord
    } catch {
      return {owner: '', host: '', pid: 0, expiresAt: 0} // torn write of a crashed holder: treat as expired
    }
  }
}

/** A holder on this host whose process no longer exists (killed, crashed). */
function holderIsDead(lock: LockRecord): boolean {
  if (lock.host !== hostname() || !lock.pid) return false
  try {
    process.kill(lock.pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
