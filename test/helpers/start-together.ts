/** A test server: destroy() stops it and removes its data where it has any, else stop(). */
type Started = {destroy(): Promise<void>} | {stop(): Promise<void>}

type Servers<T extends readonly Promise<Started>[]> = {-readonly [K in keyof T]: Awaited<T[K]>}

/**
 * Servers started side by side, as Promise.all would give them; but when one fails to
 * start, those that did are stopped before the failure is thrown (a beforeAll that throws
 * leaves nothing in its variables for afterAll to stop: they would outlive the test run).
 */
export async function startTogether<T extends readonly Promise<Started>[]>(starting: readonly [...T]): Promise<Servers<T>> {
  const settled = await Promise.allSettled(starting)
  const started = settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
  const failed = settled.find((result): result is PromiseRejectedResult => result.status === 'rejected')
  if (!failed) return started as Servers<T>
  await Promise.allSettled(started.map((server) => ('destroy' in server ? server.destroy() : server.stop())))
  throw failed.reason
}
