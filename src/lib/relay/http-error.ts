/**
 * HttpError: an error that already knows its HTTP status. `toHttpError` maps the
 * library's typed errors onto the statuses of CLI.md (400 bad input, 404 unknown job,
 * 409 a batch out of order, 410 a job deleted while it was read, 500 a damaged archived
 * block, manifest or live log, 503 store down) so every handler reports failures the same way. A
 * damaged live log's or manifest's answer says which (`code`, with the `hints` a direct read
 * gives: errors/damaged-error.ts), so `get --url` tells it as `get` does.
 */
import {ArchiveReadError, DamagedError, JobDeletedError, JobNotFoundError, LogsError, ObjectStoreError, OutOfOrderError, StoreUnavailableError} from '../errors/index.js'

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** More fields of the JSON answer. */
    readonly body: {code?: string; hints?: string[]} = {},
  ) {
    super(message)
    this.name = 'HttpError'
  }
}

/**
 * An error told inside an answer that has begun (or that gives entries before it): the
 * streamed history's last line, a page's fields after its entries, the SSE `failed` event.
 * `status` is the one the answer would have had.
 */
export function failureBody(error: HttpError): {error: string; status: number; code?: string; hints?: string[]} {
  return {error: error.message, status: error.status, ...error.body}
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, message)
}

/**
 * Anything that is not one of our typed errors came out of a store call (a refused
 * connection, a timeout, a disk error): the store is down as far as a client can tell.
 * An object store's error names the store it came from (the archive, when a read of an
 * archived job failed); any other is `storeName`'s, the live store's.
 * The store's name is already redacted; error messages of drivers carry no secrets.
 */
export function toHttpError(error: unknown, storeName: string): HttpError {
  if (error instanceof HttpError) return error
  if (error instanceof JobNotFoundError) return new HttpError(404, error.message)
  // Deleted (gc, rm, DELETE) while this request read it: gone, not a store outage.
  if (error instanceof JobDeletedError) return new HttpError(410, error.message)
  // The archive answered; part of what it holds is damaged (before anything was sent).
  if (error instanceof ArchiveReadError) return new HttpError(500, error.message)
  if (error instanceof DamagedError) return new HttpError(500, error.message, {}, {code: error.code, hints: error.suggestions})
  if (error instanceof OutOfOrderError) return new HttpError(409, error.message)
  if (error instanceof StoreUnavailableError) return new HttpError(503, error.message)
  if (error instanceof LogsError && error.exitCode === 2) return new HttpError(400, error.message)
  if (error instanceof ObjectStoreError) return new HttpError(503, `store ${error.where} unavailable: ${error.reason}`)
  const reason = error instanceof Error ? error.message : String(error)
  return new HttpError(503, `store ${storeName} unavailable: ${reason}`)
}
