/** Human summaries of `logs archive` and `logs gc` (the --json output is the summary object itself). */
import {formatDuration} from '../time.js'
import type {ArchiveSummary} from './archive-jobs.js'
import type {GcSummary} from './gc.js'

export function formatArchiveSummary(summary: ArchiveSummary): string[] {
  const lines: string[] = []
  for (const job of summary.jobs) {
    if (job.result === 'archived') lines.push(`archived  ${job.id}  ${job.lines ?? 0} lines, ${formatBytes(job.size ?? 0)} → ${job.url}${job.resumed ? ' (resumed)' : ''}`)
    else if (job.result === 'would-archive') lines.push(`would archive  ${job.id}  ${job.lines ?? 0} lines`)
    else if (job.result === 'failed') lines.push(`FAILED    ${job.id}  ${job.reason}`)
    else lines.push(`skipped   ${job.id}  ${job.reason}`)
  }
  if (summary.reindexed)
    return [`catalog rebuilt: ${summary.reindexed.jobs} archived jobs in ${summary.reindexed.objects} catalog object${summary.reindexed.objects === 1 ? '' : 's'}`]
  const verb = summary.dryRun ? 'would archive' : 'archived'
  lines.push(`${verb} ${summary.archived}, skipped ${summary.skipped}, failed ${summary.failed}`)
  return lines
}

export function formatGcSummary(summary: GcSummary, now = Date.now()): string[] {
  const verb = summary.dryRun ? 'would delete' : 'deleted'
  const lines = summary.deleted.map((item) => `${verb}  ${item.kind.padEnd(16)} ${item.name}  (${formatDuration(Math.max(0, now - item.at))} old)`)
  lines.push(`${verb} ${summary.deleted.length} item${summary.deleted.length === 1 ? '' : 's'} older than ${new Date(summary.cutoff).toISOString()}`)
  if (summary.lifecycleRule) lines.push(`lifecycle rule ${summary.lifecycleRule} installed`)
  return lines
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
