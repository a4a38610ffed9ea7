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
