import {describe, expect, it} from 'vitest'
import {CaselessFinder} from '../../src/lib/caseless-find.js'
import {seededRandom} from '../helpers/seeded-random.js'

const lower = (byte: number) => (byte >= 65 && byte <= 90 ? byte | 0x20 : byte)

/** Every start of the literal in any ASCII case, byte by byte. */
function everyStart(data: Buffer, literal: Buffer, from: number): number[] {
  const found: number[] = []
  for (let at = from; at + literal.length <= data.length; at++) {
    let i = 0
    while (i < literal.length && lower(data[at + i]) === lower(literal[i])) i++
    if (i === literal.length) found.push(at)
  }
  return found
}

/** Bytes with the literal planted in random cases, near segment boundaries (64 KiB) too, among UTF-8 and invalid bytes. */
function planted(literal: string, bytes: number): Buffer {
  const next = seededRandom(11)
  const data = Buffer.alloc(bytes)
  const filler = Buffer.from('Item 4 déjà ſ \u212A vu\r\n\u00ff')
  for (let at = 0; at < bytes; at += filler.length) filler.copy(data, at)
  data[100] = 0xff
  const plant = (at: number) => {
    const cased = [...literal].map((c) => (next() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join('')
    Buffer.from(cased, 'latin1').copy(data, at)
  }
  for (const boundary of [65_536, 131_072]) for (let at = boundary - literal.length - 1; at <= boundary + 1; at++) if (next() < 0.5) plant(at)
  for (let i = 0; i < 200; i++) plant(Math.floor(next() * (bytes - literal.length)))
  return data
}

describe('CaselessFinder: an ASCII literal in any ASCII case', () => {
  it('finds every start, as a caller asks for them, across segments and only in ASCII bytes', () => {
    for (const literal of ['item 4', 'A-B(C)', 'Vu\r\n']) {
      const bytes = Buffer.from(literal, 'latin1')
      const data = planted(literal, 200_000)
      const hits = new CaselessFinder(bytes, data.length).hitsIn(data)
      const found: number[] = []
      for (let hit = hits.next(0); hit !== -1; hit = hits.next(hit + 1)) found.push(hit)
      expect(found).toEqual(everyStart(data, bytes, 0))
      expect(found.length).toBeGreaterThan(100)
      // Asked from anywhere, the next start after it.
      const again = new CaselessFinder(bytes, data.length).hitsIn(data)
      for (const from of [0, 65_530, 65_536, 131_071, 199_990, 200_000]) expect(again.next(from)).toBe(everyStart(data, bytes, from)[0] ?? -1)
    }
  })

  it('takes no byte beyond ASCII for a letter (a Latin-1 view of UTF-8: Ã, Å, â)', () => {
    const data = Buffer.from('é ſ \u212A \u00e9T\u00c9T eT', 'utf8')
    const hits = new CaselessFinder(Buffer.from('et'), data.length).hitsIn(data)
    expect([hits.next(0), hits.next(hits.next(0) + 1)]).toEqual([data.lastIndexOf('eT'), -1])
  })
})
