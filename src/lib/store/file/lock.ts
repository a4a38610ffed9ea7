/**
 * A per-job lock between processes on one machine: a lock file created with O_EXCL that
 * holds the owner's pid. A lock whose owner is dead (kill -9) is stolen by renaming it
 * away first, so two processes cannot both decide to steal it. Within a process, a
 * promise chain serialises callers before they touch the file.
 *
 * Not for network file systems; the file store is documented as local.
 */
import {open, readFile, rename, stat, unlink} from 'node:fs/promises'
import {setTimeout as sleep} from 'node:timers/promises'

const queues = new Map<string, Promise<unknown>>()
/** A lock file without a pid yet is being written by its owner; only this old is it abandoned. */
const EMPTY_LOCK_GRACE_MS = 5000

export async function withLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const previous = queues.get(path) ?? Promise.resolve()
  const run = previous.catch(() => undefined).then(async () => {
    await acquire(path)
    try {
      return await fn()
    } finally {
      await unlink(path).catch(() => undefined)
    }
  })
  const tail = run.catch(() => undefined)
  queues.set(path, tail)
  void tail.then(() => {
    if (queues.get(path) === tail) queues.delete(path)
  })
  return run
}

async function acquire(path: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      const handle = await open(path, 'wx')
      await handle.writeFile(String(process.pid))
      await handle.close()
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    if (await isAbandoned(path)) {
      const aside = `${path}.stale.${process.pid}.${attempt}`
      // Only one process wins the rename; the others find the path gone or re-taken.
      if (await rename(path, aside).then(() => true, () => false)) await unlink(aside).catch(() => undefined)
      continue
    }
    await sleep(Math.min(1 + attempt, 20))
  }
}

async function isAbandoned(path: string): Promise<boolean> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch {
    return false // gone: the next open will tell
  }
  const pid = Number.parseInt(text, 10)
  if (!pid) {
    const info = await stat(path).catch(() => undefined)
    return info !== undefined && Date.now() - info.mtimeMs > EMPTY_LOCK_GRACE_MS
  }
  if (pid === process.pid) return false
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
