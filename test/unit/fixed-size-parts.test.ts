import {describe, expect, it} from 'vitest'
import {fixedSizeParts} from '../../src/lib/store/object/fixed-size-parts.js'
import {seededRandom} from '../helpers/seeded-random.js'

/** A body of `total` bytes (each byte its offset mod 251) in pieces of random sizes up to `maxPiece`. */
function pieces(total: number, maxPiece: number, seed: number): Buffer[] {
  const random = seededRandom(seed)
  const out: Buffer[] = []
  for (let at = 0; at < total;) {
    const n = Math.min(total - at, 1 + Math.floor(random() * maxPiece))
    out.push(Buffer.from(Array.from({length: n}, (_, i) => (at + i) % 251)))
    at += n
  }
  return out
}

async function* from(chunks: Array<Buffer | string>): AsyncIterable<Buffer | string> {
  yield* chunks
}

describe('fixedSizeParts', () => {
  it('cuts any body into parts of exactly the size, the last shorter, whatever the pieces (smaller, larger, aligned)', async () => {
    for (const [total, size, maxPiece] of [
      [0, 10, 5],
      [7, 10, 3],
      [10, 10, 10],
      [95, 10, 3],
      [100, 10, 25],
      [1000, 64, 200],
      [1000, 64, 64],
    ]) {
      const body = pieces(total, maxPiece, total + size)
      const whole = Buffer.concat(body)
      for (const held of [1, 2]) {
        const got: Buffer[] = []
        // Copied as they come: a part's memory is used again once the consumer is `held` parts past it.
        for await (const part of fixedSizeParts(from(body), size, held)) got.push(Buffer.from(part))
        expect(got.map((p) => p.length)).toEqual(Array.from({length: Math.ceil(total / size)}, (_, i) => Math.min(size, total - i * size)))
        expect(Buffer.concat(got).equals(whole), `total ${total}, size ${size}, held ${held}`).toBe(true)
      }
    }
  })

  it('takes strings as their UTF-8 bytes', async () => {
    const got: Buffer[] = []
    for await (const part of fixedSizeParts(from(['héllo', Buffer.from(' wörld')]), 4)) got.push(Buffer.from(part))
    expect(Buffer.concat(got).toString()).toBe('héllo wörld')
    expect(got.map((p) => p.length)).toEqual([4, 4, 4, 1])
  })

  it('keeps the last `held` parts intact while the consumer holds them, and uses `held` buffers for a body of any length', async () => {
    for (const held of [1, 2, 3]) {
      const body = pieces(5000, 300, held)
      const whole = Buffer.concat(body)
      const holding: Array<{part: Buffer; copy: Buffer}> = []
      const memory = new Set<ArrayBufferLike>()
      let n = 0
      for await (const part of fixedSizeParts(from(body), 256, held)) {
        holding.push({part, copy: Buffer.from(part)})
        if (holding.length > held) holding.shift()
        for (const h of holding) expect(h.part.equals(h.copy)).toBe(true)
        expect(part.equals(whole.subarray(n * 256, n * 256 + 256))).toBe(true)
        memory.add(part.buffer)
        n++
      }
      expect(n).toBe(Math.ceil(5000 / 256))
      expect(memory.size).toBe(held)
    }
  })

  it('a body smaller than a part is one buffer of its own size, not a part-sized one', async () => {
    const got: Buffer[] = []
    for await (const part of fixedSizeParts(from([Buffer.from('abc'), Buffer.from('de')]), 16 * 1024 * 1024)) got.push(part)
    expect(got).toHaveLength(1)
    expect(got[0].toString()).toBe('abcde')
    // Its own size, or a slice of Node's buffer pool (64 KiB on Node 24): far from the part's 16 MiB.
    expect(got[0].buffer.byteLength).toBeLessThan(1024 * 1024)
  })
})
