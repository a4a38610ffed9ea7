import {describe, expect, it} from 'vitest'
import {LineCutter, cutPieces} from '../../src/lib/ingest/line-cutter.js'
import {LineSplitter} from '../../src/lib/ingest/line-splitter.js'
import {Masker, type LineMasker} from '../../src/lib/mask/masker.js'
import type {NewEntry} from '../../src/lib/entry.js'
import {IngestParser} from '../../src/lib/relay/ingest-parser.js'

type Line = [string, boolean]

/** Entries' bytes and eol as `push` and the relay would store them, for the input cut at `cuts`. */
function cut(input: string, max: number, chunks: string[]): Line[] {
  const cutter = new LineCutter(max)
  const out: Line[] = []
  for (const chunk of chunks) {
    cutter.push(Buffer.from(chunk, 'latin1'), (bytes, eol) => {
      if (eol) cutPieces(bytes, max, (piece, pieceEol) => out.push([piece.toString('latin1'), pieceEol]))
      else out.push([bytes.toString('latin1'), false])
    })
  }
  const rest = cutter.end()
  if (rest) out.push([rest.toString('latin1'), false])
  return out
}

/** Every way of cutting `input` in two, and byte by byte. */
function chunkings(input: string): string[][] {
  const all = [[input], [...input]]
  for (let at = 1; at < input.length; at++) all.push([input.slice(0, at), input.slice(at)])
  return all
}

const CASES: Array<{name: string; input: string; max: number; lines: Line[]}> = [
  {
    name: 'CR before LF stays in the line',
    input: 'a\r\nb\r\n',
    max: 100,
    lines: [
      ['a\r', true],
      ['b\r', true],
    ],
  },
  {
    name: 'empty lines',
    input: '\n\nx\n',
    max: 100,
    lines: [
      ['', true],
      ['', true],
      ['x', true],
    ],
  },
  {
    name: 'a last line without newline',
    input: 'a\nlast',
    max: 100,
    lines: [
      ['a', true],
      ['last', false],
    ],
  },
  {name: 'NUL and invalid UTF-8 bytes', input: 'a\u0000\u00ff\u00e2\n', max: 100, lines: [['a\u0000\u00ff\u00e2', true]]},
  {
    name: 'a line of exactly the limit is one line',
    input: 'abcd\nef\n',
    max: 4,
    lines: [
      ['abcd', true],
      ['ef', true],
    ],
  },
  {
    name: 'a line over the limit is cut into pieces of the limit',
    input: 'abcdefghij\nk\n',
    max: 4,
    lines: [
      ['abcd', false],
      ['efgh', false],
      ['ij', true],
      ['k', true],
    ],
  },
  {
    name: 'a line of twice the limit ends with a full piece',
    input: 'abcdefgh\n',
    max: 4,
    lines: [
      ['abcd', false],
      ['efgh', true],
    ],
  },
  {
    name: 'an over-long last line without newline',
    input: 'abcdefghij',
    max: 4,
    lines: [
      ['abcd', false],
      ['efgh', false],
      ['ij', false],
    ],
  },
]

