/**
 * A bound on the wait for an answer. fetch (and the SDKs built on it) has no timeout of its
 * own, so a server that accepts the connection and never answers would hold a request (and
 * the command) forever. The bound covers connecting, sending the request and receiving the
 * answer, not reading a streamed body after it: a large object may take long to download.
 * A request past it fails with a TimeoutError, which ./failure.ts classifies as transient.
 */
export const ANSWER_TIMEOUT_MS = 60_000

/** Runs `request` with a signal that aborts it past `timeoutMs` (or when `outer` aborts). */
export async function answered<T>(request: (signal: AbortSignal) => Promise<T>, timeoutMs = ANSWER_TIMEOUT_MS, outer?: AbortSignal): Promise<T> {
  const timer = new AbortController()
  const timeout = setTimeout(() => timer.abort(new DOMException(`no answer within ${timeoutMs / 1000}s`, 'TimeoutError')), timeoutMs)
  try {
    return await request(outer ? AbortSignal.any([outer, timer.signal]) : timer.signal)
  } catch (error) {
    // A client library may turn the abort into an error of its own (the Vercel Blob SDK does).
    if (timer.signal.aborted) throw timer.signal.reason
    throw error
  } finally {
    clearTimeout(timeout)
  }
}

export function answeredFetch(input: string | URL | Request, init: RequestInit = {}, timeoutMs = ANSWER_TIMEOUT_MS): Promise<Response> {
  return answered((signal) => fetch(input, {...init, signal}), timeoutMs, init.signal ?? undefined)
}
