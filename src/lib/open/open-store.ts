/**
 * Opens a store from its URL: a live store (file, Redis, or an object store that `push`
 * buffers into) or an archive (the archive layout on an object bucket). Backends are
 * imported on demand so that a command using the embedded file store never loads ioredis
 * or the AWS SDK; the embedded file store itself is imported with this module, as every
 * command that reads or writes a job has it in the same bundled chunk (an import() of it
 * would cost a module load of its own at each start, see scripts/bundle.mjs).
 */
import {statSync} from 'node:fs'
import {InvalidUrlError} from '../errors/index.js'
import type {Setting} from '../config.js'
import type {ObjectBucket} from '../store/object/bucket.js'
import type {ArchiveStore, LiveStore, OpenContext, StoreRole} from '../store/types.js'
import {fileUrlPath, parseStoreUrl, redactUrl} from '../store/url.js'
import {redisRecipe, type StoreRecipe} from '../store/recipe.js'
import {parseRedisUrl} from '../store/redis/url.js'
import {openFileStore} from '../store/file/file-store.js'

type Opener<T> = (url: URL, context: OpenContext) => Promise<T>

const BUCKETS: Record<string, Opener<ObjectBucket>> = {
  'file:': async (url) => (await import('../store/object/directory-bucket.js')).openDirectoryBucket(url),
  's3:': async (url, context) => (await import('../store/object/s3-bucket.js')).openS3Bucket(url, context),
  'supabase:': async (url, context) => (await import('../store/object/supabase-bucket.js')).openSupabaseBucket(url, context),
  'vercel-blob:': async (url, context) => (await import('../store/object/vercel-blob-bucket.js')).openVercelBlobBucket(url, context),
}

/** `push --store s3://…`: buffered chunk objects, assembled into the archive layout at the end. */
const objectLiveStore =
  (bucketOpener: Opener<ObjectBucket>): Opener<LiveStore> =>
  async (url, context) => {
    const bucket = await bucketOpener(url, context)
    return new (await import('../archive/object-live-store.js')).ObjectLiveStore({bucket})
  }

type Recipe = (url: URL, context: OpenContext) => StoreRecipe
const redisStoreRecipe: Recipe = (url, context) => redisRecipe(parseRedisUrl(url, context.from, context.env))

/**
 * `local`: the store is on this machine and opens in milliseconds, so capture need not hold
 * lines while it opens. `recipe`: how another thread opens it (the store's own `recipe`), from the URL alone.
 */
const LIVE: Record<string, {open: Opener<LiveStore>; local: boolean; recipe?: Recipe}> = {
  's3:': {open: objectLiveStore(BUCKETS['s3:']), local: false},
  'supabase:': {open: objectLiveStore(BUCKETS['supabase:']), local: false},
  'vercel-blob:': {open: objectLiveStore(BUCKETS['vercel-blob:']), local: false},
  'file:': {open: openFileStore, local: true},
  'redis:': {open: async (url, context) => (await import('../store/redis/redis-store.js')).openRedisStore(url, context), local: false, recipe: redisStoreRecipe},
  'rediss:': {open: async (url, context) => (await import('../store/redis/redis-store.js')).openRedisStore(url, context), local: false, recipe: redisStoreRecipe},
  'redis+cluster:': {open: async (url, context) => (await import('../store/redis/redis-store.js')).openRedisStore(url, context), local: false, recipe: redisStoreRecipe},
}

const ARCHIVE: Record<string, Opener<ArchiveStore>> = Object.fromEntries(
  Object.entries(BUCKETS).map(([scheme, openBucket]) => [
    scheme,
    async (url: URL, context: OpenContext) => {
      const bucket = await openBucket(url, context)
      return new (await import('../archive/blob-archive.js')).BlobArchive({bucket, rememberManifests: context.readOnly})
    },
  ]),
)

/** `createsBucket`: see OpenContext. */
export async function openLiveStore(setting: Setting, env: NodeJS.ProcessEnv = process.env, readOnly = false, createsBucket = false): Promise<LiveStore> {
  const {url, entry} = entryFor(LIVE, setting, 'live store')
  return entry.open(url, {from: setting.from, what: 'live store', env, readOnly, createsBucket})
}

/** `readOnly`: the archive of a command that only reads, which reads each job's manifest once (BlobArchive rememberManifests). */
export async function openArchive(setting: Setting, env: NodeJS.ProcessEnv = process.env, readOnly = false, createsBucket = false): Promise<ArchiveStore> {
  return open(ARCHIVE, setting, env, 'archive', readOnly, createsBucket)
}

/** The object bucket under an archive URL, for code that works on the bucket's keys. */
export async function openBucket(setting: Setting, env: NodeJS.ProcessEnv = process.env): Promise<ObjectBucket> {
  return open(BUCKETS, setting, env, 'archive')
}

/**
 * Checks an archive URL's form and scheme without opening anything, and gives `absent`,
 * which asks without loading the archive's code whether the archive holds nothing: true
 * while a file:// archive's directory does not exist (nothing was ever archived there, and
 * the directory bucket would list nothing and find no job). Any other answer of the file
 * system, and any other kind of archive, is "maybe": opening it tells.
 */
export function checkArchiveUrl(setting: Setting): {absent: () => boolean} {
  const {url} = entryFor(ARCHIVE, setting, 'archive')
  if (url.protocol !== 'file:') return {absent: () => false}
  const dir = fileUrlPath(url)
  const absent = () => {
    try {
      statSync(dir)
      return false
    } catch (error) {
      // Not throwIfNoEntry: Node 22+ takes ENOTDIR (a file above the directory) for absence too.
      return (error as NodeJS.ErrnoException).code === 'ENOENT'
    }
  }
  return {absent}
}

/**
 * Checks a live store URL's form and scheme without opening anything (push and run refuse
 * a typo before the job starts), and says whether the store is on this machine.
 */
export function checkLiveStoreUrl(setting: Setting): {local: boolean} {
  return {local: entryFor(LIVE, setting, 'live store').entry.local}
}

/**
 * How another thread opens the live store at `setting`, before it is opened here (push's
 * shipping thread starts so); undefined for stores that have none, and for a URL that does
 * not parse: opening it reports that.
 */
export function liveStoreRecipe(setting: Setting, env: NodeJS.ProcessEnv = process.env): StoreRecipe | undefined {
  try {
    const {url, entry} = entryFor(LIVE, setting, 'live store')
    return entry.recipe?.(url, {from: setting.from, what: 'live store', env})
  } catch {
    return undefined
  }
}

async function open<T>(openers: Record<string, Opener<T>>, setting: Setting, env: NodeJS.ProcessEnv, what: StoreRole, readOnly = false, createsBucket = false): Promise<T> {
  const {url, entry: opener} = entryFor(openers, setting, what)
  return opener(url, {from: setting.from, what, env, readOnly, createsBucket})
}

function entryFor<E>(openers: Record<string, E>, setting: Setting, what: string): {url: URL; entry: E} {
  const url = parseStoreUrl(setting, what)
  const entry = openers[url.protocol]
  if (!entry) {
    throw new InvalidUrlError(what, setting.from, `unknown scheme ${JSON.stringify(url.protocol)} in ${redactUrl(setting.value)}`, [
      `${/^[aeiou]/.test(what) ? 'an' : 'a'} ${what} URL starts with one of: ${Object.keys(openers)
        .map((s) => `${s}//`)
        .join(', ')}`,
    ])
  }
  return {url, entry}
}
