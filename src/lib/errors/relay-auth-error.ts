import {LogsError} from './logs-error.js'

/** The relay refused our token (401) or its rights (403). `where` is the relay's URL without secrets. */
export class RelayAuthError extends LogsError {
  constructor(where: string, status: number, reason: string) {
    super(`the relay at ${where} refused the request (${status}): ${reason}`, {
      exitCode: 2,
      suggestions:
        status === 401 ? ['pass --token or set LOGS_TOKEN to the token the relay was started with'] : ["writing needs the relay's --token; --read-token only grants reads"],
    })
  }
}
