/** Human summaries of `logs archive` and `logs gc` (the --json output is the summary object itself). */
import {counted} from '../render/counted.js'
import {formatDuration} from '../time.js'
import type {ArchiveSummary} from './archive-jobs.js'
import type {GcSummary} from './gc.js'

export function formatArchiveSummary(summary: ArchiveSummary): string[] {
  const lines: string[] = []
  for (const job of summary.jobs) {
    const size = counted(job.lines ?? 0, 'line')
    if (job.result === 'archived') lines.push(`archived  ${job.id}  ${size}, ${formatBytes(job.size ?? 0)} → ${job.url}${job.resumed ? ' (resumed)' : ''}`)
    else if (job.result === 'would-archive') lines.push(`would archive  ${job.id}  ${size}`)
    else if (job.result === 'failed') lines.push(`FAILED    ${job.id}  ${job.reason}`)
    else lines.push(`skipped   ${job.id}  ${job.reason}`)
  }
  if (summary.reindexed) return [`catalog rebuilt: ${counted(summary.reindexed.jobs, 'archived job')} in ${counted(summary.reindexed.objects, 'catalog object')}`]
  const verb = summary.dryRun ? 'would archive' : 'archived'
  lines.push(`${verb} ${summary.archived}, skipped ${summary.skipped}, failed ${summary.failed}`)
  return lines
}

/**
 * The line cron sees on stderr when jobs failed: those that stay in the live store, and
 * apart those found in no store (a mistyped --job), which stay nowhere.
 */
export function formatArchiveFailures(summary: ArchiveSummary): string {
  const missing = summary.jobs.filter((job) => job.result === 'failed' && job.missing).length
  const stay = summary.failed - missing
  const parts: string[] = []
  if (stay > 0) parts.push(`${counted(stay, 'job')} ${stay === 1 ? 'was' : 'were'} not archived; ${stay === 1 ? 'it stays' : 'they stay'} in the live store`)
  if (missing > 0) parts.push(`${counted(missing, 'job')} to archive ${missing === 1 ? 'was' : 'were'} found in neither the live store nor the archive`)
  return parts.join('; ')
}

export function formatGcSummary(summary: GcSummary, now = Date.now()): string[] {
  const verb = summary.dryRun ? 'would delete' : 'deleted'
  const lines = summary.deleted.map((item) => `${verb}  ${item.kind.padEnd(16)} ${item.name}  (${formatDuration(Math.max(0, now - item.at))} old)`)
  lines.push(`${verb} ${counted(summary.deleted.length, 'item')} older than ${new Date(summary.cutoff).toISOString()}`)
  if (summary.lifecycleRule) lines.push(`lifecycle rule ${summary.lifecycleRule} installed`)
  return lines
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`
}
