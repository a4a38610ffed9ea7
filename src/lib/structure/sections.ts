/**
 * Sections, phase and progress, recognised in lines as they are stored (their sequence
 * numbers known). Sections come from the markers of GitHub Actions, Azure Pipelines,
 * GitLab, TeamCity, Buildkite and Jenkins (markers.ts reads them), and from the job and step
 * each line of `gh run view --log` names.
 *
 * Phase and progress come from JSON lines' `phase` and `progress` (0-100) or
 * `current`/`total` fields; otherwise the phase is the innermost open section. Bad input
 * is tolerated: an end without a start is ignored, an end for an outer named section
 * closes the inner ones, open sections close at the job's end time, titles are cleaned of
 * control characters and cut to MAX_TITLE, and past MAX_SECTIONS sections are counted,
 * not kept. Most lines are let go on their first byte.
 */
import {isUtf8} from 'node:buffer'
import {ReadLine, type NewEntry, type ReadChunk} from '../entry.js'
import {NAMED_FAMILIES, type JobStructure, type Section, type SectionFamily} from '../job.js'
import {levelOfCode, type Level} from '../level.js'
import type {LineBatch} from '../line-batch.js'
import {continuedTitle, ghColumns, plainText, readMarker, type Marker} from './markers.js'
import {mayBeMarker} from './marker-bytes.js'
import {SectionClocks} from './section-clocks.js'
import {PhaseKeySearch, phaseKeysInBytes} from './phase-keys.js'
import {ghColumnsLengthInBytes, StreamLinePrefixes} from '../line-prefix.js'

export type {JobStructure, Section, SectionFamily}

export const MAX_SECTIONS = 5000
export const MAX_TITLE = 200
const MAX_PHASE = 100
/** Jenkins blocks kept open at once: a Pipeline nests a few dozen; a log of opens alone stays bounded. */
const MAX_JENKINS_DEPTH = 1000
const HEAD_BYTES = 512

/** What GitHub's runner prints as the last line of a step whose script failed. */
const GH_STEP_FAILED = Buffer.from('##[error]Process completed with exit code ')

/** The most bytes of a gh line's timestamp (`2026-06-21T05:34:50.123456789+05:30`). */
const GH_STAMP_BYTES = 40

/** The time of gh's timestamp in bytes start..end; `otherwise` (when the line was read) for one that is no time (a month 13). */
function ghTime(bytes: Buffer, start: number, end: number, otherwise: number): number {
  const at = Date.parse(bytes.toString('latin1', start, end))
  return Number.isNaN(at) ? otherwise : at
}

export interface StructureLine {
  seq: number
  ts: number
  bytes: Buffer
  level?: Level
}

export class SectionTracker {
  private readonly sections: Section[] = []
  private readonly open: Section[] = []
  private dropped = 0
  private jsonPhase: string | undefined
  private progress: number | undefined
  private lastSeq = 0
  private lastTs = 0
  /** Bumped when anything a reader sees changes. */
  version = 0
  private counter = 0
  private readonly phaseKeys = new PhaseKeySearch()
  /** The job and step columns of the last `gh run view --log` line, its job's and step's sections, and its time (ghTime). */
  private gh: {columns: Buffer; jobName: string; job?: Section; step?: Section; stamp: Buffer; stampLength: number; ts: number} | undefined
  private readonly prefixes = new StreamLinePrefixes()
  /** A GitLab section just opened without a title: the next line may hold it (continuedTitle). */
  private untitled: Section | undefined
  private readonly clocks = new SectionClocks()
  /** Jenkins' open blocks, innermost last: a stage's section, or undefined for a step's block (or a stage past MAX_SECTIONS). */
  private readonly jenkinsBlocks: (Section | undefined)[] = []

  observe(line: StructureLine): void {
    const bytes = line.bytes
    this.prefixes.see(bytes, 0, bytes.length)
    if (this.untitled) this.titleFrom(bytes, 0, bytes.length)
    this.observeSeen(line, this.prefixes.lengthOf(bytes, 0, bytes.length))
  }

  /** A line whose stream's prefixes have seen it, with its prefix's length: a line of gh's, or one that may be a marker. */
  private observeSeen(line: StructureLine, prefix: number): void {
    const bytes = line.bytes
    this.lastSeq = line.seq
    this.lastTs = line.ts
    this.clocks.see(bytes, 0, prefix)
    const columns = this.prefixes.hasColumns ? ghColumnsLengthInBytes(bytes, 0, bytes.length) : 0
    if (columns > 0) this.ghLine(line, columns)
    // An end marker counts in the sections it ends (marker() counts it before closing them).
    if (!(mayBeMarker(bytes, 0, bytes.length, prefix) && this.marker(line))) this.count(line)
  }

