/**
 * Opens a store from its URL: a live store (file, Redis, or an object store that `push`
 * buffers into) or an archive (the archive layout on an object bucket). Backends are
 * imported on demand so that a command using the embedded file store never loads ioredis
 * or the AWS SDK.
 */
import {InvalidUrlError} from '../errors/index.js'
import type {Setting} from '../config.js'
import type {ObjectBucket} from '../store/object/bucket.js'
import type {ArchiveStore, LiveStore, OpenContext} from '../store/types.js'
import {parseStoreUrl, redactUrl} from '../store/url.js'

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

const LIVE: Record<string, Opener<LiveStore>> = {
  's3:': objectLiveStore(BUCKETS['s3:']),
  'supabase:': objectLiveStore(BUCKETS['supabase:']),
  'vercel-blob:': objectLiveStore(BUCKETS['vercel-blob:']),
  'file:': async (url, context) => (await import('../store/file/file-store.js')).openFileStore(url, context),
  'redis:': async (url, context) => (await import('../store/redis/redis-store.js')).openRedisStore(url, context),
  'rediss:': async (url, context) => (await import('../store/redis/redis-store.js')).openRedisStore(url, context),
  'redis+cluster:': async (url, context) => (await import('../store/redis/redis-store.js')).openRedisStore(url, context),
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

export async function openLiveStore(setting: Setting, env: NodeJS.ProcessEnv = process.env, readOnly = false): Promise<LiveStore> {
  return open(LIVE, setting, env, 'live store', readOnly)
}

/** `readOnly`: the archive of a command that only reads, which reads each job's manifest once (BlobArchive rememberManifests). */
export async function openArchive(setting: Setting, env: NodeJS.ProcessEnv = process.env, readOnly = false): Promise<ArchiveStore> {
  return open(ARCHIVE, setting, env, 'archive', readOnly)
}

/** The object bucket under an archive URL, for code that works on the bucket's keys. */
export async function openBucket(setting: Setting, env: NodeJS.ProcessEnv = process.env): Promise<ObjectBucket> {
  return open(BUCKETS, setting, env, 'archive')
}

/** Checks an archive URL's form and scheme without opening anything. */
export function checkArchiveUrl(setting: Setting): void {
  openerFor(ARCHIVE, setting, 'archive')
}

/** Checks a live store URL's form and scheme without opening anything: push and run refuse a typo before the job starts. */
export function checkLiveStoreUrl(setting: Setting): void {
  openerFor(LIVE, setting, 'live store')
}

async function open<T>(openers: Record<string, Opener<T>>, setting: Setting, env: NodeJS.ProcessEnv, what: string, readOnly = false): Promise<T> {
  const {url, opener} = openerFor(openers, setting, what)
  return opener(url, {from: setting.from, env, readOnly})
}

function openerFor<T>(openers: Record<string, Opener<T>>, setting: Setting, what: string): {url: URL; opener: Opener<T>} {
  const url = parseStoreUrl(setting, what)
  const opener = openers[url.protocol]
  if (!opener) {
    throw new InvalidUrlError(what, setting.from, `unknown scheme ${JSON.stringify(url.protocol)} in ${redactUrl(setting.value)}`, [
      `a ${what} URL starts with one of: ${Object.keys(openers)
        .map((s) => `${s}//`)
        .join(', ')}`,
    ])
  }
  return {url, opener}
}
