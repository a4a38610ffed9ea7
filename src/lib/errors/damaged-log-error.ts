import {DamagedError} from './damaged-error.js'

/** A job's log in the live store is not what its index says (its files were cut short): read directly, or as a relay tells it. */
export class DamagedLogError extends DamagedError {
  static readonly code = 'damaged-log'
  readonly code = DamagedLogError.code

  static inStore(jobId: string, where: string, damage: string): DamagedLogError {
    return new DamagedLogError(jobId, `job ${jobId} in ${where} is damaged: ${damage}`, [
      `its files were cut short (a full disk, a partial copy or restore): restore them from a backup, or remove the job with \`logs rm ${jobId}\``,
    ])
  }
}
