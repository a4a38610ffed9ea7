import type {ChalkInstance} from 'chalk'
import type {Section} from '../job.js'
import type {SectionsReport} from '../structure/job-sections.js'
import {formatDuration} from '../time.js'

/**
 * `logs sections` for people: nesting by indentation, durations, lines and errors, like
 * GitLab's section durations. A section the job failed in says so in words, not only in red
 * (NO_COLOR, a pipe, a CI log).
 */
export function formatSectionTable(report: SectionsReport, chalk: ChalkInstance): string {
  const header = ['SECTION', 'DURATION', 'LINES', 'ERRORS', 'SEQS']
  const rows = report.sections.map((section) => [
    `${'  '.repeat(section.depth)}${section.collapsed ? '▸' : '▾'} ${section.title || section.name}${section.failed ? ' (failed)' : ''}`,
    section.duration === undefined ? 'running' : formatDuration(section.duration),
    String(section.lines),
    String(errors(section)),
    `${section.firstSeq}-${section.lastSeq}`,
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join('  ')
      .trimEnd()
  const lines = [chalk.bold(line(header)), ...rows.map((row, i) => (errors(report.sections[i]) > 0 || report.sections[i].failed ? chalk.red(line(row)) : line(row)))]
  if (report.sectionsDropped) lines.push(`… and ${report.sectionsDropped} more sections not kept`)
  if (report.phase !== undefined || report.progress !== undefined) {
    lines.push(`phase: ${report.phase ?? '-'}${report.progress === undefined ? '' : `  progress: ${report.progress}%`}`)
  }
  return lines.join('\n')
}

function errors(section: Section): number {
  return (section.levels.error ?? 0) + (section.levels.fatal ?? 0)
}
