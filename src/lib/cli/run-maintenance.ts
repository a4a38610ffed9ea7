/**
 * What the `archive` and `gc` commands call: open the stores from the settings, run the
 * operation, close the stores. Kept out of the command files so they stay thin.
 */
import type {Settings} from '../config.js'
import {UsageError} from '../errors/index.js'
import {openJobs} from '../open/open-jobs.js'
import type {ArchiveStore, LiveStore} from '../store/types.js'
import {archiveJobs, type ArchiveJobsOptions, type ArchiveSummary} from '../archive/archive-jobs.js'
import {BlobArchive} from '../archive/blob-archive.js'
import {collectGarbage, type GcOptions, type GcSummary} from '../archive/gc.js'
import {damagedJob, type DamagedJob} from '../archive/damaged-jobs.js'

/** archive and gc work on the stores themselves, never through a relay (LOGS_URL). */
async function withStores<T>(settings: Settings, fn: (live: LiveStore, archive: ArchiveStore) => Promise<T>, createsArchiveBucket = false): Promise<T> {
  const jobs = await openJobs({...settings, url: undefined}, {createsArchiveBucket})
  try {
    return await fn(jobs.live, jobs.archive!)
  } finally {
    await jobs.close()
  }
}

export function runArchive(settings: Settings, options: Omit<ArchiveJobsOptions, 'live' | 'archive'>): Promise<ArchiveSummary> {
  return withStores(settings, (live, archive) => archiveJobs({...options, live, archive}), !options.dryRun)
}

/** `logs archive --reindex`: archives nothing, rebuilds the catalog of archived jobs from their manifests. */
export function runReindex(settings: Settings): Promise<ArchiveSummary> {
  return withStores(settings, async (_live, archive) => {
    if (!(archive instanceof BlobArchive)) throw new UsageError(`--reindex does not know how to index ${archive.name}`)
    const damaged: DamagedJob[] = []
    const reindexed = await archive.reindex((error) => damaged.push(damagedJob(error)))
    return {archived: 0, skipped: 0, failed: 0, dryRun: false, jobs: [], reindexed: {...reindexed, damaged}}
  })
}

export function runGc(settings: Settings, options: Omit<GcOptions, 'live' | 'archive'>): Promise<GcSummary> {
  return withStores(settings, (live, archive) => {
    if (!(archive instanceof BlobArchive)) throw new UsageError(`gc does not know how to clean ${archive.name}`)
    return collectGarbage({...options, live, archive})
  })
}
