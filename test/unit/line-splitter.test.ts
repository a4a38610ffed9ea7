import {describe, expect, it} from 'vitest'
import {LineSplitter} from '../../src/lib/ingest/line-splitter.js'

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

  it('does not keep references to a reused chunk buffer for the unfinished line', () => {
    const splitter = new LineSplitter()
    const chunk = Buffer.from('partial')
    splitter.push(chunk, 1)
    chunk.fill(0x41)
    expect(lines(splitter.push(Buffer.from('!\n'), 1))).toEqual([['partial!', true]])
  })
})
