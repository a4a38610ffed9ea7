/**
 * Wakes a follower when a directory changes (inotify via fs.watch), instead of polling.
 * Level-triggered: a change that happens between two waits is not missed. A slow
 * safety timer covers file systems where notifications are unreliable (network mounts).
 */
import {watch, type FSWatcher} from 'node:fs'

export const SAFETY_WAKE_MS = 2000

export class DirectoryWake {
  private changed = false
  private waiter: (() => void) | undefined
  private readonly watcher: FSWatcher

  constructor(dir: string, filter?: (filename: string | null) => boolean) {
    this.watcher = watch(dir, {persistent: true}, (_event, filename) => {
      if (filter && !filter(filename)) return
      this.changed = true
      this.waiter?.()
    })
    this.watcher.on('error', () => this.waiter?.())
  }

  /** Resolves at the next change (or at once if one happened since the last call), on abort, or after the safety interval. */
  async next(signal?: AbortSignal): Promise<void> {
    if (this.changed) {
      this.changed = false
      return
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        this.waiter = undefined
        resolve()
      }
      const timer = setTimeout(done, SAFETY_WAKE_MS)
      signal?.addEventListener('abort', done, {once: true})
      this.waiter = done
    })
    this.changed = false
  }

  close(): void {
    this.watcher.close()
  }
}
