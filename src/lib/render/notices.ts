/** One-line notices for stderr, shared by commands that print the same situation. */
import {DamagedManifestError, type ArchiveReadError} from '../errors/index.js'
import type {JobPattern, TailTargets} from '../job-targets.js'
import {formatSelector, type LabelSelector} from '../label-selector.js'

/** `get -f` and piped `tail` on a job that has not started: say why nothing comes. */
export function waitingNotice(job: string): string {
  return `logs: waiting for job ${job} to start (Ctrl-C to stop; --no-wait fails at once instead)\n`
}

/** `get -f 'build-*'` and piped `tail 'build-*'` while no job matches: say why nothing comes, as for a job not started. */
export function waitingForMatchNotice(targets: TailTargets): string {
  return `logs: waiting for a job matching ${globsText(targets.globs, targets.selector)} to start (Ctrl-C to stop)\n`
}

/** `'x*'`, `'x*' or 'y*'`; `-l env=prod` for the selector alone; `'x*' with labels env=prod`. */
export function globsText(globs: JobPattern[], selector: LabelSelector | undefined): string {
  const labels = selector ? formatSelector(selector) : undefined
  if (labels && globs.length === 1 && globs[0].text === '*') return `-l ${labels}`
  const patterns = globs.map((glob) => `'${glob.text}'`).join(' or ')
  return labels ? `${patterns} with labels ${labels}` : patterns
}

/** `tail 'build-*'` and `get -f 'build-*'`: a matched job was deleted (gc, rm) and is left out; the others go on. */
export function leftOutNotice(job: string, why: string): string {
  return `logs: left out job ${job}, deleted after it matched (${why})\n`
}

/** `tail 'build-*'` and `get -f a b`: one job could not be read in full (damaged archived blocks); the others go on. */
export function unreadableNotice(error: ArchiveReadError | DamagedManifestError): string {
  if (error instanceof DamagedManifestError) return `logs: ${error.message}; it is left out; following the other jobs\n`
  return `logs: job ${error.jobId}: ${error.what.join('; ')}; every other entry of it was printed; following the other jobs\n`
}
