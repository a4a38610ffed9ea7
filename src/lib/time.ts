/**
 * The one parser of durations and times for every flag, URL option and query parameter
 * (`--since`, `--until`, `--older-than`, `--idle`, `--flush-interval`, `--drain-timeout`,
 * `ttl=`, …). Strict: anything that is not one of the documented forms is a UsageError
 * naming where it came from and the forms accepted — never a guess (`5` is not the year 2001).
 */
import {UsageError} from './errors/index.js'

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g

export const DURATION_FORMS = 'a number with a unit (ms, s, m, h, d, w), combined if you like: 500ms, 90s, 10m, 2h30m, 7d'
export const TIME_FORMS =
  'a duration back from now (90s, 10m, 2h30m, 7d), a date (2026-11-23, local midnight), a local date and time (2026-11-23 10:00, 2026-11-23 10:00:30) or RFC 3339 (2026-11-23T10:00:00Z, 2026-11-23T10:00:00+01:00)'

/** `90s`, `10m`, `2h30m`, `7d`, `500ms` → milliseconds. */
export function parseDuration(text: string, where: string): number {
  const trimmed = text.trim()
  if (!DURATION.test(trimmed)) throw new UsageError(`invalid duration ${JSON.stringify(text)} for ${where}: expected ${DURATION_FORMS}`, unitHint(trimmed))
  let ms = 0
  for (const [, n, unit] of trimmed.matchAll(PART)) ms += Number(n) * UNIT_MS[unit]
  return ms
}

// YYYY-MM-DD, optionally followed by [T ]HH:MM[:SS[.fff]] and, with a time, a zone (Z or ±HH:MM).
const ABSOLUTE = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/

/**
 * A point in time: a duration back from `now` (`10m`), RFC 3339 (`2026-11-23T10:00:00Z`),
 * a date (`2026-11-23`, local midnight) or a local date and time (`2026-11-23 10:00`).
 */
export function parseTime(text: string, where: string, now = Date.now()): number {
  const trimmed = text.trim()
  if (DURATION.test(trimmed)) return now - parseDuration(trimmed, where)
  const ms = absoluteTime(trimmed)
  if (ms === undefined) throw new UsageError(`invalid time ${JSON.stringify(text)} for ${where}: expected ${TIME_FORMS}`, unitHint(trimmed))
  return ms
}

function absoluteTime(text: string): number | undefined {
  const match = ABSOLUTE.exec(text)
  if (!match) return undefined
  const [year, month, day, hour = 0, minute = 0, second = 0] = match.slice(1, 7).map((part) => (part === undefined ? undefined : Number(part))) as number[]
  const millis = match[7] ? Math.floor(Number(`0${match[7]}`) * 1000) : 0
  const zone = match[8]
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return undefined
  if (zone === undefined) {
    const local = new Date(2000, month - 1, day, hour, minute, second, millis)
    local.setFullYear(year, month - 1, day)
    return local.getTime()
  }
  let offset = 0
  if (zone !== 'Z' && zone !== 'z') {
    const [, sign, zoneHours, zoneMinutes] = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!
    if (Number(zoneHours) > 23 || Number(zoneMinutes) > 59) return undefined
    offset = (sign === '-' ? -1 : 1) * (Number(zoneHours) * 60 + Number(zoneMinutes)) * 60_000
  }
  const utc = new Date(0)
  utc.setUTCFullYear(year, month - 1, day)
  utc.setUTCHours(hour, minute, second, millis)
  return utc.getTime() - offset
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28
}

/** The longest delay Node's timers take (about 24.8 days): a longer one fires at once, with a warning. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** A user's duration as a timer's delay: one longer than a timer can wait waits as long as it can, as good as forever for a command. */
export function timerDelay(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS)
}

/** A bare number is the commonest slip: say which unit it lacks. */
function unitHint(text: string): string[] {
  return /^\d+(?:\.\d+)?$/.test(text) ? [`a number needs a unit: ${text}s, ${text}m, ${text}h or ${text}d`] : []
}

export function formatDuration(ms: number): string {
  // Under a second: milliseconds, so that a sub-second --drain-timeout is not said to be "0s".
  if (ms > 0 && ms < 999.5) return `${Math.round(ms)}ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600) ? `${Math.floor((s % 86_400) / 3600)}h` : ''}`
}
