/**
 * Patterns (src/lib/pattern.ts): plain text is matched as a substring without RE2, and
 * must match exactly where RE2 matches; anything with a special character, or -i, is RE2's.
 */
import {RE2JS} from 're2js'
import {describe, expect, it} from 'vitest'
import {compilePattern} from '../../src/lib/pattern.js'

const TEXTS = ['', 'item 12345', 'xx item 123456 yy', 'ITEM 12345', 'a\tb', 'naïve café', 'line\r', 'emoji 🙂 here', 'a-b_c:d/e#f', 'nul\u0000byte', 'a\nb']

describe('compilePattern', () => {
  it.each(['item 12345', 'café', 'a-b_c:d/e#f', '\tb', 'nul\u0000', '', ' ', 'a\nb', '=', '🙂', '<tag attr="v">'])('matches plain text %j where RE2 does', (source) => {
    const pattern = compilePattern(source, '--grep')
    const re2 = RE2JS.compile(source)
    for (const text of [...TEXTS, source, `x${source}x`]) expect(pattern.test(text)).toBe(re2.test(text))
  })

  it.each([
    ['item 1234[0-9]', 'item 12345', true],
    ['item.12345', 'itemX12345', true],
    ['a+', 'caat', true],
    ['^item', 'an item', false],
    ['12345$', 'item 12345', true],
    ['a|b', 'b', true],
  ])('matches %j with RE2’s meaning', (source, text, matches) => {
    expect(compilePattern(source, '--grep').test(text)).toBe(matches)
  })

  it('ignores case through RE2 (its folding, not a lower-case copy)', () => {
    expect(compilePattern('item', '--grep', true).test('ITEM 1')).toBe(true)
    // RE2 folds k with the Kelvin sign.
    expect(compilePattern('k', '--grep', true).test('\u212A')).toBe(RE2JS.compile('k', RE2JS.CASE_INSENSITIVE).test('\u212A'))
  })

  it('still bounds a plain pattern’s length', () => {
    expect(() => compilePattern('x'.repeat(513), '--grep')).toThrow(/longer than 512/)
  })
})
