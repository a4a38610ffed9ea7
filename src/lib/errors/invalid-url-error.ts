import {UsageError} from './usage-error.js'

export class InvalidUrlError extends UsageError {
  constructor(what: string, where: string, reason: string, suggestions: string[] = []) {
    super(`invalid ${what} URL from ${where}: ${reason}`, suggestions)
  }
}