  /** Entries numbered first, first+1, …: most are let go on their first byte, without building a StructureLine. */
  observeBatch(first: number, entries: ReadonlyArray<NewEntry>): void {
    for (let i = 0; i < entries.length; i++) this.observeEntry(first + i, entries[i])
  }

  private observeEntry(seq: number, entry: NewEntry): void {
    if (entry instanceof ReadLine) this.observeLine(seq, entry.ts, entry.level, entry.read.memory, entry.start, entry.end, entry.read)
    else this.observeLine(seq, entry.ts, entry.level, entry.bytes, 0, entry.bytes.length)
  }

  /** The lines of a batch numbered first, first+1, …, read in its columns. */
  observeLineBatch(first: number, batch: LineBatch): void {
    const {read, starts, ends, levels} = batch
    for (let i = 0; i < batch.length; i++) {
      const entry = batch.entry(i)
      if (entry) this.observeEntry(first + i, entry)
      else this.observeLine(first + i, read.ts, levelOfCode(levels[i]), read.memory, starts[i], ends[i], read)
    }
  }

  /** Line `seq` as bytes start..end of `memory` (a read, a packed chunk's data), with the read they are in when the caller has it. */
  observeLine(seq: number, ts: number, level: Level | undefined, memory: Buffer, start: number, end: number, read?: ReadChunk): void {
    this.prefixes.see(memory, start, end)
    if (this.untitled) this.titleFrom(memory, start, end)
    const byte = end > start ? memory[start] : 0
    const prefix = this.prefixes.lengthOf(memory, start, end)
    if (byte === 123 /* { */) {
      if (read ? this.phaseKeys.inRead(read, start, end) : phaseKeysInBytes(memory, start, end)) this.json(memory.toString('utf8', start, end))
    } else if (this.prefixes.hasColumns || mayBeMarker(memory, start, end, prefix)) {
      // A line of gh's may open its job's or step's section.
      this.observeSeen({seq, ts, bytes: memory.subarray(start, end), level}, prefix)
      return
    }
    this.lastSeq = seq
    this.lastTs = ts
    this.clocks.see(memory, start, prefix)
    const section = this.open.length > 0 ? this.open[this.open.length - 1] : undefined
    if (!section) return
    section.lines++
    section.lastSeq = seq
    if (level) section.levels[level] = (section.levels[level] ?? 0) + 1
  }

  /** Counts into the innermost open section only (O(1) per line, however deep): a section's counts join its parent's when it closes. */
  private count(line: StructureLine): void {
    const section = this.open.at(-1)
    if (!section) return
    section.lines++
    section.lastSeq = line.seq
    if (line.level) section.levels[line.level] = (section.levels[line.level] ?? 0) + 1
  }

  /**
   * At the job's end, `at` (ms): open sections close then — not at their last line, which is
   * their first for a `::group::` the job ended in (a duration of 0), and for a section timed
   * by its marker, on that clock (SectionClocks) — and `failed` marks those the job
   * failed in. Until then an open section has no end nor duration ("running").
   */
  end(failed: boolean, at: number): void {
    // gh's job and step end at the last time its lines gave, not when they were read, and
    // failed where the log says a step failed, not where the import ended.
    if (this.gh?.job) this.closeTo(this.gh.job, ghTime(this.gh.stamp, 0, this.gh.stampLength, this.gh.ts))
    if (failed) for (const section of this.open) section.failed = true
    // On the markers' clock where they gave one: an imported log's is years from push's.
    const end = Math.max(at, this.lastTs)
    for (let section = this.open.at(-1); section; section = this.open.at(-1)) this.close(section, this.clocks.endOf(section, end))
    this.version++
  }

  structure(): JobStructure {
    // Open sections' totals include their open children's, which join them only when those close.
    const totals = new Map<Section, Section>()
    let inner: Section | undefined
    for (let i = this.open.length - 1; i >= 0; i--) {
      const total = {...this.open[i], levels: {...this.open[i].levels}}
      if (inner) addCounts(total, inner)
      totals.set(this.open[i], total)
      inner = total
    }
    const structure: JobStructure = {sections: this.sections.map((s) => totals.get(s) ?? {...s, levels: {...s.levels}})}
    if (this.dropped > 0) structure.sectionsDropped = this.dropped
    const phase = this.jsonPhase ?? this.open.at(-1)?.title
    if (phase !== undefined) structure.phase = phase
    if (this.progress !== undefined) structure.progress = this.progress
    return structure
  }

