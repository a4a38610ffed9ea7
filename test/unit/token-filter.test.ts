import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {MODULES, assemble, moduleSource} from '../../scripts/wasm-modules.mjs'
import {encodeRecords} from '../../src/lib/archive/record-chunk.js'
import {fmix32, GramFilterBuilder, mayContain} from '../../src/lib/archive/token-filter.js'
import {wasmGramBuilder} from '../../src/lib/archive/wasm-gram-builder.js'
import {ROOT} from '../helpers/cli.js'
import {seededRandom} from '../helpers/seeded-random.js'

/** Blocks of record lines of the fixture logs (CI logs, stack traces, loghub samples), every size from tiny to 512 KiB. */
function fixtureBlocks(): Buffer[] {
  const lines: string[] = []
  for (const dir of readdirSync(join(ROOT, 'test/fixtures'))) {
    for (const name of readdirSync(join(ROOT, 'test/fixtures', dir)).filter((file) => file.endsWith('.log'))) {
      lines.push(...readFileSync(join(ROOT, 'test/fixtures', dir, name), 'latin1').split('\n'))
    }
  }
  const entries = lines.map((line, i) => ({seq: i + 1, ts: 5, line, eol: true}))
  const blocks: Buffer[] = []
  for (let first = 0, size = 1; first < entries.length; first += size, size *= 2) blocks.push(encodeRecords(entries.slice(first, first + size)).data)
  return blocks
}

