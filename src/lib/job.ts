import type {Level} from './level.js'

export type JobStatus = 'running' | 'succeeded' | 'failed' | 'ended' | 'abandoned'
export const JOB_STATUSES: readonly JobStatus[] = ['running', 'succeeded', 'failed', 'ended', 'abandoned']

export function isEnded(status: JobStatus): boolean {
  return status !== 'running'
}

/** Where a job's entries are now. */
export type JobLocation = {kind: 'live'} | {kind: 'archived'; url: string; size: number; sha256: string; archivedAt: number}

export interface JobMeta {
  id: string
  status: JobStatus
  createdAt: number
  updatedAt: number
  endedAt?: number
  exitCode?: number
  /** Number of entries = the last sequence number. */
  lines: number
  bytes: number
  levels: Partial<Record<Level, number>>
  firstTs?: number
  lastTs?: number
  labels?: Record<string, string>
  location: JobLocation
  /** Secrets masked at capture: how many occurrences (never the values). */
  masked?: number
  /** Sections, phase and progress recognised at capture (structure/sections.ts). */
  sections?: Section[]
  sectionsDropped?: number
  phase?: string
  progress?: number
  /**
   * Set on a live job that continues an archived run of the same id (`push` after `archive`):
   * the live store holds lines numbered from 1 again, which are lines `lines + 1`, … of the
   * job (store/continued-job.ts adds the archived run in front of them).
   */
  continues?: ContinuedRun
}

/** The archived run a live job continues: its createdAt and last sequence number. */
export interface ContinuedRun {
  createdAt: number
  lines: number
}

export type SectionFamily = 'github' | 'azure' | 'buildkite' | 'gitlab' | 'teamcity' | 'jenkins' | 'gh'

/** The families whose markers name their sections (which nest); the others' are numbered (`github-1`) and do not nest. */
export const NAMED_FAMILIES: ReadonlySet<SectionFamily> = new Set(['gitlab', 'teamcity', 'jenkins', 'gh'])

export interface Section {
  name: string
  title: string
  family: SectionFamily
  /** Nesting depth: 0 at the top. */
  depth: number
  /** The name of the enclosing section, if any. */
  parent?: string
  firstSeq: number
  lastSeq: number
  start: number
  end?: number
  /** ms; set once the section has ended. */
  duration?: number
  lines: number
  levels: Partial<Record<Level, number>>
  collapsed?: true
  /** The job failed while this section was open; a job or step of gh's, its log says a step's script failed. */
  failed?: true
}

export interface JobStructure {
  sections: Section[]
  /** Sections past MAX_SECTIONS, counted but not kept. */
  sectionsDropped?: number
  phase?: string
  progress?: number
}

/** The status a job ends with: the exit code decides when known. */
export function endStatus(exitCode: number | undefined): {status: JobStatus; exitCode?: number} {
  if (exitCode === undefined) return {status: 'ended'}
  return {status: exitCode === 0 ? 'succeeded' : 'failed', exitCode}
}

export function newJobMeta(id: string, now: number, labels?: Record<string, string>): JobMeta {
  return {id, status: 'running', createdAt: now, updatedAt: now, lines: 0, bytes: 0, levels: {}, labels, location: {kind: 'live'}}
}

/**
 * What the relay's `status` and `end` events carry: the metadata without its sections
 * (up to 5 000 of them, about 1 MB) but with how many there are and how many are closed.
 * A client whose `sectionsMark` changed fetches them from `GET /v1/jobs/:id/sections`.
 */
export type JobStatusEvent = Omit<JobMeta, 'sections'> & {sectionCount: number; sectionsClosed: number}

export function statusEventOf(meta: JobMeta): JobStatusEvent {
  const {sections = [], ...rest} = meta
  let closed = 0
  for (const section of sections) if (section.end !== undefined) closed++
  return {...rest, sectionCount: sections.length, sectionsClosed: closed}
}

/** Equal for two states of a job's sections that differ only in counts within them: when to fetch them again. */
export function sectionsMark(event: Pick<JobStatusEvent, 'sectionCount' | 'sectionsClosed' | 'sectionsDropped'>): string {
  return `${event.sectionCount}/${event.sectionsClosed}/${event.sectionsDropped ?? 0}`
}

/** A status event back to metadata, with the sections the client holds. */
export function metaOfStatusEvent(event: JobStatusEvent, sections: Section[] | undefined): JobMeta {
  const {sectionCount: _c, sectionsClosed: _s, ...meta} = event
  return sections && sections.length > 0 ? {...meta, sections} : meta
}
