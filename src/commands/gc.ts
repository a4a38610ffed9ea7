import * as Flags from '@oclif/core/flags'
import type {GcSummary} from '../lib/archive/gc.js'
import {formatGcSummary} from '../lib/archive/render.js'
import {startProgress} from '../lib/cli/progress.js'
import {runGc} from '../lib/cli/run-maintenance.js'
import {BaseCommand} from '../lib/cli/base-command.js'
import {directStoreFlags, selectorFlag} from '../lib/cli/flags.js'
import {parseSelector} from '../lib/label-selector.js'
import {parseDuration} from '../lib/time.js'

export default class Gc extends BaseCommand {
  static override summary = 'Delete what is past retention: archived jobs, expired live jobs, stale locks, chunks and uploads'
  static override description = `Deletes archived jobs that ended more than --older-than ago, ended jobs left in the live store that long, expired archive locks, stale chunk objects, objects whose upload never completed, and (S3) multipart uploads left incomplete for over a day. With -l only jobs whose labels match are deleted, and nothing else. --apply-lifecycle installs an S3 lifecycle rule so the bucket expires objects and aborts incomplete uploads itself.`

  static override enableJsonFlag = true

  static override examples = [
    '<%= config.bin %> gc',
    '<%= config.bin %> gc --older-than 30d --dry-run',
    "<%= config.bin %> gc --older-than 1d -l 'env in (dev,test)'",
    '<%= config.bin %> gc --archive s3://my-bucket/logs --apply-lifecycle',
  ]

  static override flags = {
    'older-than': Flags.string({description: 'retention: delete what ended longer ago than this (12h, 7d, 30d)', default: '7d'}),
    'dry-run': Flags.boolean({description: 'list what would be deleted; change nothing'}),
    ...selectorFlag,
    'apply-lifecycle': Flags.boolean({description: 'install an S3 lifecycle rule enforcing the retention (s3:// archives)'}),
    ...directStoreFlags,
  }

  async run(): Promise<GcSummary> {
    const {flags} = await this.parse(Gc)
    const olderThanMs = parseDuration(flags['older-than'], '--older-than')
    const selector = parseSelector(flags.selector)
    const progress = startProgress(flags['dry-run'] ? 'gc (dry run)' : 'gc', {json: this.jsonEnabled()})
    const summary = await runGc(this.settings(flags), {
      olderThanMs,
      selector,
      dryRun: flags['dry-run'],
      applyLifecycle: flags['apply-lifecycle'],
      onProgress: ({scanned, deleted}) => progress.status(`${scanned} scanned · ${deleted} ${flags['dry-run'] ? 'to delete' : 'deleted'}`),
    }).finally(() => progress.finish())
    if (!this.jsonEnabled()) for (const line of formatGcSummary(summary)) this.log(line)
    // Straight to stderr: oclif mutes logToStderr under --json, and cron should still see this.
    for (const warning of summary.warnings) process.stderr.write(`logs: warning: ${warning}\n`)
    return this.failOnDamaged(summary, summary.damaged)
  }
}
