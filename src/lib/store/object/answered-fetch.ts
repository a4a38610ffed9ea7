/**
 * fetch with a bound on the wait for an answer. fetch has no timeout of its own, so a
 * server that accepts the connection and never answers would hold a request (and the
 * command) forever. The bound covers connecting, sending the request and receiving the
 * answer's headers, not reading its body: a large object may take long to download. A
 * request past it fails with a TimeoutError, which ./failure.ts classifies as transient.
 */
export const ANSWER_TIMEOUT_MS = 60_000

export async function answeredFetch(input: string | URL | Request, init: RequestInit = {}, timeoutMs = ANSWER_TIMEOUT_MS): Promise<Response> {
  const timer = new AbortController()
  const timeout = setTimeout(() => timer.abort(new DOMException(`no answer within ${timeoutMs / 1000}s`, 'TimeoutError')), timeoutMs)
  try {
    return await fetch(input, {...init, signal: init.signal ? AbortSignal.any([init.signal, timer.signal]) : timer.signal})
  } finally {
    clearTimeout(timeout)
  }
}
