import {describe, expect, it} from 'vitest'
import {blockPrefilter, candidateLines} from '../../src/lib/store/line-prefilter.js'

/** What a per-line search finds: the reference the block search must never miss. */
function perLine(text: string, pattern: RegExp): number[] {
  return text.split('\n').flatMap((line, i) => (pattern.test(line) ? [i] : []))
}

describe('block prefilter for --grep', () => {
  const text = ['alpha one', 'beta two', 'gamma three', '', 'alpha beta', 'ÉTÉ unicode', 'foo', 'bar baz'].join('\n')

  const patterns = ['alpha', '^beta', 'two$', '^$', 'a.b', 'É.É', '\\w+\\s\\w+', 'foo\\s+bar', '[^x]+', 'o\\b', 'z$']
  for (const source of patterns) {
    it(`finds every line a per-line search finds: /${source}/`, () => {
      const exact = perLine(text, new RegExp(source))
      const candidates = candidateLines(text, blockPrefilter(new RegExp(source))!)
      expect(candidates.filter((line) => new RegExp(source).test(text.split('\n')[line]))).toEqual(exact)
      expect(new Set(candidates).size).toBe(candidates.length)
    })
  }

  it('a match across a newline does not hide the next line', () => {
    // "foo\nbar" is one block match; the real per-line match "bar baz" must still be found.
    expect(candidateLines('foo\nbar baz', blockPrefilter(/\w+\s\w+/)!)).toEqual([0, 1])
  })

  it('gives up on lookarounds, whose meaning at a line edge differs in a block', () => {
    expect(blockPrefilter(/(?<!x)a/)).toBeUndefined()
    expect(blockPrefilter(/a(?![\s\S])/)).toBeUndefined()
    expect(blockPrefilter(/a(?=b)/)).toBeUndefined()
  })
})
