/**
 * Observable signs that a follower is inside its store's wait (instead of a fixed sleep
 * before the job it waits for is started): an inotify watch on a directory (file store),
 * a client blocked in XREAD BLOCK (Redis), repeated looks into a bucket (object stores).
 */
import {readdirSync, readFileSync, readlinkSync, statSync} from 'node:fs'
import type {ObjectBucket} from '../../src/lib/store/object/bucket.js'
import {waitUntil} from './wait.js'

/** Inode numbers a process (this one by default) watches with inotify (from /proc/PID/fdinfo). */
function inotifyWatchedInodes(pid: number | 'self'): Set<number> {
  const inodes = new Set<number>()
  let fds: string[]
  try {
    fds = readdirSync(`/proc/${pid}/fd`)
  } catch {
    return inodes
  }
  for (const fd of fds) {
    let target: string
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`)
    } catch {
      continue
    }
    if (!target.includes('inotify')) continue
    let info: string
    try {
      info = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8')
    } catch {
      continue
    }
    for (const match of info.matchAll(/^inotify wd:\S+ ino:([0-9a-f]+)/gm)) inodes.add(Number.parseInt(match[1], 16))
  }
  return inodes
}

/** Resolves once this process (or process `pid`) watches `dir` with inotify (a file-store follower waiting there). */
export async function untilWatched(dir: string, what = `an inotify watch on ${dir}`, pid: number | 'self' = 'self'): Promise<void> {
  await waitUntil(
    () => {
      try {
        return inotifyWatchedInodes(pid).has(statSync(dir).ino)
      } catch {
        return false
      }
    },
    {what},
  )
}

/** Resolves once a Redis client is blocked (XREAD BLOCK); `blocked` reads the server's count. */
export async function untilBlocked(blocked: () => Promise<number>): Promise<void> {
  await waitUntil(async () => (await blocked()) > 0, {what: 'a client blocked in XREAD BLOCK', interval: 20})
}

/** A bucket that counts the calls made on it, so a test can see a polling follower look again. */
export function countedBucket<T extends ObjectBucket>(bucket: T): {bucket: T; untilPolled: () => Promise<void>} {
  let calls = 0
  const counted = new Proxy(bucket, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown
      if (typeof value !== 'function') return value
      return (...args: unknown[]) => {
        calls++
        return (value as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return {
    bucket: counted,
    // Two more looks than now: at least one found nothing and the follower looked again.
    async untilPolled() {
      const from = calls
      await waitUntil(() => calls >= from + 2, {what: 'a polling follower looking into the bucket again'})
    },
  }
}
