/**
 * The followed jobs' sections as the terminal viewer folds them: one SectionFolds per job
 * (src/lib/structure/folds.ts, shared with the web viewer), looked up by a ViewEntry.
 */
import type {Section} from '../job.js'
import {SectionFolds, type FoldChoices, type SectionMark} from '../structure/folds.js'
import type {ViewEntry} from './log-buffer.js'

export {isFolded, NO_FOLDS, sectionFacts, withFold, type FoldChoices, type SectionMark} from '../structure/folds.js'

export class Folds {
  private readonly jobs = new Map<string, SectionFolds>()

  constructor(
    sections: ReadonlyMap<string, Section[]>,
    readonly choices: FoldChoices,
  ) {
    for (const [job, list] of sections) if (list.length > 0) this.jobs.set(job, new SectionFolds(job, list, choices))
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

  /** True when any section of any job hides lines. */
  anyFolded(): boolean {
    for (const folds of this.jobs.values()) if (folds.hidden.length > 0) return true
    return false
  }

  /** True when any section of any job is shown unfolded. */
  anyOpen(): boolean {
    for (const folds of this.jobs.values()) if (folds.anyOpen()) return true
    return false
  }
}
