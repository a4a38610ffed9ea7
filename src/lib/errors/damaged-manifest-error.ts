import {LogsError} from './logs-error.js'

/**
 * A job's archive manifest (`<job>.meta.json`) that is not one: the job cannot be listed or
 * read through it. Listings name it and go on with the other jobs (JobFilter.onDamaged);
 * its object, which still holds the lines, is never taken for an orphan.
 */
export class DamagedManifestError extends LogsError {
  /** How a relay's answer names it (`{"error", "code", "hints"}`). */
  static readonly code = 'damaged-manifest'

  constructor(
    readonly jobId: string,
    readonly url: string,
    reason: string,
  ) {
    super(`job ${jobId}: its archive manifest ${url} is damaged: ${reason}`, {
      exitCode: 1,
      suggestions: [
        `its lines are still in the archived object beside it (${jobId}.jsonl.zst or .jsonl.gz): read it with zstdcat or zcat`,
        `\`logs rm ${jobId}\` deletes the job, its object too`,
      ],
    })
  }
}
