/**
 * The archive's record lines written straight from the file store's stored entries
 * (src/lib/archive/stored-records.ts) are byte for byte those of the one encoder,
 * recordLine over the decoded entries, for every kind of line and record field.
 */
import {isUtf8} from 'node:buffer'
import {readFileSync, readdirSync} from 'node:fs'
import {join} from 'node:path'
import {describe, expect, it} from 'vitest'
import {MODULES, assemble, moduleSource} from '../../scripts/wasm-modules.mjs'
import {recordLine} from '../../src/lib/archive/format.js'
import {encodeRecords} from '../../src/lib/archive/record-chunk.js'
import {logRecords, storedRecords} from '../../src/lib/archive/stored-records.js'
import {simdRecords} from '../../src/lib/archive/stored-records-simd.js'
import {LEVELS} from '../../src/lib/level.js'
import {RECORD_SIZE} from '../../src/lib/store/file/index-record.js'
import {decodeStored} from '../../src/lib/store/stored-entries.js'
import type {StoredEntries, StoredLogBlock} from '../../src/lib/store/types.js'
import {ROOT} from '../helpers/cli.js'
import {seededRandom} from '../helpers/seeded-random.js'

interface Line {
  bytes: Buffer
  ts?: number
  /** Raw index fields, out-of-range codes included. */
  level?: number
  stream?: number
  flags?: number
}

/** A stored block as the file store writes it: log bytes from `start`, 24-byte index records. */
function stored(lines: Line[], from = 1, start = 1000): StoredLogBlock {
  const index = Buffer.alloc(lines.length * RECORD_SIZE)
  const parts: Buffer[] = []
  let offset = start
  lines.forEach((line, i) => {
    const at = i * RECORD_SIZE
    const flags = line.flags ?? 1
    index.writeDoubleLE(offset, at)
    index.writeDoubleLE(line.ts ?? 1_796_126_031_747 + Math.floor(i / 3), at + 8)
    index.writeUInt32LE(line.bytes.length, at + 16)
    index[at + 20] = line.level ?? 0
    index[at + 21] = line.stream ?? 0
    index[at + 22] = flags
    parts.push(line.bytes, flags & 1 ? Buffer.from('\n') : Buffer.alloc(0))
    offset += line.bytes.length + (flags & 1)
  })
  return {kind: 'file', from, count: lines.length, index, data: Buffer.concat(parts), start}
}

function expectSameAsRecordLine(block: StoredEntries): void {
  const chunk = storedRecords(block)
  const entries = decodeStored(block)
  expect(chunk.data.toString('latin1')).toBe(Buffer.from(entries.map((entry) => recordLine(entry)).join('')).toString('latin1'))
  const reference = encodeRecords(entries)
  expect([...chunk.ends]).toEqual([...reference.ends])
  expect([...chunk.values]).toEqual([...reference.values])
  expect([...chunk.seqs]).toEqual([...reference.seqs])
  expect([...chunk.ts]).toEqual([...reference.ts])
  expect([...chunk.levels]).toEqual([...reference.levels])
  expect(chunk.rawBytes).toBe(reference.rawBytes)
}

/** The WebAssembly writer takes the block and writes what the JavaScript one does, which writes what recordLine does. */
function expectSimdSameAsRecordLine(block: StoredLogBlock): void {
  const simd = simdRecords(block)
  expect(simd).toBeDefined()
  const js = logRecords(block)
  expect(simd!.data.toString('latin1')).toBe(js.data.toString('latin1'))
  for (const field of ['ends', 'values', 'seqs', 'ts', 'levels'] as const) expect([...simd![field]], field).toEqual([...js[field]])
  expect(simd!.rawBytes).toBe(js.rawBytes)
  expectSameAsRecordLine(block)
}

/** Every line of the log files under test/fixtures (CI logs, stack traces, loghub samples). */
function fixtureLines(): Buffer[] {
  const lines: Buffer[] = []
  for (const dir of readdirSync(join(ROOT, 'test/fixtures'))) {
    for (const name of readdirSync(join(ROOT, 'test/fixtures', dir)).filter((file) => file.endsWith('.log'))) {
      const text = readFileSync(join(ROOT, 'test/fixtures', dir, name))
      for (let at = 0; at < text.length;) {
        const end = text.indexOf(0x0a, at) === -1 ? text.length : text.indexOf(0x0a, at)
        lines.push(text.subarray(at, end))
        at = end + 1
      }
    }
  }
  return lines
}

