import {LogsError} from './logs-error.js'

/** A damaged block of an archived job: the phrase naming it, and the sequence numbers it held. */
export interface UnreadableBlock {
  what: string
  firstSeq: number
  lastSeq: number
}

/** Part of an archived job could not be read (a corrupt or truncated block): what could be read was given. */
export class ArchiveReadError extends LogsError {
  constructor(
    readonly jobId: string,
    /** What could not be read, one phrase each ("block 5 (bytes …, seq …) could not be read: …"). */
    readonly what: string[],
    /** The phrases of `what` whose sequence numbers are known, with them: what a reader skipped. */
    readonly blocks: UnreadableBlock[] = [],
  ) {
    super(`job ${jobId}: ${what.join('; ')}; every other entry was printed`, {
      exitCode: 1,
      suggestions: ['the archived object is damaged; if the job is still in the live store, run `logs archive` again to re-upload it'],
    })
  }

  /** One error per job of several reads' errors (a block met by two reads is named once), in the order of their jobs' first. */
  static merged(errors: ArchiveReadError[]): ArchiveReadError[] {
    const byJob = new Map<string, {what: Set<string>; blocks: Map<string, UnreadableBlock>}>()
    for (const error of errors) {
      let job = byJob.get(error.jobId)
      if (!job) byJob.set(error.jobId, (job = {what: new Set(), blocks: new Map()}))
      for (const phrase of error.what) job.what.add(phrase)
      for (const block of error.blocks) job.blocks.set(block.what, block)
    }
    return [...byJob].map(([jobId, {what, blocks}]) => new ArchiveReadError(jobId, [...what], [...blocks.values()]))
  }
}
