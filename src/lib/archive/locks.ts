/**
 * Per-job locks for `logs archive` and object-store pushes, kept in the bucket itself so
 * that writers on several hosts see the same locks whatever the live store is.
 *
 * No store here offers a compare-and-swap every backend honours: s3rver ignores
 * `If-None-Match`, and Supabase's upload without upsert is not exclusive under a race. So a
 * lock is taken with plain writes and a strongly consistent listing (S3, Supabase, Vercel
 * Blob and a directory all list what was written before):
 *
 *   1. list the job's claims `.locks/<job>.<nonce>.claim`; one that is live → not ours;
 *      one whose lease ran out or whose process is gone → deleted;
 *   2. write our own claim, under a key no one else writes;
 *   3. list again: ours alone → ours. A claim whose key sorts before ours → delete ours and
 *      report "not ours" (the caller tries again later). Only claims after ours → list
 *      again in a moment, as their writers see ours and withdraw (or, holding already,
 *      let go); still there after a few looks → withdraw too.
 *
 * Two writers never both hold: each saw its claim alone in a listing made after its write,
 * and of those two listings the later one would have seen the other's claim. The order of
 * keys only spares writers that met at once from all backing off. A fresh nonce per taking
 * means a stale claim deleted in step 1 is never a newer claim of the same owner.
 *
 * A claim records its owner (host, pid, the process's start time) and the end of its
 * lease. Taking a lock over:
 * - same host, and the owner's process is gone (killed, crashed) or its pid now belongs to
 *   a process started at another time: at once;
 * - anywhere else: when the lease has run out. A live owner renews it every third of the
 *   lease while it works (`hold`), so the lease only bounds how long a crashed owner on
 *   another host blocks its jobs.
 *
 * `.locks/<job>.lock`, the lock of versions before claims, counts as a claim: a live one
 * keeps this version out.
 *
 * Turns: a writer that finds the lock taken says it waits (`.locks/<job>.waiting`, its owner
 * and a short expiry, renewed as it polls), and a holder that let the lock go a moment ago
 * reads that before it takes the lock again, so it can let the waiter in first (held-locks.ts).
 * The marker is only advice: the claims alone keep writers apart.
 */
import {readFileSync} from 'node:fs'
import {hostname} from 'node:os'
import {setTimeout as sleep} from 'node:timers/promises'
import {claimKey, claimsPrefix, isClaimOf, waitingKey} from './layout.js'
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
/** How often a claim that sorts first looks again for later ones to withdraw, and how long it pauses between looks. */
const CONTENDED_LOOKS = 5
const CONTENDED_PAUSE_MS = 10

export class BucketLocks {
  /** The key of the claim each (job, owner) holds. */
  private readonly held = new Map<string, string>()

  constructor(
    private readonly bucket: ObjectBucket,
    private readonly clock: () => number = Date.now,
  ) {}

  async acquire(id: string, owner: string, ttlMs = DEFAULT_LOCK_TTL_MS): Promise<boolean> {
    if (this.held.has(heldKey(id, owner))) return true
    for (const [key, claim] of await this.claims(id)) {
      if (isLive(claim, this.clock())) return false
      await this.bucket.delete([key]) // lease over, or its process is gone
    }
    const mine = claimKey(id, process.getBuiltinModule('node:crypto').randomBytes(8).toString('hex')) // loaded here: `ls` reads the archive and never locks
    try {
      await this.bucket.writeBytes(mine, this.record(owner, ttlMs))
      if (!(await this.aloneAfterWrite(id, mine))) {
        await this.bucket.delete([mine])
        return false
      }
    } catch (error) {
      await this.bucket.delete([mine]).catch(() => undefined) // else it expires
      throw error
    }
    this.held.set(heldKey(id, owner), mine)
    return true
  }

