import {describe, expect, it} from 'vitest'
import type {NewEntry} from '../../../src/lib/entry.js'
import {Masker} from '../../../src/lib/mask/masker.js'
import {IngestParser, MAX_FRAME_BYTES} from '../../../src/lib/relay/ingest-parser.js'
import {encodeFrame} from '../../../src/lib/store/chunk-frames.js'
import {joinPacked, unpackEntries} from '../../../src/lib/store/packed-entries.js'

const feed = (parser: IngestParser, chunks: Array<string | Buffer>) => [...chunks.flatMap((c) => parser.push(Buffer.from(c))), ...parser.end()]
/** A chunk body's frames as entries, and the totals of their batch (what the store and the job's counters are given). */
const feedFrames = (parser: IngestParser, chunks: Buffer[]) => {
  const frames = chunks.flatMap((c) => parser.pushFrames(c))
  parser.end()
  return unpackEntries(joinPacked(frames))
}
/** An entry's fields as plain data (a decoded chunk's entries are offsets into it, not objects of their own). */
const plain = (entries: NewEntry[]) =>
  entries.map(({ts, bytes, eol, level, stream, masked}) => Object.fromEntries(Object.entries({ts, bytes, eol, level, stream, masked}).filter(([, v]) => v !== undefined)))
const shape = (entries: ReturnType<typeof feed>) => entries.map((e) => [e.bytes.toString('latin1'), e.eol])

describe('IngestParser', () => {
  it('cuts text lines at any chunk boundary the same way', () => {
    const text = 'alpha\nbeta\r\n\ngamma'
    const whole = shape(feed(new IngestParser({format: 'text', maxLineBytes: 100}), [text]))
    expect(whole).toEqual([
      ['alpha', true],
      ['beta\r', true],
      ['', true],
      ['gamma', false],
    ])
    for (let cut = 1; cut < text.length; cut++) {
      expect(shape(feed(new IngestParser({format: 'text', maxLineBytes: 100}), [text.slice(0, cut), text.slice(cut)]))).toEqual(whole)
    }
    expect(shape(feed(new IngestParser({format: 'text', maxLineBytes: 100}), [...text]))).toEqual(whole)
  })

  it('splits long lines into pieces whether they arrive whole or in bits', () => {
    const expected = [
      ['aaaa', false],
      ['aaaa', false],
      ['aa', true],
      ['b', true],
    ]
    expect(shape(feed(new IngestParser({format: 'text', maxLineBytes: 4}), ['aaaaaaaaaa\nb\n']))).toEqual(expected)
    expect(shape(feed(new IngestParser({format: 'text', maxLineBytes: 4}), [...'aaaaaaaaaa\nb\n']))).toEqual(expected)
  })

  it('masks a text line longer than the limit whole before cutting it, as push does', () => {
    const token = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a'
    const masker = new Masker({values: [], regexes: [], defaults: true}).forStream()
    const entries = feed(new IngestParser({format: 'text', maxLineBytes: 64, masker}), [`${'z'.repeat(50)} ${token} end\n`])
    expect(shape(entries)).toEqual([[`${'z'.repeat(50)} *** end`, true]])
    expect(entries[0].masked).toBe(1)
  })

  it('keeps invalid UTF-8 bytes exactly, even split across chunks', () => {
    const bytes = Buffer.from([0x61, 0xe2, 0x82, 0xff, 0x0a])
    const entries = feed(new IngestParser({format: 'text', maxLineBytes: 100}), [bytes.subarray(0, 2), bytes.subarray(2)])
    expect(entries[0].bytes).toEqual(bytes.subarray(0, 4))
  })

  it('reads NDJSON records across chunks, skips blank lines, rejects non-objects', () => {
    const parser = new IngestParser({format: 'ndjson', maxLineBytes: 100, stream: 'stderr'})
    const entries = feed(parser, ['{"line":"x","ts":5,"lev', 'el":"warn"}\n\n{"line":"y","stream":"stdout"}\n'])
    expect(entries.map((e) => [e.bytes.toString(), e.ts, e.level, e.stream])).toEqual([
      ['x', 5, 'warn', 'stderr'],
      ['y', entries[1].ts, undefined, 'stdout'],
    ])
    expect(() => feed(new IngestParser({format: 'ndjson', maxLineBytes: 100}), ['[1,2]\n'])).toThrow(/not a JSON object/)
    expect(() => feed(new IngestParser({format: 'ndjson', maxLineBytes: 2}), ['{"line":"too long"}\n'])).toThrow(/limit 2/)
  })
})

