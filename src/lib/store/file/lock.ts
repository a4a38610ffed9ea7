/**
 * A per-job lock between processes on one machine: a lock file that holds the owner's
 * pid, taken by hard-linking it into place from a file of our own (`lock.PID`, written
 * once per process and job, removed at exit): link() fails when the lock exists. On ext4
 * a link costs about a tenth of creating a file with O_EXCL, and push takes the lock once
 * per read. A lock whose owner is dead (kill -9) is stolen by renaming it away first, so
 * two processes cannot both decide to steal it. A killed process leaves its `lock.PID`
 * behind, in the job's directory, until the job is removed.
 *
 * The critical sections are short and fully synchronous (a few syscalls), so within one
 * process nothing can interleave with them and no in-process queue is needed; waiting
 * for another process sleeps with Atomics.wait.
 *
 * Not for network file systems; the file store is documented as local.
 */
import {linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync} from 'node:fs'

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

/** Our own lock files by lock path: linked into place to take a lock. */
const own = new Map<string, string>()

function ownFile(path: string): string {
  let file = own.get(path)
  if (!file) {
    file = `${path}.${process.pid}`
    writeFileSync(file, String(process.pid))
    if (own.size === 0) process.once('exit', removeOwnFiles)
    own.set(path, file)
  }
  return file
}

function removeOwnFiles(): void {
  for (const file of own.values()) {
    try {
      unlinkSync(file)
    } catch {
      // gone with its job
    }
  }
  own.clear()
}

function acquire(path: string): void {
  for (let attempt = 0; ; attempt++) {
    try {
      linkSync(ownFile(path), path)
      return
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code
      // Our own file removed meanwhile (the job was deleted and is being made again): write it anew.
      if (code === 'ENOENT' && own.has(path)) {
        own.delete(path)
        continue
      }
      if (code !== 'EEXIST') throw error
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
