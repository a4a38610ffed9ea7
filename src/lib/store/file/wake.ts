/**
 * Wakes a follower when a directory changes (inotify via fs.watch), instead of polling.
 * Level-triggered: a change that happens between two waits is not missed. A slow
 * safety timer covers file systems where notifications are unreliable (network mounts).
 *
 * A caller may say which files matter: one append to a job touches its lock twice and
 * three data files, and waking on the first of them (the lock, before any data is
 * written) cost the follower an empty read round per batch.
 */
import {watch, type FSWatcher} from 'node:fs'

export const SAFETY_WAKE_MS = 2000

/** What a change of a file means to the waiter: `notable` is reported by next(); `ignored` does not wake it. */
export type ChangeKind = 'notable' | 'change' | 'ignored'

export class DirectoryWake {
  private changed = false
  private notable = false
  private waiter: (() => void) | undefined
  private readonly watcher: FSWatcher

  /** `kindOf`: what a change of each file means (a change without a file name is always notable). */
  constructor(dir: string, kindOf: (filename: string) => ChangeKind = () => 'notable') {
    this.watcher = watch(dir, {persistent: true}, (_event, filename) => {
      const kind = filename === null ? 'notable' : kindOf(filename)
      if (kind === 'ignored') return
      this.changed = true
      if (kind === 'notable') this.notable = true
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
