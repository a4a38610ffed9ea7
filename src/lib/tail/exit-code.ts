/**
 * The exit status of `logs tail --exit-code`: 0 when every job succeeded (or ended with
 * no known status), else the code of the first job that failed, in the order they ended.
 * An abandoned job (its writer vanished) counts as a failure: exit 1.
 */
import {JobRunningError} from '../errors/index.js'
import {isEnded, type JobMeta} from '../job.js'
import type {TailEvent} from './types.js'

export function jobExitCode(meta: JobMeta | undefined): number {
  if (!meta) return 0
  if (meta.status === 'failed') return meta.exitCode && meta.exitCode > 0 ? Math.min(meta.exitCode, 255) : 1
  if (meta.status === 'abandoned') return 1
  return 0
}

/** `get --exit-code` without --follow: the status of a job that has ended; a running (or vanished) one has none yet. */
export function endedJobExitCode(id: string, meta: JobMeta | undefined): number {
  if (!meta || !isEnded(meta.status)) throw new JobRunningError(id)
  return jobExitCode(meta)
}

export function tailExitCode(endedInOrder: Array<JobMeta | undefined>): number {
  for (const meta of endedInOrder) {
    const code = jobExitCode(meta)
    if (code !== 0) return code
  }
  return 0
}

/**
 * The jobs a tail feed saw end, in the order they ended: what `--exit-code` decides on,
 * for plain lines and the viewer alike. A job left out (deleted, or unreadable) is not one of them.
 */
export class EndedJobs {
  readonly inOrder: Array<{job: string; meta: JobMeta | undefined}> = []

  note(event: TailEvent): void {
    if (event.type === 'end' && event.gone === undefined && !event.unreadable) this.inOrder.push({job: event.job, meta: event.meta})
  }

  exitCode(): number {
    return tailExitCode(this.inOrder.map(({meta}) => meta))
  }
}

/** How a job ended, for people: "succeeded", "failed (exit 3)", "abandoned", "ended". */
export function describeEnd(meta: JobMeta | undefined): string {
  if (!meta) return 'ended'
  switch (meta.status) {
    case 'succeeded':
      return 'succeeded'
    case 'failed':
      return meta.exitCode === undefined ? 'failed' : `failed (exit ${meta.exitCode})`
    case 'abandoned':
      return 'abandoned'
    case 'running':
      return 'running'
    default:
      return meta.exitCode === undefined ? 'ended' : `ended (exit ${meta.exitCode})`
  }
}
