import type {ArchiveReadError} from './archive-read-error.js'
import {DamagedManifestError} from './damaged-manifest-error.js'
import {LogsError} from './logs-error.js'

/**
 * Jobs followed together (`tail 'build-*'`, `get -f a b`) of which part could not be read:
 * each damaged block was named on stderr as it was met and the others were followed on;
 * the command fails once it ends.
 */
export class UnreadableJobsError extends LogsError {
  constructor(readonly errors: Array<ArchiveReadError | DamagedManifestError>) {
    const jobs = (damaged: boolean) =>
      errors
        .filter((error) => error instanceof DamagedManifestError === damaged)
        .map((error) => `job ${error.jobId}`)
        .join(', ')
    const parts = [jobs(false) && `part of ${jobs(false)} could not be read`, jobs(true) && `${jobs(true)} could not be listed (a damaged manifest)`]
    super(`${parts.filter(Boolean).join('; ')} (named above); every other entry was printed`, {
      exitCode: 1,
      suggestions: errors[0]?.suggestions,
    })
  }
}
