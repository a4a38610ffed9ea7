import * as Flags from '@oclif/core/flags'
import {BaseCommand} from '../lib/cli/base-command.js'
import {damagedJob} from '../lib/archive/damaged-jobs.js'
import type {DamagedManifestError} from '../lib/errors/index.js'
import {colorFlag, selectorFlag, storeFlags} from '../lib/cli/flags.js'
import {openJobs} from '../lib/open/open-jobs.js'
import {colorLevel, makeChalk} from '../lib/color.js'
import {parseSelector} from '../lib/label-selector.js'
import {checkJobIdPrefix} from '../lib/job-id.js'
import {JOB_STATUSES, type JobMeta, type JobStatus} from '../lib/job.js'
import {formatJobTable} from '../lib/render/job-table.js'

export default class Ls extends BaseCommand {
  static override summary = 'List jobs: status, lines, size, last update, and where each log lives'
  static override enableJsonFlag = true

  static override examples = [
    '<%= config.bin %> ls',
    '<%= config.bin %> ls --status running',
    "<%= config.bin %> ls -l env=prod -l 'team!=infra'",
    "<%= config.bin %> ls -l 'tier,!canary'",
    '<%= config.bin %> ls --prefix build- --json | jq -r ".[].id"',
  ]

  static override flags = {
    status: Flags.string({description: 'only jobs with this status', options: [...JOB_STATUSES]}),
    prefix: Flags.string({description: 'only jobs whose id starts with this'}),
    ...selectorFlag,
    ...colorFlag,
    ...storeFlags,
  }

  async run(): Promise<JobMeta[]> {
    const {flags} = await this.parse(Ls)
    const selector = parseSelector(flags.selector)
    const prefix = flags.prefix && checkJobIdPrefix(flags.prefix, '--prefix')
    const jobs = await openJobs(this.settings(flags), {readOnly: true})
    try {
      const damaged: DamagedManifestError[] = []
      const list = await jobs.listJobs({status: flags.status as JobStatus | undefined, prefix, selector, onDamaged: (error) => damaged.push(error)})
      if (!this.jsonEnabled()) {
        if (list.length === 0 && damaged.length === 0) this.logToStderr('no jobs')
        else if (list.length > 0) this.log(formatJobTable(list, makeChalk(colorLevel(process.stdout, flags.color))))
      }
      return this.failOnDamaged(list, damaged.map(damagedJob))
    } finally {
      await jobs.close()
    }
  }
}
