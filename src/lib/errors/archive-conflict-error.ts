import {LogsError} from './logs-error.js'

/**
 * The archive already holds another run of the job id (pushed, archived, then pushed again
 * from line 1 where push could not see the archive — or the same id archived from two live
 * stores): archiving this one would replace that log, so neither is touched.
 */
export class ArchiveConflictError extends LogsError {
  constructor(jobId: string, archived: {createdAt: number; lines: number}, live: {createdAt: number; lines: number}, where: {live: string; archive: string}) {
    const created = (meta: {createdAt: number}) => new Date(meta.createdAt).toISOString()
    super(
      `job ${jobId} was not archived: the archive already holds another run of it (created ${created(archived)}, ${archived.lines} lines), which this one (created ${created(live)}, ${live.lines} lines, numbered from 1) would replace; both are kept. ` +
        `It was pushed without this archive configured, so push could not continue the archived run: push runs of the job with --archive ${where.archive} (or LOGS_ARCHIVE) and they continue it. ` +
        `To keep this run under an id of its own: \`logs get ${jobId} --store ${where.live} -o raw | logs push --job ${jobId}-2 --store ${where.live}\`, then \`logs rm ${jobId} --from live --store ${where.live}\`; ` +
        `to drop it instead: \`logs rm ${jobId} --from live --store ${where.live}\` (\`--from archive\` drops the archived run, after which this one is archived)`,
      {exitCode: 1},
    )
  }
}
