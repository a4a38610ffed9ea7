import * as Flags from '@oclif/core/flags'
import {afterUploadFault} from '../lib/fault-injection.js'
import {formatArchiveFailures, formatArchiveSummary} from '../lib/archive/render.js'
import {runArchive, runReindex} from '../lib/cli/run-maintenance.js'
import type {ArchiveSummary} from '../lib/archive/archive-jobs.js'
import {rateStatus, startProgress} from '../lib/cli/progress.js'
import {BaseCommand} from '../lib/cli/base-command.js'
import {directStoreFlags, selectorFlag} from '../lib/cli/flags.js'
import {parseSelector} from '../lib/label-selector.js'
import {checkJobGlob, checkJobId, isJobGlob, jobGlob} from '../lib/job-id.js'
import {parseDuration} from '../lib/time.js'

export default class Archive extends BaseCommand {
  static override summary = 'Move ended jobs from the live store to the archive (one compressed object per job)'
  static override description = `Uploads each ended job as <archive>/<job>.jsonl.zst (zstd NDJSON, readable with zstdcat and jq; jobs archived before as .jsonl.gz stay readable) plus <job>.meta.json, verifies the stored object (size and sha256), records where it went, then deletes the live copy. Safe to re-run after a crash and to run from several hosts at once (a lock per job, with expiry). A job that fails stays live; the exit code is 1 if any failed.`

  static override enableJsonFlag = true

  static override examples = [
    '<%= config.bin %> archive',
    '<%= config.bin %> archive --archive s3://my-bucket/logs --concurrency 8',
    '<%= config.bin %> archive --job build-42 --job build-43',
    "# the ended jobs whose id matches (quoted, so the shell does not expand it)\n<%= config.bin %> archive --job 'build-*'",
    '<%= config.bin %> archive --idle 6h --dry-run',
    '<%= config.bin %> archive -l team=infra --dry-run',
    '# rebuild the catalog that `ls` reads (after restoring a bucket, or objects copied in by hand)\n<%= config.bin %> archive --reindex',
    '# crontab: every 10 minutes\n*/10 * * * * logs archive --json >> "$HOME/logs-archive.json"',
  ]

  static override flags = {
    job: Flags.string({
      description: "only this job, or the ended (with --idle, also idle) jobs a glob matches: build-42, 'build-*', 'nightly-??' (repeatable)",
      multiple: true,
    }),
    idle: Flags.string({description: 'also archive running jobs with no new line for this long (marked abandoned): 30m, 6h, 2d'}),
    ...selectorFlag,
    concurrency: Flags.integer({description: 'jobs archived at once', min: 1, max: 256, default: 4}),
    'dry-run': Flags.boolean({description: 'list what would be archived; change nothing'}),
    reindex: Flags.boolean({
      description: 'archive nothing; rebuild the catalog of archived jobs (what ls reads) from their manifests',
      exclusive: ['job', 'idle', 'dry-run', 'selector'],
    }),
    ...directStoreFlags,
  }

  async run(): Promise<ArchiveSummary> {
    const {flags} = await this.parse(Archive)
    const jobIds = flags.job?.filter((job) => !isJobGlob(job)).map((id) => checkJobId(id, '--job'))
    const jobGlobs = flags.job?.filter((job) => isJobGlob(job)).map((glob) => jobGlob(checkJobGlob(glob, '--job')))
    const selector = parseSelector(flags.selector)
    const idleMs = flags.idle === undefined ? undefined : parseDuration(flags.idle, '--idle')
    if (flags.reindex) {
      const summary = await runReindex(this.settings(flags))
      if (!this.jsonEnabled()) for (const line of formatArchiveSummary(summary)) this.log(line)
      return this.failOnDamaged(summary, summary.reindexed!.damaged)
    }
    const progress = startProgress('archiving', {json: this.jsonEnabled()})
    const started = Date.now()
    let stored = 0
    const summary = await runArchive(this.settings(flags), {
      jobIds,
      jobGlobs,
      idleMs,
      selector,
      concurrency: flags.concurrency,
      dryRun: flags['dry-run'],
      onProgress: ({done, total, outcome}) => {
        stored += outcome.size ?? 0
        progress.status(`${rateStatus(done, total, stored, Date.now() - started, 'jobs')} · ${outcome.id}`, done === total)
      },
      afterUpload: afterUploadFault(),
    }).finally(() => progress.finish())
    if (!this.jsonEnabled()) for (const line of formatArchiveSummary(summary)) this.log(line)
    if (summary.failed > 0) {
      if (this.jsonEnabled()) this.logJson(summary)
      // Straight to stderr: oclif mutes logToStderr under --json, and cron should still see this.
      process.stderr.write(`logs: ${formatArchiveFailures(summary)}\n`)
      this.exit(1)
    }
    return summary
  }
}