  /** Handles a marker; true when it counted the line itself (an end marker). */
  private marker(line: StructureLine): boolean {
    const bytes = line.bytes
    if (bytes[0] === 123 /* { */) {
      if (phaseKeysInBytes(bytes, 0, bytes.length)) this.json(bytes.toString('utf8'))
      return false
    }
    const marker = readMarker(bytes.toString(isUtf8(bytes) ? 'utf8' : 'latin1', 0, Math.min(bytes.length, HEAD_BYTES)), this.prefixes.hasColumns)
    switch (marker?.kind) {
      case 'start': {
        // At the marker's time where it gives one (GitLab's, a line prefix's): an imported log's sections keep their durations.
        if (!NAMED_FAMILIES.has(marker.family)) this.closeFamily(marker.family, marker.at ?? line.ts) // numbered groups do not nest
        const opened = this.openSection(marker.family, marker.title, line, marker.folded, marker.name, marker.at)
        this.untitled = marker.untitled ? opened : undefined
        if (marker.family === 'jenkins') this.jenkinsBlock(opened)
        return false
      }
      case 'block':
        this.jenkinsBlock(undefined)
        return false
      case 'end':
        return marker.family === 'jenkins' ? this.jenkinsEnd(line, marker.at ?? line.ts) : this.endMarker(marker, line)
      case 'unfold-previous': {
        const last = this.sections.findLast((s) => s.family === marker.family)
        if (last?.collapsed) {
          delete last.collapsed
          this.version++
        }
        return false
      }
      default:
        return false
    }
  }

  /**
   * A line of `gh run view --log` (`JOB\tSTEP\tTIMESTAMP …`): a job or a step other than the
   * last line's opens its section (the step inside the job), closing the last one's with the
   * sections inside it. Their times are the ones gh's lines give: a step ends where the next
   * one starts (it may have run on without printing); a job, and its last step, at its last
   * line (gh prints a run's jobs one after another, which ran side by side). A step whose
   * script failed, and its job, are failed.
   */
  private ghLine(line: StructureLine, columns: number): void {
    const bytes = line.bytes
    const blank = bytes.indexOf(32 /* blank */, columns)
    const stampEnd = Math.min(blank === -1 ? bytes.length : blank, columns + GH_STAMP_BYTES)
    const last = this.gh
    if (last && last.columns.length === columns && last.columns.compare(bytes, 0, columns) === 0) {
      // Its time is read only when a section closes at it: most lines are not the last of their step.
      last.stampLength = bytes.copy(last.stamp, 0, columns, stampEnd)
      last.ts = line.ts
      if (blank !== -1 && bytes.length - blank > GH_STEP_FAILED.length && GH_STEP_FAILED.compare(bytes, blank + 1, blank + 1 + GH_STEP_FAILED.length) === 0) {
        if (last.step) last.step.failed = true
        if (last.job) last.job.failed = true
        this.version++
      }
      return
    }
    const at = ghTime(bytes, columns, stampEnd, line.ts)
    const {job, step} = ghColumns(bytes.toString('utf8', 0, columns))
    const sameJob = last?.jobName === job.name
    if (last) this.closeTo(sameJob ? last.step : last.job, sameJob ? at : ghTime(last.stamp, 0, last.stampLength, last.ts))
    const stamp = Buffer.allocUnsafe(GH_STAMP_BYTES)
    this.gh = {
      columns: Buffer.from(bytes.subarray(0, columns)),
      jobName: job.name,
      job: sameJob ? last.job : this.openSection('gh', job.title, line, false, job.name, at),
      step: this.openSection('gh', step.title, line, false, step.name, at),
      stamp,
      stampLength: bytes.copy(stamp, 0, columns, stampEnd),
      ts: line.ts,
    }
  }

  /** Closes the section, if open, and those inside it, at `at`. */
  private closeTo(section: Section | undefined, at: number): void {
    if (section) this.closeFrom(this.open.indexOf(section), at)
  }

