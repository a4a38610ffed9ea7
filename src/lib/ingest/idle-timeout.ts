import {timerDelay} from '../time.js'

/**
 * --drain-timeout: how long a delivery may go without progress, not how long it may take.
 * `onIdle` runs once `ms` have passed since the later of the start and `progressAt()` (when
 * the store last applied a batch, or took a step of an object store's assembly at the end): a store that stopped answering is given up on, while a
 * big log delivered to a store that keeps taking it is waited for however long it takes.
 * Returns a function that cancels it.
 */
export function idleTimeout(ms: number, progressAt: () => number, onIdle: () => void): () => void {
  const start = Date.now()
  let timer: NodeJS.Timeout
  const check = (): void => {
    const idle = Date.now() - Math.max(start, progressAt())
    if (idle >= ms) onIdle()
    else timer = setTimeout(check, timerDelay(ms - idle))
  }
  timer = setTimeout(check, timerDelay(ms))
  return () => clearTimeout(timer)
}
