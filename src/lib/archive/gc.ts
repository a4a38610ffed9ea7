/**
 * `logs gc`: retention everywhere the tool keeps data.
 *   - archived jobs that ended before the cutoff (manifest first, then the object)
 *   - ended jobs still in the live store past the cutoff (expired leftovers); a live job that
 *     continues an archived run is one job with it: both go when the live run is past it
 *   - archive locks past their expiry (their holder crashed)
 *   - chunk objects (`.chunks/`) and objects without a manifest older than the cutoff
 *     (an upload interrupted before its manifest was written)
 *   - multipart uploads started more than a day ago and never completed (S3)
 *   - spools on this machine that a dead push left and nothing touched within the retention
 * With a label `selector` only archived and live jobs whose labels match are deleted, and
 * the rest (locks, chunks, uploads, spools: nothing with labels) is left alone.
 * With `dryRun` it only lists. `applyLifecycle` installs an S3 lifecycle rule so the
 * bucket expires objects and aborts incomplete uploads itself.
 */
import {ObjectStoreError, UsageError} from '../errors/index.js'
import {isEnded, type JobMeta} from '../job.js'
import {matchesSelector, type LabelSelector} from '../label-selector.js'
import {staleSpools} from '../ingest/spool.js'
import {continuedMeta} from '../store/continued-job.js'
import type {LiveStore} from '../store/types.js'
import type {BlobArchive} from './blob-archive.js'
import {CHUNKS_DIR, LOCKS_DIR, MANIFEST_SUFFIX, OBJECT_SUFFIXES, idOfManifest} from './layout.js'
import {hasMaintenance, type BucketMaintenance} from '../store/object/bucket.js'
import {damagedJob, type DamagedJob} from './damaged-jobs.js'

export const DEFAULT_RETENTION_MS = 7 * 86_400_000
const DAY_MS = 86_400_000

export type GcKind = 'archived-job' | 'live-job' | 'lock' | 'chunk' | 'orphan-object' | 'multipart-upload' | 'spool'

export interface GcItem {
  kind: GcKind
  /** Job id, or object key for objects. */
  name: string
  /** When it ended / was last written (ms), for listings. */
  at: number
}

export interface GcSummary {
  dryRun: boolean
  cutoff: number
  deleted: GcItem[]
  lifecycleRule?: string
  /** What could not be checked, and why (e.g. an S3 look-alike without ListMultipartUploads). */
  warnings: string[]
  /** Archived jobs whose manifest is damaged: not collected, their objects kept (they hold the lines). */
  damaged: DamagedJob[]
}

export interface GcOptions {
  live?: LiveStore
  archive: BlobArchive
  olderThanMs?: number
  /** `-l`: only jobs whose labels match; then nothing but jobs is collected. */
  selector?: LabelSelector
  dryRun?: boolean
  applyLifecycle?: boolean
  clock?: () => number
  /** Where this machine's spools are (XDG_STATE_HOME); the process environment by default. */
  env?: NodeJS.ProcessEnv
  /** After each thing looked at: how many so far, and how many of them are (or would be) deleted. */
  onProgress?: (progress: {scanned: number; deleted: number}) => void
}

