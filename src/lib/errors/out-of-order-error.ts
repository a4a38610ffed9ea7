import {LogsError} from './logs-error.js'

/**
 * A store refused a batch whose predecessor (AppendToken.after) is not the writer's last
 * applied batch: an earlier batch sent with it failed or has not arrived. Nothing was
 * written; the writer re-sends from its oldest unconfirmed batch.
 */
export class OutOfOrderError extends LogsError {
  constructor(where: string, detail: string) {
    super(`${where} refused a batch out of order: ${detail}`, {exitCode: 1})
  }

  /** The writer's last batch the store applied, as the store numbers them. */
  applied?: number

  /** `said`: how `applied` reads in the writer's own numbers, where the store numbers batches otherwise (the relay's sub-batches). */
  static of(where: string, token: {writer: string; batch: number; after?: number}, applied: number | undefined, said: (batch: number) => string = String): OutOfOrderError {
    const error = new OutOfOrderError(
      where,
      `batch ${token.batch} of writer ${token.writer} follows batch ${token.after ?? 0}, but the last one applied is ${applied === undefined ? 'none' : said(applied)}`,
    )
    error.applied = applied
    return error
  }
}
