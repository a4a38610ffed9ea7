import {LogsError} from './logs-error.js'

/**
 * The archive already holds another run of the job id (pushed, archived, then pushed again
 * from the start; or the same id archived from two live stores): archiving this one would
 * replace that log, so neither is touched.
 */
export class ArchiveConflictError extends LogsError {
  constructor(jobId: string, archived: {createdAt: number; lines: number}, live: {createdAt: number; lines: number}) {
    super(
      `job ${jobId} was not archived: the archive already holds another run of it (created ${new Date(archived.createdAt).toISOString()}, ${archived.lines} lines), which this one (created ${new Date(live.createdAt).toISOString()}, ${live.lines} lines) would replace; both are kept — push new runs under their own job ids`,
      {exitCode: 1},
    )
  }
}
