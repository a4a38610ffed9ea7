/** One-line notices for stderr, shared by commands that print the same situation. */
import type {ArchiveReadError} from '../errors/index.js'

/** `get -f` and piped `tail` on a job that has not started: say why nothing comes. */
export function waitingNotice(job: string): string {
  return `logs: waiting for job ${job} to start (Ctrl-C to stop; --no-wait fails at once instead)\n`
}

/** `tail 'build-*'` and `get -f 'build-*'`: a matched job was deleted (gc, rm) and is left out; the others go on. */
export function leftOutNotice(job: string, why: string): string {
  return `logs: left out job ${job}, deleted after it matched (${why})\n`
}

/** `tail 'build-*'` and `get -f a b`: one job could not be read in full (damaged archived blocks); the others go on. */
export function unreadableNotice(error: ArchiveReadError): string {
  return `logs: job ${error.jobId}: ${error.what.join('; ')}; every other entry of it was printed; following the other jobs\n`
}
