import {LogsError} from './logs-error.js'

export type ObjectStoreFailure = 'unavailable' | 'unauthorized' | 'missing-bucket' | 'not-found' | 'duplicate' | 'too-large' | 'unsupported' | 'protocol'

/**
 * An object store (S3, Supabase Storage, Vercel Blob, an archive directory) refused or
 * failed an operation. `where` is a redacted URL; the kind lets callers react (a
 * duplicate lock, a missing object) without parsing messages. `transient` failures
 * (5xx, 429, a reset connection, a timeout) are worth retrying; the others are not.
 * Built by ../store/object/failure.ts, the one place that classifies backends' errors.
 */
export class ObjectStoreError extends LogsError {
  readonly kind: ObjectStoreFailure
  readonly transient: boolean
  /** The server's retry hint (Retry-After), when it gave one. */
  readonly retryAfterMs: number | undefined

  /** The store, named as in messages (a redacted URL). */
  readonly where: string
  readonly reason: string

  constructor(kind: ObjectStoreFailure, where: string, reason: string, cause?: unknown, options: {transient?: boolean; retryAfterMs?: number; suggestions?: string[]} = {}) {
    super(`${where}: ${reason}`, {exitCode: 1, cause, suggestions: options.suggestions ?? SUGGESTIONS[kind]})
    this.kind = kind
    this.transient = options.transient ?? false
    this.retryAfterMs = options.retryAfterMs
    this.where = where
    this.reason = reason
  }

  /** The same failure with the hints of a caller that knows what was asked for (`gc --apply-lifecycle`). */
  withSuggestions(suggestions: string[]): ObjectStoreError {
    return new ObjectStoreError(this.kind, this.where, this.reason, this.cause, {transient: this.transient, retryAfterMs: this.retryAfterMs, suggestions})
  }

  /** Refused for good (credentials, a missing bucket, a size limit, a bad request): trying again later cannot help. */
  get permanent(): boolean {
    return !this.transient && this.kind !== 'unavailable'
  }
}

const SUGGESTIONS: Record<ObjectStoreFailure, string[]> = {
  unavailable: ['check that the object store is reachable (endpoint, network), then run the command again'],
  unauthorized: ['check the credentials (AWS_* variables or profile, SUPABASE_SERVICE_ROLE_KEY, BLOB_READ_WRITE_TOKEN) and their permissions on the bucket'],
  'missing-bucket': ['check the bucket name in the URL, and that the bucket exists'],
  'not-found': [],
  duplicate: [],
  'too-large': ['lower the part size with ?part-size= in the archive URL'],
  unsupported: ['this S3-compatible service does not implement the call: see its documentation for what it supports'],
  protocol: [],
}
