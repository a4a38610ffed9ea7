import {LogsError} from './logs-error.js'

/** `logs get 'x*'` (or -l SELECTOR) selected no job at all: as for an id not found, exit 1. */
export class NoJobMatchesError extends LogsError {
  constructor(what: string, where: string) {
    super(`no job matches ${what} in ${where}`, {
      exitCode: 1,
      suggestions: ['run `logs ls` to see the jobs there; `logs get -f` and `logs tail` wait for a matching job to start'],
    })
  }
}
