import * as Args from '@oclif/core/args'
import {BaseCommand} from '../lib/cli/base-command.js'
import {colorFlag, storeFlags} from '../lib/cli/flags.js'
import {colorLevel, makeChalk} from '../lib/color.js'
import {checkJobId} from '../lib/job-id.js'
import {openJobs} from '../lib/open/open-jobs.js'
import {formatSectionTable} from '../lib/render/section-table.js'
import {sectionsReport, type SectionsReport} from '../lib/structure/job-sections.js'

export default class Sections extends BaseCommand {
  static override summary = "List a job's sections with their durations, nesting, lines and errors"
  static override description = `Sections come from the markers of GitHub Actions (::group::/::endgroup::), Azure Pipelines (##[group]/##[endgroup]), GitLab (section_start/section_end), TeamCity (##teamcity[blockOpened]/[blockClosed]), Buildkite (---, +++, ~~~) and Jenkins ([Pipeline] { (STAGE)/[Pipeline] }) in the log, recognised when it was captured; also behind the timestamp of a log downloaded from GitHub, Azure, GitLab or Jenkins (Timestamper). In the output of gh run view --log, each job and step is a section, timed by gh's timestamps. Nested sections are indented; ▸ marks one its marker folds. The job's phase and progress follow the table.
Print one section's lines with \`logs get JOB --section NAME\`.`

  static override enableJsonFlag = true
  static override examples = [
    '<%= config.bin %> sections build-42',
    "<%= config.bin %> sections build-42 --json | jq '.sections[] | {title, duration}'",
    {
      description: "a GitHub Actions run's jobs and steps, with their durations",
      command: 'gh run view 123 --log | <%= config.bin %> push --job gha-123 && <%= config.bin %> sections gha-123',
    },
  ]
  static override args = {id: Args.string({description: 'job id', required: true})}
  static override flags = {...colorFlag, ...storeFlags}

  async run(): Promise<SectionsReport> {
    const {args, flags} = await this.parse(Sections)
    const job = checkJobId(args.id, 'argument ID')
    const jobs = await openJobs(this.settings(flags), {readOnly: true})
    try {
      const meta = await jobs.requireJob(job)
      const report = sectionsReport(meta)
      if (!this.jsonEnabled()) {
        if (report.sections.length === 0) this.logToStderr(`job ${job} has no sections`)
        else this.log(formatSectionTable(report, makeChalk(colorLevel(process.stdout, flags.color))))
      }
      return report
    } finally {
      await jobs.close()
    }
  }
}
