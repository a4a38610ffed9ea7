/**
 * `logs archive`: moves ended jobs (and, with `idleMs`, running jobs nobody has written
 * to for that long, marked `abandoned`, their open sections closed at their last write
 * and their phase dropped) from the live store to the archive.
 *
 * Per job, under a lock with expiry held in the archive (./locks.ts):
 *   1. re-read the job (another archiver may have moved it meanwhile)
 *   2. upload its entries; the archive verifies size + sha256 of what it stored
 *      (reused when a verified object with the same line count is already there)
 *   3. record the archive location in the live job's metadata
 *   4. check the job did not change, then delete the live copy
 * A crash between any two steps leaves the job readable (live or archived) and the
 * next run finishes the move: no line lost, none duplicated. A job that fails stays
 * live and is reported; the others carry on.
 */
import {randomUUID} from 'node:crypto'
import {hostname} from 'node:os'
import {setTimeout as sleep} from 'node:timers/promises'
import {ArchiveConflictError, ArchiveIntegrityError} from '../errors/index.js'
import {isEnded, type JobMeta} from '../job.js'
import {matchesSelector, type LabelSelector} from '../label-selector.js'
import {continuedItems, continuedMeta} from '../store/continued-job.js'
import {abandonedStructure} from '../structure/job-sections.js'
import type {ArchiveStore, ArchivedJob, LiveStore} from '../store/types.js'
import {forEachLimited} from './for-each-limited.js'
import {DEFAULT_LOCK_TTL_MS} from './locks.js'
import type {DamagedJob} from './damaged-jobs.js'

export interface JobLocks {
  acquire(id: string, owner: string, ttlMs?: number): Promise<boolean>
  /** Keeps the lock alive while `work` runs, then releases it. */
  hold<T>(id: string, owner: string, ttlMs: number, work: () => Promise<T>): Promise<T>
}

export type ArchiveResult = 'archived' | 'would-archive' | 'skipped' | 'failed'

export interface ArchiveOutcome {
  id: string
  result: ArchiveResult
  /** Why it was skipped or failed. */
  reason?: string
  url?: string
  size?: number
  lines?: number
  /** True when an earlier, interrupted run had already stored the object. */
  resumed?: boolean
  /** True for a failure because the job is in neither the live store nor the archive (so it does not stay live either). */
  missing?: boolean
}

export interface ArchiveSummary {
  archived: number
  skipped: number
  failed: number
  dryRun: boolean
  jobs: ArchiveOutcome[]
  /** With --reindex: the catalog rebuilt from the manifests. */
  reindexed?: {jobs: number; objects: number; damaged: DamagedJob[]}
}

export interface ArchiveJobsOptions {
  live: LiveStore
  archive: ArchiveStore
  /** Defaults to the archive's own locks when it has them. */
  locks?: JobLocks
  /** Only these jobs (else every candidate in the live store). */
  jobIds?: string[]
  /** And the candidates whose id one of these matches (`--job 'build-*'`): ended, or idle with `idleMs`. */
  jobGlobs?: RegExp[]
  /** Also archive running jobs with no write for this long, as `abandoned`. */
  idleMs?: number
  /** `-l`: only jobs whose labels match. */
  selector?: LabelSelector
  concurrency?: number
  dryRun?: boolean
  clock?: () => number
  lockTtlMs?: number
  onProgress?: (progress: {done: number; total: number; outcome: ArchiveOutcome}) => void
  /** Runs after the object is stored and verified, before the live store changes (fault injection in tests). */
  afterUpload?: (id: string) => Promise<void> | void
}

const LOCKED = 'locked by another archiver'
/** How long, and up to twice that, a run waits before trying again the jobs it found locked. */
const LOCKED_RETRY_MS = 200

