/**
 * The one follow loop of the live stores (file, Redis, object). Each store brings only
 * its primitives; the loop decides what a follower is told:
 *
 *   ┌─▶ meta()       when the metadata may have changed (and at the start)
 *   │   entries(after) what is there after the cursor ──▶ `entries` events, gapless
 *   │   ended, and everything up to its last line delivered ──▶ `end`, done
 *   │   status, phase, progress or sections changed since what the follower knew (`known`;
 *   │   a new job's when it knew nothing, or the job appeared while it waited) ──▶ `meta`
 *   │   event; an append alone sends none
 *   └── wait()       the store's own way to wait: inotify (file), XREAD BLOCK (Redis),
 *                    adaptive polling (object stores); bounded, so a move is noticed
 *
 * Entries are stored before a job's end is recorded, so once the metadata says "ended"
 * its line count is final. A job whose metadata disappears under the follower was moved
 * (archived) or removed: the loop returns without `end`, and the Jobs facade continues
 * from the archive after the last entry delivered.
 */
import type {LogEntry} from '../entry.js'
import {isEnded, newJobMeta, type JobMeta} from '../job.js'
import type {FollowEvent, FollowOptions} from './types.js'

export interface FollowSource {
  /** The job's metadata now; undefined while it does not exist (not yet, or no longer). */
  meta(): Promise<JobMeta | undefined>
  /** Every entry after `after` that is stored now, in order, in batches. `meta` is the latest read. */
  entries(after: number, meta: JobMeta, signal?: AbortSignal): AsyncIterable<LogEntry[]>
  /**
   * Waits until entries or metadata may have changed, or the store's bound passed.
   * Resolves true when the metadata may have changed (a store that cannot tell says true).
   */
  wait(signal?: AbortSignal): Promise<boolean>
  /** The job left this store although its metadata is still here (Redis: recorded as archived). */
  movedAway?(meta: JobMeta): boolean
  /** The error for a job that is not there when the follower may not wait for it. */
  notFound(): Error
  close(): Promise<void> | void
}

/** `appeared`: the store waited for the job before the loop (it did not exist when the follow began). */
export async function* followLoop(source: FollowSource, {after, signal, waitForJob = true, known}: FollowOptions, appeared = false): AsyncIterable<FollowEvent> {
  let seen = after
  let meta: JobMeta | undefined
  let existed = false
  let metaChanged = true
  let shown: string | undefined
  let first = !appeared
  try {
    while (!signal?.aborted) {
      if (metaChanged) {
        meta = await source.meta()
        if (signal?.aborted) return
        if (!meta && existed) return // moved or removed under the follower
        if (!meta && !waitForJob) throw source.notFound()
        if (meta && !existed) {
          existed = true
          // What the follower read before (`known`) is what it has shown. Without it, it has
          // shown a new job: the job may have started, and recorded a phase, since its own look.
          shown = first && known ? metaShape(known) : NEW_JOB_SHAPE
        }
        first = false
      }
      if (meta) {
        const before = seen
        for await (const entries of source.entries(seen, meta, signal)) {
          if (entries.length === 0) continue
          yield {type: 'entries', entries}
          seen = entries.at(-1)!.seq
        }
        if (signal?.aborted) return
        if (isEnded(meta.status) && seen >= meta.lines) {
          yield {type: 'end', meta}
          return
        }
        const shape = metaShape(meta)
        if (shape !== shown) {
          shown = shape
          yield {type: 'meta', meta}
        }
        if (seen === before && source.movedAway?.(meta)) return
      }
      metaChanged = (await source.wait(signal)) || !meta
    }
  } finally {
    await source.close()
  }
}

const NEW_JOB_SHAPE = metaShape(newJobMeta('', 0))

/** What a `meta` event is sent for: status, phase, progress and sections (opened, closed, dropped), not counters. */
export function metaShape(meta: JobMeta): string {
  const sections = meta.sections ?? []
  let closed = 0
  for (const section of sections) if (section.end !== undefined) closed++
  return JSON.stringify([meta.status, meta.exitCode, meta.phase, meta.progress, sections.length, closed, meta.sectionsDropped, meta.location.kind])
}
