import {LogsError} from './logs-error.js'

/**
 * A store refused a batch whose predecessor (AppendToken.after) is not the writer's last
 * applied batch: an earlier batch sent with it failed or has not arrived. Nothing was
 * written; the writer re-sends from its oldest unconfirmed batch.
 */
export class OutOfOrderError extends LogsError {
  constructor(where: string, token: {writer: string; batch: number; after?: number}, applied?: number) {
    super(
      `${where} refused batch ${token.batch} of writer ${token.writer}: it follows batch ${token.after ?? 0}, but the last batch applied is ${applied ?? 'unknown'}`,
      {exitCode: 1},
    )
  }
}