describe('LineCutter: the edge cases, whatever the chunking', () => {
  for (const {name, input, max, lines} of CASES) {
    it(name, () => {
      for (const chunks of chunkings(input)) expect(cut(input, max, chunks), JSON.stringify(chunks)).toEqual(lines)
    })
  }

  it('push and the relay store the same entries for the same text, whatever the chunking', () => {
    for (const {input, max} of CASES) {
      for (const chunks of chunkings(input)) {
        const splitter = new LineSplitter(max)
        const pushed = [...chunks.flatMap((c) => splitter.push(Buffer.from(c, 'latin1'), 1)), ...splitter.end(1)]
        const parser = new IngestParser({format: 'text', maxLineBytes: max})
        const posted = [...chunks.flatMap((c) => parser.push(Buffer.from(c, 'latin1'))), ...parser.end()]
        const shape = (entries: typeof pushed) => entries.map((e) => [e.bytes.toString('latin1'), e.eol])
        expect(shape(posted), JSON.stringify(chunks)).toEqual(shape(pushed))
      }
    }
  })

  it('holds at most the limit of a line without newline', () => {
    const cutter = new LineCutter(8)
    const pieces: string[] = []
    for (let i = 0; i < 100; i++) cutter.push(Buffer.from('x'), (bytes) => pieces.push(bytes.toString()))
    expect(pieces).toEqual(Array(12).fill('xxxxxxxx'))
    expect(cutter.end()?.toString()).toBe('xxxx')
  })

  it('a pieceEnd ends the pieces of a line without newline; their bytes join back to the line', () => {
    const cutter = new LineCutter(8, (window) => window.lastIndexOf(' ') + 1 || window.length)
    const pieces: string[] = []
    for (const byte of 'abc def ghijklmnopq rs tu') cutter.push(Buffer.from(byte), (bytes) => pieces.push(bytes.toString()))
    expect(pieces).toEqual(['abc def ', 'ghijklmn', 'opq rs '])
    expect(cutter.end()?.toString()).toBe('tu')
  })
})

/** The entries `push` makes of these writes, masked by `masker`. */
function pushed(chunks: string[], max: number, masker: LineMasker): NewEntry[] {
  const splitter = new LineSplitter(max, undefined, masker)
  return [...chunks.flatMap((c) => splitter.push(Buffer.from(c, 'latin1'), 1)), ...splitter.end(1)]
}

/** The entries the relay's text ingest makes of these writes, masked by `masker`. */
function ingested(chunks: string[], max: number, masker: LineMasker): NewEntry[] {
  const parser = new IngestParser({format: 'text', maxLineBytes: max, masker})
  return [...chunks.flatMap((c) => parser.push(Buffer.from(c, 'latin1'))), ...parser.end()]
}

describe('LineCutter with a masker: a secret split across writes of an over-long line is found', () => {
  const token = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'
  const value = 'my secret value'
  const max = 512
  // Secrets at every offset around the pieces' ends, in text and in the bytes after a last delimiter.
  const input = Array.from({length: 40}, (_, i) => `${'z'.repeat(i * 7)} ${token} x=${value}&${'y'.repeat(i)} Authorization: Bearer short1`).join(' ') + '\n'
  const expected = input.replaceAll(token, '***').replaceAll(value, '***').replaceAll('short1', '***')
  const masker = () => new Masker({values: [value], regexes: [], defaults: true}).forStream()

  /** The input in two writes cut at every offset, and in writes of 97 bytes. */
  function* writes(): Generator<string[]> {
    for (let at = 1; at < input.length; at += 3) yield [input.slice(0, at), input.slice(at)]
    yield input.match(/[^]{1,97}/g)!
  }

  function expectMasked(entries: Array<{bytes: Buffer}>, chunks: string[]): void {
    const label = `cut at ${chunks[0].length}`
    for (const entry of entries) {
      const text = entry.bytes.toString('latin1')
      expect(entry.bytes.length, label).toBeLessThanOrEqual(max)
      for (const secret of [token, value, 'short1']) expect(text, label).not.toContain(secret)
    }
    expect(Buffer.concat(entries.map((e) => e.bytes)).toString('latin1') + '\n', label).toBe(expected)
  }

  it('push: every piece masked, the bytes otherwise as written', () => {
    for (const chunks of writes()) expectMasked(pushed(chunks, max, masker()), chunks)
  })

  it("the relay's text ingest: the same", () => {
    for (const chunks of writes()) expectMasked(ingested(chunks, max, masker()), chunks)
  })
})

