import {BaseCommand} from '../lib/cli/base-command.js'
import {captureFlags, captureOptions, MASKING_HELP} from '../lib/cli/capture-options.js'
import {storeFlags} from '../lib/cli/flags.js'
import {UsageError} from '../lib/errors/index.js'
import {runCommand} from '../lib/ingest/run.js'
import {dieOfOnceDone} from '../lib/interrupt.js'

export default class Run extends BaseCommand {
  static override summary = "Run a command and capture its stdout and stderr as the job's log"
  static override description = `Runs COMMAND with its stdout and stderr captured as two streams of one job and passed through to the terminal.
SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded to the command. The job ends with the command's exit status, and run exits with it. A command killed by signal N is recorded as failed with 128+N, and run then dies of the same signal, as timeout and sudo do (so a shell loop over logs run stops at Ctrl-C); of a signal that dumps core (SIGQUIT, SIGSEGV, SIGABRT, ...) run exits 128+N instead, without a core of its own. A command that cannot be started is exit 127 when it is not found and 126 when it cannot be run (not executable), as a shell answers; the job is recorded as failed with that code.
A store URL that is malformed or of an unknown scheme is exit 2 before the command starts; otherwise the command starts at once and the store opens beside it: if the store cannot be opened, the command still runs to its end with its output passed through, and run exits with the store's error.
A job \`logs archive\` moved is continued, as by push: its archived run is looked for in --archive / LOGS_ARCHIVE (else the local default) and the new lines are numbered on from its last.
The command gets the environment unchanged (--mask-env only reads it); what it prints to the terminal is its own output, unmasked.

${MASKING_HELP}`

  static override examples = [
    '<%= config.bin %> run --job build-42 -- make -j4',
    '<%= config.bin %> run --job nightly --label team=data -- ./etl.sh --full',
    '<%= config.bin %> run --job nightly --archive s3://my-bucket/logs -- ./etl.sh --incremental',
    'LOGS_MASK_ENV=AWS_SECRET_ACCESS_KEY,NPM_TOKEN <%= config.bin %> run --job release-9 -- ./release.sh',
  ]

  static override strict = false
  static override usage = 'run --job ID [FLAGS] -- COMMAND [ARGS...]'
  static override flags = {...captureFlags, ...storeFlags}

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Run)
    const [command, ...args] = argv as string[]
    const options = captureOptions(flags, this.settings(flags), (line) => this.logToStderr(line))
    if (!command) throw new UsageError('no command to run', ['put the command after --: logs run --job build-42 -- make test'])
    const result = await runCommand({...options, command, args})
    // Killed by a signal, the command's death is passed on as timeout and sudo do: run dies of the same signal (cli/execute.ts).
    if (result.signal) dieOfOnceDone(result.signal)
    else if (result.exitCode !== 0) this.exit(result.exitCode)
  }
}
