/**
 * The file store's --grep search (store/file/literal-search.ts) on a real store: the
 * records it hands over are exactly those whose bytes hold the literal, whatever the read
 * size (hits across a read's boundary, lines longer than a read, ranges that start and end
 * mid-log), with their seq, ts, level and stream from the index and their bytes intact.
 */
import {mkdtempSync, rmSync} from 'node:fs'
import {open} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {LogEntry, NewEntry} from '../../../src/lib/entry.js'
import {compilePattern} from '../../../src/lib/pattern.js'
import {FileStore} from '../../../src/lib/store/file/file-store.js'
import {RECORD_SIZE, type IndexRecord} from '../../../src/lib/store/file/index-record.js'
import {readFully, readUpTo} from '../../../src/lib/store/file/job-log.js'
import {searchLiteral} from '../../../src/lib/store/file/literal-search.js'
import {collect} from '../../helpers/iterables.js'

const NEEDLE = Buffer.from('needle')
const damagedAt = (at: number) => new Error(`log cut at byte ${at}`)
let dir: string
let store: FileStore
let written: NewEntry[]

/** A deterministic mix: short and long lines, the needle at the start, middle and end, non-ASCII and invalid UTF-8, CRLF. */
function makeEntries(count: number): NewEntry[] {
  let state = 42
  const random = (n: number) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state % n
  }
  const out: NewEntry[] = []
  for (let i = 0; i < count; i++) {
    const length = i % 97 === 0 ? 5000 : random(200)
    const bytes = Buffer.alloc(length, 'abcdefghij needl'.charCodeAt(random(16)))
    for (let at = 0; at < length; at++) bytes[at] = 'abcdefghij needl'.charCodeAt(random(16))
    if (random(7) === 0 && length >= NEEDLE.length) NEEDLE.copy(bytes, [0, length - NEEDLE.length, random(length - NEEDLE.length + 1)][random(3)])
    if (random(13) === 0 && length > 2) bytes[1] = 0xff
    if (random(17) === 0 && length > 3) Buffer.from('é').copy(bytes, 2)
    if (random(11) === 0 && length > 0) bytes[length - 1] = 0x0d
    out.push({ts: 1_000 + i, bytes, eol: true, level: i % 5 === 0 ? 'error' : 'info', stream: i % 2 ? 'stderr' : 'stdout'})
  }
  return out
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'logs-literal-search-'))
  store = await new FileStore(dir).init()
  written = makeEntries(3000)
  await store.startJob('mix')
  await store.append('mix', written.slice(0, 1000))
  await store.append('mix', written.slice(1000))
})
afterAll(async () => {
  await store?.close()
  rmSync(dir, {recursive: true, force: true})
})

/** Seqs (1-based) of the written entries first..last whose bytes hold the needle. */
function expected(first: number, last: number): number[] {
  const seqs: number[] = []
  for (let seq = first; seq <= last; seq++) if (written[seq - 1].bytes.includes(NEEDLE)) seqs.push(seq)
  return seqs
}

async function search(first: number, last: number, chunk: number): Promise<LogEntry[]> {
  const [log, idx] = await Promise.all([open(join(dir, 'jobs', 'mix', 'log'), 'r'), open(join(dir, 'jobs', 'mix', 'idx'), 'r')])
  try {
    const found: LogEntry[] = []
    const visit = (seq: number, record: IndexRecord, data: Buffer, dataAt: number) => {
      const at = record.offset - dataAt
      found.push({seq, ts: 0, line: data.toString('latin1', at, at + record.length), eol: true})
    }
    await collect(searchLiteral({log, idx, read: readFully, readUpTo, damagedAt}, first, last, NEEDLE, visit, undefined, chunk))
    return found
  } finally {
    await Promise.all([log.close(), idx.close()])
  }
}

describe('literal search of the file store', () => {
  const whole: Array<[number, number]> = [
    [1, 3000],
    [2, 2999],
    [1234, 1234],
    [977, 1851],
  ]
  // Reads barely longer than the literal advance two bytes at a time: only over a few lines.
  it.each<[number, Array<[number, number]>]>([
    [
      7,
      [
        [1234, 1234],
        [977, 1010],
      ],
    ],
    [64, whole],
    [1000, whole],
    [4096, whole],
    [1 << 20, whole],
  ])('finds exactly the lines holding the literal with %i-byte reads', async (chunk, ranges) => {
    expect(expected(1, 3000).length).toBeGreaterThan(200)
    for (const [first, last] of ranges) {
      const found = await search(first, last, chunk)
      expect(found.map((entry) => entry.seq)).toEqual(expected(first, last))
      for (const entry of found) expect(Buffer.from(entry.line, 'latin1')).toEqual(written[entry.seq - 1].bytes)
    }
  })

  it('gives entries with their index fields and exact bytes through the store', async () => {
    const found: LogEntry[] = []
    for await (const entry of store.read('mix', {after: 10, match: compilePattern('needle', '--grep')})) found.push(entry)
    expect(found.map((entry) => entry.seq)).toEqual(expected(11, 3000))
    for (const entry of found) {
      const source = written[entry.seq - 1]
      expect(entry).toMatchObject({ts: source.ts, level: source.level, stream: source.stream, eol: true})
      expect(entry.bytes ?? Buffer.from(entry.line, 'utf8')).toEqual(source.bytes)
    }
  })

  it('reads each part of the index about once when the literal is in many lines', async () => {
    // Before: each hit looked up the range's last record and its own, two windows of `idx` read per hit.
    const lines = 40_000
    await store.startJob('dense')
    const dense = Array.from({length: lines}, (_, i) => ({ts: i, bytes: Buffer.from(i % 3 === 0 ? `line ${i} needle` : `line ${i} hay`), eol: true}))
    for (let at = 0; at < lines; at += 10_000) await store.append('dense', dense.slice(at, at + 10_000))
    const [log, idx] = await Promise.all([open(join(dir, 'jobs', 'dense', 'log'), 'r'), open(join(dir, 'jobs', 'dense', 'idx'), 'r')])
    let idxBytes = 0
    const read = async (file: typeof log, buffer: Buffer, position: number) => {
      if (file === idx) idxBytes += buffer.length
      await readFully(file, buffer, position)
    }
    try {
      const found: number[] = []
      await collect(searchLiteral({log, idx, read, readUpTo, damagedAt}, 1, lines, NEEDLE, (seq) => found.push(seq), undefined, 64 * 1024))
      expect(found).toEqual(dense.flatMap((entry, i) => (i % 3 === 0 ? [i + 1] : [])))
    } finally {
      await Promise.all([log.close(), idx.close()])
    }
    expect(idxBytes).toBeLessThan(2 * lines * RECORD_SIZE)
  })

  it('hands over a line that ends without a newline when the literal runs on into the next one', async () => {
    await store.startJob('split')
    await store.append('split', [
      {ts: 1, bytes: Buffer.from('a nee'), eol: false},
      {ts: 2, bytes: Buffer.from('dle b'), eol: true},
      {ts: 3, bytes: Buffer.from('needle'), eol: true},
    ])
    const found: number[] = []
    for await (const entry of store.read('split', {match: compilePattern('needle', '--grep')})) found.push(entry.seq)
    // A candidate too many is fine (callers test the pattern); a line holding the literal is never missed.
    expect(found).toEqual([1, 3])
  })
})
