import type {ChalkInstance} from 'chalk'
import type {JobMeta, JobStatus} from '../job.js'
import {formatDuration} from '../time.js'

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['KiB', 'MiB', 'GiB', 'TiB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`
}

function statusColor(chalk: ChalkInstance, status: JobStatus): (text: string) => string {
  if (status === 'running') return chalk.cyan
  if (status === 'succeeded') return chalk.green
  if (status === 'failed') return chalk.red
  if (status === 'abandoned') return chalk.yellow
  return (text) => text
}

/** Phase and progress as `ls` shows them: `migrate 60%`, `-` when neither is known. */
export function phaseText(job: Pick<JobMeta, 'phase' | 'progress'>): string {
  const phase = job.phase === undefined ? '' : job.phase.length > 30 ? `${job.phase.slice(0, 29)}…` : job.phase
  const progress = job.progress === undefined ? '' : `${job.progress}%`
  return [phase, progress].filter(Boolean).join(' ') || '-'
}

/** `logs ls` for people: aligned columns, newest first. */
export function formatJobTable(jobs: JobMeta[], chalk: ChalkInstance, now = Date.now()): string {
  const header = ['JOB', 'STATUS', 'EXIT', 'LINES', 'SIZE', 'UPDATED', 'WHERE', 'PHASE']
  const rows = jobs.map((job) => [
    job.id,
    job.status,
    job.exitCode === undefined ? '-' : String(job.exitCode),
    String(job.lines),
    formatBytes(job.bytes),
    `${formatDuration(Math.max(0, now - job.updatedAt))} ago`,
    job.location.kind,
    phaseText(job),
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)))
  const line = (cells: string[], paint?: (column: number, text: string) => string) =>
    cells
      .map((cell, column) => (paint ? paint(column, cell.padEnd(widths[column])) : cell.padEnd(widths[column])))
      .join('  ')
      .trimEnd()
  return [chalk.bold(line(header)), ...rows.map((row, index) => line(row, (column, text) => (column === 1 ? statusColor(chalk, jobs[index].status)(text) : text)))].join('\n')
}
