import {InvalidJobIdError} from './errors/index.js'

const JOB_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/

export function isJobId(id: string): boolean {
  return JOB_ID.test(id)
}

/** Validates a job id before it touches a key or a path; `where` names its source (flag, argument, variable). */
export function checkJobId(id: string, where: string): string {
  if (!isJobId(id)) throw new InvalidJobIdError(id, where)
  return id
}

/** A glob of job ids (`*`, `?`) must still be a job id once its wildcards are filled in; the message shows it as typed. */
export function checkJobGlob(pattern: string, where: string): string {
  if (!isJobId(pattern.replaceAll(/[*?]/g, 'x'))) throw new InvalidJobIdError(pattern, where, 'job id pattern')
  return pattern
}

/**
 * The start of a job id (`ls --prefix`, `GET /v1/jobs?prefix=`): empty, or itself a valid id
 * (every start of an id is one). Checked before it reaches a store, where a prefix such as
 * `../` would name a path outside it.
 */
export function checkJobIdPrefix(prefix: string, where: string): string {
  if (prefix !== '' && !isJobId(prefix)) throw new InvalidJobIdError(prefix, where, 'job id prefix')
  return prefix
}

/** Glob over job ids: `*` and `?`. Ids cannot hold other glob characters, so nothing else needs escaping. */
export function jobGlob(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.')
  return new RegExp(`^${source}$`)
}

export function isJobGlob(pattern: string): boolean {
  return /[*?]/.test(pattern)
}
