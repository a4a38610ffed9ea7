import * as Flags from '@oclif/core/flags'
import {BaseCommand} from '../lib/cli/base-command.js'
import {captureFlags, captureOptions, MASKING_HELP} from '../lib/cli/capture-options.js'
import {exitCodeFlag, storeFlags} from '../lib/cli/flags.js'
import {onInterrupt} from '../lib/interrupt.js'
import {DescriptorInput} from '../lib/ingest/input-chunks.js'
import {push} from '../lib/ingest/push.js'
import {Output} from '../lib/output.js'

export default class Push extends BaseCommand {
  static override summary = "Capture stdin into a job's log"
  static override description = `Reads stdin to its end, line by line, into the job (created if new, appended to if it exists).
Every line read is on local disk before anything else: a killed push, a store that is down or restarting loses nothing — the next push of the job (or \`logs recover\`) delivers what was left.
At EOF the job ends: succeeded/failed when --exit-code says so, else "ended".
A job \`logs archive\` moved is continued: push into the file store or Redis finds it in the archive (--archive / LOGS_ARCHIVE, else the local default) and numbers the new lines on from its last; readers see one job, and the next archive writes one object of both runs. A job archived elsewhere than the archive push is told of starts again at line 1 (\`logs archive\` then refuses it, saying what to do).

${MASKING_HELP}`

  static override examples = [
    'some-job 2>&1 | <%= config.bin %> push --job build-42',
    'make test 2>&1 | <%= config.bin %> push --job test-7 --tee',
    '<%= config.bin %> push --job test-7 --exit-code 0 < /dev/null',
    'deploy.sh | <%= config.bin %> push --job deploy-3 --store redis://logs.internal:6379 --label env=prod',
    'make 2>&1 | <%= config.bin %> push --job build-42 --archive s3://my-bucket/logs',
    "deploy.sh | <%= config.bin %> push --job deploy-3 --mask-env DEPLOY_TOKEN --mask-file secrets.txt --mask-regex 'api_key=(\\w+)'",
  ]

  static override flags = {
    ...captureFlags,
    tee: Flags.boolean({description: 'copy stdin to stdout unchanged to EOF, even when the store fails or cannot be opened (then exit 1)'}),
    'exit-code': exitCodeFlag({description: "the job's exit code (0-255): ends it as succeeded (0) or failed"}),
    ...storeFlags,
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Push)
    const options = captureOptions(flags, this.settings(flags), (line) => this.logToStderr(line))
    const interrupt = onInterrupt()
    try {
      const tee = flags.tee ? new Output(process.stdout) : undefined
      // Interrupted, it dies of the signal once this returns (cli/execute.ts).
      await push({...options, input: new DescriptorInput(0, () => process.stdin), tee, exitCode: flags['exit-code'], signal: interrupt.signal})
    } finally {
      interrupt.dispose()
    }
  }
}
