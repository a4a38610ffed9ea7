/**
 * A job's sections as the viewers fold them (the terminal viewer, src/lib/ui, and the web
 * viewer, web/src). A section is folded when the user folded it, else as "fold all" last
 * set every one, else as its marker says (GitLab `[collapsed=true]`, Buildkite `---`/`~~~`).
 * A folded section shows its header line only; the lines after it, up to its last (to the
 * newest while it is open), are hidden.
 *
 * Built once per change of the sections or of the choices (not per line): the hidden
 * ranges are disjoint and sorted, so whether a line is hidden, and which line is the n-th
 * shown, are searches over the ranges.
 */
import type {Section} from '../job.js'
import {formatDuration} from '../time.js'

export interface FoldChoices {
  /** Sections the user folded (true) or unfolded (false), by foldKey. */
  overrides: ReadonlyMap<string, boolean>
  /** Every section folded (true) or unfolded (false), unless overridden since. */
  all?: boolean
}

export const NO_FOLDS: FoldChoices = {overrides: new Map()}

export function foldKey(job: string, section: Section): string {
  return `${job}\u0000${section.name}\u0000${section.firstSeq}`
}

export function isFolded(job: string, section: Section, choices: FoldChoices): boolean {
  return choices.overrides.get(foldKey(job, section)) ?? choices.all ?? section.collapsed === true
}

/** The choices with one section folded (true) or unfolded (false). */
export function withFold(choices: FoldChoices, job: string, section: Section, fold: boolean): FoldChoices {
  const overrides = new Map(choices.overrides)
  overrides.set(foldKey(job, section), fold)
  return {...choices, overrides}
}

/** Where a section ends for folding: its last line once it has ended, the newest line while it is open. */
function lastOf(section: Section): number {
  return section.end === undefined ? Number.POSITIVE_INFINITY : section.lastSeq
}

export interface SectionMark {
  section: Section
  folded: boolean
}

/** `12s · 40 lines · 2 errors · failed`: what a header says after the title ("running" while open). */
export function sectionFacts(section: Section): string {
  const errors = (section.levels.error ?? 0) + (section.levels.fatal ?? 0)
  const facts = [section.duration === undefined ? 'running' : formatDuration(section.duration), `${section.lines.toLocaleString('en-US')} lines`]
  if (errors > 0) facts.push(`${errors} error${errors === 1 ? '' : 's'}`)
  if (section.failed) facts.push('failed')
  return facts.join(' · ')
}

/** One job's sections, folded as chosen. */
export class SectionFolds {
  /** Sorted by first seq (the order sections open in). */
  readonly sections: Section[]
  /** Inclusive seq ranges hidden by folds, disjoint and sorted. */
  readonly hidden: Array<[number, number]> = []

  constructor(
    private readonly job: string,
    sections: Section[],
    readonly choices: FoldChoices,
  ) {
    this.sections = [...sections].sort((a, b) => a.firstSeq - b.firstSeq)
    let covered = 0
    for (const section of this.sections) {
      if (section.firstSeq <= covered) continue // inside a folded section: hidden with it
      if (!isFolded(job, section, choices)) continue
      covered = lastOf(section)
      if (covered > section.firstSeq) this.hidden.push([section.firstSeq + 1, covered])
    }
  }

  hides(seq: number): boolean {
    return this.rangeOf(seq) !== undefined
  }

  /** The section a line is the header of. */
  startingAt(seq: number): SectionMark | undefined {
    const index = this.lastStartingBy(seq)
    const section = index >= 0 ? this.sections[index] : undefined
    return section?.firstSeq === seq ? {section, folded: isFolded(this.job, section, this.choices)} : undefined
  }

  /** The innermost section holding a line (its header included). */
  around(seq: number): Section | undefined {
    for (let i = this.lastStartingBy(seq); i >= 0; i--) if (lastOf(this.sections[i]) >= seq) return this.sections[i]
    return undefined
  }

  /** Every section holding a line, innermost first. */
  enclosing(seq: number): Section[] {
    const found: Section[] = []
    for (let i = this.lastStartingBy(seq); i >= 0; i--) if (lastOf(this.sections[i]) >= seq) found.push(this.sections[i])
    return found
  }

  anyOpen(): boolean {
    return this.sections.some((section) => !isFolded(this.job, section, this.choices))
  }

  /** Lines shown of the first `total`. */
  shown(total: number): number {
    let hidden = 0
    for (const [from, to] of this.hidden) {
      if (from > total) break
      hidden += Math.min(to, total) - from + 1
    }
    return total - hidden
  }

  /** The seq of the `index`-th line shown (0-based). */
  seqAt(index: number): number {
    let seq = index + 1
    for (const [from, to] of this.hidden) {
      if (from > seq) break
      seq += to - from + 1
    }
    return seq
  }

  /** The row a seq is shown at: its own, or its folded section's header's. */
  indexOf(seq: number): number {
    const range = this.rangeOf(seq)
    const at = range ? range[0] - 1 : seq
    let hidden = 0
    for (const [from, to] of this.hidden) {
      if (from > at) break
      hidden += to - from + 1
    }
    return at - 1 - hidden
  }

  private rangeOf(seq: number): [number, number] | undefined {
    const ranges = this.hidden
    let low = 0
    let high = ranges.length - 1
    while (low <= high) {
      const middle = (low + high) >> 1
      if (seq < ranges[middle][0]) high = middle - 1
      else if (seq > ranges[middle][1]) low = middle + 1
      else return ranges[middle]
    }
    return undefined
  }

  /** Index of the last section whose first seq is at most `seq`; -1 for none. */
  private lastStartingBy(seq: number): number {
    let low = 0
    let high = this.sections.length - 1
    while (low <= high) {
      const middle = (low + high) >> 1
      if (this.sections[middle].firstSeq <= seq) low = middle + 1
      else high = middle - 1
    }
    return high
  }
}
