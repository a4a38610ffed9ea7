import {describe, expect, it} from 'vitest'
import {compilePattern} from '../../src/lib/pattern.js'
import {caselessLiteral, requiredLiteral} from '../../src/lib/required-literal.js'

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

describe('caselessLiteral: what every match of a pattern that ignores case must contain, in some ASCII case', () => {
  const caseless = (source: string, ignoreCase = true) => caselessLiteral(compilePattern(source, 'test', ignoreCase))?.toString('latin1')

  it('is the longest required run that is ASCII', () => {
    expect(caseless('NEEDLE')).toBe('NEEDLE')
    expect(caseless('item 12345[0-9]')).toBe('item 12345')
    expect(caseless('(?:GET|POST) /api/Users')).toBe(' /api/U')
    expect(caseless('café au lait')).toBe(' au lait')
  })

  it('leaves out runs with k or s, which RE2 folds with U+212A and U+017F', () => {
    expect(caseless('task')).toBeUndefined()
    expect(caseless('SKIP')).toBeUndefined()
    expect(caseless('ask the oracle')).toBe(' the oracle')
    // What RE2 itself does, which the byte search could not see.
    expect(compilePattern('task', 'test', true).test('ta\u017F\u212A')).toBe(true)
  })

  it('has none for a pattern that keeps case, an alternative at the top level, or when too short', () => {
    expect(caseless('NEEDLE', false)).toBeUndefined()
    expect(caseless('error|warning')).toBeUndefined()
    expect(caseless('(?i)needle')).toBeUndefined()
    expect(caseless('ab')).toBeUndefined()
  })
})
