/**
 * Query parameters of the read endpoints → a ReadRange and an entry filter, with 400
 * errors that name the parameter. Times are ms since the epoch or anything `--since`
 * accepts (`10m`, RFC 3339, …), relative to the relay's clock.
 */
import {UsageError} from '../errors/index.js'
import {buildFilter, levelHint, requiredPattern, type EntryFilter, type FilterSpec} from '../query/filter.js'
import type {ReadRange} from '../store/types.js'
import {parseTime} from '../time.js'
import {badRequest} from './http-error.js'

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

/** Library usage errors (a bad pattern, level, glob) as 400s naming the parameter rather than the flag. */
export function asBadRequest<T>(fn: () => T): T {
  try {
    return fn()
  } catch (error) {
    if (error instanceof UsageError) throw badRequest(error.message.replaceAll('--', ''))
    throw error
  }
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
