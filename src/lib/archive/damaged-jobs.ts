/** Archived jobs whose manifest is damaged: met by a listing, and as `archive --reindex` and `gc` report them (--json too). */
import {DamagedManifestError} from '../errors/index.js'

export interface DamagedJob {
  job: string
  message: string
  suggestions: string[]
}

export const damagedJob = (error: DamagedManifestError): DamagedJob => ({job: error.jobId, message: error.message, suggestions: error.suggestions})

/** A catch that hands a damaged manifest to `onDamaged` (the job then counts as not there) and throws anything else, or everything without it. */
export function damagedTo(onDamaged: ((error: DamagedManifestError) => void) | undefined): (error: unknown) => undefined {
  return (error) => {
    if (!(error instanceof DamagedManifestError) || !onDamaged) throw error
    onDamaged(error)
    return undefined
  }
}