describe('4-gram token filter', () => {
  const builder = new GramFilterBuilder()
  const block = Buffer.from(Array.from({length: 2000}, (_, i) => `{"seq":${i + 1},"line":"GET /api/items/${(i * 7919) % 10007} 200 in ${i % 97} ms"}\n`).join(''))
  const filter = builder.build(block)

  it('never rules out a literal a line of the block holds', () => {
    const lines = block
      .toString()
      .split('\n')
      .filter(Boolean)
      .map((record) => Buffer.from((JSON.parse(record) as {line: string}).line))
    for (const [n, line] of lines.entries()) for (let at = n % 5; at + 6 <= line.length; at += 5) expect(mayContain(filter, line.subarray(at, at + 6))).toBe(true)
  })

  it("holds only the records' line values (what a pattern is looked for in), not the fields around them", () => {
    expect(mayContain(filter, Buffer.from('{"seq":'))).toBe(false)
    expect(mayContain(filter, Buffer.from('"line":"GET'))).toBe(false)
    expect(mayContain(filter, Buffer.from('GET /api/items/'))).toBe(true)
  })

  it('takes a line value with escaped quotes and backslashes, and records with fields before the line', () => {
    const record = `{"seq":1,"ts":5,"level":null,"stream":"stdout","partial":true,"record":"start","line":${JSON.stringify('say "quoted\\path"')}}\n`
    const one = new GramFilterBuilder().build(Buffer.from(record))
    expect(mayContain(one, Buffer.from(JSON.stringify('"quoted\\').slice(1, -1)))).toBe(true)
    expect(mayContain(one, Buffer.from('stdout'))).toBe(false)
  })

  it('rules out most literals the block does not hold, and is small', () => {
    const absent = ['OutOfMemoryError', 'connection refused', 'Traceback (most', 'panic: runtime', 'SIGSEGV', 'deadlock detected']
    expect(absent.filter((text) => mayContain(filter, Buffer.from(text)))).toEqual([])
    expect(filter.length).toBeLessThanOrEqual(block.length / 8)
  })

  it('gives the same filter for the same block after other blocks (its memory is reset)', () => {
    builder.build(Buffer.from('{"line":"something else entirely, with other 4-grams"}\n'))
    expect(builder.build(block).equals(filter)).toBe(true)
  })

  it('gives the same filter from the line values the writer knows (encodeRecords values) as from its own search', () => {
    const entries = Array.from({length: 3000}, (_, i) => ({seq: i + 1, ts: 5, line: i % 9 ? `GET /api/"items"/${i} \\ ${'x'.repeat(i % 4)}` : '', eol: i % 7 !== 0}))
    const chunk = encodeRecords(entries)
    const values = new Uint32Array(2 * entries.length)
    chunk.values.forEach((start, i) => values.set([start, chunk.ends[i] - 3], 2 * i))
    expect(new GramFilterBuilder().build(chunk.data, values).equals(new GramFilterBuilder().build(chunk.data))).toBe(true)
  })

  it('builds in WebAssembly, from the module assembled from token-filter.wat', async () => {
    const committed = readFileSync(join(ROOT, MODULES.tokenFilter.ts), 'utf8')
    expect(committed).toBe(moduleSource(MODULES.tokenFilter, await assemble(MODULES.tokenFilter)))
    expect(wasmGramBuilder()).not.toBeNull()
  })

  it('gives in WebAssembly the bytes of the JavaScript filter, block after block: fixture logs, every byte value, empty and short values', () => {
    const wasm = new GramFilterBuilder()
    const js = new GramFilterBuilder(false)
    const next = seededRandom(3)
    const random = Array.from({length: 40}, (_, n) =>
      Buffer.from(
        Array.from(
          {length: Math.floor(next() * 3000)},
          (_, i) => `{"seq":${i},"line":"${Buffer.from(Array.from({length: Math.floor(next() * (n % 3 ? 8 : 300))}, () => Math.floor(next() * 256))).toString('latin1')}"}\n`,
        ).join(''),
        'latin1',
      ),
    )
    const blocks = [...fixtureBlocks(), ...random, block, Buffer.alloc(0), Buffer.from('\n'), Buffer.from('{"line":"ab"}\n{"line":"abc"}\n')]
    for (const [n, data] of blocks.entries()) {
      const filter = wasm.build(data)
      expect(filter.equals(js.build(data)), `block ${n} of ${data.length} bytes`).toBe(true)
      expect(filter.length === 0 || filter.length >= 8).toBe(true)
    }
  })

  it('leaves to the JavaScript loops a block too big for the module (it never gives memory back), with the same filter', () => {
    const big = Buffer.from(`{"seq":1,"line":"${'GET /api/items/7 200 in 3 ms '.repeat(500_000)}"}\n`)
    const values = Uint32Array.of(17, big.length - 3)
    expect(wasmGramBuilder()!.build(big, values, () => 1 << 20)).toBeUndefined()
    expect(new GramFilterBuilder().build(big).equals(new GramFilterBuilder(false).build(big))).toBe(true)
    expect(
      wasmGramBuilder()!.build(
        big.subarray(0, 1_000_000),
        values.map((at) => Math.min(at, 999_997)),
        () => 1 << 20,
      ),
    ).toBeDefined()
  })

  it('says "maybe" for literals too short to test', () => {
    expect(mayContain(filter, Buffer.from('zzz'))).toBe(true)
  })

  it('rules out a literal every trigram of which the block has: a number its item numbers hold no 4-gram of', () => {
    const items = Buffer.from(Array.from({length: 3000}, (_, i) => `{"seq":${i + 1},"line":"processed item ${1_000_000 + i * 7} in ${i % 97}ms"}\n`).join(''))
    const itemFilter = new GramFilterBuilder().build(items)
    const literal = Buffer.from('item 12345')
    const trigrams = (text: string): string[] => Array.from({length: text.length - 2}, (_, i) => text.slice(i, i + 3))
    expect(trigrams('item 12345').every((trigram) => items.includes(trigram))).toBe(true)
    expect(mayContain(itemFilter, literal)).toBe(false)
    expect(mayContain(itemFilter, Buffer.from('item 1012345'))).toBe(true)
    // 4 bits for each distinct 4-gram, a power of two: under 1/32 of this block of many numbers.
    expect(itemFilter.length).toBeLessThanOrEqual(items.length / 32)
  })

  it('is stored empty where it would rule out nothing (a block of random bytes), and then says "maybe"', () => {
    const next = seededRandom(9)
    const noise = Buffer.from(`{"seq":1,"line":"${Array.from({length: 200_000}, () => String.fromCharCode(97 + Math.floor(next() * 26))).join('')}"}\n`)
    const empty = new GramFilterBuilder().build(noise)
    expect(empty.length).toBe(0)
    expect(mayContain(empty, Buffer.from('anything'))).toBe(true)
  })

  it('answers for the trigram filters of objects written before, by their kind', () => {
    // A trigram filter of 1024 bits by the README's definition of kind line-trigram-bloom-2.
    const trigramFilter = Buffer.alloc(128)
    const text = Buffer.from('connection refused by upstream')
    for (let i = 2; i < text.length; i++) {
      const t = (text[i - 2] << 16) | (text[i - 1] << 8) | text[i]
      const h1 = Math.imul(t, 0x9e3779b1) >>> 0
      const h2 = (Math.imul(t ^ (t >>> 11), 0x85ebca6b) | 1) >>> 0
      for (const bit of [h1 & 1023, (h1 + h2) & 1023]) trigramFilter[bit >>> 3] |= 1 << (bit & 7)
    }
    for (const kind of ['line-trigram-bloom-2', 'trigram-bloom-2']) {
      expect(mayContain(trigramFilter, Buffer.from('refused'), kind)).toBe(true)
      expect(mayContain(trigramFilter, Buffer.from('ref'), kind)).toBe(true)
      expect(mayContain(trigramFilter, Buffer.from('timeout'), kind)).toBe(false)
    }
  })

  it("hashes with MurmurHash3's fmix32 (the README's definition)", () => {
    expect([0, 1, 0xdeadbeef].map(fmix32)).toEqual([0, 0x514e28b7, 0x0de5c6a9])
  })
})
