/**
 * SIGINT/SIGTERM/SIGHUP → an AbortSignal, so library code can stop cleanly. The process
 * then dies of the signal it received, as well-behaved Unix tools do, once the command has
 * cleaned up: cli/execute.ts re-raises what `signalToDieOf()` says when the command returns.
 */
import {constants} from 'node:os'

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

/**
 * Signals whose default action ends the process without a core dump and that Node does not
 * take for itself (SIGUSR1 starts its inspector, SIGPIPE is ignored): the others end with
 * exit 128+N, as a shell would report them.
 */
const RAISED_AGAIN = new Set<NodeJS.Signals>(['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGKILL', 'SIGALRM', 'SIGUSR2'])

/** Ends the process now, by `signal`'s default action where Node lets it (the parent sees death by signal), else with exit 128+N. */
export function dieOf(signal: NodeJS.Signals): never {
  if (RAISED_AGAIN.has(signal)) {
    // With no listener left, Node gives the signal back its default action: the process ends here.
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  }
  process.exit(128 + (constants.signals[signal] ?? 0))
}

export interface Interrupt {
  signal: AbortSignal
  dispose(): void
}

/**
 * The first of `signals` aborts the interrupt's signal; a second one, while the command is
 * still cleaning up (a flush held by a reader that stopped reading, a store that does not
 * answer), ends the process at once by that signal's default action, as Ctrl-C twice does
 * in most tools: the user asked twice.
 */
export function onInterrupt(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP']): Interrupt {
  const controller = new AbortController()
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) dieOf(signal)
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
