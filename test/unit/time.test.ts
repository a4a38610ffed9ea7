import {describe, expect, it} from 'vitest'
import {formatDuration, parseDuration, parseTime} from '../../src/lib/time.js'

describe('durations and times', () => {
  it('parses durations like kubectl and docker', () => {
    expect(parseDuration('90s', 'x')).toBe(90_000)
    expect(parseDuration('10m', 'x')).toBe(600_000)
    expect(parseDuration('2h30m', 'x')).toBe(9_000_000)
    expect(parseDuration('7d', 'x')).toBe(604_800_000)
    expect(parseDuration('500ms', 'x')).toBe(500)
    expect(parseDuration('1.5h', 'x')).toBe(5_400_000)
    for (const bad of ['', '10', 'm', '10x', '-5m', '1h 30m']) expect(() => parseDuration(bad, '--since')).toThrow(/invalid duration .* for --since/)
  })

  it('parses relative, RFC 3339, dates and local times', () => {
    const now = Date.parse('2026-11-23T12:00:00Z')
    expect(parseTime('10m', 'x', now)).toBe(now - 600_000)
    expect(parseTime('2026-11-23T10:00:00Z', 'x', now)).toBe(Date.parse('2026-11-23T10:00:00Z'))
    expect(parseTime('2026-11-23T10:00:00+02:00', 'x', now)).toBe(Date.parse('2026-11-23T08:00:00Z'))
    expect(parseTime('2026-11-23', 'x', now)).toBe(new Date(2026, 10, 23).getTime())
    expect(parseTime('2026-11-23 10:00', 'x', now)).toBe(new Date(2026, 10, 23, 10, 0).getTime())
    expect(parseTime('2026-11-23 10:00:30', 'x', now)).toBe(new Date(2026, 10, 23, 10, 0, 30).getTime())
    expect(parseTime('2026-11-23T10:00Z', 'x', now)).toBe(Date.parse('2026-11-23T10:00:00Z'))
    expect(parseTime('2026-11-23T10:00:00.250-05:00', 'x', now)).toBe(Date.parse('2026-11-23T15:00:00.250Z'))
    expect(parseTime('2028-02-29', 'x', now)).toBe(new Date(2028, 1, 29).getTime())
    expect(() => parseTime('yesterday', '--until', now)).toThrow(/invalid time "yesterday" for --until/)
  })

  it('refuses what is not one of the documented forms, naming the forms', () => {
    const now = Date.parse('2026-11-23T12:00:00Z')
    // A bare number, a wrong unit, a sign, an exponent, impossible dates and times, prose Date.parse would take.
    for (const bad of [
      '5',
      '5x',
      '-3m',
      '1e3',
      '2026-02-30',
      '2027-02-29',
      '2026-13-01',
      '2026-11-31',
      '2026-11-23 24:00',
      '2026-11-23 10:60',
      '2026-11-23T10:00:61Z',
      '2026-11-23T10:00:00+25:00',
      'Nov 23 2026',
      '2026/11/23',
      '23-11-2026',
      '2026-11-23T',
      '',
    ]) {
      expect(() => parseTime(bad, '--since', now), bad).toThrow(
        /invalid time .* for --since: expected a duration back from now \(90s, 10m, 2h30m, 7d\), a date \(2026-11-23.*RFC 3339/,
      )
    }
    expect(() => parseDuration('5', '--idle')).toThrow(/invalid duration "5" for --idle: expected a number with a unit .*2h30m/)
  })

  it('formats durations for people', () => {
    expect([0, 50, 499.6, 999.4, 999.5, 5_000, 65_000, 3_600_000, 5_400_000, 90_000_000].map(formatDuration)).toEqual([
      '0s',
      '50ms',
      '500ms',
      '999ms',
      '1s',
      '5s',
      '1m5s',
      '1h',
      '1h30m',
      '1d1h',
    ])
  })
})
