import {LogsError} from './logs-error.js'

/** Part of an archived job could not be read (a corrupt or truncated block): what could be read was given. */
export class ArchiveReadError extends LogsError {
  constructor(
    readonly jobId: string,
    /** What could not be read, one phrase each ("block 5 (bytes …, seq …) could not be read: …"). */
    readonly what: string[],
  ) {
    super(`job ${jobId}: ${what.join('; ')}; every other entry was printed`, {
      exitCode: 1,
      suggestions: ['the archived object is damaged; if the job is still in the live store, run `logs archive` again to re-upload it'],
    })
  }

  /** One error per job of several reads' errors (a block met by two reads is named once), in the order of their jobs' first. */
  static merged(errors: ArchiveReadError[]): ArchiveReadError[] {
    const byJob = new Map<string, Set<string>>()
    for (const error of errors) {
      const what = byJob.get(error.jobId) ?? new Set()
      for (const phrase of error.what) what.add(phrase)
      byJob.set(error.jobId, what)
    }
    return [...byJob].map(([jobId, what]) => new ArchiveReadError(jobId, [...what]))
  }
}
