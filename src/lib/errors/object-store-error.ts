import {LogsError} from './logs-error.js'

export type ObjectStoreFailure = 'unavailable' | 'unauthorized' | 'not-found' | 'duplicate' | 'too-large' | 'unsupported' | 'protocol'

/**
 * An object store (S3, Supabase Storage, an archive directory) refused or failed an
 * operation. `where` is a redacted URL; the kind lets callers react (a duplicate lock,
 * a missing object) without parsing messages.
 */
export class ObjectStoreError extends LogsError {
  readonly kind: ObjectStoreFailure

  constructor(kind: ObjectStoreFailure, where: string, reason: string, cause?: unknown) {
    super(`${where}: ${reason}`, {exitCode: 1, cause, suggestions: SUGGESTIONS[kind]})
    this.kind = kind
  }
}

const SUGGESTIONS: Record<ObjectStoreFailure, string[]> = {
  unavailable: ['check that the object store is reachable (endpoint, network), then run the command again'],
  unauthorized: ['check the credentials (AWS_* variables or profile, SUPABASE_SERVICE_ROLE_KEY) and their permissions on the bucket'],
  'not-found': [],
  duplicate: [],
  'too-large': ['lower the part size with ?part-size= in the archive URL'],
  unsupported: ['this S3-compatible service does not implement the call; use --apply-lifecycle or clean up with its own tools'],
  protocol: [],
}
