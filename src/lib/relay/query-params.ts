/**
 * Query parameters of the read endpoints → a ReadRange, an entry filter, the jobs of a
 * query and a label selector, with 400 errors that name the parameter as the client sent
 * it — the CLI's parsers are told these names, so no message speaks of a flag or an
 * argument. Times are ms since the epoch or anything `--since` accepts (`10m`, RFC 3339,
 * …), relative to the relay's clock.
 */
import {UsageError} from '../errors/index.js'
import {parseQueryTargets, type TailTargets} from '../job-targets.js'
import {parseSelector, type LabelSelector} from '../label-selector.js'
import {buildFilter, levelHint, requiredPattern, type EntryFilter, type FilterSources, type FilterSpec} from '../query/filter.js'
import type {ReadRange} from '../store/types.js'
import {parseTime} from '../time.js'
import {badRequest} from './http-error.js'

/** The filter's parameters, as its messages name them. */
const FILTER_PARAMS: FilterSources = {level: 'level', grep: 'grep', exclude: 'exclude', stream: 'stream'}
/** A label selector's parameter, and its short form: each repeatable, all their requirements must hold. */
const SELECTOR_PARAMS = ['labelSelector', 'l'] as const
/** Characters of the `jobs` parameter(s) together: far more than any sensible list, far less than a flood. */
const MAX_JOBS_PARAM = 8 * 1024

export interface ReadQuery {
  range: ReadRange
  filter: EntryFilter | undefined
}

export function integerParam(params: URLSearchParams, name: string, {min = 0, max = Number.MAX_SAFE_INTEGER} = {}): number | undefined {
  const text = params.get(name)
  if (text === null || text === '') return undefined
  if (!/^\d+$/.test(text)) throw badRequest(`invalid ${name} ${JSON.stringify(text)}: expected a whole number`)
  const value = Number(text)
  if (value < min || value > max) throw badRequest(`invalid ${name} ${text}: expected ${min} to ${max}`) // as sent: a value past 2^53 is not the number it parses to
  return value
}

function timeParam(params: URLSearchParams, name: string, now: number): number | undefined {
  const text = params.get(name)
  if (text === null || text === '') return undefined
  if (/^\d+$/.test(text)) return Number(text) // ms since the epoch, as the remote client sends
  try {
    return parseTime(text, name, now)
  } catch (error) {
    if (error instanceof UsageError) throw badRequest(error.message)
    throw error
  }
}

/** A yes/no parameter: 1 or 0, `fallback` when absent; `meaning` says what 1 does, for the 400. */
export function flagParam(params: URLSearchParams, name: string, meaning: string, fallback = false): boolean {
  const text = params.get(name)
  if (text === null) return fallback
  if (text !== '0' && text !== '1') throw badRequest(`invalid ${name} ${JSON.stringify(text)}: expected 1 (${meaning}) or 0`)
  return text === '1'
}

/** The filter parameters (level, grep, exclude, i, stream) as `get`'s flags would give them. */
export function filterSpec(params: URLSearchParams): FilterSpec {
  return {
    level: params.get('level') || undefined,
    grep: params.getAll('grep'),
    exclude: params.getAll('exclude'),
    ignoreCase: flagParam(params, 'i', 'ignore case in grep and exclude'),
    stream: params.get('stream') || undefined,
    sources: FILTER_PARAMS,
  }
}

/**
 * What the store may use to skip entries the filter would drop (ReadRange.match, .levels):
 * the first grep's pattern (not with `tail`, which a store reads from the end) and the levels.
 */
export function storeHints(params: URLSearchParams, tail: number | undefined): Pick<ReadRange, 'match' | 'levels'> {
  const spec = filterSpec(params)
  return asBadRequest(() => ({match: tail === undefined ? requiredPattern(spec) : undefined, levels: levelHint(spec)}))
}

/** Library usage errors (a bad pattern, level, glob), told the parameter's name, as 400s. */
export function asBadRequest<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof UsageError) throw badRequest(error.message)
    throw error
  }
}

/** `labelSelector=` and `l=` together; undefined when neither is given (an empty one is not given). */
export function selectorParam(params: URLSearchParams): LabelSelector | undefined {
  const requirements = SELECTOR_PARAMS.flatMap((name) => asBadRequest(() => parseSelector(params.getAll(name).filter(Boolean), `${name}=`)) ?? [])
  return requirements.length > 0 ? requirements : undefined
}

/** `jobs=`: ids and globs, comma-separated or the parameter repeated (an empty one is not given); at most `maxJobs` ids. */
function jobsParam(params: URLSearchParams, maxJobs: number): string[] {
  const lists = params.getAll('jobs').filter(Boolean)
  if (lists.reduce((n, list) => n + list.length, 0) > MAX_JOBS_PARAM) throw badRequest(`jobs= is longer than ${MAX_JOBS_PARAM} characters: use globs or a label selector (l=)`)
  const names: string[] = []
  for (const list of lists) {
    const items = list.split(',')
    if (items.includes('')) {
      const quoted = JSON.stringify(list.length > 80 ? `${list.slice(0, 80)}…` : list)
      throw badRequest(`invalid jobs= ${quoted}: an empty item; separate ids and globs with single commas`)
    }
    names.push(...items)
  }
  if (names.length > maxJobs) throw badRequest(`jobs= names ${names.length} jobs, more than the ${maxJobs} one query may read`)
  return names
}

/** The jobs GET /v1/logs reads, as `logs get` picks them; `given` names the parameters that selected them, for messages. */
export function targetsParams(params: URLSearchParams, maxJobs: number): {targets: TailTargets; given: string[]} {
  const names = jobsParam(params, maxJobs)
  const selector = selectorParam(params)
  const given = ['jobs', ...SELECTOR_PARAMS].filter((name) => params.getAll(name).some(Boolean)).map((name) => `${name}=`)
  if (given.length === 0) throw badRequest('give jobs= (ids and globs, comma-separated) or l= (a label selector)')
  return {targets: asBadRequest(() => parseQueryTargets(names, selector, {where: 'jobs='})), given}
}

export function filterParams(params: URLSearchParams): EntryFilter | undefined {
  return asBadRequest(() => buildFilter(filterSpec(params)))
}

export function readQuery(params: URLSearchParams, now = Date.now()): ReadQuery {
  const range: ReadRange = {}
  const after = integerParam(params, 'after')
  const before = integerParam(params, 'before')
  const tail = integerParam(params, 'tail')
  const since = timeParam(params, 'since', now)
  const until = timeParam(params, 'until', now)
  if (after !== undefined) range.after = after
  if (before !== undefined) range.before = before
  if (tail !== undefined) range.tail = tail
  if (since !== undefined) range.since = since
  if (until !== undefined) range.until = until
  return {range, filter: filterParams(params)}
}
