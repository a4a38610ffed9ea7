import {describe, expect, it} from 'vitest'
import {IngestParser} from '../../../src/lib/relay/ingest-parser.js'

const feed = (parser: IngestParser, chunks: Array<string | Buffer>) => [...chunks.flatMap((c) => parser.push(Buffer.from(c))), ...parser.end()]
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