describe('IngestParser, chunk bodies (push --url)', () => {
  const entries: NewEntry[] = [
    {ts: 1_795_000_000_000, bytes: Buffer.from('first'), eol: true, level: 'info', stream: 'stdout'},
    {ts: 1_795_000_000_002, bytes: Buffer.from([0xff, 0x0a, 0x00]), eol: true, stream: 'stderr', masked: 2},
    {ts: 1_795_000_000_001, bytes: Buffer.from('piece'), eol: false, level: 'error'},
    {ts: 1_795_000_000_003, bytes: Buffer.from(''), eol: true},
  ]
  const body = Buffer.concat([encodeFrame(entries.slice(0, 2)), encodeFrame(entries.slice(2))])
  const chunkParser = (maxLineBytes = 100) => new IngestParser({format: 'chunk', maxLineBytes})

  it('gives back every entry as sent (bytes, times, levels, streams, masked counts), however the body is cut', () => {
    expect(plain(feedFrames(chunkParser(), [body]))).toEqual(plain(entries))
    // The frames' totals: lines, bytes with their newlines, times, levels, masked.
    const frames = chunkParser().pushFrames(body)
    expect(joinPacked(frames)).toMatchObject({
      count: 4,
      bytes: 5 + 1 + 3 + 1 + 5 + 0 + 1,
      firstTs: 1_795_000_000_000,
      lastTs: 1_795_000_000_003,
      minTs: 1_795_000_000_000,
      ordered: false,
      masked: 2,
    })
    expect(joinPacked(frames).levels.reduce((a, b) => a + b)).toBe(2)
    for (let cut = 1; cut < body.length; cut++) expect(plain(feedFrames(chunkParser(), [body.subarray(0, cut), body.subarray(cut)]))).toEqual(plain(entries))
    expect(
      plain(
        feedFrames(
          chunkParser(),
          [...body].map((byte) => Buffer.from([byte])),
        ),
      ),
    ).toEqual(plain(entries))
  })

  it('refuses a line over the limit (413), a frame whose data does not match its index or that is cut short (400)', () => {
    expect(() => feedFrames(chunkParser(4), [body])).toThrow(expect.objectContaining({status: 413}))
    const wrong = Buffer.from(body)
    wrong.writeUInt32BE(wrong.readUInt32BE(4) - 1, 4)
    expect(() => feedFrames(chunkParser(), [wrong])).toThrow(expect.objectContaining({status: 400}))
    expect(() => feedFrames(chunkParser(), [body.subarray(0, body.length - 1)])).toThrow(
      expect.objectContaining({status: 400, message: expect.stringMatching(/ends inside a frame/)}),
    )
  })

  it('refuses a frame whose index holds a level, stream or record mark that does not exist (400)', () => {
    const one = encodeFrame([{ts: 5, bytes: Buffer.from('x'), eol: true}])
    // Header (8), version, ts (one byte), then the line's flags: level in bits 0-2, stream in 3-4.
    for (const flags of [0x07, 0x18]) {
      const bad = Buffer.from(one)
      bad[10] |= flags
      expect(() => feedFrames(chunkParser(), [bad])).toThrow(expect.objectContaining({status: 400, message: expect.stringMatching(/does not exist/)}))
    }
    expect(plain(feedFrames(chunkParser(), [one]))).toEqual([{ts: 5, bytes: Buffer.from('x'), eol: true}])
  })

  it('refuses a frame larger than a batch before receiving it (413)', () => {
    const huge = Buffer.alloc(8)
    huge.writeUInt32BE(MAX_FRAME_BYTES, 4)
    huge.writeUInt32BE(1, 0)
    expect(() => chunkParser().pushFrames(huge)).toThrow(expect.objectContaining({status: 413}))
  })
})
