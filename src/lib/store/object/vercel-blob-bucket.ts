/**
 * `vercel-blob://[prefix]`: Vercel Blob through the official @vercel/blob SDK. The token
 * comes from BLOB_READ_WRITE_TOKEN (never printed). Blobs are private unless the URL says
 * `?access=public` (then anyone with a blob's URL can read it: the opener warns).
 *
 * Writes keep the pathname (no random suffix); `allowOverwrite: false` is the exclusive
 * create the archive locks use. Streams of unknown length go up as a multipart upload of
 * 8 MiB parts (Buffers, so each part retries under the one policy), one plain put when
 * they fit in one part. Reads fetch the blob's URL (given by the API) with the token, a
 * Range when asked, and `cache=0`, which reads the latest write past Vercel's CDN. The SDK's own retry loop is switched off (VERCEL_BLOB_RETRIES=0,
 * unless set): requests retry under ../retry.ts, classified by ./failure.ts.
 */
import {completeMultipartUpload, createMultipartUpload, del, head, list, put, uploadPart, type PutCommandOptions} from '@vercel/blob'
import {Readable} from 'node:stream'
import type {ReadableStream as WebReadableStream} from 'node:stream/web'
import {httpRange, restOf, type ByteRange, type ObjectBucket, type StoredObject, type WriteStreamOptions} from './bucket.js'
import {InvalidUrlError, MissingCredentialError, ObjectStoreError} from '../../errors/index.js'
import type {OpenContext} from '../types.js'
import {fixedSizeParts} from './fixed-size-parts.js'
import {DEFAULT_RETRY_POLICY, ofOneStore, retryPolicyOf, type RetryPolicy} from '../retry.js'
import {ANSWER_TIMEOUT_MS, answered} from './answered-fetch.js'
import {networkCode, objectStoreFailure, retried, type BackendFacts} from './failure.js'
import {resumableBody} from './resumable-body.js'

export const VERCEL_BLOB_PART_SIZE = 8 * 1024 * 1024
const LIST_PAGE = 1000
const DELETE_BATCH = 100

export interface VercelBlobBucketOptions {
  token: string
  /** Pathname prefix without leading or trailing slash ('' for the store root). */
  prefix: string
  access?: 'private' | 'public'
  partSize?: number
  retry?: RetryPolicy
  /** Keys per list page (the API's maximum, 1000, by default; tests use less to exercise the cursor). */
  listPageSize?: number
  /** The bound on a call without a body to send (tests use less); an upload gets more per byte. */
  answerTimeoutMs?: number
}

/** The slowest upload a part may take before it is retried: 64 KiB/s on top of the answer's bound. */
const SLOWEST_UPLOAD_BYTES_PER_S = 64 * 1024

export class VercelBlobBucket implements ObjectBucket {
  readonly name: string
  readonly retry: RetryPolicy
  private readonly token: string
  private readonly prefix: string
  private readonly access: 'private' | 'public'
  private readonly partSize: number
  private readonly listPageSize: number
  private readonly answerTimeoutMs: number
  private readonly facts: BackendFacts
  /** Blob URLs by pathname, as the API gave them (a read needs one). */
  private readonly urls = new Map<string, string>()

  constructor({
    token,
    prefix,
    access = 'private',
    partSize = VERCEL_BLOB_PART_SIZE,
    retry = DEFAULT_RETRY_POLICY,
    listPageSize = LIST_PAGE,
    answerTimeoutMs = ANSWER_TIMEOUT_MS,
  }: VercelBlobBucketOptions) {
    this.token = token
    this.prefix = prefix ? `${prefix}/` : ''
    this.access = access
    this.partSize = partSize
    this.retry = ofOneStore(retry)
    this.listPageSize = listPageSize
    this.answerTimeoutMs = answerTimeoutMs
    this.name = `vercel-blob://${prefix}`
    this.facts = {
      where: this.name,
      bucket: 'the Blob store',
      credentials: ['BLOB_READ_WRITE_TOKEN'],
      missingBucket: ['BLOB_READ_WRITE_TOKEN names the store: check in the Vercel dashboard that it still exists and that the token is its own'],
    }
  }

  urlOf(key: string): string {
    return `vercel-blob://${this.prefix}${key}`
  }

