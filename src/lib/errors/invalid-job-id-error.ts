import {UsageError} from './usage-error.js'

/** A job id — or a glob or prefix of job ids (`what`) — that no job id can match; `where` names its source. */
export class InvalidJobIdError extends UsageError {
  constructor(id: string, where: string, what = 'job id') {
    super(`invalid ${what} ${JSON.stringify(id)} (${where}): ids are 1-128 characters of letters, digits, '.', '_' and '-', starting with a letter or digit`)
  }
}