export async function collectGarbage(options: GcOptions): Promise<GcSummary> {
  const {archive, live, dryRun = false, clock = Date.now} = options
  const now = clock()
  const retention = options.olderThanMs ?? DEFAULT_RETENTION_MS
  const cutoff = now - retention
  const bucket = archive.bucket
  if (options.applyLifecycle && !hasMaintenance(bucket)) {
    throw new UsageError(`--apply-lifecycle needs an s3:// archive; ${archive.name} has no lifecycle rules`)
  }
  // First: a service that refuses the rule fails the run before anything is deleted.
  let lifecycleRule: string | undefined
  if (options.applyLifecycle && !dryRun && hasMaintenance(bucket)) lifecycleRule = await applyLifecycle(bucket, Math.max(1, Math.ceil(retention / DAY_MS)))
  const items: GcItem[] = []
  let scanned = 0
  const scan = (): void => options.onProgress?.({scanned: ++scanned, deleted: items.length})
  const act = async (item: GcItem, remove: () => Promise<void>): Promise<void> => {
    if (!dryRun) await remove()
    items.push(item)
  }

  const manifests = new Map<string, JobMeta>()
  const archivedGone: string[] = []
  const selected = (meta: JobMeta) => matchesSelector(options.selector, meta.labels)
  const liveJobs = live ? await live.listJobs() : []
  const continued = new Map(liveJobs.flatMap((job) => (job.continues ? [[job.id, job.continues.createdAt] as const] : [])))
  const damaged: DamagedJob[] = []
  for (const job of await archive.list({onDamaged: (error) => damaged.push(damagedJob(error))})) {
    manifests.set(job.meta.id, job.meta)
    const at = endOf(job.meta)
    // The archived run of a job a live run continues (store/continued-job.ts) is that job's start: it goes with the live run, below.
    if (continued.get(job.meta.id) !== job.meta.createdAt && at < cutoff && selected(job.meta))
      await act({kind: 'archived-job', name: job.meta.id, at}, async () => void archivedGone.push(job.meta.id))
    scan()
  }
  for (const job of liveJobs) {
    const earlier = manifests.get(job.id)
    const run = job.continues && earlier?.createdAt === job.continues.createdAt ? earlier : undefined
    const at = endOf(job)
    if (isEnded(job.status) && at < cutoff && selected(run ? continuedMeta(job, run) : job)) {
      await act({kind: 'live-job', name: job.id, at}, () => live!.deleteJob(job.id))
      if (run) await act({kind: 'archived-job', name: job.id, at: endOf(run)}, async () => void archivedGone.push(job.id))
    }
    scan()
  }
  // At once: each deletion rewrites the catalog objects holding the job.
  await archive.delete(archivedGone)
  if (options.selector) return {dryRun, cutoff, deleted: items, warnings: [], damaged}
  const unlisted = new Set(damaged.map((job) => job.job))
  for await (const object of bucket.list('')) {
    const at = object.modifiedAt ?? now
    if (object.key.startsWith(LOCKS_DIR)) {
      const lock = await archive.locks.readRecord(object.key)
      if (lock && lock.expiresAt < now) await act({kind: 'lock', name: object.key, at: lock.expiresAt}, () => bucket.delete([object.key]))
    } else if (object.key.startsWith(CHUNKS_DIR)) {
      if (at < cutoff) await act({kind: 'chunk', name: object.key, at}, () => bucket.delete([object.key]))
    } else if (isOrphan(object.key, manifests, unlisted) && at < Math.min(cutoff, now - DAY_MS)) {
      await act({kind: 'orphan-object', name: object.key, at}, () => bucket.delete([object.key]))
    }
    scan()
  }
  for (const spool of await staleSpools(cutoff, options.env)) {
    await act({kind: 'spool', name: spool.path, at: spool.updatedAt}, spool.remove)
    scan()
  }
  const warnings: string[] = []
  if (hasMaintenance(bucket)) {
    try {
      for (const upload of await bucket.staleUploads(now - DAY_MS)) {
        await act({kind: 'multipart-upload', name: upload.key, at: upload.startedAt}, () => bucket.abortUpload(upload.key, upload.uploadId))
      }
    } catch (error) {
      if (!(error instanceof ObjectStoreError && error.kind === 'unsupported')) throw error
      warnings.push(`incomplete multipart uploads were not checked: ${error.message}`)
    }
  }
  return {dryRun, cutoff, deleted: items, lifecycleRule, warnings, damaged}
}

/** A service without lifecycle rules (s3rver, some S3 look-alikes) answers 501: what the rule would do, `gc` itself does when run from cron. */
async function applyLifecycle(bucket: BucketMaintenance, days: number): Promise<string> {
  try {
    return await bucket.applyLifecycle(days)
  } catch (error) {
    if (!(error instanceof ObjectStoreError && error.kind === 'unsupported')) throw error
    throw error.withSuggestions([
      'this S3-compatible service does not support lifecycle rules: run `logs gc` without --apply-lifecycle from cron instead; it deletes what is past retention itself',
    ])
  }
}

function endOf(meta: JobMeta): number {
  return meta.endedAt ?? meta.updatedAt
}

/**
 * An object of a job whose manifest is gone or was never written, or names another object
 * (the gzip object a continued run was written again from, when archive was killed before
 * deleting it). The objects of a job whose manifest is `damaged` are never orphans: they hold its lines.
 */
function isOrphan(key: string, manifests: ReadonlyMap<string, JobMeta>, damaged: ReadonlySet<string>): boolean {
  if (key.includes('/') || idOfManifest(key) || key.endsWith(MANIFEST_SUFFIX)) return false
  for (const suffix of OBJECT_SUFFIXES) {
    const at = key.indexOf(suffix)
    if (at <= 0) continue
    if (damaged.has(key.slice(0, at))) return false
    const location = manifests.get(key.slice(0, at))?.location
    return !location || (location.kind === 'archived' && !location.url.endsWith(key.slice(0, at + suffix.length)))
  }
  return false
}
