/**
 * Opens a backend from its URL. Backends are imported on demand so that a command
 * using the embedded file store never loads ioredis or the AWS SDK.
 */
import {InvalidUrlError} from '../errors/index.js'
import type {Setting} from '../config.js'
import type {ArchiveStore, LiveStore} from './types.js'
import {parseStoreUrl, redactUrl} from './url.js'

export interface OpenContext {
  /** Where the URL came from, for error messages (`--store`, `LOGS_STORE`, …). */
  from: string
  env: NodeJS.ProcessEnv
}

type Opener<T> = (url: URL, context: OpenContext) => Promise<T>

const LIVE: Record<string, Opener<LiveStore>> = {
  's3:': async (url, context) => (await import('./s3-archive.js')).openS3LiveStore(url, context),
  'supabase:': async (url, context) => (await import('./supabase-archive.js')).openSupabaseLiveStore(url, context),
  'file:': async (url) => (await import('./file/file-store.js')).openFileStore(url),
  'redis:': async (url, context) => (await import('./redis-store.js')).openRedisStore(url, context),
  'rediss:': async (url, context) => (await import('./redis-store.js')).openRedisStore(url, context),
  'redis+cluster:': async (url, context) => (await import('./redis-store.js')).openRedisStore(url, context),
}

const ARCHIVE: Record<string, Opener<ArchiveStore>> = {
  'file:': async (url, context) => (await import('./file-archive.js')).openFileArchive(url, context),
  's3:': async (url, context) => (await import('./s3-archive.js')).openS3Archive(url, context),
  'supabase:': async (url, context) => (await import('./supabase-archive.js')).openSupabaseArchive(url, context),
}

export async function openLiveStore(setting: Setting, env: NodeJS.ProcessEnv = process.env): Promise<LiveStore> {
  return open(LIVE, setting, env, 'live store')
}

export async function openArchive(setting: Setting, env: NodeJS.ProcessEnv = process.env): Promise<ArchiveStore> {
  return open(ARCHIVE, setting, env, 'archive')
}

async function open<T>(openers: Record<string, Opener<T>>, setting: Setting, env: NodeJS.ProcessEnv, what: string): Promise<T> {
  const url = parseStoreUrl(setting, what)
  const opener = openers[url.protocol]
  if (!opener) {
    throw new InvalidUrlError(what, setting.from, `unknown scheme ${JSON.stringify(url.protocol)} in ${redactUrl(setting.value)}`, [
      `a ${what} URL starts with one of: ${Object.keys(openers).map((s) => `${s}//`).join(', ')}`,
    ])
  }
  return opener(url, {from: setting.from, env})
}
