/**
 * What the `archive` and `gc` commands call: open the stores from the settings, run the
 * operation, close the stores. Kept out of the command files so they stay thin.
 */
import type {Settings} from '../config.js'
import {UsageError} from '../errors/index.js'
import {openArchive, openLiveStore} from '../store/open.js'
import type {ArchiveStore, LiveStore} from '../store/types.js'
import {archiveJobs, type ArchiveJobsOptions, type ArchiveSummary} from './archive-jobs.js'
import {BlobArchive} from './blob-archive.js'
import {collectGarbage, type GcOptions, type GcSummary} from './gc.js'

async function withStores<T>(settings: Settings, fn: (live: LiveStore, archive: ArchiveStore) => Promise<T>): Promise<T> {
  const live = await openLiveStore(settings.store)
  let archive: ArchiveStore | undefined
  try {
    archive = await openArchive(settings.archive)
    return await fn(live, archive)
  } finally {
    await Promise.allSettled([live.close(), archive?.close()])
  }
}

export function runArchive(settings: Settings, options: Omit<ArchiveJobsOptions, 'live' | 'archive'>): Promise<ArchiveSummary> {
  return withStores(settings, (live, archive) => archiveJobs({...options, live, archive}))
}

export function runGc(settings: Settings, options: Omit<GcOptions, 'live' | 'archive'>): Promise<GcSummary> {
  return withStores(settings, (live, archive) => {
    if (!(archive instanceof BlobArchive)) throw new UsageError(`gc does not know how to clean ${archive.name}`)
    return collectGarbage({...options, live, archive})
  })
}
