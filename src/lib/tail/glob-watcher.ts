/**
 * Finds jobs that match `logs tail 'build-*'`. The store interface has no "job created"
 * notification, so this re-lists adaptively: every 250 ms while jobs keep appearing,
 * backing off to every 2 s when nothing new shows up (documented in `logs tail --help`).
 *
 * At start a glob takes the jobs that are running; later it takes every new match,
 * running or not, so a job that starts and ends between two listings is not missed.
 */
import type {Jobs} from '../store/jobs.js'
import type {JobMeta} from '../job.js'
import type {DamagedManifestError} from '../errors/index.js'
import type {LabelSelector} from '../label-selector.js'
import {sleep} from './sleep.js'
import {commonPrefixes, type JobPattern} from '../job-targets.js'

export interface GlobWatchOptions {
  jobs: Jobs
  globs: JobPattern[]
  /** Only jobs whose labels match. */
  selector?: LabelSelector
  signal: AbortSignal
  /** Called once per newly matched job id. */
  onJob: (meta: JobMeta) => Promise<void> | void
  /** Called once per matching archived job whose manifest is damaged (it cannot be listed); without it a listing that meets one fails. */
  onDamaged?: (error: DamagedManifestError) => Promise<void> | void
  /** Called after each listing, once its new jobs have been handed to onJob; `began`: when it began (performance.now()). */
  onListed?: (began: number) => void
  /** List once and stop (`--no-follow`): then ended jobs match too. */
  once?: boolean
  /** The first listing takes ended jobs too (`get -f 'build-*'`: their history, then the running ones followed). */
  history?: boolean
  /** Keep listing after a failed listing (the viewer) instead of throwing (plain mode). */
  retry?: boolean
  minInterval?: number
  maxInterval?: number
}

export const GLOB_MIN_INTERVAL = 250
export const GLOB_MAX_INTERVAL = 2000

export interface GlobWatch {
  /** Settles when the watch stops (aborted, or `once` listed). */
  done: Promise<void>
  /** Lists again now rather than after the current interval. */
  listNow(): void
}

export function watchGlobs(options: GlobWatchOptions): GlobWatch {
  /** Set by listNow() while a listing runs: the pause after it is skipped. */
  let asked = false
  let skipPause: (() => void) | undefined
  const pause = async (ms: number) => {
    if (!asked) {
      const pausing = new AbortController()
      skipPause = () => pausing.abort()
      options.signal.addEventListener('abort', skipPause, {once: true})
      await sleep(ms, pausing.signal)
      options.signal.removeEventListener('abort', skipPause)
      skipPause = undefined
    }
    asked = false
  }
  const listNow = () => {
    if (skipPause) skipPause()
    else asked = true
  }
  return {done: watch(options, pause), listNow}
}

async function watch(options: GlobWatchOptions, pause: (ms: number) => Promise<void>): Promise<void> {
  const {jobs, globs, signal, onJob} = options
  const min = options.minInterval ?? GLOB_MIN_INTERVAL
  const max = options.maxInterval ?? GLOB_MAX_INTERVAL
  const seen = new Set<string>()
  const prefixes = commonPrefixes(globs)
  let first = true
  let interval = min
  while (!signal.aborted) {
    let found = 0
    let listed: JobMeta[]
    const began = performance.now()
    const damaged: DamagedManifestError[] = []
    const onDamaged = options.onDamaged && ((error: DamagedManifestError) => void damaged.push(error))
    try {
      listed = (await Promise.all(prefixes.map((prefix) => jobs.listJobs({prefix: prefix || undefined, selector: options.selector, onDamaged})))).flat()
    } catch (error) {
      if (!options.retry || signal.aborted) throw error
      interval = max
      await pause(interval)
      continue
    }
    for (const error of damaged) {
      if (seen.has(error.jobId) || !globs.some((glob) => glob.regex.test(error.jobId))) continue
      seen.add(error.jobId)
      await options.onDamaged!(error)
    }
    for (const meta of listed) {
      if (seen.has(meta.id) || !globs.some((glob) => glob.regex.test(meta.id))) continue
      seen.add(meta.id)
      // Jobs that had ended before we started are history, not something to follow.
      if (first && !options.once && !options.history && meta.status !== 'running') continue
      found++
      await onJob(meta)
    }
    options.onListed?.(began)
    if (options.once) return
    first = false
    interval = found > 0 ? min : Math.min(interval * 2, max)
    await pause(interval)
  }
}
