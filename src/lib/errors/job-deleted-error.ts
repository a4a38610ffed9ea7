import {LogsError} from './logs-error.js'

/** A job was deleted (`logs gc`, `logs rm`, the relay's DELETE), or moved to an archive the command does not read, while the command was reading it. */
export class JobDeletedError extends LogsError {
  constructor(id: string, where: string) {
    super(`job ${id} was deleted from ${where} while it was being read; the lines printed before this are all that was read of it`, {
      exitCode: 1,
      suggestions: [
        '`logs gc` deletes jobs past retention (--older-than) and `logs rm` deletes them at once; run `logs ls` to see the jobs that are left',
        '`logs archive` moves ended jobs out of the live store: read them with the archive they went to (--archive or LOGS_ARCHIVE)',
      ],
    })
  }
}
