/**
 * fetch for SDKs that hide the response of a failed request (storage-js keeps only its
 * status and JSON body): an answer that asks to be retried (429, 503, or any failure with
 * a `Retry-After` header) becomes an HttpAnswerError carrying the status and the hint,
 * which the SDK passes on as its error's cause for ./failure.ts to read. A server that never
 * answers fails the request (./answered-fetch.ts).
 */
import {parseRetryAfter} from '../retry.js'
import {answeredFetch} from './answered-fetch.js'

export class HttpAnswerError extends Error {
  /** The service's own error code, where its answer gives one besides the status. */
  code?: string

  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
    message: string,
  ) {
    super(message)
    this.name = 'HttpAnswerError'
  }
}

export const hintedFetch: typeof fetch = async (input, init) => {
  const response = await answeredFetch(input, init)
  if (response.ok) return response
  const hint = parseRetryAfter(response.headers.get('retry-after'))
  if (hint === undefined && response.status !== 429 && response.status !== 503) return response
  const text = await response.text().catch(() => '')
  let message = text.slice(0, 200) || response.statusText
  try {
    const body = JSON.parse(text) as {message?: unknown; error?: unknown}
    if (typeof body.message === 'string') message = body.message
    else if (typeof body.error === 'string') message = body.error
  } catch {
    // not JSON: keep the text
  }
  throw new HttpAnswerError(response.status, hint, message)
}
