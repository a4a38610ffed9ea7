/**
 * Entry filters shared by `get`, `tail` and the relay: level (`warn` = warn and above,
 * `=warn` exactly), `--grep` (all must match) and `--exclude` (none may match), both
 * case-insensitive with `-i` (patterns: ../pattern.ts, RE2 syntax), and `--stream` (stdout or stderr, as `logs run` recorded it).
 */
import {UsageError} from '../errors/index.js'
import {LEVELS, levelRank, normalizeLevel, type Level} from '../level.js'
import type {LogEntry, Stream} from '../entry.js'
import {checkPatternCount, compilePattern, type Pattern} from '../pattern.js'
import {LineMatcher} from '../line-match.js'

export interface FilterSpec {
  level?: string
  grep?: string[]
  exclude?: string[]
  /** -i: --grep and --exclude ignore case. */
  ignoreCase?: boolean
  stream?: string
  /** What messages call each part: `get`'s flags unless given (the relay names its query parameters). */
  sources?: FilterSources
}

export interface FilterSources {
  level: string
  grep: string
  exclude: string
  stream: string
}

const FILTER_FLAGS: FilterSources = {level: '--level', grep: '--grep', exclude: '--exclude', stream: '--stream'}
const sourcesOf = (spec: FilterSpec): FilterSources => spec.sources ?? FILTER_FLAGS

export const STREAMS: readonly Stream[] = ['stdout', 'stderr']

export interface LevelFilter {
  level: Level
  exact: boolean
}

export type EntryFilter = (entry: LogEntry) => boolean

export function parseLevelFilter(text: string, where = '--level'): LevelFilter {
  const exact = text.startsWith('=')
  const name = exact ? text.slice(1) : text
  const level = normalizeLevel(name)
  if (!level || name.length === 1) {
    throw new UsageError(`invalid level ${JSON.stringify(text)} for ${where}`, [`use one of ${LEVELS.join(', ')}, or =LEVEL for exactly that level`])
  }
  return {level, exact}
}

export function levelMatches(filter: LevelFilter, level: Level | undefined): boolean {
  if (!level) return false
  return filter.exact ? level === filter.level : levelRank(level) >= levelRank(filter.level)
}

/** Builds one predicate; undefined when nothing filters (callers skip the call entirely). */
export function buildFilter(spec: FilterSpec): EntryFilter | undefined {
  const parsed = parseFilter(spec)
  if (!parsed) return undefined
  const {level, stream, grep, exclude} = parsed
  return (entry) => {
    if (level && !levelMatches(level, entry.level)) return false
    if (stream && entry.stream !== stream) return false
    for (const re of grep) if (!re.test(entry.line)) return false
    for (const re of exclude) if (re.test(entry.line)) return false
    return true
  }
}

/** The filter as a test of a stored line (../line-match.ts), for a store that picks lines on their bytes; undefined when nothing filters. */
export function lineMatcher(spec: FilterSpec): LineMatcher | undefined {
  const parsed = parseFilter(spec)
  if (!parsed) return undefined
  const {level, stream, grep, exclude} = parsed
  return new LineMatcher({grep, exclude, levels: level && levelsTaken(level), stream})
}

/** The spec's parts, checked and compiled; undefined when nothing filters. */
function parseFilter(spec: FilterSpec): {level?: LevelFilter; stream?: Stream; grep: Pattern[]; exclude: Pattern[]} | undefined {
  const where = sourcesOf(spec)
  const level = spec.level !== undefined ? parseLevelFilter(spec.level, where.level) : undefined
  checkPatternCount((spec.grep ?? []).length + (spec.exclude ?? []).length, `${where.grep} and ${where.exclude}`)
  const grep = (spec.grep ?? []).map((p) => compilePattern(p, where.grep, spec.ignoreCase))
  const exclude = (spec.exclude ?? []).map((p) => compilePattern(p, where.exclude, spec.ignoreCase))
  const stream = spec.stream === undefined ? undefined : parseStream(spec.stream, where.stream)
  if (!level && !stream && grep.length === 0 && exclude.length === 0) return undefined
  return {level, stream, grep, exclude}
}

function levelsTaken(filter: LevelFilter): Level[] {
  return LEVELS.filter((level) => levelMatches(filter, level))
}

/** The levels a --level filter lets through: a hint for stores that can skip the rest (ReadRange.levels). */
export function levelHint(spec: FilterSpec): Level[] | undefined {
  return spec.level !== undefined ? levelsTaken(parseLevelFilter(spec.level, sourcesOf(spec).level)) : undefined
}

/** The first --grep: every wanted line matches it, so a store may use it to skip lines early. */
export function requiredPattern(spec: FilterSpec): Pattern | undefined {
  return spec.grep?.[0] === undefined ? undefined : compilePattern(spec.grep[0], sourcesOf(spec).grep, spec.ignoreCase)
}

export function parseStream(text: string, where = '--stream'): Stream {
  if (!STREAMS.includes(text as Stream)) throw new UsageError(`invalid ${where} ${JSON.stringify(text)}`, [`use ${STREAMS.join(' or ')}`])
  return text as Stream
}
