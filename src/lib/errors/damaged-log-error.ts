import {LogsError} from './logs-error.js'

/** A job's log in the live store is not what its index says (its files were cut short): read directly, or as a relay tells it. */
export class DamagedLogError extends LogsError {
  /** How a relay's answer names it (`{"error", "code", "hints"}`). */
  static readonly code = 'damaged-log'

  constructor(
    readonly jobId: string,
    message: string,
    suggestions: string[],
  ) {
    super(message, {exitCode: 1, suggestions})
  }

  static inStore(jobId: string, where: string, damage: string): DamagedLogError {
    return new DamagedLogError(jobId, `job ${jobId} in ${where} is damaged: ${damage}`, [
      `its files were cut short (a full disk, a partial copy or restore): restore them from a backup, or remove the job with \`logs rm ${jobId}\``,
    ])
  }
}
