import {describe, expect, it} from 'vitest'
import {mayContain, TrigramFilterBuilder} from '../../src/lib/archive/token-filter.js'

describe('trigram token filter', () => {
  const builder = new TrigramFilterBuilder()
  const block = Buffer.from(Array.from({length: 2000}, (_, i) => `{"seq":${i + 1},"line":"GET /api/items/${(i * 7919) % 10007} 200 in ${i % 97} ms"}\n`).join(''))
  const filter = builder.build(block)

  it('never rules out a literal the block holds', () => {
    for (let at = 0; at + 12 <= block.length; at += 37) {
      const literal = block.subarray(at, at + 12)
      expect(mayContain(filter, literal)).toBe(true)
    }
  })

  it('rules out most literals the block does not hold, and is small', () => {
    const absent = ['OutOfMemoryError', 'connection refused', 'Traceback (most', 'panic: runtime', 'SIGSEGV', 'deadlock detected']
    expect(absent.filter((text) => mayContain(filter, Buffer.from(text)))).toEqual([])
    expect(filter.length).toBeLessThanOrEqual(block.length / 8)
  })

  it('gives the same filter for the same block after other blocks (its memory is reset)', () => {
    builder.build(Buffer.from('something else entirely, with other trigrams'))
    expect(builder.build(block).equals(filter)).toBe(true)
  })

  it('says "maybe" for literals too short to test', () => {
    expect(mayContain(filter, Buffer.from('zz'))).toBe(true)
  })
})
