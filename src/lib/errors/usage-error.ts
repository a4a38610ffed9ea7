import {LogsError} from './logs-error.js'

/** Bad input from the user: a flag, a variable, a config value. Exit code 2. */
export class UsageError extends LogsError {
  constructor(message: string, suggestions: string[] = []) {
    super(message, {exitCode: 2, suggestions})
  }
}