describe('storedRecords', () => {
  it('writes recordLine of each entry for every byte value in a line, plain and JSON lines', () => {
    const lines: Line[] = Array.from({length: 256}, (_, byte) => ({bytes: Buffer.from([0x61, byte, 0x62])})).filter((line) => line.bytes[1] !== 0x0a)
    lines.push({bytes: Buffer.from('2026-11-23T10:00:00Z INFO worker-0 processed item 0 in 0ms')}, {bytes: Buffer.from('{"level":30,"msg":"a \\"quoted\\" path C:\\\\x"}')})
    expectSameAsRecordLine(stored(lines.filter((line) => line.bytes.every((b) => b < 0x80))))
    expectSameAsRecordLine(stored(lines)) // bytes 0x80-0xff alone are not UTF-8: those lines go through recordLine
  })

  it('writes recordLine for UTF-8 text, invalid UTF-8 beside it, empty lines and every level, stream, end and record mark', () => {
    const lines: Line[] = []
    for (let level = 0; level <= LEVELS.length + 2; level++) {
      for (let stream = 0; stream <= 3; stream++) {
        for (let flags = 0; flags < 8; flags++) lines.push({bytes: Buffer.from(`ünïcødé ✓ 日本語 \u2028 "${level}" \t${stream}`), level, stream, flags})
      }
    }
    lines.push({bytes: Buffer.alloc(0)}, {bytes: Buffer.from([0x66, 0xff, 0xfe, 0x00, 0x1b])}, {bytes: Buffer.from([0xed, 0xa0, 0x80])}, {bytes: Buffer.from('😀 after')})
    lines.push({bytes: Buffer.from('fractional ts'), ts: 1.5}, {bytes: Buffer.from('negative ts'), ts: -42}, {bytes: Buffer.from('huge ts'), ts: 1e22})
    expectSameAsRecordLine(stored(lines, 9_007_199_254_000))
    expectSameAsRecordLine(
      stored(
        lines.filter((line) => isUtf8(line.bytes)),
        1,
      ),
    ) // a block that is all UTF-8
  })

  it('reads an index that does not start on an 8-byte boundary (a view of a bigger buffer)', () => {
    const block = stored([{bytes: Buffer.from('one')}, {bytes: Buffer.from('two "2"')}], 41)
    const shifted = Buffer.alloc(block.index.length + 3)
    block.index.copy(shifted, 3)
    expectSameAsRecordLine({...block, index: shifted.subarray(3)})
  })

  it('runs the WebAssembly writer assembled from stored-records.wat', async () => {
    const committed = readFileSync(join(ROOT, MODULES.storedRecords.ts), 'utf8')
    expect(committed).toBe(moduleSource(MODULES.storedRecords, await assemble(MODULES.storedRecords)))
  })

  it('writes in WebAssembly what recordLine writes, for every line of the fixture logs', () => {
    const lines = fixtureLines().filter((line) => isUtf8(line))
    expect(lines.length).toBeGreaterThan(15_000)
    for (let first = 0; first < lines.length; first += 4096) {
      const run = lines.slice(first, first + 4096).map((bytes, i) => ({bytes, level: i % 9, stream: i % 4, flags: i % 8, ts: 1_796_126_031_747 + Math.floor(i / 5)}))
      expectSimdSameAsRecordLine(stored(run, first + 1, first * 7))
    }
  })

  it('writes in WebAssembly what recordLine writes for escapes at every place around its 16-byte steps, multi-byte UTF-8 and long lines', () => {
    const next = seededRandom(16)
    const pieces = ['a', 'é', '日', '😀', '"', '\\', '\n', '\t', '\u0000', '\u001f', '\u007f', '\u2028', ' ', '{"k":1}', 'x'.repeat(20)]
    const lines: Line[] = []
    for (let i = 0; i < 3000; i++) {
      let text = ''
      const length = Math.floor(next() * (i % 10 === 0 ? 400 : 40))
      while (text.length < length) text += pieces[Math.floor(next() * pieces.length)]
      lines.push({bytes: Buffer.from(text), level: Math.floor(next() * 10), stream: Math.floor(next() * 4), flags: Math.floor(next() * 8), ts: Math.floor(next() * 4) * 1e12 + i})
    }
    for (let at = 0; at < 40; at++) lines.push({bytes: Buffer.from(`${'x'.repeat(at)}"${'y'.repeat(40 - at)}\u0001`)})
    lines.push({bytes: Buffer.alloc(100_000, 0x22)}, {bytes: Buffer.alloc(0)}, {bytes: Buffer.from('0'), ts: 0}, {bytes: Buffer.from('max'), ts: Number.MAX_SAFE_INTEGER})
    expectSimdSameAsRecordLine(stored(lines, 9_007_199_254_000))
  })

  it('leaves to the JavaScript writer a block with a line that is not UTF-8, or a timestamp that is not an integer of 0 … 2^53', () => {
    expect(simdRecords(stored([{bytes: Buffer.from('ok')}, {bytes: Buffer.from([0x66, 0xff])}]))).toBeUndefined()
    for (const ts of [1.5, -42, 1e22]) expect(simdRecords(stored([{bytes: Buffer.from('ok')}, {bytes: Buffer.from('ts'), ts}]))).toBeUndefined()
  })

  it('leaves to the JavaScript writer a run too big for the module (it never gives memory back): a line of 11 MB', () => {
    const line = Buffer.alloc(11_000_000, 'ab"c\\d ')
    const block = stored([{bytes: Buffer.from('small')}, {bytes: line}])
    expect(simdRecords(block)).toBeUndefined()
    expectSameAsRecordLine(block)
    expect(simdRecords(stored([{bytes: line.subarray(0, 1_000_000)}]))).toBeDefined()
  })

  it('writes records with the longest fields, seq and ts (16 digits) around empty lines without a newline, where the fields alone fill the room made', () => {
    // Levels trace, debug, error, fatal (the longest names) on stdout or stderr, partial, continuing a record: 82 bytes of fields.
    const lines: Line[] = Array.from({length: 2000}, (_, i) => ({bytes: Buffer.alloc(0), level: [1, 2, 5, 6][i % 4], stream: 1 + (i % 2), flags: 4, ts: 9_000_000_000_000_001 + i}))
    const block = stored(lines, 9_000_000_000_000_000)
    expectSimdSameAsRecordLine(block)
  })

  it('holds no record for an empty block', () => {
    const chunk = storedRecords(stored([]))
    expect(chunk.data.length).toBe(0)
    expect(chunk.ends.length).toBe(0)
  })
})
