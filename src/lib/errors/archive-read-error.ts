import {LogsError} from './logs-error.js'

/** Part of an archived job could not be read (a corrupt or truncated block): what could be read was given. */
export class ArchiveReadError extends LogsError {
  constructor(jobId: string, what: string[]) {
    super(`job ${jobId}: ${what.join('; ')}; every other entry was printed`, {
      exitCode: 1,
      suggestions: ['the archived object is damaged; if the job is still in the live store, run `logs archive` again to re-upload it'],
    })
  }
}
