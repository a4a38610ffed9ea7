import {describe, expect, it} from 'vitest'
import {detectLevel, detectLevelInBytes, ReadChunk, readLine} from '../../src/lib/entry.js'
import {levelFromHead, NOT_READ, wordLevel} from '../../src/lib/level-head.js'
import {levelAfterTimestamp, levelWordsAfterTimestamp} from '../../src/lib/level.js'
import {logLine} from '../../bench/lib/input.js'
import {labelledCorpus} from '../helpers/level-corpus.js'
import {seededRandom} from '../helpers/seeded-random.js'

/** Every line as it lies in a read: back to back with the next one, so reading past a line's end would show. */
function inRead(lines: string[]): {memory: Buffer; spans: [number, number][]} {
  const memory = Buffer.from(lines.join('\n') + '\n')
  const spans: [number, number][] = []
  for (let at = 0; at < memory.length;) {
    const newline = memory.indexOf(10, at)
    spans.push([at, newline])
    at = newline + 1
  }
  return {memory, spans}
}

/** Lines where levelFromHead answers something other than detectLevel (NOT_READ is never wrong: detectLevel runs then). */
function disagreements(lines: string[]): string[] {
  const {memory, spans} = inRead(lines)
  const wrong: string[] = []
  spans.forEach(([start, end], i) => {
    const text = memory.toString('utf8', start, end)
    for (const got of [levelFromHead(memory, start, end)]) {
      if (got !== NOT_READ && got !== detectLevel(text)) wrong.push(`${JSON.stringify(lines[i])}: ${got} vs ${detectLevel(text)}`)
    }
  })
  return wrong
}

const pick = <T>(next: () => number, items: T[]): T => items[Math.floor(next() * items.length)]

