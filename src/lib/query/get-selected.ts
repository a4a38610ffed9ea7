/**
 * `logs get a b 'build-*' -l env=prod`: the entries of several jobs, each read as
 * `logs get JOB` reads it (getEntries: every filter, -A/-B/-C, --section, the store's
 * hints), then merged by time (ties by job, then seq) or, with `byJob`, one job after
 * another.
 *
 *   jobs (by first timestamp, or in the given order with byJob)
 *     ─► opener: the next `concurrency` jobs read ahead to their first wanted batch
 *        (so a rare --grep searches several jobs at once)
 *     ─► a heap of one head per open job ─► the oldest entry out, in batches
 *
 * A job is opened only once the merge has reached its first timestamp, so jobs that do
 * not overlap in time are read one after another: memory is a batch per open job plus
 * the read-ahead, never the logs. Jobs that cannot match — ended before `since`, started
 * after `until`, no line at the wanted levels, or whose archive catalog filter proves the
 * --grep literal absent — are not read at all. `--head N` stops after N; `-n N` reads jobs
 * newest first and stops once no further job can hold one of the last N (both over the
 * merged output; per job with byJob).
 *
 * A job that fails part-way (a damaged archive block), or that a glob cannot list (a
 * damaged manifest), does not stop the others: what could be read is printed, and the
 * first failure is thrown at the end (the others said as warnings).
 */
import type {LogEntry} from '../entry.js'
import {ArchiveReadError, TooManyJobsError, type DamagedManifestError} from '../errors/index.js'
import {isEnded, type JobMeta} from '../job.js'
import {commonPrefixes, type JobPattern, type TailTargets} from '../job-targets.js'
import type {Level} from '../level.js'
import type {Jobs} from '../store/jobs.js'
import {pickSections} from '../structure/job-sections.js'
import {getEntries, inSections, type GetOptions} from './get-entries.js'
import {MinHeap} from './min-heap.js'

export interface JobEntry {
  job: string
  entry: LogEntry
}

export interface GetSelectedOptions extends Omit<GetOptions, 'job' | 'meta' | 'follow' | 'wait' | 'onWaiting' | 'onEnd'> {
  targets: TailTargets
  /** `--section`: each job's sections of these names (a job without one gives nothing). */
  sections?: string[]
  /** One job after another instead of merged by time; -n and --head then count per job. */
  byJob?: boolean
  /** More jobs selected than this is a usage error (the relay's bound on one query). */
  maxJobs?: number
  /** Jobs read ahead at once (default 8). */
  concurrency?: number
  /** Globs (with the selector, if any) that matched no job; `selected`: how many jobs the targets selected in all. */
  onUnmatched?: (globs: JobPattern[], selected: number) => void
  /** The jobs that will be read (after skipping those that cannot match), before any is. */
  onJobs?: (jobs: JobMeta[], skipped: number) => void
  /** A job has been read to its end (or failed). */
  onJobDone?: (job: JobMeta) => void
  /**
   * Jobs whose stored token filters prove `literal` absent (archive catalog): they are
   * not read. Absent when the store has no such filters.
   */
  ruledOut?: (jobs: JobMeta[], pattern: NonNullable<GetOptions['match']>) => Promise<Set<string>>
}

const BATCH = 1024
const CONCURRENCY = 8

/**
 * The jobs the targets name: ids as given (each must exist), then what globs and the
 * selector match, by id; and the globs that matched no job.
 */
async function selectJobs(jobs: Jobs, targets: TailTargets): Promise<{selected: JobMeta[]; unmatched: JobPattern[]; damaged: DamagedManifestError[]}> {
  const named = await Promise.all(targets.ids.map(async (id) => jobs.requireJob(id)))
  const picked = new Map(named.map((meta) => [meta.id, meta]))
  const damaged: DamagedManifestError[] = []
  if (targets.globs.length === 0) return {selected: [...picked.values()], unmatched: [], damaged}
  const onDamaged = (error: DamagedManifestError): void => {
    if (targets.globs.some((glob) => glob.regex.test(error.jobId)) && !damaged.some((seen) => seen.jobId === error.jobId)) damaged.push(error)
  }
  const listed = (
    await Promise.all(commonPrefixes(targets.globs).map(async (prefix) => jobs.listJobs({prefix: prefix || undefined, selector: targets.selector, onDamaged})))
  ).flat()
  const matched = listed.filter((meta) => !picked.has(meta.id) && targets.globs.some((glob) => glob.regex.test(meta.id))).sort((a, b) => compareIds(a.id, b.id))
  for (const meta of matched) picked.set(meta.id, meta)
  const unmatched = targets.globs.filter((glob) => !listed.some((meta) => glob.regex.test(meta.id)) && !damaged.some((error) => glob.regex.test(error.jobId)))
  return {selected: [...picked.values()], unmatched, damaged}
}

