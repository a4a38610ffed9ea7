import {describe, expect, it} from 'vitest'
import {LineDecoder, linesOf, textLines} from '../../src/lib/text-lines.js'

/** What splitting the whole text gives, empty lines left out. */
const expected = (bytes: Buffer) =>
  bytes
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size)
}

describe('text lines', () => {
  // Lines of several lengths (a few longer than the 64 KiB decoded at once), characters of
  // 1 to 4 bytes that fall across the pieces' edges, empty lines, and no newline at the end.
  const lines = Array.from({length: 3000}, (_, i) => (i % 7 === 0 ? '' : `${i} é€😀 `.repeat(i % 500 === 1 ? 20_000 : 1 + (i % 40))))
  const bytes = Buffer.from(lines.join('\n'), 'utf8')

  it('cuts whole bytes into the lines their text has, however the pieces fall', () => {
    expect(bytes.length).toBeGreaterThan(4 * 64 * 1024)
    expect(linesOf(bytes)).toEqual(expected(bytes))
    expect(linesOf(Buffer.from('a\n\nb\n'))).toEqual(['a', 'b'])
    expect(linesOf(Buffer.alloc(0))).toEqual([])
  })

  it('joins a line and a character split across chunks', async () => {
    const few = bytes.subarray(0, 5000)
    for (const [input, size] of [
      [few, 1],
      [few, 3],
      [bytes, 1000],
      [bytes, 65_537],
      [bytes, 200_000],
    ] as const) {
      const got: string[] = []
      for await (const batch of textLines(chunksOf(input, size))) got.push(...batch)
      expect(got).toEqual(expected(input))
    }
  })

  it('gives the last line once the bytes end without a newline', () => {
    const decoder = new LineDecoder()
    expect(decoder.write(Buffer.from('one\ntw'))).toEqual(['one'])
    expect(decoder.write(Buffer.from([0x6f, 0x20, 0xe2, 0x82]))).toEqual([])
    expect(decoder.write(Buffer.from([0xac, 0x0a, 0x74]))).toEqual(['two €'])
    expect(decoder.end()).toBe('t')
    expect(decoder.end()).toBeUndefined()
  })
})
