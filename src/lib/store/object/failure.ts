/**
 * The one place where object stores' errors are classified. Each backend reduces its
 * SDK's error to the same few facts (HTTP status, the service's code, a retry hint) and
 * calls `objectStoreFailure`; every retry of an object-store operation asks
 * `classifyForRetry` whether to try again (../retry.ts).
 *
 *   transient  5xx (not 501), 429, 408, S3 SlowDown/RequestTimeout/InternalError,
 *              connection refused/reset, timeouts, a socket closed mid-answer
 *   permanent  400, 401, 403 (access refused: names the credential variables), a missing
 *              bucket (names the bucket, the endpoint and the fix), 413 and other size
 *              limits, 415, an invalid key, 501, unknown host
 */
import {ObjectStoreError, type ObjectStoreFailure} from '../../errors/index.js'
import {withRetry, type Classify, type RetryPolicy} from '../retry.js'

export interface FailureFacts {
  /** The HTTP status, or the one a service reports in its body (Supabase answers 400 with statusCode "403"). */
  status?: number
  /** The service's error code or the SDK's/system's error name: NoSuchBucket, AccessDenied, ECONNRESET… */
  code?: string
  message: string
  retryAfterMs?: number
}

export interface BackendFacts {
  /** The redacted bucket URL. */
  where: string
  bucket: string
  /** Variables (or settings) that hold the credentials, for "access refused" messages. */
  credentials: string[]
  /** The service's endpoint, redacted, for "bucket does not exist" messages. */
  endpoint?: string
  /** How to fix a missing bucket on this backend. */
  missingBucket?: string[]
  /** What to check when the store cannot be used, where "is it reachable" is not the question (a local directory). */
  unavailable?: string[]
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeTooSkewed',
  'SlowDown',
  'InternalError',
  'ServiceUnavailable',
  'Throttling',
  'ThrottlingException',
  'TooManyRequests',
  'rate_limited',
  'service_unavailable',
  'internal_server_error',
  'EAGAIN',
  'EBUSY',
  'EMFILE',
  'ENFILE',
  'EINTR',
])
const UNAUTHORIZED_CODES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'Forbidden',
  'ExpiredToken',
  'InvalidToken',
  'Unauthorized',
  'EACCES',
  'EPERM',
  'EROFS',
  'forbidden',
  'unauthorized',
  'bad_token',
  'invalid_token',
  'store_suspended',
  'store_not_found_or_forbidden',
])
const MISSING_BUCKET_CODES = new Set(['NoSuchBucket', 'store_not_found'])
const TOO_LARGE_CODES = new Set(['EntityTooLarge', 'file_too_large', 'content_too_large'])
const NOT_FOUND_CODES = new Set(['NoSuchKey', 'NotFound', 'NoSuchUpload', 'not_found', 'blob_not_found'])
const NETWORK_GONE = new Set(['ENOTFOUND'])

export function objectStoreFailure(facts: FailureFacts, what: string, backend: BackendFacts, cause?: unknown): ObjectStoreError {
  const {status, code = '', message} = facts
  const detail = `${message || code}${status ? ` (HTTP ${status}${code && !message.includes(code) ? ` ${code}` : ''})` : code && !message.includes(code) ? ` (${code})` : ''}`
  const reason = `cannot ${what}: ${detail}`
  const make = (kind: ObjectStoreFailure, text: string, options: {transient?: boolean; suggestions?: string[]} = {}): ObjectStoreError =>
    new ObjectStoreError(kind, backend.where, text, cause, {
      suggestions: kind === 'unavailable' ? backend.unavailable : undefined,
      ...options,
      retryAfterMs: facts.retryAfterMs,
    })
  if (UNAUTHORIZED_CODES.has(code) || status === 401 || status === 403) {
    const check = backend.credentials.join(' / ')
    return make('unauthorized', `access refused: ${reason}; check ${check}`, {
      suggestions: [`check that ${check} holds a valid key with access to ${backend.bucket} (the value is not shown)`],
    })
  }
  if (MISSING_BUCKET_CODES.has(code) || (status === 404 && /bucket not found/i.test(message))) {
    const at = backend.endpoint ? ` at ${backend.endpoint}` : ''
    return make('missing-bucket', `bucket ${backend.bucket} does not exist${at} (${reason})`, {suggestions: backend.missingBucket})
  }
  if (TOO_LARGE_CODES.has(code) || status === 413) return make('too-large', reason)
  if (NOT_FOUND_CODES.has(code) || status === 404) return make('not-found', reason)
  if (status === 409 || code === 'KeyAlreadyExists' || code === 'Duplicate' || code === 'PreconditionFailed' || status === 412) return make('duplicate', reason)
  if (status === 501 || code === 'NotImplemented') return make('unsupported', reason)
  if (NETWORK_GONE.has(code)) return make('unavailable', `${reason}; check the endpoint's host name`)
  if (TRANSIENT_CODES.has(code) || status === 429 || status === 408 || (status !== undefined && status >= 500)) return make('unavailable', reason, {transient: true})
  return make(status === undefined ? 'unavailable' : 'protocol', reason)
}

/**
 * For ../retry.ts: object-store errors retry when transient; so does a body stream
 * cut by the network mid-read (a raw ECONNRESET), which no backend call gets to classify.
 */
export const classifyForRetry: Classify = (error) => {
  if (error instanceof ObjectStoreError) return error.transient ? {retryAfterMs: error.retryAfterMs} : undefined
  const code = networkCode(error)
  return code !== undefined && TRANSIENT_CODES.has(code) ? {} : undefined
}

/**
 * Runs one request of a backend under the retry policy: `fn`'s errors go through the
 * backend's `failure` (which calls objectStoreFailure) and are retried when transient.
 */
export function retried<T>(policy: RetryPolicy, fn: () => Promise<T>, failure: (error: unknown) => Error): Promise<T> {
  return withRetry(
    async () => {
      try {
        return await fn()
      } catch (error) {
        throw failure(error)
      }
    },
    {policy, classify: classifyForRetry},
  )
}

/** The first system/undici error code in an error's cause chain (fetch wraps them: TypeError('fetch failed', {cause})). */
export function networkCode(error: unknown): string | undefined {
  for (let current = error, depth = 0; current && depth < 6; current = (current as {cause?: unknown}).cause, depth++) {
    const code = (current as {code?: unknown}).code
    if (typeof code === 'string' && /^(E[A-Z]+|UND_ERR_[A-Z_]+)$/.test(code)) return code
    if (current instanceof AggregateError && current.errors.length > 0) return networkCode(current.errors[0])
    if ((current as Error).name === 'TimeoutError' || (current as Error).name === 'AbortError') return 'TimeoutError'
  }
  return undefined
}