export async function* getSelectedEntries(jobs: Jobs, options: GetSelectedOptions): AsyncGenerator<JobEntry[]> {
  const {selected, unmatched, damaged} = await selectJobs(jobs, options.targets)
  if (unmatched.length > 0) options.onUnmatched?.(unmatched, selected.length)
  if (options.maxJobs !== undefined && selected.length > options.maxJobs) {
    throw new TooManyJobsError(selected.length, options.maxJobs)
  }
  let candidates = selected.filter((meta) => mayMatch(meta, options))
  if (options.ruledOut && options.match && candidates.length > 0) {
    const absent = await options.ruledOut(candidates, options.match)
    candidates = candidates.filter((meta) => !absent.has(meta.id))
  }
  options.onJobs?.(candidates, selected.length - candidates.length)
  // A job whose manifest is damaged was not listed: named at the end, with what else failed.
  const failures: unknown[] = [...damaged]
  // Told as they are met: the merge may stop (--head) or close a job before its read ends.
  const unreadable: ArchiveReadError[] = []
  if (!options.onUnreadable) options = {...options, onUnreadable: (error) => unreadable.push(error)}
  const done = (meta: JobMeta, error?: unknown): void => {
    if (error !== undefined) failures.push(error)
    options.onJobDone?.(meta)
  }
  if (options.byJob) {
    for await (const source of opened(jobs, candidates, options, done)) {
      try {
        for (let batch = source.batch; batch; batch = await source.nextBatch()) yield batch.map((entry) => ({job: source.job, entry}))
      } finally {
        await source.close()
      }
    }
  } else if (options.tail !== undefined) {
    const newestFirst = [...candidates].sort((a, b) => (b.lastTs ?? Number.POSITIVE_INFINITY) - (a.lastTs ?? Number.POSITIVE_INFINITY) || compareIds(a.id, b.id))
    yield* lastAcross(jobs, newestFirst, options, done)
  } else {
    const order = [...candidates].sort((a, b) => (a.firstTs ?? Number.NEGATIVE_INFINITY) - (b.firstTs ?? Number.NEGATIVE_INFINITY) || compareIds(a.id, b.id))
    yield* merged(jobs, order, options, done)
  }
  failures.push(...ArchiveReadError.merged(unreadable))
  if (failures.length === 0) return
  for (const other of failures.slice(1)) options.onWarning?.((other as Error).message ?? String(other))
  throw failures[0]
}

type Done = (meta: JobMeta, error?: unknown) => void

/** The k-way merge: one head per open job in a heap; a job is opened when the merge reaches its first timestamp. */
async function* merged(jobs: Jobs, order: JobMeta[], options: GetSelectedOptions, done: Done): AsyncGenerator<JobEntry[]> {
  const heap = new MinHeap<JobSource>((a, b) => before(a, b))
  const opener = opened(jobs, order, options, done)[Symbol.asyncIterator]()
  let next = 0
  let batch: JobEntry[] = []
  let left = options.head ?? Number.POSITIVE_INFINITY
  try {
    while (left > 0) {
      // Open every job that may hold an entry older than the oldest head.
      while (next < order.length && (heap.size === 0 || (order[next].firstTs ?? Number.NEGATIVE_INFINITY) <= heap.peek()!.head.ts)) {
        next++
        const source = await opener.next()
        if (!source.done) heap.push(source.value)
      }
      if (heap.size === 0) break
      const source = heap.pop()!
      const item = {job: source.job, entry: source.head}
      left--
      if (await source.advance()) heap.push(source)
      batch.push(item)
      if (batch.length >= BATCH) {
        yield batch
        batch = []
      }
    }
    if (batch.length > 0) yield batch
  } finally {
    await Promise.all(heap.values().map(async (source) => source.close()))
    await opener.return?.(undefined)
  }
}

/**
 * `-n N` over the merge: jobs newest first (by their last line), each read for its own last
 * N, keeping the N newest entries; once N are kept and a job's last line is older than all
 * of them, neither it nor any job after it can give one, so reading stops.
 */
async function* lastAcross(jobs: Jobs, newestFirst: JobMeta[], options: GetSelectedOptions, done: Done): AsyncGenerator<JobEntry[]> {
  const wanted = options.tail!
  let kept: JobEntry[] = []
  if (wanted <= 0) return
  for await (const source of opened(jobs, newestFirst, options, done)) {
    if (kept.length >= wanted && source.meta.lastTs !== undefined && source.meta.lastTs < kept[0].entry.ts) {
      await source.close()
      break
    }
    try {
      for (let batch = source.batch; batch; batch = await source.nextBatch()) for (const entry of batch) kept.push({job: source.job, entry})
    } finally {
      await source.close()
    }
    kept = kept.sort((a, b) => (earlier(a, b) ? -1 : 1)).slice(-wanted)
  }
  yield kept
}

