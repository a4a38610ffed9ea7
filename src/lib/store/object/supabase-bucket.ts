/**
 * `supabase://bucket/prefix` archive: Supabase Storage through @supabase/supabase-js's
 * storage client. Nothing here uses realtime, but on Node 20 (no global WebSocket)
 * createClient throws unless realtime is given a transport, so it gets `ws`; realtime
 * connects only when a channel is subscribed, which never happens. SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_KEY)
 * come from the environment; the bucket is created, private, on first write.
 *
 * Supabase has no append and caps a standard upload (commonly 50 MiB), so a job's gzip
 * stream is cut into parts of `?part-size=` bytes (default 16 MiB, at most 50 MiB):
 * `<job>.jsonl.gz`, `<job>.jsonl.gz.001`, … — consecutive pieces of one gzip stream that
 * the manifest lists and readers concatenate (`cat` them, then `zcat`). Memory is about
 * two parts. The server answers errors with HTTP 400 and the real code in the body
 * (SUPABASE-STORAGE.md); they are mapped by that code, see `failure()`.
 */
import {createClient, type SupabaseClient} from '@supabase/supabase-js'
import WebSocket from 'ws'
import {Readable} from 'node:stream'
import type {ReadableStream as WebReadableStream} from 'node:stream/web'
import {httpRange, type ByteRange, type ObjectBucket, type StoredObject} from './bucket.js'
import {InvalidUrlError, MissingCredentialError, ObjectStoreError} from '../../errors/index.js'
import type {OpenContext} from '../types.js'
import {fixedSizeParts} from './fixed-size-parts.js'
import {redactUrl} from '../url.js'

export const SUPABASE_UPLOAD_CAP = 50 * 1024 * 1024
export const DEFAULT_SUPABASE_PART_SIZE = 16 * 1024 * 1024
const LIST_PAGE = 1000
const REMOVE_BATCH = 1000

export interface SupabaseBucketOptions {
  client: StorageClient
  bucket: string
  prefix: string
  partSize?: number
}

type StorageClient = SupabaseClient['storage']
type RealtimeTransport = NonNullable<NonNullable<Parameters<typeof createClient>[2]>['realtime']>['transport']
type StorageError = Extract<Awaited<ReturnType<StorageClient['listBuckets']>>, {data: null}>['error']
type Result<T> = {data: T; error: null} | {data: null; error: StorageError}

export class SupabaseBucket implements ObjectBucket {
  readonly name: string
  private readonly client: StorageClient
  private readonly bucket: string
  private readonly prefix: string
  private readonly partSize: number
  private bucketReady: Promise<void> | undefined

  constructor({client, bucket, prefix, partSize = DEFAULT_SUPABASE_PART_SIZE}: SupabaseBucketOptions) {
    this.client = client
    this.bucket = bucket
    this.prefix = prefix ? `${prefix}/` : ''
    this.partSize = partSize
    this.name = `supabase://${bucket}/${prefix}`.replace(/\/$/, '')
  }

  urlOf(key: string): string {
    return `supabase://${this.bucket}/${this.prefix}${key}`
  }

  async writeStream(key: string, body: Readable): Promise<StoredObject[]> {
    await this.ensureBucket()
    const written: StoredObject[] = []
    for await (const part of fixedSizeParts(body, this.partSize)) {
      const partKey = written.length === 0 ? key : `${key}.${String(written.length).padStart(3, '0')}`
      await this.upload(partKey, part, true)
      written.push({key: partKey, size: part.length})
    }
    if (written.length === 0) {
      await this.upload(key, Buffer.alloc(0), true)
      written.push({key, size: 0})
    }
    return written
  }

  async writeBytes(key: string, data: Buffer, options: {exclusive?: boolean} = {}): Promise<boolean> {
    await this.ensureBucket()
    try {
      await this.upload(key, data, !options.exclusive)
      return true
    } catch (error) {
      if (options.exclusive && error instanceof ObjectStoreError && error.kind === 'duplicate') return false
      throw error
    }
  }

  async readStream(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const files = this.client.from(this.bucket)
    if (range) files.setHeader('Range', httpRange(range))
    const {data, error} = await files.download(this.prefix + key).asStream()
    if (error) {
      const failure = this.failure(error, `read ${key}`)
      if (failure.kind === 'not-found') return undefined
      throw failure
    }
    return Readable.fromWeb(data as unknown as WebReadableStream<Uint8Array>)
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const slash = key.lastIndexOf('/')
    for await (const object of this.listFolder(key.slice(0, slash + 1), key.slice(slash + 1), false)) {
      if (object.key === key) return object
    }
    return undefined
  }

