import {LogsError} from './logs-error.js'

/** A store could not be reached or read. `where` must never contain a secret. */
export class StoreUnavailableError extends LogsError {
  constructor(
    readonly where: string,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`cannot use ${where}: ${reason}`, {exitCode: 1, cause})
  }
}
