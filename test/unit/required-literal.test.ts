import {describe, expect, it} from 'vitest'
import {compilePattern} from '../../src/lib/pattern.js'
import {requiredLiteral} from '../../src/lib/required-literal.js'

const literal = (source: string, flags = '') => requiredLiteral(compilePattern(source, 'test', flags === 'i'))?.toString('utf8')

describe('requiredLiteral: what every match must contain', () => {
  const cases: [string, string | undefined][] = [
    ['item 12345[0-9]', 'item 12345'],
    ['^item 1[0-9]*7 odd$', 'item 1'],
    ['connection refused', 'connection refused'],
    ['10\\.0\\.0\\.1:80', '10.0.0.1:80'],
    ['colou?r error', 'r error'], // the u is optional: "colo" and "r error" remain, the longer wins
    ['abcd*ef', 'abc'],
    ['ab+cdef', 'cdef'],
    ['timeout{2}x', 'timeou'],
    ['[0-9]{3} failures', ' failures'],
    ['(?:GET|POST) /api/users', ' /api/users'],
    ['(?P<user>\\w+)=alice', '=alice'],
    ['\\x41BCD', 'BCD'],
    ['café au lait', 'café au lait'],
    ['a{foo}', '{foo}'], // not a quantifier: literal braces (the a before them is dropped, to be safe)
    ['[a\\]b]cde', 'cde'],
  ]
  for (const [source, want] of cases) it(`/${source}/ → ${JSON.stringify(want)}`, () => expect(literal(source)).toBe(want))

  it('has none when any alternative at the top level could match without it', () => {
    expect(literal('error|warning')).toBeUndefined()
    expect(literal('(error|warning) found')).toBe(' found')
  })

  it('has none for flags that change what a character matches, or when too short', () => {
    expect(literal('needle', 'i')).toBeUndefined()
    expect(literal('(?i)needle')).toBeUndefined()
    expect(literal('x(?i)needle')).toBeUndefined()
    expect(literal('ab')).toBeUndefined()
    expect(literal('\\d+ e')).toBeUndefined()
    expect(literal('.*')).toBeUndefined()
  })

  it('has none for RE2 syntax it does not model (quoting, \\p classes, \\x{…}, POSIX classes)', () => {
    expect(literal('\\Qabc\\E*def')).toBeUndefined()
    expect(literal('\\pLabcd')).toBeUndefined()
    expect(literal('\\p{Greek}abcd')).toBeUndefined()
    expect(literal('\\x{41}BCD')).toBeUndefined()
    expect(literal('[[:digit:]]]xyz')).toBeUndefined()
  })

  it('has none that could split a surrogate pair or stand for invalid bytes', () => {
    expect(literal('😀+ok')).toBeUndefined()
    expect(literal('\uFFFDabc')).toBeUndefined()
  })
})
