import {LogsError} from './logs-error.js'

/**
 * `logs run -- COMMAND` could not start COMMAND. Exit 127 when it was not found and 126 when
 * it was found but could not be run, as a shell, `env` and `timeout` answer.
 */
export class CommandNotStartedError extends LogsError {
  constructor(command: string, cause: Error & {code?: string}) {
    const notFound = cause.code === 'ENOENT'
    const why = notFound ? 'command not found' : cause.code === 'EACCES' ? 'permission denied' : cause.message
    super(`cannot run ${command}: ${why}`, {exitCode: notFound ? 127 : 126, cause})
  }
}