  list(prefix: string): AsyncIterable<StoredObject> {
    const slash = prefix.lastIndexOf('/')
    return this.listFolder(prefix.slice(0, slash + 1), prefix.slice(slash + 1), true)
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += REMOVE_BATCH) {
      const batch = keys.slice(i, i + REMOVE_BATCH).map((key) => this.prefix + key)
      this.check(await this.client.from(this.bucket).remove(batch), 'delete objects')
    }
  }

  async close(): Promise<void> {}

  /** Supabase lists one folder at a time; folders come back with `id: null`. */
  private async *listFolder(folder: string, namePrefix: string, recursive: boolean): AsyncIterable<StoredObject> {
    for (let offset = 0; ; offset += LIST_PAGE) {
      const page = this.check(
        await this.client.from(this.bucket).list((this.prefix + folder).replace(/\/$/, ''), {limit: LIST_PAGE, offset, search: namePrefix || undefined}),
        'list objects',
      )
      for (const item of page) {
        if (!item.name.startsWith(namePrefix)) continue
        if (item.id === null) {
          if (recursive) yield* this.listFolder(`${folder}${item.name}/`, '', true)
          continue
        }
        const size = Number((item.metadata as {size?: number} | null)?.size ?? 0)
        const modifiedAt = item.updated_at ? Date.parse(item.updated_at) : undefined
        yield {key: folder + item.name, size, modifiedAt}
      }
      if (page.length < LIST_PAGE) return
    }
  }

  private async upload(key: string, data: Buffer, upsert: boolean): Promise<void> {
    this.check(await this.client.from(this.bucket).upload(this.prefix + key, data, {upsert, contentType: 'application/octet-stream'}), `upload ${key}`)
  }

  private ensureBucket(): Promise<void> {
    this.bucketReady ??= (async () => {
      const found = await this.client.getBucket(this.bucket)
      if (!found.error) return
      if (this.failure(found.error, 'read the bucket').kind !== 'not-found') throw this.failure(found.error, `read bucket ${this.bucket}`)
      const created = await this.client.createBucket(this.bucket, {public: false})
      if (created.error && this.failure(created.error, '').kind !== 'duplicate') throw this.failure(created.error, `create bucket ${this.bucket}`)
    })().catch((error: unknown) => {
      this.bucketReady = undefined
      throw error
    })
    return this.bucketReady
  }

  private check<T>(result: Result<T>, what: string): T {
    if (result.error) throw this.failure(result.error, what)
    return result.data
  }

  private failure(error: StorageError, what: string): ObjectStoreError {
    const code = String(error.statusCode ?? error.status ?? '')
    const reason = `cannot ${what}: ${error.message}`
    switch (code) {
      case '404':
        return new ObjectStoreError('not-found', this.name, /bucket/i.test(error.message) ? `bucket ${this.bucket} not found` : reason, error)
      case '409':
        return new ObjectStoreError('duplicate', this.name, reason, error)
      case '413':
        return new ObjectStoreError('too-large', this.name, `${reason} (part size ${this.partSize} bytes)`, error)
      case '401':
      case '403':
        return new ObjectStoreError('unauthorized', this.name, reason, error)
      default:
        return new ObjectStoreError(code === '' || code.startsWith('5') ? 'unavailable' : 'protocol', this.name, `${reason}${code ? ` (${code})` : ''}`, error)
    }
  }
}

export function openSupabaseClient(url: URL, context: OpenContext): {client: StorageClient; bucket: string; prefix: string; partSize: number} {
  const bucket = url.hostname
  if (!bucket) throw new InvalidUrlError('archive', context.from, `${redactUrl(url.href)} names no bucket`, ['use supabase://bucket/prefix'])
  const base = context.env.SUPABASE_URL
  if (!base) throw new MissingCredentialError(`the Supabase store ${redactUrl(url.href)}`, ['SUPABASE_URL'], context.from)
  const key = context.env.SUPABASE_SERVICE_ROLE_KEY || context.env.SUPABASE_KEY
  if (!key) throw new MissingCredentialError(`the Supabase store ${redactUrl(url.href)}`, ['SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_KEY'], context.from)
  const partSize = Number(url.searchParams.get('part-size') ?? DEFAULT_SUPABASE_PART_SIZE)
  if (!Number.isInteger(partSize) || partSize < 1 || partSize > SUPABASE_UPLOAD_CAP) {
    throw new InvalidUrlError('archive', context.from, `part-size must be a whole number of bytes from 1 to ${SUPABASE_UPLOAD_CAP} (Supabase's standard upload cap)`)
  }
  const supabase = createClient(base.replace(/\/+$/, ''), key, {
    auth: {persistSession: false, autoRefreshToken: false, detectSessionInUrl: false},
    realtime: {transport: WebSocket as unknown as RealtimeTransport}, // ws's constructor is typed wider than realtime's WebSocketLike
  })
  const client = supabase.storage
  return {client, bucket, prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''), partSize}
}

export async function openSupabaseBucket(url: URL, context: OpenContext): Promise<SupabaseBucket> {
  return new SupabaseBucket(openSupabaseClient(url, context))
}
