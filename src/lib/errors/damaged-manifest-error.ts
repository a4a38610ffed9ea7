import {DamagedError} from './damaged-error.js'

/**
 * A job's archive manifest (`<job>.meta.json`) that is not one: the job cannot be listed or
 * read through it. Listings name it and go on with the other jobs (JobFilter.onDamaged);
 * its object, which still holds the lines, is never taken for an orphan.
 */
export class DamagedManifestError extends DamagedError {
  static readonly code = 'damaged-manifest'
  readonly code = DamagedManifestError.code

  constructor(
    jobId: string,
    message: string,
    suggestions: string[],
    /** Where the manifest is; absent when a relay told of it (its message names it). */
    readonly url?: string,
  ) {
    super(jobId, message, suggestions)
  }

  static at(jobId: string, url: string, reason: string): DamagedManifestError {
    return new DamagedManifestError(
      jobId,
      `job ${jobId}: its archive manifest ${url} is damaged: ${reason}`,
      [
        `its lines are still in the archived object beside it (${jobId}.jsonl.zst or .jsonl.gz): read it with zstdcat or zcat`,
        `\`logs rm ${jobId}\` deletes the job, its object too`,
      ],
      url,
    )
  }
}