  async writeStream(key: string, body: Readable, {onProgress}: WriteStreamOptions = {}): Promise<StoredObject[]> {
    const pathname = this.prefix + key
    // Two parts held at once: the one being uploaded and the next (which tells whether it is the last).
    const parts = fixedSizeParts(body, this.partSize, 2)[Symbol.asyncIterator]()
    const first = await parts.next()
    const firstPart = first.done ? Buffer.alloc(0) : first.value
    const second = first.done ? first : await parts.next()
    if (second.done) {
      await this.put(key, firstPart, true)
      return [{key, size: firstPart.length}]
    }
    const options = this.options(true)
    const upload = await this.call(`start the upload of ${key}`, (abortSignal) => createMultipartUpload(pathname, {...options, abortSignal}))
    const done: Array<{etag: string; partNumber: number}> = []
    let size = 0
    let next: IteratorResult<Buffer> = second
    let current = firstPart
    for (let partNumber = 1; ; partNumber++) {
      const data = current
      done.push(await this.call(`upload part ${partNumber} of ${key}`, (abortSignal) => uploadPart(pathname, data, {...options, ...upload, partNumber, abortSignal}), data.length))
      size += data.length
      onProgress?.()
      if (next.done) break
      current = next.value
      next = await parts.next()
    }
    const result = await this.call(`complete the upload of ${key}`, (abortSignal) => completeMultipartUpload(pathname, done, {...options, ...upload, abortSignal}))
    this.urls.set(pathname, result.url)
    return [{key, size}]
  }

  async writeBytes(key: string, data: Buffer, options: {exclusive?: boolean} = {}): Promise<boolean> {
    try {
      await this.put(key, data, !options.exclusive)
      return true
    } catch (error) {
      if (options.exclusive && error instanceof ObjectStoreError && error.kind === 'duplicate') return false
      throw error
    }
  }

  async readStream(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const found = await this.blobUrl(key)
    if (!found) return undefined
    // Past the CDN: after an overwrite it serves the version before for up to a minute, and
    // metadata, manifests and lock claims are overwritten all the time.
    const url = new URL(found)
    url.searchParams.set('cache', '0')
    const open = async (bytes: string | undefined): Promise<Readable | undefined> => {
      const response = await this.call(`read ${key}`, async (signal) => {
        const answer = await fetch(url, {headers: {authorization: `Bearer ${this.token}`, ...(bytes ? {range: bytes} : {})}, signal})
        if (answer.ok || answer.status === 404) return answer
        const text = await answer.text().catch(() => '')
        throw Object.assign(new Error(text.slice(0, 200) || answer.statusText), {status: answer.status, retryAfter: answer.headers.get('retry-after')})
      })
      if (response.status === 404 || !response.body) return undefined
      return Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>)
    }
    const body = await open(range && httpRange(range))
    if (!body) {
      this.urls.delete(this.prefix + key)
      return undefined
    }
    return resumableBody(body, async (offset) => (await open(restOf(range, offset))) ?? Readable.from([]), this.retry)
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const found = await this.head(key)
    return found && {key, size: found.size, modifiedAt: found.uploadedAt.getTime()}
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let cursor: string | undefined
    do {
      const page = await this.call('list blobs', (abortSignal) => list({prefix: this.prefix + prefix, cursor, limit: this.listPageSize, token: this.token, abortSignal}))
      for (const blob of page.blobs) {
        this.urls.set(blob.pathname, blob.url)
        yield {key: blob.pathname.slice(this.prefix.length), size: blob.size, modifiedAt: blob.uploadedAt.getTime()}
      }
      cursor = page.hasMore ? page.cursor : undefined
    } while (cursor)
  }

  async delete(keys: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH).map((key) => this.prefix + key)
      await this.call('delete blobs', (abortSignal) => del(batch, {token: this.token, abortSignal}))
      for (const pathname of batch) this.urls.delete(pathname)
    }
  }

  async close(): Promise<void> {}

  private options(overwrite: boolean): PutCommandOptions & {token: string} {
    return {access: this.access, addRandomSuffix: false, allowOverwrite: overwrite, contentType: 'application/octet-stream', token: this.token}
  }

  private async put(key: string, data: Buffer, overwrite: boolean): Promise<void> {
    const result = await this.call(`write ${key}`, (abortSignal) => put(this.prefix + key, data, {...this.options(overwrite), abortSignal}), data.length)
    this.urls.set(this.prefix + key, result.url)
  }

  private async head(key: string): Promise<{url: string; size: number; uploadedAt: Date} | undefined> {
    try {
      const found = await this.call(`stat ${key}`, (abortSignal) => head(this.prefix + key, {token: this.token, abortSignal}))
      this.urls.set(this.prefix + key, found.url)
      return found
    } catch (error) {
      if (error instanceof ObjectStoreError && error.kind === 'not-found') return undefined
      throw error
    }
  }

  private async blobUrl(key: string): Promise<string | undefined> {
    return this.urls.get(this.prefix + key) ?? (await this.head(key))?.url
  }

  /** One SDK call (`bytes`: the body it sends), bounded (./answered-fetch.ts) and retried under the one policy. */
  private call<T>(what: string, fn: (abortSignal: AbortSignal) => Promise<T>, bytes = 0): Promise<T> {
    const timeoutMs = this.answerTimeoutMs + Math.ceil((bytes / SLOWEST_UPLOAD_BYTES_PER_S) * 1000)
    return retried(
      this.retry,
      () => answered(fn, timeoutMs),
      (error) => this.failure(error, what),
    )
  }

  /** The SDK keeps no HTTP status: its error classes say what the API answered (getBlobError). */
  private failure(error: unknown, what: string): ObjectStoreError {
    if (error instanceof ObjectStoreError) return error
    const name = (error as object | undefined)?.constructor?.name ?? '' // the SDK's classes do not set .name
    const message = (error as Error).message ?? String(error)
    const plain = error as {status?: number; retryAfter?: number | string | null}
    const retryAfterMs = typeof plain.retryAfter === 'number' ? plain.retryAfter * 1000 : typeof plain.retryAfter === 'string' ? Number(plain.retryAfter) * 1000 : undefined
    // A plain BlobError is the API's bad_request (or a refusal of the SDK itself): a 400.
    const status = plain.status ?? SDK_ERRORS[name]?.status ?? (/already exists/.test(message) ? 409 : name === 'BlobError' ? 400 : undefined)
    const code = SDK_ERRORS[name]?.code ?? networkCode(error)
    return objectStoreFailure({status, code, message, retryAfterMs}, what, this.facts, error)
  }
}

