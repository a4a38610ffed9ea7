/** `logs tail a b 'build-*'`: which arguments are job ids and which are globs, validated. */
import {UsageError} from '../errors/index.js'
import {checkJobId, isJobGlob, jobGlob} from '../job-id.js'

export interface JobPattern {
  text: string
  regex: RegExp
  /** The literal start of the glob, for `listJobs({prefix})`. */
  prefix: string
}

export interface TailTargets {
  ids: string[]
  globs: JobPattern[]
}

export function parseTargets(args: string[]): TailTargets {
  if (args.length === 0) throw new UsageError('no job given', ['logs tail JOB_ID, or a glob such as \'build-*\' (quote it so the shell does not expand it)'])
  const ids: string[] = []
  const globs: JobPattern[] = []
  for (const arg of args) {
    if (isJobGlob(arg)) {
      // A glob must still be a job id once its wildcards are filled in.
      checkJobId(arg.replaceAll(/[*?]/g, 'x'), 'a job glob argument')
      const wildcard = arg.search(/[*?]/)
      globs.push({text: arg, regex: jobGlob(arg), prefix: arg.slice(0, wildcard)})
    } else {
      checkJobId(arg, 'the job id argument')
      if (!ids.includes(arg)) ids.push(arg)
    }
  }
  return {ids, globs}
}

/** True when a single plain id is followed: the viewer can then page back through the store. */
export function isSingleJob(targets: TailTargets): boolean {
  return targets.globs.length === 0 && targets.ids.length === 1
}