describe('a secret longer than pieceEnd looks back for, cut at the end of a piece of an over-long line', () => {
  const max = 512 // pieceEnd looks back 3 × 64 bytes (an eighth of the piece)
  const tokens = [100, 300, 1500].map((length) => `l0ngT0ken${'x1'.repeat(length / 2)}`)
  const input = tokens.map((token, i) => `${'z'.repeat(i * 150)} ACCESS_TOKEN=${token} end`).join(' ') + '\n'
  const expected = tokens.reduce((text, token) => text.replace(token, '***'), input)
  const masker = () => new Masker({values: [], regexes: [], defaults: true}).forStream()

  function* writes(): Generator<string[]> {
    for (let at = 1; at < input.length; at += 7) yield [input.slice(0, at), input.slice(at)]
    yield input.match(/[^]{1,97}/g)!
    yield input.match(/[^]{1,600}/g)!
  }

  /** The rest of a token cut at a piece's end is masked in the next piece: a token is one or more masks in a row. */
  function expectMasked(entries: Array<{bytes: Buffer}>, chunks: string[]): void {
    const label = `writes of ${chunks.map((c) => c.length).join(', ')}`
    const text = Buffer.concat(entries.map((e) => e.bytes)).toString('latin1')
    expect(text, label).not.toMatch(/x1x1|T0ken/)
    expect(`${text.replace(/\*{3,}/g, '***')}\n`, label).toBe(expected)
  }

  it('push: the rest is masked in the next piece', () => {
    for (const chunks of writes()) expectMasked(pushed(chunks, max, masker()), chunks)
  })

  it("the relay's text ingest: the same", () => {
    for (const chunks of writes()) expectMasked(ingested(chunks, max, masker()), chunks)
  })

  it('a piece that continues none, or starts with a delimiter, is masked as any line', () => {
    const line = masker()
    expect(line.mask(Buffer.from('x1x1 plain'), undefined, true)?.bytes.toString()).toBe('*** plain')
    expect(line.mask(Buffer.from(' plain'), undefined, true)).toBeUndefined()
    expect(line.mask(Buffer.from('x1x1 plain'))).toBeUndefined()
    expect(line.mask(Buffer.from('x1x1'), undefined, true)).toEqual({bytes: Buffer.from('***'), masked: 1, openEnd: true})
  })
})

describe('a value given to mask longer than the look-back for detectors, cut by the end of a piece', () => {
  const max = 8192 // detectors are looked for 3 × 1 KiB back (an eighth of the piece); a value to mask, half the piece back
  const value = Array.from({length: 300}, (_, i) => `k${i}-`).join('') // 1 390 bytes, no delimiter
  const long = Array.from({length: 770}, (_, i) => `v${i}`).join('') + ' ' + Array.from({length: 300}, (_, i) => `w${i}`).join('') // 4 061 bytes with a space: half a piece at most
  const input = Array.from({length: 12}, (_, i) => `${'z'.repeat(i * 611)} ${value} ${long} end`).join(' ') + '\n'
  const expected = input.replaceAll(value, '***').replaceAll(long, '***')
  const masker = () => new Masker({values: [value, long], regexes: [], defaults: true}).forStream()

  function* writes(): Generator<string[]> {
    for (let at = 1; at < input.length; at += 509) yield [input.slice(0, at), input.slice(at)]
    yield input.match(/[^]{1,1000}/g)!
  }

  function expectMasked(entries: Array<{bytes: Buffer}>, chunks: string[]): void {
    const label = `writes of ${chunks.map((c) => c.length).join(', ')}`
    for (const entry of entries) expect(entry.bytes.length, label).toBeLessThanOrEqual(max)
    expect(Buffer.concat(entries.map((e) => e.bytes)).toString('latin1') + '\n', label).toBe(expected)
  }

  it('push: each value whole in one piece, masked there', () => {
    for (const chunks of writes()) expectMasked(pushed(chunks, max, masker()), chunks)
  })

  it("the relay's text ingest: the same", () => {
    for (const chunks of writes()) expectMasked(ingested(chunks, max, masker()), chunks)
  })
})