/** @vercel/blob's error classes and the API answers they stand for. */
const SDK_ERRORS: Record<string, {status?: number; code: string}> = {
  BlobAccessError: {status: 403, code: 'forbidden'},
  BlobStoreSuspendedError: {status: 403, code: 'store_suspended'},
  BlobStoreNotFoundError: {status: 404, code: 'store_not_found'},
  BlobNotFoundError: {status: 404, code: 'blob_not_found'},
  BlobFileTooLargeError: {status: 413, code: 'file_too_large'},
  BlobContentTypeNotAllowedError: {status: 400, code: 'content_type_not_allowed'},
  BlobPreconditionFailedError: {status: 412, code: 'PreconditionFailed'},
  BlobServiceRateLimited: {status: 429, code: 'rate_limited'},
  BlobServiceNotAvailable: {status: 503, code: 'service_unavailable'},
  BlobUnknownError: {status: 500, code: 'internal_server_error'},
}

/**
 * Reads the URL and the environment; a missing token is a usage error naming
 * BLOB_READ_WRITE_TOKEN. `warn` is told when the store is used with public access.
 */
export function vercelBlobOptions(url: URL, context: OpenContext): VercelBlobBucketOptions {
  const token = context.env.BLOB_READ_WRITE_TOKEN
  if (!token)
    throw new MissingCredentialError(`the Vercel Blob store ${url.protocol}//${url.host}${url.pathname}`, ['BLOB_READ_WRITE_TOKEN', 'blobToken in the config file'], context.from)
  const access = url.searchParams.get('access') ?? 'private'
  if (access !== 'private' && access !== 'public') {
    throw new InvalidUrlError(context.what, context.from, `access must be private or public, not ${JSON.stringify(access)}`, [
      'use vercel-blob://prefix (private) or vercel-blob://prefix?access=public',
    ])
  }
  const prefix = decodeURIComponent(`${url.host}${url.pathname}`).replace(/^\/+|\/+$/g, '')
  return {token, prefix, access, retry: retryPolicyOf(url, context.from)}
}

export async function openVercelBlobBucket(url: URL, context: OpenContext): Promise<VercelBlobBucket> {
  const options = vercelBlobOptions(url, context)
  process.env.VERCEL_BLOB_RETRIES ??= '0' // one retry policy: ours
  if (options.access === 'public') {
    process.emitWarning(`${url.protocol}//${options.prefix}: writing public blobs, readable by anyone who has their URL (drop ?access=public to keep logs private)`, {
      code: 'LOGS_PUBLIC_BLOBS',
    })
  }
  return new VercelBlobBucket(options)
}