  private titleFrom(memory: Buffer, start: number, end: number): void {
    const title = continuedTitle(memory.toString('utf8', start, Math.min(end, start + HEAD_BYTES)))
    if (title !== undefined) {
      this.untitled!.title = cleanText(title, MAX_TITLE)
      this.version++
    }
    this.untitled = undefined
  }

  private jenkinsBlock(section: Section | undefined): void {
    if (this.jenkinsBlocks.length < MAX_JENKINS_DEPTH) this.jenkinsBlocks.push(section)
  }

  /** `[Pipeline] }`: ends the innermost Jenkins block, and the stage (with the sections inside it) when that block is one. */
  private jenkinsEnd(line: StructureLine, at: number): boolean {
    const section = this.jenkinsBlocks.pop()
    if (!section || !this.open.includes(section)) return false
    this.count(line)
    this.closeTo(section, at)
    return true
  }

  /** An end marker: of the family's open section, or of the named one and those inside it; ignored when that is not open. */
  private endMarker(marker: Extract<Marker, {kind: 'end'}>, line: StructureLine): boolean {
    if (marker.name === undefined) {
      this.count(line)
      this.closeFamily(marker.family, marker.at ?? line.ts)
      return true
    }
    const index = this.open.findLastIndex((s) => s.family === marker.family && s.name === marker.name)
    if (index === -1) return false
    this.count(line)
    this.closeFrom(index, marker.at ?? line.ts)
    return true
  }

  /** The section opened; undefined past MAX_SECTIONS. */
  private openSection(family: SectionFamily, title: string, line: StructureLine, collapsed: boolean, name?: string, start = line.ts): Section | undefined {
    const clean = cleanText(title, MAX_TITLE)
    this.version++
    if (this.sections.length >= MAX_SECTIONS) {
      this.dropped++
      return undefined
    }
    const parent = this.open.at(-1)
    const section: Section = {
      name: name ?? `${family}-${++this.counter}`,
      title: clean,
      family,
      depth: this.open.length,
      firstSeq: line.seq,
      lastSeq: line.seq,
      start,
      lines: 0,
      levels: {},
    }
    if (parent) section.parent = parent.name
    if (collapsed) section.collapsed = true
    this.clocks.opened(section, start, this.lastTs) // lastTs: when this line was read
    this.sections.push(section)
    this.open.push(section)
    return section
  }

  /** Closes the open sections of a family: the innermost first. */
  private closeFamily(family: SectionFamily, at: number): void {
    this.closeFrom(
      this.open.findIndex((s) => s.family === family),
      at,
    )
  }

  /** Closes the open sections from `index` (-1: none) inward, the innermost first, at `at`. */
  private closeFrom(index: number, at: number): void {
    if (index !== -1) while (this.open.length > index) this.close(this.open.at(-1)!, at)
  }

  private close(section: Section, at: number): void {
    this.open.pop()
    this.clocks.closed(section)
    const parent = this.open.at(-1)
    if (parent) addCounts(parent, section)
    section.end = Math.max(at, section.start)
    section.duration = section.end - section.start
    this.version++
  }

  private json(text: string): void {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      return
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) return
    const fields = value as Record<string, unknown>
    if (typeof fields.phase === 'string' && fields.phase.trim() !== '') {
      const phase = cleanText(fields.phase, MAX_PHASE)
      if (phase !== this.jsonPhase) {
        this.jsonPhase = phase
        this.version++
      }
    }
    const progress = progressOf(fields)
    if (progress !== undefined && progress !== this.progress) {
      this.progress = progress
      this.version++
    }
  }
}

function addCounts(into: Section, from: Section): void {
  into.lines += from.lines
  into.lastSeq = Math.max(into.lastSeq, from.lastSeq)
  for (const [level, count] of Object.entries(from.levels) as Array<[Level, number]>) into.levels[level] = (into.levels[level] ?? 0) + count
}

/** 0-100 from `progress`, or from `current`/`total`; undefined for anything else (250, "abc", a negative total). */
export function progressOf(fields: Record<string, unknown>): number | undefined {
  const {progress, current, total} = fields
  if (typeof progress === 'number' && Number.isFinite(progress) && progress >= 0 && progress <= 100) return round(progress)
  if (typeof current === 'number' && typeof total === 'number' && Number.isFinite(current) && Number.isFinite(total) && total > 0 && current >= 0 && current <= total) {
    return round((current / total) * 100)
  }
  return undefined
}

const round = (value: number) => Math.round(value * 10) / 10

function cleanText(text: string, max: number): string {
  const clean = plainText(text)
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean
}
