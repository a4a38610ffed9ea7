/** SIGINT/SIGTERM → an AbortSignal, so library code can stop cleanly; the exit code follows the shell's 128+n. */
const CODES: Partial<Record<NodeJS.Signals, number>> = {SIGINT: 130, SIGTERM: 143, SIGHUP: 129}

export interface Interrupt {
  signal: AbortSignal
  /** The exit code matching the signal received, once one was. */
  exitCode(): number | undefined
  dispose(): void
}

export function onInterrupt(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']): Interrupt {
  const controller = new AbortController()
  let received: NodeJS.Signals | undefined
  const handler = (signal: NodeJS.Signals) => {
    received ??= signal
    controller.abort()
  }
  for (const signal of signals) process.on(signal, handler)
  return {
    signal: controller.signal,
    exitCode: () => (received ? CODES[received] : undefined),
    dispose: () => {
      for (const signal of signals) process.off(signal, handler)
    },
  }
}
