import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {BaseCommand} from '../lib/cli/base-command.js'
import {storeFlags} from '../lib/cli/flags.js'
import {recoverSpools, type RecoveredJob} from '../lib/ingest/recover-spools.js'
import {checkJobId} from '../lib/job-id.js'
import {openWriteStore} from '../lib/open/open-jobs.js'
import {formatRecovered} from '../lib/render/recovered.js'
import {redactUrl} from '../lib/store/url.js'
import {parseDuration} from '../lib/time.js'

export default class Recover extends BaseCommand {
  static override summary = 'Deliver the lines dead writers on this machine left in their spools'
  static override description = `A push or run to a remote store (Redis, a relay, an object store) keeps every line it reads in a local spool until the store has it. When such a writer dies (kill -9, a crash) or gives up at its --drain-timeout, its spool stays on this machine: the next push or run of that job delivers it first, and \`logs recover\` delivers it now — for the jobs named, or for every job of the store. Readers (get, tail, ls, serve) never write, so they do not deliver spools.
Exit 1 when the store takes nothing for --drain-timeout (the lines stay spooled); a store that keeps taking lines is waited for.`

  static override enableJsonFlag = true

  static override examples = [
    '<%= config.bin %> recover',
    '<%= config.bin %> recover build-42 --store redis://logs.internal:6379',
    'LOGS_URL=http://relay:8080 LOGS_TOKEN=s3cret <%= config.bin %> recover --drain-timeout 5m --json',
  ]

  static override strict = false
  static override args = {jobs: Args.string({description: 'job ids (several allowed; default: every job with a spool)'})}

  static override flags = {
    'drain-timeout': Flags.string({description: 'give up when the store takes nothing for this long (the lines stay spooled)', default: '60s'}),
    ...storeFlags,
  }

  async run(): Promise<RecoveredJob[]> {
    const {argv, flags} = await this.parse(Recover)
    const jobs = argv.length > 0 ? (argv as string[]).map((id) => checkJobId(id, 'argument JOBS')) : undefined
    const timeoutMs = parseDuration(flags['drain-timeout'], '--drain-timeout')
    const store = await openWriteStore(this.settings(flags), false, true)
    let recovered: RecoveredJob[]
    try {
      recovered = await recoverSpools(store, {jobs, timeoutMs})
    } finally {
      await store.close()
    }
    if (!this.jsonEnabled()) for (const line of formatRecovered(recovered, redactUrl(store.name))) this.log(line)
    if (recovered.some((job) => !job.delivered)) {
      if (this.jsonEnabled()) this.logJson(recovered)
      this.exit(1)
    }
    return recovered
  }
}
