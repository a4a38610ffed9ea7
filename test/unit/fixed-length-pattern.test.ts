/**
 * Patterns V8's RegExp matches in RE2's place (src/lib/fixed-length-pattern.ts): each must
 * match exactly the texts RE2 matches; anything outside that form is left to RE2.
 */
import {RE2JS} from 're2js'
import {describe, expect, it} from 'vitest'
import {fixedLengthRegExp} from '../../src/lib/fixed-length-pattern.js'
import {compilePattern} from '../../src/lib/pattern.js'

const TEXTS = [
  '',
  'a',
  'b',
  'ab',
  'abbbc',
  'item 12345',
  'xx item 123456 yy',
  'ITEM 12345',
  'ERROR: disk full',
  'a fatal panic: x',
  '[2026-12-04 10:00] started',
  '[202-12] short',
  'line\r',
  'a\rb',
  'a\u2028b',
  'a\nb',
  'emoji 🙂 here',
  'naïve café',
  'a.b a-b a/b',
  'x]y -',
  'tab\tz',
  'nul\u0000byte',
]

describe('fixedLengthRegExp', () => {
  it.each([
    'item 12345[0-9]',
    'item.12345',
    '^item',
    '12345$',
    'a|b',
    'ERROR|FATAL|panic:',
    '^\\[[0-9]{4}-',
    'a.b',
    '[^a-z]',
    '[^ -~]',
    '[\\]\\-]',
    'a\\.b',
    'a\\/b',
    '^$',
    'a|',
    '|a',
    '.{2}',
    'é[^é]',
    '^a$|^b$',
    'ab{3}c',
    '[.]',
    'a-b',
    '\r$',
    '.\rb',
    'x{0}y',
  ])('matches %j exactly where RE2 does', (source) => {
    const native = fixedLengthRegExp(source)
    expect(native).toBeInstanceOf(RegExp)
    const re2 = RE2JS.compile(source)
    for (const text of [...TEXTS, source]) expect([text, native!.test(text)]).toEqual([text, re2.test(text)])
    expect(compilePattern(source, '--grep').test('a.b')).toBe(re2.test('a.b'))
  })

  it.each([
    'a*',
    'a+',
    'a?',
    'a{1,3}',
    'a{2,}',
    'a{2}?',
    'a{2}{3}',
    '(a)',
    '(?:a|b)c',
    '\\d',
    '\\s',
    '\\b',
    '\\-',
    '[[:alpha:]]',
    '[]a]',
    '[^]a]',
    '[\\d]',
    'a{',
    'a}',
    ']',
    'a$b',
    'a^b',
    '[z-a]',
    '🙂',
    '[',
    'a\\',
  ])('leaves %j to RE2', (source) => {
    expect(fixedLengthRegExp(source)).toBeUndefined()
  })
})
