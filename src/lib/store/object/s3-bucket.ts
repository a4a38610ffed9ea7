/**
 * `s3://bucket/prefix` archive: any S3-compatible service through @aws-sdk/client-s3.
 *
 * Settings (CLI.md): credentials from the SDK's standard chain (AWS_ACCESS_KEY_ID/
 * AWS_SECRET_ACCESS_KEY, AWS_PROFILE, …); region from `?region=`, AWS_REGION,
 * AWS_DEFAULT_REGION, else us-east-1; endpoint from `?endpoint=`, AWS_ENDPOINT_URL_S3 or
 * AWS_ENDPOINT_URL; `?path-style=true` forces path-style addressing, which is also the
 * default when the endpoint is an IP address or localhost. `?part-size=` (bytes, ≥ 5 MiB)
 * sets the multipart part size.
 *
 * The SDK warns on Node 20 that *future* SDK releases will need Node 22. That is a note
 * for whoever upgrades this package's dependencies, not for someone reading logs, so it is
 * switched off (AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED) unless the user set
 * that variable; package.json's `engines` is where the Node requirement is stated.
 */
import type * as S3 from '@aws-sdk/client-s3'
import type {LifecycleRule, S3Client, S3ServiceException} from '@aws-sdk/client-s3'
import {createRequire} from 'node:module'
import type {Readable} from 'node:stream'
import {httpRange, restOf, type BucketMaintenance, type ByteRange, type ObjectBucket, type StoredObject, type WriteStreamOptions} from './bucket.js'
import {Backoff, DEFAULT_RETRY_POLICY, ofOneStore, parseRetryAfter, retryPolicyOf, type RetryPolicy} from '../retry.js'
import {classifyForRetry, networkCode, objectStoreFailure, type BackendFacts} from './failure.js'
import {resumableBody} from './resumable-body.js'
import {InvalidUrlError, MissingCredentialError, ObjectStoreError} from '../../errors/index.js'
import type {OpenContext} from '../types.js'
import {DEFAULT_PART_SIZE, MIN_PART_SIZE, uploadStream} from './s3-upload.js'
import {redactUrl} from '../url.js'

// The SDK is CommonJS. Required, not imported: an ES import of it makes Node 20 scan its
// 270 KB entry (and what that re-exports) for export names first, ~40 ms of CPU per
// command that opens an S3 store (~15 ms on Node 24).
const {
  AbortMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutBucketLifecycleConfigurationCommand,
  PutObjectCommand,
  S3Client: Client,
} = createRequire(import.meta.url)('@aws-sdk/client-s3') as typeof S3

export interface S3BucketOptions {
  client: S3Client
  bucket: string
  /** Key prefix without leading or trailing slash ('' for the bucket root). */
  prefix: string
  partSize?: number
  /** Where the URL came from (for a missing-credential or missing-bucket message). */
  from?: string
  /** The endpoint requests go to, for messages (redacted). */
  endpoint?: string
  /** Keys per ListObjectsV2 page (S3's maximum, 1000, by default; tests use less to exercise pagination). */
  listPageSize?: number
  /** Transient failures are retried under this policy (../retry.ts): it replaces the client's own retry strategy. */
  retry?: RetryPolicy
}

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound', 'NoSuchUpload'])
const CREDENTIALS = ['AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']

export class S3Bucket implements ObjectBucket, BucketMaintenance {
  readonly name: string
  private readonly client: S3Client
  private readonly bucket: string
  private readonly prefix: string
  private readonly partSize: number
  private readonly from: string
  private readonly listPageSize: number | undefined
  readonly retry: RetryPolicy
  private readonly facts: BackendFacts

