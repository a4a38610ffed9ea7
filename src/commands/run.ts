import {Flags} from '@oclif/core'
import {BaseCommand} from '../lib/cli/base-command.js'
import {storeFlags} from '../lib/cli/flags.js'
import {openWriteStore} from '../lib/cli/open-stores.js'
import {UsageError} from '../lib/errors/index.js'
import {DEFAULT_MAX_LINE_BYTES} from '../lib/ingest/line-splitter.js'
import {runCommand} from '../lib/ingest/run.js'
import {checkJobId} from '../lib/job-id.js'
import {parseLabels} from '../lib/labels.js'
import {redactUrl} from '../lib/store/url.js'
import {parseDuration} from '../lib/time.js'

export default class Run extends BaseCommand {
  static override summary = "Run a command and capture its stdout and stderr as the job's log"
  static override description = `Runs COMMAND with its stdout and stderr captured as two streams of one job and passed through to the terminal.
SIGINT, SIGTERM, SIGHUP and SIGQUIT are forwarded to the command. The job ends with the command's exit status, and run exits with it (128+N when the command was killed by signal N).`

  static override examples = [
    '<%= config.bin %> run --job build-42 -- make -j4',
    '<%= config.bin %> run --job nightly --label team=data -- ./etl.sh --full',
  ]

  static override strict = false
  static override usage = 'run --job ID [FLAGS] -- COMMAND [ARGS...]'

  static override flags = {
    job: Flags.string({char: 'j', description: 'job id: letters, digits, ".", "_", "-" (max 128)', env: 'LOGS_JOB', required: true}),
    label: Flags.string({description: 'label the job: key=value (repeatable)', multiple: true}),
    'flush-interval': Flags.string({description: 'object stores: gather lines this long per chunk object (default 10s)'}),
    'max-line-bytes': Flags.integer({description: 'split longer lines into continuation entries', default: DEFAULT_MAX_LINE_BYTES, min: 1}),
    'drain-timeout': Flags.string({description: 'at exit, wait this long for an unreachable store (lines stay spooled)', default: '60s'}),
    ...storeFlags,
  }

  async run(): Promise<void> {
    const {argv, flags} = await this.parse(Run)
    const job = checkJobId(flags.job, '--job / LOGS_JOB')
    const [command, ...args] = argv as string[]
    if (!command) throw new UsageError('no command to run', ['put the command after --: logs run --job build-42 -- make test'])
    const labels = parseLabels(flags.label)
    const batchInterval = flags['flush-interval'] ? parseDuration(flags['flush-interval'], '--flush-interval') : undefined
    const drainTimeout = parseDuration(flags['drain-timeout'], '--drain-timeout')
    const store = await openWriteStore(this.settings(flags))
    try {
      const result = await runCommand({
        store,
        job,
        command,
        args,
        labels,
        maxLineBytes: flags['max-line-bytes'],
        batchInterval,
        drainTimeout,
        onOutage: (error) => this.logToStderr(`logs: ${redactUrl(store.name)} is unreachable (${error.message}); lines are kept in a local spool and retried`),
      })
      if (result.exitCode !== 0) this.exit(result.exitCode)
    } finally {
      await store.close()
    }
  }
}
