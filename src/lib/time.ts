import {UsageError} from './errors/index.js'

const UNIT_MS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000}
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h|d|w))+$/
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g

/** `90s`, `10m`, `2h30m`, `7d`, `500ms` → milliseconds. */
export function parseDuration(text: string, where: string): number {
  const trimmed = text.trim()
  if (!DURATION.test(trimmed)) {
    throw new UsageError(`invalid duration ${JSON.stringify(text)} for ${where}`, [
      'use a number with a unit: 500ms, 90s, 10m, 2h30m, 7d',
    ])
  }
  let ms = 0
  for (const [, n, unit] of trimmed.matchAll(PART)) ms += Number(n) * UNIT_MS[unit]
  return ms
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const LOCAL_DATE_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/

/**
 * A point in time: a duration back from `now` (`10m`), RFC 3339 (`2026-11-23T10:00:00Z`),
 * a date (`2026-11-23`, local midnight) or a local date and time (`2026-11-23 10:00`).
 */
export function parseTime(text: string, where: string, now = Date.now()): number {
  const trimmed = text.trim()
  if (DURATION.test(trimmed)) return now - parseDuration(trimmed, where)
  let ms = Number.NaN
  if (DATE_ONLY.test(trimmed)) ms = new Date(`${trimmed}T00:00:00`).getTime()
  else {
    const local = LOCAL_DATE_TIME.exec(trimmed)
    ms = local ? new Date(`${local[1]}T${local[2]}`).getTime() : Date.parse(trimmed)
  }
  if (Number.isNaN(ms)) {
    throw new UsageError(`invalid time ${JSON.stringify(text)} for ${where}`, [
      'use a duration back from now (10m, 2h30m, 7d), a date (2026-11-23), a local time (2026-11-23 10:00) or RFC 3339 (2026-11-23T10:00:00Z)',
    ])
  }
  return ms
}

export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s}s`
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`
  if (s < 86_400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`
  return `${Math.floor(s / 86_400)}d${Math.floor((s % 86_400) / 3600) ? `${Math.floor((s % 86_400) / 3600)}h` : ''}`
}
