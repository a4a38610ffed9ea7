/**
 * The one way tests wait: poll an observable condition until it holds, or fail naming
 * what was awaited (and, when given, why waiting is pointless, e.g. a server that exited).
 */
export interface WaitOptions {
  /** ms before giving up (generous: CI runs many servers and CLIs at once on two cores). */
  timeout?: number
  /** What is awaited, for the error message. */
  what?: string
  /** ms between checks. */
  interval?: number
  /** A reason to stop waiting at once (returns the message), checked after each miss. */
  failed?: () => string | undefined
}

/** Resolves with the condition's first truthy value. */
export async function waitUntil<T>(condition: () => T | Promise<T>, {timeout = 15_000, what = 'condition', interval = 10, failed}: WaitOptions = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout
  for (;;) {
    const value = await condition()
    if (value) return value
    const reason = failed?.()
    if (reason) throw new Error(`${what}: ${reason}`)
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeout} ms`)
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}
