import type {ArchiveReadError} from './archive-read-error.js'
import {LogsError} from './logs-error.js'

/**
 * Jobs followed together (`tail 'build-*'`, `get -f a b`) of which part could not be read:
 * each damaged block was named on stderr as it was met and the others were followed on;
 * the command fails once it ends.
 */
export class UnreadableJobsError extends LogsError {
  constructor(readonly errors: ArchiveReadError[]) {
    super(`part of ${errors.map((error) => `job ${error.jobId}`).join(', ')} could not be read (named above); every other entry was printed`, {
      exitCode: 1,
      suggestions: errors[0]?.suggestions,
    })
  }
}