describe('levelFromHead: the level of the commonest layouts from the first bytes', () => {
  it('reads the bench input and gives detectLevel’s answer on every line', () => {
    const lines = Array.from({length: 20_000}, (_, i) => logLine(i))
    expect(disagreements(lines)).toEqual([])
    const {memory, spans} = inRead(lines)
    const unread = spans.filter(([start, end]) => levelFromHead(memory, start, end) === NOT_READ)
    expect(unread).toEqual([]) // both of its layouts are read from the bytes
  })

  it('agrees with detectLevel on every line of the labelled corpus', () => {
    expect(disagreements(labelledCorpus().flatMap((set) => set.lines))).toEqual([])
  })

  it('agrees with detectLevel on 30 000 timestamp lines built from the layout’s edge cases', () => {
    const next = seededRandom(16)
    const lines = Array.from({length: 30_000}, () =>
      [
        pick(next, ['2026-11-23', '2026/11/23', '2026.11.23', '2026-1-23', '26-11-23', '2026-11-2x', '081109']),
        pick(next, ['T', ' ', '_', '']),
        pick(next, ['10:00:00', '10:00:0', '10:00', '203615']),
        pick(next, ['', '', '.123', ',5', ':7', '.', ',', '.x', '.123456789']),
        pick(next, ['', '', 'Z', '+01:00', '-0130', '+01:0', '+1', '-', ' UTC', ' PST', ' CRIT', 'Z+01:00', ']', ' AKST']),
        pick(next, ['', ',', ', ', ' ', ' ', '  ', '\t', ' - ', ' [123] ', ' 42 ', '\u000b', ']  ', ' \u00a0']),
        pick(next, [
          'INFO',
          'info',
          'Info',
          'DEBUG1',
          'DEBUG6',
          'WARNING',
          'Informational',
          'information',
          'worker',
          'CRIT',
          'crit',
          'ERR',
          'ERROR',
          'error',
          'errors',
          'VeRbOsE',
          'FATAL',
          'NOTE',
          'notice',
          'x',
          'AKST',
          '\u001b[31mERROR',
          'Severe',
          'verbose',
          'warn',
        ]),
        pick(next, ['', '', ' ', ':', '|', ']', '-', '.', '\r', '\u001b[0m', 'x', '1', '5', '9', 'é', '\t']),
        pick(next, ['', ' rest of the line', ' [error] more', ' level=warn', ' ERROR: x', ` ${'y'.repeat(600)}`]),
      ].join(''),
    )
    expect(disagreements(lines)).toEqual([])
  })

  it('agrees with detectLevel whatever byte stands in each place of the timestamp and of the JSON opening', () => {
    // The digits are read two and four at a time: a byte just outside 0-9 (`/`, `:`, `*`, 0xff) must not pass for one.
    const lines: string[] = []
    for (const good of ['2026-11-23T10:00:00.123Z info worker started', '{"level":30,"msg":"x"}']) {
      for (let at = 0; at < 20; at++) {
        for (let code = 0; code < 256; code++) if (code !== 10) lines.push(good.slice(0, at) + String.fromCharCode(code) + good.slice(at + 1))
      }
    }
    const {memory, spans} = inRead(lines)
    expect(spans.filter(([start, end]) => levelFromHead(memory, start, end) !== NOT_READ).length).toBeGreaterThan(40) // the good lines and their harmless variants are read
    expect(disagreements(lines)).toEqual([])
  })

  it('reads every numeric level of 1 to 3 digits as detectLevel does', () => {
    const lines = Array.from({length: 1000}, (_, n) => `{"level":${n},"msg":"x"}`)
    const {memory, spans} = inRead(lines)
    expect(spans.filter(([start, end]) => levelFromHead(memory, start, end) === NOT_READ)).toEqual([])
    expect(disagreements(lines)).toEqual([])
  })

  it('agrees with detectLevel on JSON lines that open with their level key, and their near misses', () => {
    const lines: string[] = []
    for (const value of [
      '30',
      '5',
      '1234',
      '30x',
      '30_',
      '"warn"',
      '"WARNING"',
      '"in\\fo"',
      '""',
      `"${'x'.repeat(25)}"`,
      `"${'info'.padEnd(24)}"`,
      '"é"',
      ' 40',
      '999',
      '60',
      '"Info"',
      '"notice ',
    ])
      for (const tail of [',"msg":"x"', ',"severity":"error"', '', ',"level":"error"', ',"msg":"é"'])
        for (const close of ['}', '}  \r', '} x', '', ' }', '}\t'])
          for (const open of ['{"level":', '{"level" :', ' {"level":', '{"Level":']) lines.push(`${open}${value}${tail}${close}`)
    expect(disagreements(lines)).toEqual([])
  })

  it('reads a level word from its bytes as levelAfterTimestamp does from its text, in every case', () => {
    const next = seededRandom(5)
    const letters = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'
    const words = [...levelWordsAfterTimestamp().keys()].flatMap((word) => [
      word,
      word.toUpperCase(),
      [...word].map((c) => (next() < 0.5 ? c.toUpperCase() : c)).join(''),
      word.slice(1),
      `${word}x`,
    ])
    for (let i = 0; i < 2000; i++)
      words.push(Array.from({length: 3 + Math.floor(next() * 10)}, () => letters[Math.floor(next() * letters.length)]).join('') + (next() < 0.2 ? '3' : ''))
    const got = words.map((word) => [word, wordLevel(Buffer.from(word), 0, word.length)])
    expect(got).toEqual(words.map((word) => [word, levelAfterTimestamp(word)]))
  })

  it('is what push and detectLevelInBytes use: same answers with it', () => {
    const lines = ['2026-11-23T10:00:00.123Z INFO x', '{"level":50,"msg":"boom"}', '2026-11-23 10:00:00,123  WARN x', 'plain ERROR line']
    const {memory, spans} = inRead(lines)
    spans.forEach(([start, end], i) => {
      expect(readLine(new ReadChunk(memory, 0, undefined), start, end, true).level).toBe(detectLevel(lines[i]))
      expect(detectLevelInBytes(memory.subarray(start, end))).toBe(detectLevel(lines[i]))
    })
  })
})