export async function archiveJobs(options: ArchiveJobsOptions): Promise<ArchiveSummary> {
  const {live, concurrency = 4, dryRun = false, clock = Date.now} = options
  const {jobIds, jobGlobs = []} = options
  const listed = async () =>
    (await live.listJobs()).filter((job) => isCandidate(job, options.idleMs, clock()) && matchesSelector(options.selector, job.labels)).map((job) => job.id)
  const candidates =
    jobIds === undefined && jobGlobs.length === 0
      ? await listed()
      : [...(jobIds ?? []), ...(jobGlobs.length > 0 ? (await listed()).filter((id) => jobGlobs.some((glob) => glob.test(id))) : [])]
  const owner = `${hostname()}:${process.pid}:${randomUUID()}`
  const ids = [...new Set(candidates)]
  const outcomes: ArchiveOutcome[] = []
  // Progress counts attempts: a retry below adds to the total, so the last report is done === total.
  let done = 0
  let total = ids.length
  const attempt = async (id: string): Promise<ArchiveOutcome> => {
    const outcome = await archiveOne(id, owner, options).catch((error: unknown): ArchiveOutcome => ({id, result: 'failed', reason: messageOf(error)}))
    options.onProgress?.({done: ++done, total, outcome})
    return outcome
  }
  await forEachLimited(ids, Math.max(1, concurrency), async (id) => {
    outcomes.push(await attempt(id))
  })
  // Two archivers that claimed a job at the same moment may both back off (locks.ts), so the
  // jobs found locked are tried once more, a random moment later: one that another archiver
  // moved meanwhile is then "already archived", one it still holds is skipped again.
  const locked = outcomes.filter((o) => o.reason === LOCKED)
  if (locked.length > 0 && !dryRun) {
    total += locked.length
    await sleep(LOCKED_RETRY_MS * (1 + Math.random()))
    await forEachLimited(locked, Math.max(1, concurrency), async (before) => {
      outcomes[outcomes.indexOf(before)] = await attempt(before.id)
    })
  }
  outcomes.sort((a, b) => a.id.localeCompare(b.id))
  const archived = outcomes.filter((o) => o.result === 'archived').map((o) => o.id)
  // The catalog is a cache that listings check against the manifests: a failure to write it
  // costs later listings some requests, never a job, and does not fail the run.
  if (archived.length > 0) await options.archive.recordArchived?.(archived).catch(() => undefined)
  const count = (result: ArchiveResult): number => outcomes.filter((o) => o.result === result).length
  return {archived: count('archived') + count('would-archive'), skipped: count('skipped'), failed: count('failed'), dryRun, jobs: outcomes}
}

function isCandidate(job: JobMeta, idleMs: number | undefined, now: number): boolean {
  if (job.location.kind === 'archived') return true // a move an earlier run did not finish
  if (isEnded(job.status)) return true
  return idleMs !== undefined && now - job.updatedAt >= idleMs
}

async function archiveOne(id: string, owner: string, options: ArchiveJobsOptions): Promise<ArchiveOutcome> {
  const {live, archive, clock = Date.now} = options
  const locks = options.locks ?? (archive as {locks?: JobLocks}).locks
  const found = await live.getJob(id)
  if (!found) {
    // An id found nowhere (a typo in a cron line) fails the run, as `get` of it does.
    if (await archive.head(id)) return {id, result: 'skipped', reason: 'already archived'}
    return {id, result: 'failed', reason: `not found in ${live.name} or ${archive.name}`, missing: true}
  }
  if (!matchesSelector(options.selector, found.labels)) return {id, result: 'skipped', reason: 'its labels do not match -l'}
  if (!isCandidate(found, options.idleMs, clock())) return {id, result: 'skipped', reason: 'still running (use --idle DUR for jobs whose writer is gone)'}
  // A job pushed straight to an object store is assembled there in the archive layout: with
  // that same store as the archive there is nothing to move (and deleting would lose it).
  if (live.name === archive.name && found.location.kind === 'archived') return {id, result: 'skipped', reason: 'already in this archive'}
  if (options.dryRun) return {id, result: 'would-archive', lines: found.lines}
  const ttl = options.lockTtlMs ?? DEFAULT_LOCK_TTL_MS
  if (locks && !(await locks.acquire(id, owner, ttl))) return {id, result: 'skipped', reason: LOCKED}
  try {
    return await (locks ? locks.hold(id, owner, ttl, () => move(id, options)) : move(id, options))
  } catch (error) {
    // Two archivers both passed the lock (this one stalled past its lease, locks.ts): the other deleted the live copy under this one.
    if (await movedByAnother(found, options)) return {id, result: 'skipped', reason: 'moved by another archiver'}
    throw error
  }
}

