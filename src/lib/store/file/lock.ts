/**
 * A per-job lock between processes on one machine: a lock file created with O_EXCL that
 * holds the owner's pid. A lock whose owner is dead (kill -9) is stolen by renaming it
 * away first, so two processes cannot both decide to steal it.
 *
 * The critical sections are short and fully synchronous (a few syscalls), so within one
 * process nothing can interleave with them and no in-process queue is needed; waiting
 * for another process sleeps with Atomics.wait.
 *
 * Not for network file systems; the file store is documented as local.
 */
import {closeSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync} from 'node:fs'

/** A lock file without a pid yet is being written by its owner; only this old is it abandoned. */
const EMPTY_LOCK_GRACE_MS = 5000
const sleeper = new Int32Array(new SharedArrayBuffer(4))

export function withLockSync<T>(path: string, fn: () => T): T {
  acquire(path)
  try {
    return fn()
  } finally {
    try {
      unlinkSync(path)
    } catch {
      // already gone: nothing to release
    }
  }
}

function acquire(path: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    if (isAbandoned(path)) {
      const aside = `${path}.stale.${process.pid}.${attempt}`
      try {
        // Only one process wins the rename; the others find the path gone or re-taken.
        renameSync(path, aside)
        unlinkSync(aside)
      } catch {
        // lost the race: try again
      }
      continue
    }
    Atomics.wait(sleeper, 0, 0, Math.min(1 + attempt, 20))
  }
}

function isAbandoned(path: string): boolean {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return false // gone: the next open will tell
  }
  const pid = Number.parseInt(text, 10)
  if (!pid) {
    try {
      return Date.now() - statSync(path).mtimeMs > EMPTY_LOCK_GRACE_MS
    } catch {
      return false
    }
  }
  // Our own pid can only be a leftover of a process that had it before: sync sections never nest.
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return false
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH'
  }
}
