/**
 * grep's context lines (`-A N`, `-B N`, `-C N`) over a stream of entries: each entry the
 * filter keeps comes with up to `before` entries before it and `after` entries after it;
 * overlapping or touching groups merge. The window keeps its state across batches, so a
 * follow continues the context a history read started. With `maxMatches` (`--head N`) it
 * is done after the N-th match and its trailing context, like `grep -m N -A …`.
 */
import {UsageError} from '../errors/index.js'
import type {LogEntry} from '../entry.js'
import type {EntryFilter} from './filter.js'

export interface ContextSpec {
  before: number
  after: number
}

export interface ContextFlags {
  'after-context'?: number
  'before-context'?: number
  context?: number
}

/** -A and -B win over -C, as in grep. Undefined when no context was asked for. */
export function contextSpec(flags: ContextFlags): ContextSpec | undefined {
  for (const name of ['after-context', 'before-context', 'context'] as const) {
    const value = flags[name]
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) throw new UsageError(`invalid --${name} ${value}: expected a whole number of lines, 0 or more`)
  }
  const before = flags['before-context'] ?? flags.context ?? 0
  const after = flags['after-context'] ?? flags.context ?? 0
  return before > 0 || after > 0 ? {before, after} : undefined
}

export class ContextWindow {
  private ring: LogEntry[] = []
  private afterLeft = 0
  private matches = 0

  constructor(
    private readonly filter: EntryFilter,
    private readonly spec: ContextSpec,
    private readonly maxMatches = Number.POSITIVE_INFINITY,
  ) {}

  get done(): boolean {
    return this.matches >= this.maxMatches && this.afterLeft === 0
  }

  /** The entries of `entries` to show: matches and their context, in order. */
  take(entries: Iterable<LogEntry>): LogEntry[] {
    const shown: LogEntry[] = []
    for (const entry of entries) {
      if (this.done) break
      if (this.matches < this.maxMatches && this.filter(entry)) {
        for (const held of this.ring) shown.push(held)
        this.ring = []
        shown.push(entry)
        this.matches++
        this.afterLeft = this.spec.after
      } else if (this.afterLeft > 0) {
        shown.push(entry)
        this.afterLeft--
      } else if (this.spec.before > 0) {
        this.ring.push(entry)
        if (this.ring.length > this.spec.before) this.ring.shift()
      }
    }
    return shown
  }
}
