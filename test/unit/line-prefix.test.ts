/**
 * linePrefixLength (line-prefix.ts): the timestamp kubectl, docker and CI systems'
 * downloads write before each line (Jenkins's in brackets), GitLab's stream token after it,
 * and gh run view --log's job and step columns before it; nothing else. linePrefixTime: the time it gives.
 */
import {describe, expect, it} from 'vitest'
import {readdirSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import {linePrefixLength, linePrefixLengthInBytes, linePrefixTime} from '../../src/lib/line-prefix.js'

const FIXTURES = join(import.meta.dirname, '..', 'fixtures')

const rest = (line: string) => line.slice(linePrefixLength(line))

describe('linePrefixLength', () => {
  it('reads the prefixes of GitHub Actions and Azure downloads, kubectl --timestamps, docker logs -t, and GitLab (with its stream token)', () => {
    expect(rest('2026-06-21T05:34:54.5550749Z ##[group]Run actions/checkout@v4')).toBe('##[group]Run actions/checkout@v4')
    expect(rest('2026-12-06T09:00:00.123456789Z {"level":"info"}')).toBe('{"level":"info"}')
    expect(rest('2026-12-06T09:00:00Z started')).toBe('started')
    expect(rest('2026-09-26T10:42:49.140140Z 00O section_start:1790419369:prepare_executor')).toBe('section_start:1790419369:prepare_executor')
    expect(rest('2026-09-26T10:42:56.000000Z 01E npm error code 1')).toBe('npm error code 1')
    expect(rest('2026-09-26T10:42:49.140145Z 0aO+Preparing')).toBe('Preparing')
  })

  it("reads Jenkins Pipeline's, in brackets (Timestamper)", () => {
    expect(rest('[2026-12-06T09:00:00.123Z] [Pipeline] { (Build)')).toBe('[Pipeline] { (Build)')
    expect(rest('[2026-12-06T09:00:01.004Z] ERROR: script returned exit code 2')).toBe('ERROR: script returned exit code 2')
    expect(rest('[2026-12-06T09:00:01Z] + make')).toBe('+ make')
  })

  it("reads gh run view --log's job and step columns with the timestamp after them", () => {
    expect(rest('build\tRun tests\t2026-06-21T05:35:05.1000000Z ##[error]Process completed with exit code 1.')).toBe('##[error]Process completed with exit code 1.')
    expect(rest('test (ubuntu-24.04, 22)\tUNKNOWN STEP\t2026-06-21T05:35:05Z   at f (a.js:1:2)')).toBe('  at f (a.js:1:2)')
    expect(rest(`${'j'.repeat(200)}\t${'s'.repeat(54)}\t2026-06-21T05:35:05Z x`)).toBe('x') // the second tab at 255
    for (const line of [
      'build\tRun tests\tnot a time', // no timestamp
      'build\t2026-06-21T05:35:05Z x', // one column
      'a\tb\tc\t2026-06-21T05:35:05Z x', // three
      'build\tRun tests\t2026-06-21T05:35:05Z 00O x', // GitLab's stream is no part of it: the line's own text
      'build\tRun tests\t[2026-06-21T05:35:05Z] x', // nor Jenkins' brackets
      `${'j'.repeat(200)}\t${'s'.repeat(55)}\t2026-06-21T05:35:05Z x`, // columns past 256 characters
      '2026-12-06T09:00:00.123Z\tinfo\tx', // zap's tabs
    ]) {
      expect(rest(line), line).toBe(line.includes('00O') ? '00O x' : line)
    }
  })

  it('reads none where the line is not so prefixed', () => {
    for (const line of [
      '2026-12-06 09:00:00.123Z INFO x', // no T
      '2026-12-06T09:00:00.123+01:00 INFO x', // not UTC
      '2026-12-06T09:00:00.123Z\tinfo\tx', // zap's tab
      '2026-12-06T09:00:00.1234567890Z x', // 10 digits of fraction
      '2026-12-06T09:00:00.123ZINFO', // no blank
      '[2026-12-06T09:00:00.123Z]x', // no blank
      '[2026-12-06T09:00:00.123Z x', // no bracket
      '2026-12-06T09:00:00.123Z] x', // no opening bracket
      '[2026-12-06T09:00:00.123Z]', // cut before the blank
      '[09:00:00] x', // Timestamper's display format, not in the log
      '081109 203615 148 INFO x',
      '',
    ]) {
      expect(linePrefixLength(line), line).toBe(0)
    }
    // A stream token that is not GitLab's is the line's own text.
    expect(rest('2026-12-06T09:00:00Z 00X rest')).toBe('00X rest')
    expect(rest('2026-12-06T09:00:00Z 123 items')).toBe('123 items')
  })

  it('reads bytes as it reads text: every line of the CI and level fixtures, and near misses of each part', () => {
    const lines = ['ci', 'levels', 'loghub'].flatMap((dir) =>
      readdirSync(join(FIXTURES, dir))
        .filter((name) => name.endsWith('.log'))
        .flatMap((name) => readFileSync(join(FIXTURES, dir, name), 'latin1').split('\n')),
    )
    for (const base of ['2026-06-21T05:34:54.5550749Z 01E+x', '[2026-06-21T05:34:54.555Z] x', 'job\tstep\t2026-06-21T05:34:54.5Z x']) {
      for (let i = 0; i < base.length; i++)
        for (const c of ['0', '9', 'a', 'T', 'Z', ' ', '.', '-', ':', '+', 'O', 'E', 'f', 'g', '[', ']', '\t']) lines.push(base.slice(0, i) + c + base.slice(i + 1))
      for (let cut = 0; cut <= base.length; cut++) lines.push(base.slice(0, cut))
    }
    for (const step of [54, 55, 56]) lines.push(`${'j'.repeat(200)}\t${'s'.repeat(step)}\t2026-06-21T05:35:05Z x`)
    expect(lines.filter((line) => linePrefixLength(line) > 0).length).toBeGreaterThan(40)
    for (const line of lines) {
      // Bytes inside a larger read, a prefix-like line after them: the answer is the line's own.
      const memory = Buffer.from(`xx${line}\n2026-06-21T05:34:54Z 00O y`, 'latin1')
      expect(linePrefixLengthInBytes(memory, 2, 2 + Buffer.byteLength(line, 'latin1')), JSON.stringify(line)).toBe(linePrefixLength(line))
    }
  })
})

describe('linePrefixTime', () => {
  it("gives the prefix's time in whole milliseconds, in each form; NaN for none or for no date", () => {
    const time = (line: string) => linePrefixTime(line.slice(0, linePrefixLength(line)))
    const at = Date.parse('2026-06-21T05:34:54.555Z')
    expect(time('2026-06-21T05:34:54.5550749Z ##[group]x')).toBe(at)
    expect(time('2026-06-21T05:34:54.555999999Z 00O section_start:1:x')).toBe(at)
    expect(time('[2026-06-21T05:34:54.555Z] [Pipeline] { (Build)')).toBe(at)
    expect(time('build\tRun tests\t2026-06-21T05:34:54.5550749Z ##[group]x')).toBe(at)
    expect(time('nightly 2020-01-01T00:00:00Z\tRun tests\t2026-06-21T05:34:54.5550749Z ##[group]x')).toBe(at)
    expect(time('2026-06-21T05:34:54Z x')).toBe(Date.parse('2026-06-21T05:34:54Z'))
    expect(time('##[group]x')).toBeNaN()
    expect(time('2026-13-45T05:34:54Z x')).toBeNaN()
  })
})
