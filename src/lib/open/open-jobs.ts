/**
 * Builds the collaborators a command needs from its resolved settings: the live store
 * (or the relay, in remote mode) and the Jobs facade over live store + archive.
 */
import type {Setting, Settings} from '../config.js'
import {InvalidUrlError} from '../errors/index.js'
import {Jobs} from '../store/jobs.js'
import {LazyArchive} from './lazy-archive.js'
import {checkArchiveUrl, checkLiveStoreUrl, liveStoreRecipe, openArchive, openLiveStore} from './open-store.js'
import {relayRecipe, type StoreRecipe} from '../store/recipe.js'
import {retryPolicyOf} from '../store/retry.js'
import type {ContinuedRun} from '../job.js'
import type {LiveStore} from '../store/types.js'
import {parseStoreUrl, redactUrl} from '../store/url.js'

/** The store that push/run write to and readers read from: the relay when --url is set. `createsBucket`: see OpenContext. */
export async function openWriteStore(settings: Settings, readOnly = false, createsBucket = false): Promise<LiveStore> {
  if (settings.url) {
    const {openRelayStore} = await import('../store/relay/relay-store.js')
    return openRelayStore(relayUrl(settings.url), settings.token?.value)
  }
  return openLiveStore(settings.store, storeEnv(settings), readOnly, createsBucket)
}

/**
 * Checks the write store's URL (form and scheme) without opening it, so bad input is exit 2
 * before a job starts, and says whether the store is on this machine (never the relay).
 */
export function checkWriteStoreUrl(settings: Settings): {local: boolean} {
  if (!settings.url) return checkLiveStoreUrl(settings.store)
  relayUrl(settings.url)
  return {local: false}
}

/** How another thread opens the write store (openWriteStore), from its URL alone: Redis and the relay have a recipe. */
export function writeStoreRecipe(settings: Settings): StoreRecipe | undefined {
  return settings.url ? relayRecipe(relayUrl(settings.url), settings.token?.value) : liveStoreRecipe(settings.store, storeEnv(settings))
}

/**
 * Live store and archive together; in remote mode the relay answers for both. `readOnly`
 * for commands that only read (get, ls, tail, sections): their store writes nothing, and
 * their archive is opened when first used (lazy-archive.ts). `createsArchiveBucket` for
 * `archive`, which writes jobs into the archive (OpenContext createsBucket).
 */
export async function openJobs(settings: Settings, options: {readOnly?: boolean; createsArchiveBucket?: boolean} = {}): Promise<Jobs> {
  const live = await openWriteStore(settings, options.readOnly)
  if (settings.url) return new Jobs({live})
  const env = storeEnv(settings)
  try {
    if (!options.readOnly) return new Jobs({live, archive: await openArchive(settings.archive, env, false, options.createsArchiveBucket)})
    const {absent} = checkArchiveUrl(settings.archive)
    return new Jobs({live, archive: new LazyArchive(() => openArchive(settings.archive, env, true), redactUrl(settings.archive.value), absent)})
  } catch (error) {
    await live.close()
    throw error
  }
}

/** The live stores whose startJob continues an archived run when told which (StartJobInit.continues); object stores continue one themselves. */
const CONTINUING_STORES = new Set(['file:', 'redis:', 'rediss:', 'redis+cluster:'])

/**
 * For push and run: the archived run of a job that a push into the file store or Redis
 * continues (job.ts ContinuedRun), found in the archive of --archive / LOGS_ARCHIVE / the
 * config file / the default by its manifest (one small read). Undefined for a relay and for
 * object stores. A job the store holds is appended to as it is, so a local store is asked
 * first; a remote one (possibly down: push spools) ignores the answer for a job it holds.
 */
export function archivedRunFinder(settings: Settings): ((store: LiveStore, job: string) => Promise<ContinuedRun | undefined>) | undefined {
  if (settings.url) return undefined
  let protocol: string
  try {
    protocol = parseStoreUrl(settings.store, 'live store').protocol // as the store is opened: redis+cluster:// lists hosts WHATWG URL cannot parse
  } catch {
    return undefined // opening the store reports it
  }
  if (!CONTINUING_STORES.has(protocol)) return undefined
  return async (store, job) => {
    if (store.local && (await store.getJob(job))) return undefined
    const archive = await openArchive(settings.archive, storeEnv(settings), true)
    try {
      const found = await archive.head(job)
      return found && {createdAt: found.meta.createdAt, lines: found.meta.lines}
    } finally {
      await archive.close()
    }
  }
}

/** The environment backends read their credentials from, with the config file's where the environment has none. */
function storeEnv(settings: Settings): NodeJS.ProcessEnv {
  if (!settings.blobToken || process.env.BLOB_READ_WRITE_TOKEN) return process.env
  return {...process.env, BLOB_READ_WRITE_TOKEN: settings.blobToken.value}
}

function relayUrl(setting: Setting): string {
  let url: URL
  try {
    url = new URL(setting.value)
  } catch {
    throw new InvalidUrlError('relay', setting.from, `${JSON.stringify(redactUrl(setting.value))} is not a valid URL`, [
      'use the address `logs serve` listens on, e.g. http://logs.internal:8080',
    ])
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidUrlError('relay', setting.from, `${redactUrl(setting.value)} must be http:// or https://`)
  }
  retryPolicyOf(url, setting.from)
  return url.toString()
}
