/** The viewer's UI state (what the keys change), separate from the entries (ViewerFeed). */
import {levelMatches} from '../query/filter.js'
import type {Level} from '../level.js'
import {NO_FOLDS, type FoldChoices, type Folds} from './folds.js'
import type {ViewFilter} from './log-buffer.js'

/** `l` cycles through these: everything, then each level and above. */
export const LEVEL_STEPS: ReadonlyArray<Level | undefined> = [undefined, 'debug', 'info', 'warn', 'error']

export type Overlay = 'help' | 'jobs'

export interface ViewerState {
  /** Bottom entry of the view while paused; undefined while following the newest. */
  anchor: number | undefined
  /** The entry `n`/`N`/`e` last landed on. */
  cursor: number | undefined
  /** The search text being typed after `/` (undefined when not typing). */
  draft: string | undefined
  query: string
  level: number
  timestamps: boolean
  wrap: boolean
  overlay: Overlay | undefined
  jobCursor: number
  hidden: ReadonlySet<string>
  /** Sections folded or unfolded by `z` and `Z`. */
  folds: FoldChoices
  /** One-line feedback ("saved 120 lines to …", "no match"), cleared by the next key. */
  message: string | undefined
}

export function initialState(options: {timestamps?: boolean; wrap?: boolean} = {}): ViewerState {
  return {
    anchor: undefined,
    cursor: undefined,
    draft: undefined,
    query: '',
    level: 0,
    timestamps: options.timestamps ?? false,
    wrap: options.wrap ?? true,
    overlay: undefined,
    jobCursor: 0,
    hidden: new Set(),
    folds: NO_FOLDS,
    message: undefined,
  }
}

export function levelLabel(state: ViewerState): string {
  const level = LEVEL_STEPS[state.level]
  return level ? `${level}+` : 'all'
}

/** The filter the viewer adds on top of the command line's: level step, hidden jobs, folded sections. */
export function viewFilter(level: number, hidden: ReadonlySet<string>, folds?: Folds): ViewFilter | undefined {
  const minimum = LEVEL_STEPS[level]
  const folding = folds && !folds.empty ? folds : undefined
  if (!minimum && hidden.size === 0 && !folding) return undefined
  const filter = minimum ? {level: minimum, exact: false} : undefined
  return (item) => !hidden.has(item.job) && (!filter || levelMatches(filter, item.entry.level)) && !folding?.hides(item)
}
