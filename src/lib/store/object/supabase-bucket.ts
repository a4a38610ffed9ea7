/**
 * `supabase://bucket/prefix` archive: Supabase Storage through its own client,
 * @supabase/storage-js (what supabase-js's `.storage` is, without the auth, database,
 * realtime and functions clients around it, which cost every command ~40 ms to load and
 * are never used here). SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (or SUPABASE_KEY)
 * come from the environment, sent as supabase-js sends them (`apikey` and a bearer
 * token); the bucket is created, private, on first write, and a read of a bucket that does
 * not exist is an error as on S3 (the server lists it as empty). Downloads go over node:http
 * (./supabase-download.ts), so a command that only reads loads neither storage-js nor fetch.
 *
 * Supabase has no append and caps a standard upload (commonly 50 MiB), so a job's gzip
 * stream is cut into parts of `?part-size=` bytes (default 8 MiB, at most 50 MiB):
 * `<job>.jsonl.gz`, `<job>.jsonl.gz.001`, … — consecutive pieces of one gzip stream that
 * the manifest lists and readers concatenate (`cat` them, then `zcat`). Memory is about
 * two parts. The server answers errors with HTTP 400 and the real code in the body
 * (SUPABASE-STORAGE.md); they are mapped by that code, see `failure()`.
 */
import type {StorageClient} from '@supabase/storage-js'
import type {Readable} from 'node:stream'
import {httpRange, partKey, restOf, type ByteRange, type ObjectBucket, type StoredObject, type WriteStreamOptions} from './bucket.js'
import {InvalidUrlError, MissingCredentialError, ObjectStoreError} from '../../errors/index.js'
import type {OpenContext} from '../types.js'
import {fixedSizeParts} from './fixed-size-parts.js'
import {DEFAULT_RETRY_POLICY, ofOneStore, retryPolicyOf, type RetryPolicy} from '../retry.js'
import {hintedFetch, type HttpAnswerError} from './hinted-fetch.js'
import {networkCode, objectStoreFailure, retried, type BackendFacts} from './failure.js'
import {resumableBody} from './resumable-body.js'
import {downloadObject, type SupabaseEndpoint} from './supabase-download.js'
import {redactUrl} from '../url.js'

export const SUPABASE_UPLOAD_CAP = 50 * 1024 * 1024
/**
 * Parts are uploaded one at a time, each held whole (fixed-size-parts.ts) and copied once more
 * by fetch: 8 MiB, as S3's and Vercel Blob's, not 16 — push of 180 MB peaked at 269 MB of
 * RSS instead of 296 MB (2 runs each), for the same CPU.
 */
export const DEFAULT_SUPABASE_PART_SIZE = 8 * 1024 * 1024
const LIST_PAGE = 1000
const REMOVE_BATCH = 1000

export interface SupabaseBucketOptions {
  endpoint: SupabaseEndpoint
  bucket: string
  prefix: string
  partSize?: number
  /** Transient failures are retried under this policy (../retry.ts). */
  retry?: RetryPolicy
  /** Where the URL came from, for a missing-bucket message. */
  from?: string
  /** Opened by a writer (OpenContext createsBucket): the first request, read or write, creates the bucket if it is missing. */
  createsBucket?: boolean
}

type Result<T> = {data: T; error: null} | {data: null; error: unknown}
const CREDENTIALS = ['SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_KEY']

export class SupabaseBucket implements ObjectBucket {
  readonly name: string
  private readonly endpoint: SupabaseEndpoint
  private clientReady: Promise<StorageClient> | undefined
  private readonly bucket: string
  private readonly prefix: string
  private readonly partSize: number
  readonly retry: RetryPolicy
  private readonly facts: BackendFacts
  private bucketReady: Promise<void> | undefined
  private bucketSeen: Promise<void> | undefined
  private readonly createsBucket: boolean
  /** Until the server answers list-v2 as one without it (lacksListV2). */
  private hasListV2 = true

