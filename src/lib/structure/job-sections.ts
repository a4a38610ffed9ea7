/**
 * A job's sections as `logs sections`, `get --section` and `GET /v1/jobs/:id/sections`
 * use them: the report, and the sequence ranges of the sections a name or glob picks.
 */
import type {LogEntry} from '../entry.js'
import {LogsError} from '../errors/index.js'
import type {JobMeta, Section} from '../job.js'

export interface SectionsReport {
  job: string
  sections: Section[]
  sectionsDropped?: number
  phase?: string
  progress?: number
}

export function sectionsReport(meta: JobMeta): SectionsReport {
  const report: SectionsReport = {job: meta.id, sections: meta.sections ?? []}
  if (meta.sectionsDropped) report.sectionsDropped = meta.sectionsDropped
  if (meta.phase !== undefined) report.phase = meta.phase
  if (meta.progress !== undefined) report.progress = meta.progress
  return report
}

/**
 * The structure of a job archived as abandoned (`archive --idle`: its writer went before it
 * ended). Its open sections close at `endedAt`, its last write, as a job that ends closes
 * them at its end; its phase and progress describe a running job and are dropped (given as
 * undefined, which updateJob removes). Counts stay as recorded: those of an open section
 * already hold its open children's.
 * A section timed by its marker (GitLab's `section_start:TIME`, a line prefix's timestamp)
 * started on the log's clock, not push's: `readAt` (its first line's time, by push's clock)
 * tells how far apart the two are, and it closes on its own clock, as SectionTracker.end does.
 */
export function abandonedStructure(
  meta: JobMeta,
  endedAt: number,
  readAt: (section: Section) => number | undefined = () => undefined,
): Pick<JobMeta, 'sections' | 'phase' | 'progress'> {
  const sections = meta.sections?.map((section) => {
    if (section.end !== undefined) return section
    const read = readAt(section)
    const end = Math.max(endedAt + (read === undefined ? 0 : section.start - read), section.start)
    return {...section, end, duration: end - section.start}
  })
  return {sections, phase: undefined, progress: undefined}
}

/** `*` and `?` globs over a section's name or title. */
function sectionGlob(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.')
  return new RegExp(`^${source}$`, 's')
}

/** The seq ranges (inclusive) of the sections any pattern names; an error naming the sections there are when none matches. */
export function sectionRanges(meta: JobMeta, patterns: string[]): Array<[number, number]> {
  const sections = meta.sections ?? []
  const picked = pickSections(meta, patterns)
  if (picked.length === 0) {
    const names = sections.slice(0, 20).map((s) => (s.title && s.title !== s.name ? `${s.name} (${s.title})` : s.name))
    throw new LogsError(`no section of job ${meta.id} matches --section ${patterns.map((p) => JSON.stringify(p)).join(', ')}`, {
      exitCode: 1,
      suggestions: [names.length > 0 ? `its sections: ${names.join(', ')}${sections.length > 20 ? ', …' : ''}` : 'the job has no sections (logs sections JOB lists them)'],
    })
  }
  return picked
}

/** The seq ranges (inclusive) of the sections any pattern names; none when none does (a job among several just gives nothing). */
export function pickSections(meta: JobMeta, patterns: string[]): Array<[number, number]> {
  const globs = patterns.map(sectionGlob)
  return (meta.sections ?? [])
    .filter((section) => globs.some((glob) => glob.test(section.name) || glob.test(section.title)))
    .map((section) => [section.firstSeq, section.lastSeq] as [number, number])
}

export function inRanges(ranges: Array<[number, number]>): (entry: LogEntry) => boolean {
  return (entry) => ranges.some(([first, last]) => entry.seq >= first && entry.seq <= last)
}
