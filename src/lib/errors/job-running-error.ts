import {LogsError} from './logs-error.js'

/** `get --exit-code` (or `tail --no-follow --exit-code`) asked for the exit code of a job that has not ended. Exit 2. */
export class JobRunningError extends LogsError {
  /** `hint`: how to wait for the end instead. */
  constructor(id: string, hint = `add -f to wait for it to end and exit with its code: logs get ${id} -f --exit-code`) {
    super(`job ${id} is still running, so it has no exit code yet (--exit-code without --follow needs an ended job)`, {
      exitCode: 2,
      suggestions: [hint],
    })
  }
}
