/**
 * The archive's record lines written straight from the file store's stored entries
 * (src/lib/archive/stored-records.ts) are byte for byte those of the one encoder,
 * recordLine over the decoded entries, for every kind of line and record field.
 */
import {isUtf8} from 'node:buffer'
import {describe, expect, it} from 'vitest'
import {recordLine} from '../../src/lib/archive/format.js'
import {encodeRecords} from '../../src/lib/archive/record-chunk.js'
import {storedRecords} from '../../src/lib/archive/stored-records.js'
import {LEVELS} from '../../src/lib/level.js'
import {RECORD_SIZE} from '../../src/lib/store/file/index-record.js'
import {decodeStored} from '../../src/lib/store/stored-entries.js'
import type {StoredEntries} from '../../src/lib/store/types.js'

interface Line {
  bytes: Buffer
  ts?: number
  /** Raw index fields, out-of-range codes included. */
  level?: number
  stream?: number
  flags?: number
}

/** A stored block as the file store writes it: log bytes from `start`, 24-byte index records. */
function stored(lines: Line[], from = 1, start = 1000): StoredEntries {
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

  it('holds no record for an empty block', () => {
    const chunk = storedRecords(stored([]))
    expect(chunk.data.length).toBe(0)
    expect(chunk.ends.length).toBe(0)
  })
})
