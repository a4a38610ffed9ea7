import {describe, expect, it} from 'vitest'
import {byteLength, ReadLine} from '../../src/lib/entry.js'
import {LineSplitter} from '../../src/lib/ingest/line-splitter.js'
import {joinedBytes} from '../../src/lib/store/joined-bytes.js'

const lines = (entries: {bytes: Buffer; eol: boolean}[]) => entries.map((e) => [e.bytes.toString('latin1'), e.eol])

describe('LineSplitter', () => {
  it('splits on \\n only, keeping \\r and every other byte', () => {
    const splitter = new LineSplitter()
    expect(lines(splitter.push(Buffer.from('a\r\nb\u0000c\n\n'), 1))).toEqual([
      ['a\r', true],
      ['b\u0000c', true],
      ['', true],
    ])
    expect(splitter.end(1)).toEqual([])
  })

  it('joins a line across chunks and emits the last bytes without newline at the end', () => {
    const splitter = new LineSplitter()
    expect(splitter.push(Buffer.from('hel'), 1)).toEqual([])
    expect(lines(splitter.push(Buffer.from('lo\nwor'), 2))).toEqual([['hello', true]])
    expect(lines(splitter.end(3))).toEqual([['wor', false]])
  })

  it('cuts over-long lines into pieces marked eol=false, within and across chunks', () => {
    const splitter = new LineSplitter(4)
    expect(lines(splitter.push(Buffer.from('abcdefghij\nxy'), 1))).toEqual([
      ['abcd', false],
      ['efgh', false],
      ['ij', true],
    ])
    expect(lines(splitter.push(Buffer.from('zzzzzz'), 1))).toEqual([['xyzz', false]])
    expect(lines(splitter.push(Buffer.from('\n'), 1))).toEqual([['zzzz', true]])
  })

  it('tags the stream and detects levels', () => {
    const [entry] = new LineSplitter(1024, 'stderr').push(Buffer.from('ERROR x\n'), 5)
    expect(entry).toMatchObject({stream: 'stderr', level: 'error', ts: 5, eol: true})
  })

  it("keeps a read's lines as offsets into it: the store's bytes of a whole read are the read's own memory, not a copy", () => {
    const splitter = new LineSplitter()
    const chunk = Buffer.from('one\ntwo\r\n\nthree\n')
    const entries = splitter.push(chunk, 1)
    expect(entries.every((e) => e instanceof ReadLine && e.memory === chunk)).toBe(true)
    const joined = joinedBytes(entries, 0, entries.length, (i) => entries[i].eol)
    expect(joined.equals(chunk)).toBe(true)
    expect(joined.buffer).toBe(chunk.buffer)
    expect(entries.map(byteLength)).toEqual([3, 4, 0, 5])
    expect(entries.map((entry) => entry.bytes[0] ?? 0)).toEqual([...'ot\0t'].map((c) => c.charCodeAt(0)))
  })

  it("a read's lines share its time and stream, and a line given its own keeps its bytes and leaves the others' alone", () => {
    const chunk = Buffer.from('a\nb\nc\n')
    const [a, b, c] = new LineSplitter(1024, 'stdout').push(chunk, 7)
    b.ts = 9
    c.stream = 'stderr'
    expect([a, b, c].map((e) => [e.bytes.toString(), e.ts, e.stream])).toEqual([
      ['a', 7, 'stdout'],
      ['b', 9, 'stdout'],
      ['c', 7, 'stderr'],
    ])
    expect(joinedBytes([a, b, c], 0, 3, () => true).buffer).toBe(chunk.buffer)
  })

  it('does not keep references to a reused chunk buffer for the unfinished line', () => {
    const splitter = new LineSplitter()
    const chunk = Buffer.from('partial')
    splitter.push(chunk, 1)
    chunk.fill(0x41)
    expect(lines(splitter.push(Buffer.from('!\n'), 1))).toEqual([['partial!', true]])
  })
})

describe('LineSplitter levels', () => {
  it('detects the same level from the chunk decoded once as from each line decoded alone, whatever the chunking', async () => {
    const {detectLevelInBytes} = await import('../../src/lib/entry.js')
    const lines = [
      '2026-11-23T10:00:00Z ERROR disk full',
      '{"level":"warn","msg":"slow \u00e9"}',
      'INFO caf\u00e9 \u2603 ok',
      '\u001b[31mFATAL\u001b[0m boom',
      '[debug] x',
      'no level here',
      '{"lvl": 50}',
      '',
      'WARN ' + 'x'.repeat(3000),
    ]
    const bytes = Buffer.concat([
      ...lines.map((line) => Buffer.from(`${line}\n`)),
      Buffer.from([0x45, 0x52, 0x52, 0x4f, 0x52, 0x20, 0xc3, 0x0a, 0xff, 0xfe, 0x20, 0x57, 0x41, 0x52, 0x4e, 0x0a]), // ERROR <cut UTF-8>, <invalid> WARN
    ])
    for (const size of [1, 3, 7, 64, bytes.length]) {
      const splitter = new LineSplitter(2048)
      const entries = []
      for (let at = 0; at < bytes.length; at += size) entries.push(...splitter.push(bytes.subarray(at, at + size), 1))
      expect(entries.map((e) => e.level)).toEqual(entries.map((e) => detectLevelInBytes(e.bytes)))
      expect(entries.filter((e) => e.level).length).toBeGreaterThan(6)
    }
  })
})