  constructor({client, bucket, prefix, partSize = DEFAULT_PART_SIZE, from = 'the archive URL', endpoint, listPageSize, retry = DEFAULT_RETRY_POLICY}: S3BucketOptions) {
    this.listPageSize = listPageSize
    this.retry = ofOneStore(retry)
    this.client = client
    this.bucket = bucket
    this.prefix = prefix ? `${prefix}/` : ''
    this.partSize = partSize
    this.from = from
    this.name = `s3://${bucket}/${prefix}`.replace(/\/$/, '')
    this.facts = {
      where: this.name,
      bucket,
      credentials: CREDENTIALS,
      endpoint,
      missingBucket: [`create it (aws s3 mb s3://${bucket}${endpoint ? ` --endpoint-url ${endpoint}` : ''}), or correct the bucket in ${from}`],
    }
    // Every request the client sends — lib-storage's parts included — retries under the one policy.
    const strategy = policyRetryStrategy(this.retry, (error) => this.failure(error, 'send a request'))
    client.config.retryStrategy = async () => strategy as Awaited<ReturnType<S3Client['config']['retryStrategy']>>
  }

  urlOf(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`
  }

  async writeStream(key: string, body: Readable, {onProgress}: WriteStreamOptions = {}): Promise<StoredObject[]> {
    const size = await this.call(`upload ${key}`, () =>
      uploadStream({
        client: this.client,
        bucket: this.bucket,
        key: this.prefix + key,
        body,
        partSize: this.partSize,
        contentType: key.endsWith('.zst') ? 'application/zstd' : 'application/gzip',
        onProgress,
      }),
    )
    return [{key, size}]
  }

  async writeBytes(key: string, data: Buffer, options: {exclusive?: boolean} = {}): Promise<boolean> {
    try {
      await this.call(`write ${key}`, () =>
        this.client.send(
          new PutObjectCommand({Bucket: this.bucket, Key: this.prefix + key, Body: data, ContentLength: data.length, IfNoneMatch: options.exclusive ? '*' : undefined}),
        ),
      )
      return true
    } catch (error) {
      if (options.exclusive && error instanceof ObjectStoreError && error.kind === 'duplicate') return false
      throw error
    }
  }

  async readStream(key: string, range?: ByteRange): Promise<Readable | undefined> {
    const answer = await this.call(
      `read ${key}`,
      () => this.client.send(new GetObjectCommand({Bucket: this.bucket, Key: this.prefix + key, Range: range && httpRange(range)})),
      true,
    )
    if (!answer) return undefined
    // The rest of this very version, should the connection be cut part-way.
    const rest = async (offset: number): Promise<Readable> => {
      const request = {Bucket: this.bucket, Key: this.prefix + key, Range: restOf(range, offset), IfMatch: answer.ETag}
      return (await this.call(`read ${key} from byte ${offset}`, () => this.client.send(new GetObjectCommand(request)))).Body as Readable
    }
    return resumableBody(answer.Body as Readable, rest, this.retry)
  }

  async stat(key: string): Promise<StoredObject | undefined> {
    const answer = await this.call(`stat ${key}`, () => this.client.send(new HeadObjectCommand({Bucket: this.bucket, Key: this.prefix + key})), true)
    return answer && {key, size: answer.ContentLength ?? 0, modifiedAt: answer.LastModified?.getTime()}
  }

  async *list(prefix: string): AsyncIterable<StoredObject> {
    let token: string | undefined
    do {
      const page = await this.call('list objects', () =>
        this.client.send(new ListObjectsV2Command({Bucket: this.bucket, Prefix: this.prefix + prefix, ContinuationToken: token, MaxKeys: this.listPageSize})),
      )
      for (const object of page.Contents ?? []) {
        if (object.Key) yield {key: object.Key.slice(this.prefix.length), size: object.Size ?? 0, modifiedAt: object.LastModified?.getTime()}
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  async delete(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.call(`delete ${key}`, () => this.client.send(new DeleteObjectCommand({Bucket: this.bucket, Key: this.prefix + key})))))
  }

  async staleUploads(startedBefore: number): Promise<Array<{key: string; uploadId: string; startedAt: number}>> {
    const stale: Array<{key: string; uploadId: string; startedAt: number}> = []
    let keyMarker: string | undefined
    let uploadIdMarker: string | undefined
    do {
      const page = await this.call('list multipart uploads', () =>
        this.client.send(
          new ListMultipartUploadsCommand({Bucket: this.bucket, Prefix: this.prefix, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker, MaxUploads: this.listPageSize}),
        ),
      )
      for (const upload of page.Uploads ?? []) {
        const startedAt = upload.Initiated?.getTime() ?? 0
        if (upload.Key && upload.UploadId && startedAt < startedBefore) stale.push({key: upload.Key.slice(this.prefix.length), uploadId: upload.UploadId, startedAt})
      }
      keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined
      uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined
    } while (keyMarker)
    return stale
  }

  async abortUpload(key: string, uploadId: string): Promise<void> {
    await this.call(`abort upload of ${key}`, () => this.client.send(new AbortMultipartUploadCommand({Bucket: this.bucket, Key: this.prefix + key, UploadId: uploadId})))
  }

  /** Replaces only this tool's rule (by id) in the bucket's lifecycle configuration; other rules are kept. */
  async applyLifecycle(days: number): Promise<string> {
    const id = `logs-retention${this.prefix ? `-${this.prefix.replace(/\/$/, '').replaceAll('/', '-')}` : ''}`.slice(0, 255)
    let rules: LifecycleRule[] = []
    try {
      rules = (await this.client.send(new GetBucketLifecycleConfigurationCommand({Bucket: this.bucket}))).Rules ?? []
    } catch (error) {
      if ((error as Error).name !== 'NoSuchLifecycleConfiguration') throw this.failure(error, 'read the lifecycle configuration')
    }
    const rule: LifecycleRule = {
      ID: id,
      Status: 'Enabled',
      Filter: {Prefix: this.prefix},
      Expiration: {Days: days},
      AbortIncompleteMultipartUpload: {DaysAfterInitiation: 1},
    }
    const Rules = [...rules.filter((r) => r.ID !== id), rule]
    await this.call('install the lifecycle rule', () => this.client.send(new PutBucketLifecycleConfigurationCommand({Bucket: this.bucket, LifecycleConfiguration: {Rules}})))
    return id
  }

  async close(): Promise<void> {
    this.client.destroy()
  }

  /** One request (retried by the client's strategy); with `absent`, a missing object is undefined instead of an error. */
  private call<T>(what: string, fn: () => Promise<T>): Promise<T>
  private call<T>(what: string, fn: () => Promise<T>, absent: true): Promise<T | undefined>
  private async call<T>(what: string, fn: () => Promise<T>, absent = false): Promise<T | undefined> {
    try {
      return await fn()
    } catch (error) {
      if (absent && isNotFound(error)) return undefined
      throw this.failure(error, what)
    }
  }

  private failure(error: unknown, what: string): Error {
    if (error instanceof ObjectStoreError || error instanceof RangeError || error instanceof MissingCredentialError) return error
    const name = (error as Error).name
    if (name === 'CredentialsProviderError') return new MissingCredentialError(`the S3 archive ${this.name}`, CREDENTIALS, this.from)
    const exception = error as S3ServiceException & {Code?: string; $response?: {headers?: Record<string, string>}}
    const status = exception.$metadata?.httpStatusCode
    const code = networkCode(error) ?? exception.Code ?? (name === 'Error' || name === 'Unknown' ? undefined : name)
    const message = (error as Error).message && (error as Error).message !== 'UnknownError' ? (error as Error).message : (code ?? name)
    return objectStoreFailure({status, code, message, retryAfterMs: parseRetryAfter(exception.$response?.headers?.['retry-after'])}, what, this.facts, error)
  }
}

function isNotFound(error: unknown): boolean {
  return (NOT_FOUND.has((error as Error).name) || (error as S3ServiceException).$metadata?.httpStatusCode === 404) && (error as Error).name !== 'NoSuchBucket'
}

interface RetryToken {
  getRetryCount(): number
  getRetryDelay(): number
}

/** The AWS SDK's retry hook (its RetryStrategyV2), running ../retry.ts's policy on errors classified by ./failure.ts. */
function policyRetryStrategy(policy: RetryPolicy, classify: (error: unknown) => Error) {
  interface PolicyToken extends RetryToken {
    backoff: Backoff
    count: number
    delay: number
  }
  return {
    async acquireInitialRetryToken(): Promise<RetryToken> {
      const token: PolicyToken = {
        backoff: new Backoff({policy, classify: classifyForRetry}),
        count: 0,
        delay: 0,
        getRetryCount: () => token.count,
        getRetryDelay: () => token.delay,
      }
      return token
    },
    async refreshRetryTokenForRetry(retryToken: RetryToken, info: {error: unknown}): Promise<RetryToken> {
      const token = retryToken as PolicyToken
      const delay = token.backoff.delayFor(classify(info.error))
      if (delay === undefined) throw info.error
      token.count++
      token.delay = delay
      return token
    },
    recordSuccess(): void {
      policy.outage?.answered()
    },
  }
}

export interface S3Settings {
  bucket: string
  prefix: string
  region: string
  endpoint?: string
  forcePathStyle: boolean
  partSize: number
  retry: RetryPolicy
}

export function s3Settings(url: URL, context: OpenContext): S3Settings {
  const bucket = url.hostname
  if (!bucket) throw new InvalidUrlError(context.what, context.from, `${redactUrl(url.href)} names no bucket`, ['use s3://bucket/prefix'])
  const query = url.searchParams
  const endpoint = query.get('endpoint') ?? context.env.AWS_ENDPOINT_URL_S3 ?? context.env.AWS_ENDPOINT_URL ?? undefined
  const pathStyle = query.get('path-style')
  const partSize = Number(query.get('part-size') ?? DEFAULT_PART_SIZE)
  if (!Number.isInteger(partSize) || partSize < MIN_PART_SIZE) {
    throw new InvalidUrlError(context.what, context.from, `part-size must be a whole number of bytes ≥ ${MIN_PART_SIZE} (S3's minimum part size)`)
  }
  return {
    bucket,
    prefix: decodeURIComponent(url.pathname).replace(/^\/+|\/+$/g, ''),
    region: query.get('region') ?? context.env.AWS_REGION ?? context.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    endpoint,
    forcePathStyle: pathStyle ? pathStyle === 'true' : endpoint !== undefined && isLocalEndpoint(endpoint),
    partSize,
    retry: retryPolicyOf(url, context.from),
  }
}

function isLocalEndpoint(endpoint: string): boolean {
  try {
    const {hostname} = new URL(endpoint)
    return hostname === 'localhost' || /^[\d.]+$/.test(hostname) || hostname.startsWith('[')
  } catch {
    return false
  }
}

/** Time to establish a connection, and for a request to be sent and answered (headers), before it fails and is retried. */
const S3_CONNECT_TIMEOUT_MS = 10_000
const S3_REQUEST_TIMEOUT_MS = 60_000

export function s3Client(settings: S3Settings, env: NodeJS.ProcessEnv = process.env): S3Client {
  if (env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED === undefined) process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true'
  // Keys in the given environment win (tests and embedders pass one); else the SDK's chain (profiles, SSO, IMDS…).
  const credentials =
    env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? {accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN}
      : undefined
  return new Client({
    credentials,
    region: settings.region,
    endpoint: settings.endpoint,
    forcePathStyle: settings.forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Without throwOnRequestTimeout the SDK only warns, and a server that accepts but never
    // answers holds a request forever; a TimeoutError (ETIMEDOUT) is transient (failure.ts).
    requestHandler: {connectionTimeout: S3_CONNECT_TIMEOUT_MS, requestTimeout: S3_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true},
  })
}

/**
 * Resolves credentials up front so that a missing one is a usage error (exit 2) naming
 * the variables, before any job is touched — not one failure per job.
 */
export async function openS3Bucket(url: URL, context: OpenContext): Promise<S3Bucket> {
  const settings = s3Settings(url, context)
  const client = s3Client(settings, context.env)
  try {
    await client.config.credentials()
  } catch (error) {
    client.destroy()
    if ((error as Error).name === 'CredentialsProviderError') {
      throw new MissingCredentialError(`the S3 store ${redactUrl(url.href)}`, ['AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE'], context.from)
    }
    throw error
  }
  const endpoint = settings.endpoint ? redactUrl(settings.endpoint).replace(/\/$/, '') : `https://s3.${settings.region}.amazonaws.com`
  return new S3Bucket({client, bucket: settings.bucket, prefix: settings.prefix, partSize: settings.partSize, from: context.from, endpoint, retry: settings.retry})
}
