import * as Args from '@oclif/core/args'
import * as Flags from '@oclif/core/flags'
import {BaseCommand} from '../lib/cli/base-command.js'
import {storeFlags} from '../lib/cli/flags.js'
import {checkJobId} from '../lib/job-id.js'
import {openJobs} from '../lib/open/open-jobs.js'
import {formatRemoveSummary} from '../lib/render/removed.js'
import {removeJobs, searchedStores, type RemoveSummary} from '../lib/store/remove-jobs.js'

export default class Rm extends BaseCommand {
  static override summary = 'Delete jobs wherever they live: the live store, and the archive object with its manifest'
  static override description = `Deletes each job from the live store and from the archive (its object, its parts and its manifest), and says what it deleted and where. --dry-run only says. Through a relay (--url or LOGS_URL) the relay deletes it from every store behind it (write token needed).
--from live (or archive) deletes only that part: a run pushed again from line 1 where push could not see the job's archive, which \`logs archive\` then refuses to archive over the archived run, is dropped with --from live (or the archived run with --from archive).
Every id is checked before anything is deleted (a bad id is exit 2). An id found nowhere is reported on stderr and makes the exit code 1; the other jobs are still deleted.`

  static override enableJsonFlag = true

  static override examples = [
    '<%= config.bin %> rm build-42',
    '<%= config.bin %> rm build-41 build-42 --dry-run',
    '<%= config.bin %> rm build-42 --archive s3://my-bucket/logs --json',
    '<%= config.bin %> rm build-42 --from live',
  ]

  static override strict = false
  static override args = {ids: Args.string({description: 'job ids (several allowed)', required: true})}

  static override flags = {
    'dry-run': Flags.boolean({description: 'say what would be deleted; delete nothing'}),
    from: Flags.string({description: 'delete only the live copy or only the archived object (default: both)', options: ['live', 'archive']}),
    ...storeFlags,
  }

  async run(): Promise<RemoveSummary> {
    const {argv, flags} = await this.parse(Rm)
    const ids = (argv as string[]).map((id) => checkJobId(id, 'argument ID'))
    const jobs = await openJobs(this.settings(flags))
    let summary: RemoveSummary
    let searched: string
    try {
      const only = flags.from as 'live' | 'archive' | undefined
      summary = await removeJobs(jobs, ids, {dryRun: flags['dry-run'], only})
      searched = searchedStores(jobs, only)
    } finally {
      await jobs.close()
    }
    if (!this.jsonEnabled()) for (const line of formatRemoveSummary(summary)) this.log(line)
    if (summary.notFound.length > 0) {
      if (this.jsonEnabled()) this.logJson(summary)
      // Straight to stderr: oclif mutes logToStderr under --json.
      for (const id of summary.notFound) process.stderr.write(`logs: job ${id} not found in ${searched}\n`)
      this.exit(1)
    }
    return summary
  }
}
