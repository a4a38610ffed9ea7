import {Flags} from '@oclif/core'
import {BaseCommand} from '../lib/cli/base-command.js'
import {storeFlags} from '../lib/cli/flags.js'
import {onInterrupt} from '../lib/cli/interrupt.js'
import {openWriteStore} from '../lib/cli/open-stores.js'
import {push} from '../lib/ingest/push.js'
import {DEFAULT_MAX_LINE_BYTES} from '../lib/ingest/line-splitter.js'
import {checkJobId} from '../lib/job-id.js'
import {parseLabels} from '../lib/labels.js'
import {Output} from '../lib/output.js'
import {redactUrl} from '../lib/store/url.js'
import {parseDuration} from '../lib/time.js'

export default class Push extends BaseCommand {
  static override summary = "Capture stdin into a job's log"
  static override description = `Reads stdin to its end, line by line, into the job (created if new, appended to if it exists).
Every line read is on local disk before anything else: a killed push, a store that is down or restarting loses nothing — the next push or get of the job delivers what was left.
At EOF the job ends: succeeded/failed when --exit-code says so, else "ended".`

  static override examples = [
    'some-job 2>&1 | <%= config.bin %> push --job build-42',
    'make test 2>&1 | <%= config.bin %> push --job test-7 --tee; <%= config.bin %> push --job test-7 --exit-code "${PIPESTATUS[0]}" < /dev/null',
    'deploy.sh | <%= config.bin %> push --job deploy-3 --store redis://logs.internal:6379 --label env=prod',
  ]

  static override flags = {
    job: Flags.string({char: 'j', description: 'job id: letters, digits, ".", "_", "-" (max 128)', env: 'LOGS_JOB', required: true}),
    tee: Flags.boolean({description: 'copy stdin to stdout unchanged (even when the store fails)'}),
    'exit-code': Flags.integer({description: "the job's exit code: ends it as succeeded (0) or failed"}),
    label: Flags.string({description: 'label the job: key=value (repeatable)', multiple: true}),
    'flush-interval': Flags.string({description: 'object stores: gather lines this long per chunk object (default 10s)'}),
    'max-line-bytes': Flags.integer({description: 'split longer lines into continuation entries (raw output joins them back)', default: DEFAULT_MAX_LINE_BYTES, min: 1}),
    'drain-timeout': Flags.string({description: 'at EOF, wait this long for an unreachable store before exiting 1 (lines stay spooled)', default: '60s'}),
    ...storeFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Push)
    const job = checkJobId(flags.job, '--job / LOGS_JOB')
    const labels = parseLabels(flags.label)
    const batchInterval = flags['flush-interval'] ? parseDuration(flags['flush-interval'], '--flush-interval') : undefined
    const drainTimeout = parseDuration(flags['drain-timeout'], '--drain-timeout')
    const store = await openWriteStore(this.settings(flags))
    const interrupt = onInterrupt()
    try {
      const result = await push({
        store,
        job,
        input: process.stdin,
        tee: flags.tee ? new Output(process.stdout) : undefined,
        exitCode: flags['exit-code'],
        labels,
        maxLineBytes: flags['max-line-bytes'],
        batchInterval,
        drainTimeout,
        signal: interrupt.signal,
        onOutage: (error) => this.logToStderr(`logs: ${redactUrl(store.name)} is unreachable (${error.message}); lines are kept in a local spool and retried`),
        onRecovered: () => this.logToStderr(`logs: ${redactUrl(store.name)} is reachable again; delivering spooled lines`),
      })
      if (result.status === 'interrupted') this.exit(interrupt.exitCode() ?? 130)
    } finally {
      interrupt.dispose()
      await store.close()
    }
  }
}
