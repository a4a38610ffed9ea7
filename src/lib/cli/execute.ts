/**
 * oclif's runner, ending as a Unix tool does when a signal stopped the command: once the
 * command has cleaned up and returned, the process dies of that signal (its listeners
 * removed, the signal raised again), so the parent sees death by signal and not an exit
 * code. A shell still reports $? = 128+N; what it changes: bash's loop
 * `for j in …; do logs get -f $j; done` stops at Ctrl-C only when the child died of SIGINT,
 * and systemd counts death by SIGTERM as a clean stop.
 */
import {resolve} from 'node:path'
import {fileURLToPath} from 'node:url'
import type {PJSON} from '@oclif/core/interfaces'
import {flush} from '@oclif/core/flush'
import {handle} from '@oclif/core/handle'
import {run} from '@oclif/core/run'
import {settings} from '@oclif/core/settings'
import {LogsError} from '../errors/index.js'
import {dieOf, signalToDieOf} from '../interrupt.js'
import {Output} from '../output.js'
import {errorText} from './error-text.js'
import {settleCompiler} from './settle-compiler.js'

/** `dir`: the URL of the script run (bin/run.js); `pjson`: the package's package.json, when that script has read it already. */
export async function execute(options: {dir: string; pjson?: PJSON; development?: boolean}): Promise<void> {
  if (options.development) {
    process.env.NODE_ENV = 'development'
    settings.debug = true
  }
  let failure: unknown
  try {
    const {dir, pjson} = options
    // The package's directory as oclif finds it itself: no trailing slash.
    await run(process.argv.slice(2), pjson ? {root: resolve(fileURLToPath(new URL('..', dir))), pjson} : dir)
    // Not awaited, as oclif's own runner: a stdout whose reader left never drains.
    void flush()
  } catch (error) {
    failure = error
  }
  settleCompiler()
  const signal = signalToDieOf()
  // Whatever the command failed with was reported by its catch (base-command.ts) before this.
  if (signal) dieOf(signal)
  // Outside any command (`logs tial --help`): reported here, in the words of a command's failure.
  if (failure instanceof LogsError) {
    process.stderr.write(errorText(failure))
    process.exitCode = failure.exitCode
  } else if (failure !== undefined) {
    // oclif's handle ends the process (process.exit) whatever stdout and stderr still hold: a
    // pipe that was full when the command failed, or ended with this.exit(n), would lose its
    // last lines, or the error that says why.
    await Promise.all([process.stdout, process.stderr].map((stream) => new Output(stream).flush()))
    await handle(failure as Error)
  }
}
