/**
 * Sections as the viewer folds them. A job's sections come with its metadata (meta events
 * while it runs); a section is folded when the user folded it (`z`), else as `Z` last set
 * all of them, else as its marker says (GitLab `[collapsed=true]`, Buildkite `---`/`~~~`).
 * A folded section shows its header line only; the lines after it, up to its last
 * (to the newest while it is open), are hidden.
 *
 * Built once per change of a job's sections or of the folds (not per line): the hidden
 * ranges are disjoint and sorted, so whether a line is hidden is a binary search.
 */
import type {Section} from '../job.js'
import type {ViewEntry} from './log-buffer.js'

export interface FoldChoices {
  /** Sections the user folded (true) or unfolded (false), by foldKey. */
  overrides: ReadonlyMap<string, boolean>
  /** `Z`: every section folded (true) or unfolded (false), unless overridden since. */
  all?: boolean
}

export const NO_FOLDS: FoldChoices = {overrides: new Map()}

export function foldKey(job: string, section: Section): string {
  return `${job}\u0000${section.name}\u0000${section.firstSeq}`
}

export function isFolded(job: string, section: Section, choices: FoldChoices): boolean {
  return choices.overrides.get(foldKey(job, section)) ?? choices.all ?? section.collapsed === true
}

/** Where a section ends for folding: its last line once it has ended, the newest line while it is open. */
function lastOf(section: Section): number {
  return section.end === undefined ? Number.POSITIVE_INFINITY : section.lastSeq
}

export interface SectionMark {
  section: Section
  folded: boolean
}

class JobFolds {
  /** Sorted by first seq (the order sections open in). */
  private readonly sections: Section[]
  private readonly hidden: Array<[number, number]> = []

  constructor(
    private readonly job: string,
    sections: Section[],
    private readonly choices: FoldChoices,
  ) {
    this.sections = sections.toSorted((a, b) => a.firstSeq - b.firstSeq)
    let covered = 0
    for (const section of this.sections) {
      if (section.firstSeq <= covered) continue // inside a folded section: hidden with it
      if (!isFolded(job, section, choices)) continue
      covered = lastOf(section)
      if (covered > section.firstSeq) this.hidden.push([section.firstSeq + 1, covered])
    }
  }

  hides(seq: number): boolean {
    const ranges = this.hidden
    let low = 0
    let high = ranges.length - 1
    while (low <= high) {
      const middle = (low + high) >> 1
      if (seq < ranges[middle][0]) high = middle - 1
      else if (seq > ranges[middle][1]) low = middle + 1
      else return true
    }
    return false
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

  all(): Section[] {
    return this.sections
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

/** Every followed job's sections, folded as chosen. */
export class Folds {
  private readonly jobs = new Map<string, JobFolds>()

  constructor(
    sections: ReadonlyMap<string, Section[]>,
    readonly choices: FoldChoices,
  ) {
    for (const [job, list] of sections) if (list.length > 0) this.jobs.set(job, new JobFolds(job, list, choices))
  }

  get empty(): boolean {
    return this.jobs.size === 0
  }

  hides(item: ViewEntry): boolean {
    return this.jobs.get(item.job)?.hides(item.entry.seq) ?? false
  }

  startingAt(item: ViewEntry): SectionMark | undefined {
    return this.jobs.get(item.job)?.startingAt(item.entry.seq)
  }

  around(item: ViewEntry): Section | undefined {
    return this.jobs.get(item.job)?.around(item.entry.seq)
  }

  /** True when any section of any job is shown unfolded. */
  anyOpen(): boolean {
    for (const [job, folds] of this.jobs) if (folds.all().some((section) => !isFolded(job, section, this.choices))) return true
    return false
  }
}

/** `z`: the choices with one section folded or unfolded. */
export function toggled(choices: FoldChoices, job: string, section: Section, folded: boolean): FoldChoices {
  const overrides = new Map(choices.overrides)
  overrides.set(foldKey(job, section), !folded)
  return {...choices, overrides}
}