function earlier(a: JobEntry, b: JobEntry): boolean {
  if (a.entry.ts !== b.entry.ts) return a.entry.ts < b.entry.ts
  if (a.job !== b.job) return a.job < b.job
  return a.entry.seq < b.entry.seq
}

/** Ties by job, then seq: the same input gives the same output. */
function before(a: JobSource, b: JobSource): boolean {
  return earlier({job: a.job, entry: a.head}, {job: b.job, entry: b.head})
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** What the job's metadata already tells: an ended job entirely outside the time range, or without a line at the wanted levels, gives nothing. */
function mayMatch(meta: JobMeta, options: GetSelectedOptions): boolean {
  if (!isEnded(meta.status)) return true
  if (meta.lines === 0) return false
  if (options.since !== undefined && meta.lastTs !== undefined && meta.lastTs < options.since) return false
  if (options.until !== undefined && meta.firstTs !== undefined && meta.firstTs >= options.until) return false
  // Counts are of the levels told at capture: none counted at a wanted level means no line can pass.
  const counted = Object.entries(meta.levels ?? {}).filter(([, n]) => (n ?? 0) > 0)
  if (options.levels && counted.length > 0 && !counted.some(([level]) => options.levels!.includes(level as Level))) return false
  if (options.sections && pickSections(meta, options.sections).length === 0) return false
  return true
}

/**
 * One job's entries as getEntries gives them, one at a time for the merge. `batch` is the
 * current batch, `head` the current entry.
 */
class JobSource {
  private at = 0
  private failure: unknown

  constructor(
    readonly meta: JobMeta,
    private readonly iterator: AsyncIterator<LogEntry[]>,
    public batch: LogEntry[] | undefined,
    private readonly onDone: Done,
  ) {}

  get job(): string {
    return this.meta.id
  }

  get head(): LogEntry {
    return this.batch![this.at]
  }

  /** The next entry; false at the end of the job. */
  async advance(): Promise<boolean> {
    if (++this.at < this.batch!.length) return true
    this.at = 0
    return (await this.nextBatch()) !== undefined
  }

  async nextBatch(): Promise<LogEntry[] | undefined> {
    try {
      const next = await this.iterator.next()
      this.batch = next.done ? undefined : next.value
    } catch (error) {
      this.batch = undefined
      this.failure = error
    }
    if (!this.batch) this.onDone(this.meta, this.failure)
    return this.batch
  }

  async close(): Promise<void> {
    await this.iterator.return?.()
  }
}

/**
 * The jobs in order, each opened (read up to its first non-empty batch) `concurrency` ahead
 * of the one asked for. Jobs that give nothing are left out; failures go to `done`.
 */
async function* opened(jobs: Jobs, order: JobMeta[], options: GetSelectedOptions, done: Done): AsyncGenerator<JobSource> {
  const open = async (meta: JobMeta): Promise<JobSource | undefined> => {
    let perJob: GetOptions = {...options, job: meta.id, meta, follow: false}
    if (options.sections) perJob = inSections(perJob, pickSections(meta, options.sections))
    const source = new JobSource(meta, getEntries(jobs, perJob)[Symbol.asyncIterator](), [], done)
    // getEntries skips empty batches: its first batch (or its end) tells whether the job gives anything.
    return (await source.nextBatch()) ? source : undefined
  }
  const ahead: Array<Promise<JobSource | undefined>> = []
  let next = 0
  const fill = (): void => {
    while (next < order.length && ahead.length < (options.concurrency ?? CONCURRENCY)) {
      const meta = order[next++]
      ahead.push(
        open(meta).catch((error: unknown) => {
          done(meta, error)
          return undefined
        }),
      )
    }
  }
  try {
    fill()
    while (ahead.length > 0) {
      const source = await ahead.shift()!
      fill()
      if (source) yield source
    }
  } finally {
    // Stopped early (--head, a closed pipe): close what was read ahead.
    await Promise.all(ahead.map(async (opening) => (await opening)?.close()))
  }
}

/** `get a b` reads many jobs once: -f follows them (through tail's feed) and takes only what a follow can. */
export const FOLLOW_UNSUPPORTED = ['head', 'until', 'after', 'section', 'after-context', 'before-context', 'context', 'by-job'] as const
