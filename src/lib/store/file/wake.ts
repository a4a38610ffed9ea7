/**
 * Wakes a follower when a directory changes (inotify via fs.watch), instead of polling.
 * Level-triggered: a change that happens between two waits is not missed. A slow
 * safety timer covers file systems where notifications are unreliable (network mounts).
 */
import {watch, type FSWatcher} from 'node:fs'

export const SAFETY_WAKE_MS = 2000

export class DirectoryWake {
  private changed = false
  private notable = false
  private waiter: (() => void) | undefined
  private readonly watcher: FSWatcher

  /** `isNotable`: which changes next() reports as notable (a change without a file name always is). */
  constructor(dir: string, isNotable: (filename: string) => boolean = () => true) {
    this.watcher = watch(dir, {persistent: true}, (_event, filename) => {
      this.changed = true
      if (filename === null || isNotable(filename)) this.notable = true
      this.waiter?.()
    })
    this.watcher.on('error', () => {
      this.notable = true
      this.waiter?.()
    })
  }

  /**
   * Resolves at the next change (or at once if one happened since the last call), on
   * abort, or after the safety interval; true when a notable change (or the safety
   * interval, or an error) is among the reasons.
   */
  async next(signal?: AbortSignal): Promise<boolean> {
    if (!this.changed && !this.notable) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer)
          signal?.removeEventListener('abort', done)
          this.waiter = undefined
          resolve()
        }
        const timer = setTimeout(() => {
          this.notable = true
          done()
        }, SAFETY_WAKE_MS)
        signal?.addEventListener('abort', done, {once: true})
        this.waiter = done
      })
    }
    const notable = this.notable
    this.changed = false
    this.notable = false
    return notable
  }

  close(): void {
    this.watcher.close()
  }
}
