/**
 * oclif's runner, ending as a Unix tool does when a signal stopped the command: once the
 * command has cleaned up and returned, the process dies of that signal (its listeners
 * removed, the signal raised again), so the parent sees death by signal and not an exit
 * code. A shell still reports $? = 128+N; what it changes: bash's loop
 * `for j in …; do logs get -f $j; done` stops at Ctrl-C only when the child died of SIGINT,
 * and systemd counts death by SIGTERM as a clean stop.
 */
import {constants} from 'node:os'
import {flush} from '@oclif/core/flush'
import {handle} from '@oclif/core/handle'
import {run} from '@oclif/core/run'
import {settings} from '@oclif/core/settings'
import {signalToDieOf} from '../interrupt.js'

/**
 * Signals whose default action ends the process without a core dump and that Node does not
 * take for itself (SIGUSR1 starts its inspector, SIGPIPE is ignored): the others end with
 * exit 128+N, as a shell would report them.
 */
const RAISED_AGAIN = new Set<NodeJS.Signals>(['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGKILL', 'SIGALRM', 'SIGUSR2'])

export async function execute(options: {dir: string; development?: boolean}): Promise<void> {
  if (options.development) {
    process.env.NODE_ENV = 'development'
    settings.debug = true
  }
  let failure: unknown
  try {
    await run(process.argv.slice(2), options.dir)
    // Not awaited, as oclif's own runner: a stdout whose reader left never drains.
    void flush()
  } catch (error) {
    failure = error
  }
  const signal = signalToDieOf()
  // Whatever the command failed with was reported by its catch (base-command.ts) before this.
  if (signal) dieOf(signal)
  if (failure !== undefined) await handle(failure as Error)
}

function dieOf(signal: NodeJS.Signals): never {
  if (RAISED_AGAIN.has(signal)) {
    // With no listener left, Node gives the signal back its default action: the process ends here.
    process.removeAllListeners(signal)
    process.kill(process.pid, signal)
  }
  process.exit(128 + (constants.signals[signal] ?? 0))
}
