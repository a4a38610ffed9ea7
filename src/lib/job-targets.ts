/** `logs tail a b 'build-*'`, `logs get a 'build-*'`: which arguments are job ids and which are globs, validated. */
import {UsageError} from './errors/index.js'
import {checkJobGlob, checkJobId, isJobGlob, jobGlob} from './job-id.js'
import type {LabelSelector} from './label-selector.js'

export interface JobPattern {
  text: string
  regex: RegExp
  /** The literal start of the glob, for `listJobs({prefix})`. */
  prefix: string
}

export interface TailTargets {
  ids: string[]
  globs: JobPattern[]
  /** `-l`: the jobs globs find must match it (plain ids are followed whatever their labels). */
  selector?: LabelSelector
}

/**
 * Where the ids and globs came from, for the messages: the arguments of `logs COMMAND`, or a
 * source named as its user wrote it (the relay's `jobs=` parameter).
 */
export type TargetsSource = {command: string} | {where: string}

/** Without arguments, `-l` selects among all jobs: the glob `*`. */
export function parseTargets(args: string[], selector?: LabelSelector, from: TargetsSource = {command: 'tail'}): TailTargets {
  if (args.length === 0 && selector) args = ['*']
  if (args.length === 0) {
    if ('where' in from) throw new UsageError(`no job given in ${from.where}`)
    throw new UsageError('no job given', [`logs ${from.command} JOB_ID, a glob such as 'build-*' (quote it so the shell does not expand it), or -l SELECTOR`])
  }
  const ids: string[] = []
  const globs: JobPattern[] = []
  for (const arg of args) {
    if (isJobGlob(arg)) {
      checkJobGlob(arg, 'where' in from ? from.where : 'a job glob argument')
      const wildcard = arg.search(/[*?]/)
      globs.push({text: arg, regex: jobGlob(arg), prefix: arg.slice(0, wildcard)})
    } else {
      checkJobId(arg, 'where' in from ? from.where : 'the job id argument')
      if (!ids.includes(arg)) ids.push(arg)
    }
  }
  return {ids, globs, selector}
}

/** `logs get` and GET /v1/logs: beside plain ids (no glob), a selector adds the jobs it selects instead of being ignored. */
export function parseQueryTargets(args: string[], selector?: LabelSelector, from: TargetsSource = {command: 'get'}): TailTargets {
  return parseTargets(selector && !args.some((arg) => isJobGlob(arg)) ? [...args, '*'] : args, selector, from)
}

/** True when a single plain id is followed: the viewer can then page back through the store. */
export function isSingleJob(targets: TailTargets): boolean {
  return targets.globs.length === 0 && targets.ids.length === 1
}

/** One listing per distinct prefix; a glob with no literal start lists everything once. */
export function commonPrefixes(globs: JobPattern[]): string[] {
  if (globs.some((glob) => glob.prefix === '')) return ['']
  const sorted = [...new Set(globs.map((glob) => glob.prefix))].sort()
  return sorted.filter((prefix, i) => !sorted.slice(0, i).some((shorter) => prefix.startsWith(shorter)))
}
