import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {LiteralFinder, type Hits} from '../../src/lib/literal-find.js'
import {LITERAL_FIND_WASM} from '../../src/lib/literal-find-wasm.js'
import {MODULES, assemble, moduleSource} from '../../scripts/wasm-modules.mjs'
import {ROOT} from '../helpers/cli.js'
import {seededRandom} from '../helpers/seeded-random.js'

/** Every start of the literal from `from` on, as a caller asks for them: each next one after the last. */
function allHits(hits: Hits, from = 0, step = 1): number[] {
  const found: number[] = []
  for (let hit = hits.next(from); hit !== -1; hit = hits.next(hit + step)) found.push(hit)
  return found
}

function everyStart(data: Buffer, literal: Buffer, from = 0, step = 1): number[] {
  const found: number[] = []
  for (let at = data.indexOf(literal, from); at !== -1; at = data.indexOf(literal, at + step)) found.push(at)
  return found
}

/** Log-like bytes (multi-byte UTF-8, invalid bytes, CRLF) with the literal, and near misses of it, planted at random. */
function planted(next: () => number, literal: Buffer, bytes: number): Buffer {
  const filler = Buffer.concat([Buffer.from('2026-11-23T10:00:00Z INFO worker processed item 42 in 7ms {"level":30} déjà vu\r\n'), Buffer.from([0xff, 0xc3, 0x0a])])
  const parts: Buffer[] = []
  for (let length = 0; length < bytes;) {
    const roll = next()
    const miss = Buffer.from(literal)
    miss[Math.floor(next() * literal.length)] ^= 1
    const part = roll < 0.1 ? literal : roll < 0.2 ? miss : roll < 0.25 ? literal.subarray(0, literal.length - 1) : filler.subarray(Math.floor(next() * filler.length))
    parts.push(part)
    length += part.length
  }
  return Buffer.concat(parts).subarray(0, bytes)
}

describe('LiteralFinder: where one literal starts, 16 bytes a step', () => {
  it('runs from the module assembled from literal-find.wat', async () => {
    const committed = readFileSync(join(ROOT, MODULES.literalFind.ts), 'utf8')
    expect(committed).toBe(moduleSource(MODULES.literalFind, await assemble(MODULES.literalFind)))
    expect(Buffer.from(LITERAL_FIND_WASM, 'base64').subarray(0, 4).toString('latin1')).toBe('\0asm')
  })

  const literals = ['item 12345', 'ERROR', 'abc', 'déjà vu', '\xff\xc3\n', 'x'.repeat(40)]
  for (const text of literals) {
    it(`finds every start of ${JSON.stringify(text)} in its buffers, and nothing else, whatever the length and the start`, () => {
      const literal = Buffer.from(text, text.startsWith('\xff') ? 'latin1' : 'utf8')
      const next = seededRandom(literal.length)
      const finder = new LiteralFinder(literal, 5000)
      for (let round = 0; round < 40; round++) {
        const length = Math.floor(next() * 5001)
        const buffer = finder.buffers[round % 2]
        planted(next, literal, length).copy(buffer)
        const data = buffer.subarray(0, length)
        const from = Math.floor(next() * 40)
        expect(allHits(finder.hitsIn(data), from), `round ${round}`).toEqual(everyStart(data, literal, from))
        // As the file store asks: after a hit, from somewhere past it.
        expect(allHits(finder.hitsIn(data), from, 17), `round ${round}, skipping`).toEqual(everyStart(data, literal, from, 17))
      }
    })
  }

  it('lists more hits than one call of the module holds (overlapping ones included)', () => {
    const literal = Buffer.from('aaa')
    const finder = new LiteralFinder(literal, 20_000)
    const data = finder.buffers[0].fill('a'.charCodeAt(0)).subarray(0, 12_345)
    expect(allHits(finder.hitsIn(data))).toEqual(everyStart(data, literal))
    expect(allHits(finder.hitsIn(data), 3, 5)).toEqual(everyStart(data, literal, 3, 5))
  })

  it('finds nothing in bytes shorter than the literal, and searches a buffer that is not its own', () => {
    const finder = new LiteralFinder(Buffer.from('needle'), 100)
    expect(finder.hitsIn(finder.buffers[0].subarray(0, 5)).next(0)).toBe(-1)
    expect(finder.hitsIn(finder.buffers[1].subarray(0, 0)).next(0)).toBe(-1)
    const foreign = Buffer.from('a needle and a needle')
    expect(allHits(finder.hitsIn(foreign))).toEqual([2, 15])
  })
})
