import {LogsError} from './logs-error.js'

/** What an archive stored is not what was sent, or does not match the live job: the live copy is kept. */
export class ArchiveIntegrityError extends LogsError {
  constructor(jobId: string, reason: string) {
    super(`archive of job ${jobId} failed verification: ${reason}; the live copy was kept`, {
      exitCode: 1,
      suggestions: ['run `logs archive` again; it re-uploads jobs whose archive does not verify'],
    })
  }
}
