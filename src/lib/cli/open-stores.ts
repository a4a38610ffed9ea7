/**
 * Builds the collaborators a command needs from its resolved settings: the live store
 * (or the relay, in remote mode) and the Jobs facade over live store + archive.
 */
import type {Settings} from '../config.js'
import {Jobs} from '../jobs.js'
import {hasArchiveBackend, openArchive, openLiveStore} from '../store/open.js'
import type {LiveStore} from '../store/types.js'
import {UsageError} from '../errors/index.js'

/** The store that push/run write to and readers read from: the relay when --url is set. */
export async function openWriteStore(settings: Settings): Promise<LiveStore> {
  if (settings.url) throw new UsageError(`remote mode (${settings.url.from}) is not available in this build`)
  return openLiveStore(settings.store)
}

export async function openJobs(settings: Settings): Promise<Jobs> {
  const live = await openWriteStore(settings)
  if (settings.url || !hasArchiveBackend(settings.archive)) return new Jobs({live})
  try {
    return new Jobs({live, archive: await openArchive(settings.archive)})
  } catch (error) {
    await live.close()
    throw error
  }
}