/** When push read the first line of each open section (its entry's time), by seq. */
async function firstLinesReadAt(live: LiveStore, id: string, meta: JobMeta): Promise<Map<number, number>> {
  const readAt = new Map<number, number>()
  for (const section of meta.sections ?? []) {
    if (section.end !== undefined || readAt.has(section.firstSeq)) continue
    for await (const entry of live.read(id, {after: section.firstSeq - 1, limit: 1})) readAt.set(section.firstSeq, entry.ts)
  }
  return readAt
}

async function move(id: string, options: ArchiveJobsOptions): Promise<ArchiveOutcome> {
  const {live, archive, clock = Date.now} = options
  let meta = await live.getJob(id)
  if (!meta) return {id, result: 'skipped', reason: 'moved by another archiver'}
  if (!isEnded(meta.status) && meta.location.kind === 'live') {
    if (!isCandidate(meta, options.idleMs, clock())) return {id, result: 'skipped', reason: 'running again'}
    // Its sections and phase as of an ended job, in the same write as its status: a run resumed after a crash finds both or neither.
    const readAt = await firstLinesReadAt(live, id, meta)
    meta = await live.updateJob(id, {status: 'abandoned', endedAt: meta.updatedAt, ...abandonedStructure(meta, meta.updatedAt, (section) => readAt.get(section.firstSeq))})
  }
  const existing = await archive.head(id)
  const run = meta.continues
  // Another run of the id (its metadata made anew): replacing, or keeping, its object would lose one of them.
  if (existing && existing.meta.createdAt !== (run?.createdAt ?? meta.createdAt)) throw new ArchiveConflictError(id, existing.meta, meta, {live: live.name, archive: archive.name})
  let stored = existing && reusable(existing, meta) ? existing : undefined
  const resumed = stored !== undefined
  stored ??= await put(meta, existing, options)
  await options.afterUpload?.(id)
  const recorded = meta.location
  if (recorded.kind !== 'archived' || recorded.url !== stored.url || recorded.sha256 !== stored.sha256) {
    await live.updateJob(id, {location: stored.meta.location})
  }
  const now = await live.getJob(id)
  if (now && (now.lines !== meta.lines || now.status === 'running')) {
    throw new ArchiveIntegrityError(id, `it received ${now.lines - meta.lines} more lines while being archived; run archive again once it ends`)
  }
  await live.deleteJob(id)
  return {id, result: 'archived', url: stored.url, size: stored.size, lines: stored.meta.lines, resumed}
}

/** The object of the job, or of the archived run it continues and it, as one. */
async function put(meta: JobMeta, existing: ArchivedJob | undefined, {live, archive}: ArchiveJobsOptions): Promise<ArchivedJob> {
  const {id, continues: run} = meta
  const entries = live.readStored?.(id) ?? live.readBatches?.(id) ?? live.read(id)
  if (!run) return archive.put(meta, entries)
  // The archived run and this one as one object: its blocks copied as they are, then these lines after them.
  if (existing?.meta.lines !== run.lines) {
    const now = existing
      ? `holds as ${existing.meta.lines} lines`
      : `no longer holds (deleted: its lines here are numbered from ${run.lines + 1}; \`logs rm ${id} --from live\` drops them)`
    throw new ArchiveIntegrityError(id, `it continues an archived run of ${run.lines} lines, which ${archive.name} ${now}`)
  }
  const {continues: _run, ...whole} = continuedMeta(meta, existing.meta)
  return archive.put(whole, continuedItems(entries, run.lines), {keep: run.lines})
}

/** The live copy is gone and the archive holds all of the job's lines. */
async function movedByAnother(meta: JobMeta, {live, archive}: ArchiveJobsOptions): Promise<boolean> {
  if (await live.getJob(meta.id).catch(() => true)) return false
  const archived = await archive.head(meta.id, {fresh: true}).catch(() => undefined)
  return archived?.meta.lines === (meta.continues?.lines ?? 0) + meta.lines
}

/** The job's archived object holds exactly its lines (with those of the run it continues), verified: left by an interrupted run of archive. */
function reusable(existing: ArchivedJob, meta: JobMeta): boolean {
  if (existing.meta.lines !== (meta.continues?.lines ?? 0) + meta.lines) return false
  return meta.location.kind !== 'archived' || meta.location.sha256 === existing.sha256
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}
