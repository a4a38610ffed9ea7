import {describe, expect, it} from 'vitest'
import {rawBytes, ReadLine, type NewEntry} from '../../src/lib/entry.js'
import {decodeChunk, decodeNewEntries, encodeChunk} from '../../src/lib/store/redis/codec.js'

const line = (text: string | Buffer, ts: number, extra: Partial<NewEntry> = {}): NewEntry => ({
  ts,
  bytes: Buffer.isBuffer(text) ? text : Buffer.from(text),
  eol: true,
  ...extra,
})

describe('redis chunk codec', () => {
  it('keeps the exact bytes, flags and timestamps of every line', () => {
    const entries: NewEntry[] = [
      line('plain', 1_795_000_000_000, {level: 'info', stream: 'stdout'}),
      line(Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x41]), 1_795_000_000_005, {stream: 'stderr'}),
      line('crlf\r', 1_795_000_000_003, {level: 'fatal'}),
      line('', 1_795_000_000_003),
      line('\u001B[31mred\u001B[0m', 1_795_000_000_010, {level: 'error', eol: false, record: 'start'}),
    ]
    const {index, data} = encodeChunk(entries)
    const decoded = decodeChunk(41, index, data)
    expect(decoded.map((e) => e.seq)).toEqual([37, 38, 39, 40, 41])
    expect(decoded.map((e) => e.ts)).toEqual(entries.map((e) => e.ts))
    expect(decoded.map((e) => [e.level, e.stream, e.eol, e.record])).toEqual(entries.map((e) => [e.level, e.stream, e.eol, e.record]))
    const marks = decodeChunk(2, ...(Object.values(encodeChunk([line('at', 1, {record: 'continuation'}), line('x', 2)])) as [Buffer, Buffer]))
    expect(marks.map((e) => e.record)).toEqual(['continuation', undefined])
    expect(Buffer.concat(decoded.map(rawBytes))).toEqual(Buffer.concat(entries.map((e) => (e.eol ? Buffer.concat([e.bytes, Buffer.from('\n')]) : e.bytes))))
    expect(decoded[1].bytes).toEqual(Buffer.from([0xff, 0xfe, 0x00, 0x0a, 0x41]))
    expect(decoded[0].bytes).toBeUndefined()
  })

  it('keeps every line of a read as cut (pieces, masked and joined lines among them), whatever the slice', async () => {
    const {LineSplitter} = await import('../../src/lib/ingest/line-splitter.js')
    const {Masker} = await import('../../src/lib/mask/masker.js')
    const splitter = new LineSplitter(8, undefined, new Masker({values: ['s3cr3t!'], regexes: [], defaults: false}).forStream())
    const input = Buffer.from('first\nan over-long line\nx s3cr3t!\n\ncr\r\nnext read joins ')
    const entries = [...splitter.push(input, 1), ...splitter.push(Buffer.from('this line\nlast\n'), 2)]
    for (let start = 0; start < entries.length; start++) {
      for (let end = start + 1; end <= entries.length; end++) {
        const {index, data} = encodeChunk(entries, start, end)
        const decoded = decodeChunk(end, index, data)
        expect(decoded.map((e) => [e.seq, e.bytes ?? Buffer.from(e.line), e.eol])).toEqual(entries.slice(start, end).map((e, i) => [start + i + 1, e.bytes, e.eol]))
      }
    }
  })

  it('decodes lines for appending with their own time and stream; lines of one read share its ReadChunk', () => {
    const entries = [line('a', 5, {stream: 'stdout'}), line('b', 5, {stream: 'stdout'}), line('c', 5, {stream: 'stderr'}), line('d', 6, {stream: 'stderr'}), line('e', 6)]
    const {index, data} = encodeChunk(entries)
    const decoded = decodeNewEntries(index, data, 100) as ReadLine[]
    expect(decoded.map((e) => [e.bytes.toString(), e.ts, e.stream])).toEqual(entries.map((e) => [e.bytes.toString(), e.ts, e.stream]))
    expect(decoded.map((e) => decoded.findIndex((other) => other.read === e.read))).toEqual([0, 0, 2, 3, 4])
  })

  it('stores the lines readable: joined by newlines', () => {
    const {data} = encodeChunk([line('a', 1), line('b', 2)])
    expect(data.toString()).toBe('a\nb')
  })

  it('encodes a slice of a batch', () => {
    const entries = ['a', 'b', 'c', 'd'].map((text, i) => line(text, 100 + i))
    const {index, data} = encodeChunk(entries, 1, 3)
    expect(decodeChunk(3, index, data).map((e) => [e.seq, e.line, e.ts])).toEqual([
      [2, 'b', 101],
      [3, 'c', 102],
    ])
  })
})
