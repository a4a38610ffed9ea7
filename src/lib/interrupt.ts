/**
 * SIGINT/SIGTERM/SIGHUP → an AbortSignal, so library code can stop cleanly. The process
 * then dies of the signal it received, as well-behaved Unix tools do, once the command has
 * cleaned up: cli/execute.ts re-raises what `signalToDieOf()` says when the command returns.
 */
// On the process, not in this module: bin/dev.js runs the runner from the sources while oclif
// may load the commands from dist/, each with its own copy of this module.
const DYING = Symbol.for('logs.dying-signal')
const STOPPING = Symbol.for('logs.stopping')
const processState = process as unknown as {[DYING]?: NodeJS.Signals; [STOPPING]?: AbortController}

const stopping = (): AbortController => (processState[STOPPING] ??= new AbortController())

/**
 * Aborted once a signal asked the command to stop (onInterrupt): a store request's retries
 * (store/retry.ts) end then, instead of keeping the command alive for their whole budget.
 */
export function stopRequested(): AbortSignal {
  return stopping().signal
}

/** The signal the process is to die of once the command has cleaned up, if any. */
export function signalToDieOf(): NodeJS.Signals | undefined {
  return processState[DYING]
}

/** Ends the process with `signal` once the command has cleaned up (the first one named wins). */
export function dieOfOnceDone(signal: NodeJS.Signals): void {
  processState[DYING] ??= signal
}

export interface Interrupt {
  signal: AbortSignal
  dispose(): void
}

export function onInterrupt(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']): Interrupt {
  const controller = new AbortController()
  const handler = (signal: NodeJS.Signals) => {
    dieOfOnceDone(signal)
    stopping().abort()
    controller.abort()
  }
  for (const signal of signals) process.on(signal, handler)
  return {
    signal: controller.signal,
    dispose: () => {
      for (const signal of signals) process.off(signal, handler)
    },
  }
}