  constructor({
    endpoint,
    bucket,
    prefix,
    partSize = DEFAULT_SUPABASE_PART_SIZE,
    retry = DEFAULT_RETRY_POLICY,
    from = 'the archive URL',
    createsBucket = false,
  }: SupabaseBucketOptions) {
    this.createsBucket = createsBucket
    this.endpoint = endpoint
    this.retry = ofOneStore(retry)
    this.bucket = bucket
    this.prefix = prefix ? `${prefix}/` : ''
    this.partSize = partSize
    this.name = `supabase://${bucket}/${prefix}`.replace(/\/$/, '')
    this.facts = {
      where: this.name,
      bucket,
      credentials: CREDENTIALS,
      endpoint: redactUrl(endpoint.url.replace(/\/storage\/v1$/, '')).replace(/\/$/, ''),
      missingBucket: [
        `create it in Supabase Storage (the dashboard, or storage.createBucket), or let \`logs archive\` or \`logs push\` create it, private, on their first write; or correct the bucket in ${from}`,
      ],
    }
  }

  urlOf(key: string): string {
    return `supabase://${this.bucket}/${this.prefix}${key}`
  }

  async writeStream(key: string, body: Readable, {onProgress}: WriteStreamOptions = {}): Promise<StoredObject[]> {
    await this.ensureBucket()
    const written: StoredObject[] = []
    for await (const part of fixedSizeParts(body, this.partSize)) {
      const stored = partKey(key, written.length)
      await this.upload(stored, part, true)
      written.push({key: stored, size: part.length})
      onProgress?.()
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
    if (this.createsBucket) await this.ensureBucket()
    // Downloads skip storage-js (./supabase-download.ts): a reading command never loads it, nor fetch.
    const open = (what: string, bytes?: string): Promise<Readable> =>
      retried(
        this.retry,
        () => downloadObject(this.endpoint, `${this.bucket}/${this.prefix}${key}`, bytes),
        (error) => this.failure(error, what),
      )
    try {
      const body = await open(`read ${key}`, range && httpRange(range))
      return resumableBody(body, (offset) => open(`read ${key} from byte ${offset}`, restOf(range, offset)), this.retry)
    } catch (error) {
      if (!(error instanceof ObjectStoreError) || (error.kind !== 'not-found' && error.kind !== 'missing-bucket')) throw error
      // The real server accepts an invalid key on this route and answers "Bucket not found"
      // (SUPABASE-STORAGE.md): an authenticated route tells a missing bucket from a bad key (403).
      if (error.kind === 'missing-bucket') await this.requireBucket()
      return undefined
    }
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    for await (const object of this.list(key)) {
      if (object.key === key) return object
    }
    return undefined
  }

  /**
   * The objects whose keys start with `prefix`, by the flat listing (list-v2: full keys,
   * matched case-sensitively, a page per 1000 objects). The folder listing it replaces
   * matches a folder case-insensitively and names objects relative to it, so the chunks of
   * job `Build-1` and of `build-1` came back as one folder's (SUPABASE-STORAGE.md). A server
   * without list-v2 (before storage v1.19, or a tenant without its migration) is walked
   * folder by folder as before.
   */
  async *list(prefix: string): AsyncIterable<StoredObject> {
    if (this.createsBucket) await this.ensureBucket()
    let page = this.hasListV2 ? await this.listPage(prefix) : undefined
    if (!page) {
      this.hasListV2 = false
      const slash = prefix.lastIndexOf('/')
      yield* this.listFolder(prefix.slice(0, slash + 1), prefix.slice(slash + 1))
      return
    }
    // The server lists a missing bucket as empty (SUPABASE-STORAGE.md): an empty answer is checked.
    if (page.objects.length === 0) await this.requireBucket()
    const full = this.prefix + prefix
    for (;;) {
      for (const object of page.objects) {
        const key = object.key ?? object.name
        if (key.startsWith(full)) yield storedObject(key.slice(this.prefix.length), object)
      }
      if (!page.hasNext || !page.nextCursor) return
      page = (await this.listPage(prefix, page.nextCursor))!
    }
  }

  async delete(keys: string[]): Promise<void> {
    if (this.createsBucket) await this.ensureBucket()
    for (let i = 0; i < keys.length; i += REMOVE_BATCH) {
      const batch = keys.slice(i, i + REMOVE_BATCH).map((key) => this.prefix + key)
      await this.request('delete objects', async (client) => client.from(this.bucket).remove(batch))
    }
  }

  async close(): Promise<void> {}

  /** A page of the flat listing; the first answers undefined on a server without list-v2. */
  private async listPage(prefix: string, cursor?: string) {
    return this.request('list objects', async (client) => {
      const result = await client.from(this.bucket).listV2({prefix: this.prefix + prefix, limit: LIST_PAGE, cursor})
      return cursor === undefined && result.error && lacksListV2(result.error) ? {data: undefined, error: null} : result
    })
  }

  /** The folder listing of a server without list-v2: one folder at a time; folders come back with `id: null`. */
  private async *listFolder(folder: string, namePrefix: string): AsyncIterable<StoredObject> {
    for (let offset = 0; ; offset += LIST_PAGE) {
      const page =
        (await this.request('list objects', async (client) =>
          client.from(this.bucket).list((this.prefix + folder).replace(/\/$/, ''), {limit: LIST_PAGE, offset, search: namePrefix || undefined}),
        )) ?? []
      // The server lists a missing bucket as empty (SUPABASE-STORAGE.md): an empty answer is checked.
      if (offset === 0 && page.length === 0) await this.requireBucket()
      for (const item of page) {
        if (!item.name.startsWith(namePrefix)) continue
        if (item.id === null) yield* this.listFolder(`${folder}${item.name}/`, '')
        else yield storedObject(folder + item.name, item)
      }
      if (page.length < LIST_PAGE) return
    }
  }

  private async upload(key: string, data: Buffer, upsert: boolean): Promise<void> {
    await this.request(`upload ${key}`, async (client) => client.from(this.bucket).upload(this.prefix + key, data, {upsert, contentType: 'application/octet-stream'}))
  }

  /** Writes create the bucket, private, when it does not exist (and so does any first request of a writer's: `createsBucket`). */
  private ensureBucket(): Promise<void> {
    this.bucketReady ??= this.requireBucket()
      .catch(async (error: unknown) => {
        if (!(error instanceof ObjectStoreError) || error.kind !== 'missing-bucket') throw error
        await this.request(`create bucket ${this.bucket}`, async (client) => client.createBucket(this.bucket, {public: false})).catch((failure: unknown) => {
          if (!(failure instanceof ObjectStoreError) || failure.kind !== 'duplicate') throw failure
        })
        this.bucketSeen = Promise.resolve()
      })
      .catch((error: unknown) => {
        this.bucketReady = undefined
        throw error
      })
    return this.bucketReady
  }

  /** That the bucket exists (asked once), else its missing-bucket error; reads are refused on a missing bucket, as S3's are. */
  private requireBucket(): Promise<void> {
    this.bucketSeen ??= this.request(`read bucket ${this.bucket}`, async (client) => client.getBucket(this.bucket)).then(
      () => undefined,
      (error: unknown) => {
        this.bucketSeen = undefined
        throw error
      },
    )
    return this.bucketSeen
  }

  /** One call of storage-js under the retry policy; its `{error}` results become ObjectStoreErrors. */
  private request<T>(what: string, call: (client: StorageClient) => Promise<Result<T>>): Promise<T> {
    return retried(
      this.retry,
      async () => {
        const result = await call(await this.client())
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- storage-js's error result, classified by the retry policy
        if (result.error) throw result.error
        return result.data as T
      },
      (error) => this.failure(error, what),
    )
  }

  /** storage-js, loaded by the first call that is not a download. */
  private client(): Promise<StorageClient> {
    this.clientReady ??= import('@supabase/storage-js').then(
      ({StorageClient}) => new StorageClient(this.endpoint.url, {apikey: this.endpoint.key, Authorization: `Bearer ${this.endpoint.key}`}, hintedFetch),
    )
    return this.clientReady
  }

  /** The server answers HTTP 400 with the real status in the body's statusCode (SUPABASE-STORAGE.md). */
  private failure(error: unknown, what: string): ObjectStoreError {
    if (error instanceof ObjectStoreError) return error
    let status: number | undefined
    let code: string | undefined
    let retryAfterMs: number | undefined
    const api = error as {name?: string; status?: number; statusCode?: unknown; originalError?: unknown}
    if (api.name === 'StorageApiError') {
      const numeric = /^\d{3}$/.test(String(api.statusCode))
      status = numeric ? Number(api.statusCode) : api.status
      if (!numeric) code = String(api.statusCode)
    } else {
      const answer = (api.name === 'StorageUnknownError' ? api.originalError : error) as Partial<HttpAnswerError>
      status = answer?.status
      retryAfterMs = answer?.retryAfterMs
      code = answer?.code ?? networkCode(error) ?? networkCode(api.originalError)
    }
    return objectStoreFailure({status, code, message: (error as Error).message, retryAfterMs}, what, this.facts, error)
  }
}

/** A listed object's key, size and time. */
function storedObject(key: string, item: {metadata: unknown; updated_at?: string | null}): StoredObject {
  const size = Number((item.metadata as {size?: number} | null)?.size ?? 0)
  return {key, size, modifiedAt: item.updated_at ? Date.parse(item.updated_at) : undefined}
}

/**
 * list-v2's answer on a server without it: 404 (no such route, before storage v1.19: a
 * missing bucket lists as empty there) or 400 (FeatureNotEnabled, a tenant not migrated).
 */
function lacksListV2(error: unknown): boolean {
  const status = (error as {name?: string; status?: number}).name === 'StorageApiError' ? (error as {status?: number}).status : undefined
  return status === 404 || status === 400
}

export function openSupabaseClient(url: URL, context: OpenContext): Required<SupabaseBucketOptions> {
  const bucket = url.hostname
  if (!bucket) throw new InvalidUrlError(context.what, context.from, `${redactUrl(url.href)} names no bucket`, ['use supabase://bucket/prefix'])
  const base = context.env.SUPABASE_URL
  if (!base) throw new MissingCredentialError(`the Supabase store ${redactUrl(url.href)}`, ['SUPABASE_URL'], context.from)
  const key = context.env.SUPABASE_SERVICE_ROLE_KEY || context.env.SUPABASE_KEY
  if (!key) throw new MissingCredentialError(`the Supabase store ${redactUrl(url.href)}`, ['SUPABASE_SERVICE_ROLE_KEY', 'SUPABASE_KEY'], context.from)
  const partSize = Number(url.searchParams.get('part-size') ?? DEFAULT_SUPABASE_PART_SIZE)
  if (!Number.isInteger(partSize) || partSize < 1 || partSize > SUPABASE_UPLOAD_CAP) {
    throw new InvalidUrlError(context.what, context.from, `part-size must be a whole number of bytes from 1 to ${SUPABASE_UPLOAD_CAP} (Supabase's standard upload cap)`)
  }
  const endpoint = {url: `${base.replace(/\/+$/, '')}/storage/v1`, key}
  return {
    endpoint,
    bucket,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
    partSize,
    retry: retryPolicyOf(url, context.from),
    from: context.from,
    createsBucket: context.createsBucket ?? false,
  }
}

export async function openSupabaseBucket(url: URL, context: OpenContext): Promise<SupabaseBucket> {
  return new SupabaseBucket(openSupabaseClient(url, context))
}
