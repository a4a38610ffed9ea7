import {UsageError} from './usage-error.js'

export class InvalidJobIdError extends UsageError {
  constructor(id: string, where: string) {
    super(`invalid job id ${JSON.stringify(id)} (${where}): ids are 1-128 characters of letters, digits, '.', '_' and '-', starting with a letter or digit`)
  }
}