  /** Keeps the lock alive while `work` runs (renewed every ttl/3), then releases it. */
  async hold<T>(id: string, owner: string, ttlMs: number, work: () => Promise<T>): Promise<T> {
    let renewal: Promise<unknown> = Promise.resolve()
    const refresh = setInterval(
      () => {
        const key = this.held.get(heldKey(id, owner))
        if (key) renewal = this.bucket.writeBytes(key, this.record(owner, ttlMs)).catch(() => undefined) // a missed renewal only shortens the lease
      },
      Math.max(1000, ttlMs / 3),
    )
    refresh.unref()
    try {
      return await work()
    } finally {
      clearInterval(refresh)
      await renewal // landing after the release, it would bring the claim back
      await this.release(id, owner).catch(() => undefined) // an unreleased claim only expires
    }
  }

  async release(id: string, owner: string): Promise<void> {
    const key = this.held.get(heldKey(id, owner))
    if (key === undefined) return
    this.held.delete(heldKey(id, owner))
    await this.bucket.delete([key])
  }

  /** Who holds the job's lock, if anyone does. */
  async read(id: string): Promise<LockRecord | undefined> {
    const claims = await this.claims(id)
    return claims.map(([, claim]) => claim).find((claim) => isLive(claim, this.clock()))
  }

  /** Says `owner` waits for the job's lock, until `ttlMs` from now (renewed by each call). */
  async markWaiting(id: string, owner: string, ttlMs: number): Promise<void> {
    await this.bucket.writeBytes(waitingKey(id), this.record(owner, ttlMs))
  }

  /** Someone else than `owner` waits for the job's lock (said so lately, and its process is not gone). */
  async othersWaiting(id: string, owner: string): Promise<boolean> {
    const waiting = await this.readRecord(waitingKey(id))
    return waiting !== undefined && waiting.owner !== owner && isLive(waiting, this.clock())
  }

  /** `owner` waits no more (a marker another waiter wrote since is theirs and stays). */
  async unmarkWaiting(id: string, owner: string): Promise<void> {
    if ((await this.readRecord(waitingKey(id)))?.owner === owner) await this.bucket.delete([waitingKey(id)])
  }

  /** A claim or waiting record by its key (`logs gc` removes those expired). */
  async readRecord(key: string): Promise<LockRecord | undefined> {
    const data = await readBytes(this.bucket, key)
    if (!data) return undefined
    try {
      return JSON.parse(data.toString('utf8')) as LockRecord
    } catch {
      return {owner: '', host: '', pid: 0, expiresAt: 0} // torn write of a crashed holder: treat as expired
    }
  }

  /** Step 3 of taking the lock: whether our claim, written, is the only one. */
  private async aloneAfterWrite(id: string, mine: string): Promise<boolean> {
    for (let look = 0; look < CONTENDED_LOOKS; look++) {
      if (look > 0) await sleep(CONTENDED_PAUSE_MS)
      const others = (await this.claimKeys(id)).filter((key) => key !== mine)
      if (others.length === 0) return true
      if (others.some((key) => key < mine)) return false
    }
    return false
  }

  private async claimKeys(id: string): Promise<string[]> {
    const keys: string[] = []
    for await (const object of this.bucket.list(claimsPrefix(id))) if (isClaimOf(object.key, id)) keys.push(object.key)
    return keys
  }

  /** The job's claims as they are now (one deleted between the listing and its read is left out). */
  private async claims(id: string): Promise<Array<[string, LockRecord]>> {
    const found: Array<[string, LockRecord]> = []
    for (const key of await this.claimKeys(id)) {
      const claim = await this.readRecord(key)
      if (claim) found.push([key, claim])
    }
    return found
  }

  private record(owner: string, ttlMs: number): Buffer {
    const record: LockRecord = {owner, host: hostname(), pid: process.pid, startedAt: PROCESS_STARTED_AT, expiresAt: this.clock() + ttlMs}
    return Buffer.from(JSON.stringify(record))
  }
}

const heldKey = (id: string, owner: string): string => `${id}\n${owner}`

function isLive(record: LockRecord, now: number): boolean {
  return record.expiresAt > now && !ownerIsGone(record)
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
