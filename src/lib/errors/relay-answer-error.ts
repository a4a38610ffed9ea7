import {LogsError} from './logs-error.js'

/** The relay's answer is not what `logs serve` sends (another server at that address, or a relay older than the client). `where` holds no secret. */
export class RelayAnswerError extends LogsError {
  constructor(where: string, what: string) {
    super(`the relay at ${where} ${what}`, {
      exitCode: 1,
      suggestions: [`check that ${where} is the address of logs serve; a relay older than this client answers history in pages only: run the same version of logs on both sides`],
    })
  }
}
