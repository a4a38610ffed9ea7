import {LogsError} from './logs-error.js'

/**
 * What a job's stored data that is damaged (not a store that is down) is: a direct read names
 * the job, with hints. The relay answers it as a 500 with its `code` and those `hints`
 * (relay/http-error.ts), and the relay's client rebuilds the same class from them
 * (store/relay/relay-http.ts), so `--url` tells it, and lists on past it, as a direct read does.
 */
export abstract class DamagedError extends LogsError {
  /** How a relay's answer names it (`{"error", "code", "hints"}`): its class's static `code`. */
  abstract readonly code: string

  constructor(
    readonly jobId: string,
    message: string,
    suggestions: string[],
  ) {
    super(message, {exitCode: 1, suggestions})
  }
}
