import {mkdtempSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {newEntry, type NewEntry} from '../../src/lib/entry.js'
import {LineSplitter} from '../../src/lib/ingest/line-splitter.js'
import {Masker} from '../../src/lib/mask/masker.js'
import {FileStore} from '../../src/lib/store/file/file-store.js'
import {CHUNK_LINES, packEntries} from '../../src/lib/store/packed-entries.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'logs-writer-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

describe('file store append', () => {
  it('writes what was read, byte for byte, when lines are masked, cut into pieces or joined across reads', async () => {
    const store = await new FileStore(dir).init()
    await store.startJob('j')
    const secret = 'hunter2-secret'
    const input = Buffer.concat([
      Buffer.from(`one\r\ntwo ${secret}\n${'x'.repeat(25)}\nfour\n\n`),
      Buffer.from([0xff, 0xc3, 0x0a, 0x00, 0x0a]),
      Buffer.from(`tail ${secret}\nlast without newline`),
    ])
    const splitter = new LineSplitter(20, undefined, new Masker({values: [secret], regexes: [], defaults: false}).forStream())
    const seqs: number[] = []
    for (const size of [7, 1, 13, 200]) {
      for (let at = 0; at < input.length; at += size) {
        const entries = splitter.push(input.subarray(at, at + size), 1)
        const {first, last} = await store.append('j', entries)
        if (entries.length > 0) seqs.push(first, last)
      }
      await store.append('j', splitter.end(1))
    }
    await store.close()
    const once = input.toString('latin1').replaceAll(secret, '***')
    expect(readFileSync(join(dir, 'jobs', 'j', 'log')).toString('latin1')).toBe(once.repeat(4))
    const raw: Buffer[] = []
    for await (const block of store.readRaw('j', {})) raw.push(block.bytes)
    expect(Buffer.concat(raw).toString('latin1')).toBe(once.repeat(4))
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
  })

  it("counts every writer's lines in the job's levels and masked count when two stores append to one job in turn", async () => {
    const one = await new FileStore(dir).init()
    const two = await new FileStore(dir).init()
    await one.startJob('j')
    const lines = (text: string, ts = 1) => new LineSplitter().push(Buffer.from(text), ts)
    await one.append('j', lines('ERROR a\nINFO b\n', 5))
    await two.append('j', lines('ERROR c\n'))
    await one.append('j', lines('WARN d\nno level\n'))
    await one.append('j', [{ts: 1, bytes: Buffer.from('INFO e'), eol: true, level: 'info', masked: 2}])
    await two.append('j', lines('ERROR f\n{"level":60}\nINFO g\n', 9))
    await one.append('j', [])
    expect(await one.getJob('j')).toMatchObject({lines: 9, levels: {error: 3, info: 3, warn: 1, fatal: 1}, masked: 2, firstTs: 5, lastTs: 9})
    const read = []
    for await (const entry of one.read('j')) read.push([entry.line, entry.level, entry.masked, entry.ts])
    expect(read).toEqual([
      ['ERROR a', 'error', undefined, 5],
      ['INFO b', 'info', undefined, 5],
      ['ERROR c', 'error', undefined, 1],
      ['WARN d', 'warn', undefined, 1],
      ['no level', undefined, undefined, 1],
      ['INFO e', 'info', 2, 1],
      ['ERROR f', 'error', undefined, 9],
      ['{"level":60}', 'fatal', undefined, 9],
      ['INFO g', 'info', undefined, 9],
    ])
    await one.close()
    await two.close()
  })

  it('writes a packed batch (a relay chunk body) as the same files as its entries: pieces without a newline, empty lines, chunks cut at CHUNK_LINES, fields', async () => {
    const entries: NewEntry[] = [
      ...Array.from({length: CHUNK_LINES + 3}, (_, i) => newEntry(Buffer.from(i % 7 === 0 ? '' : `ERROR line ${i}`), true, 1000 + (i % 5), i % 2 ? 'stderr' : 'stdout')),
      {ts: 2000, bytes: Buffer.from('piece one'), eol: false, level: 'warn'},
      {ts: 2001, bytes: Buffer.from(' and two'), eol: true, masked: 3, record: 'start'},
      {ts: 2002, bytes: Buffer.from([0xff, 0x0a, 0x00]), eol: true, record: 'continuation'},
      {ts: 2003, bytes: Buffer.from(''), eol: false},
      {ts: 2004, bytes: Buffer.from('last, no newline'), eol: false},
    ]
    const files = async (name: string, append: (store: FileStore) => Promise<unknown>) => {
      const store = await new FileStore(join(dir, name)).init()
      await store.startJob('j')
      await append(store)
      await append(store)
      const meta = await store.getJob('j')
      await store.close()
      const file = (which: string) => readFileSync(join(dir, name, 'jobs', 'j', which))
      return {log: file('log'), idx: file('idx'), counts: {...meta, createdAt: 0, updatedAt: 0}}
    }
    const packed = packEntries(entries)
    expect(packed.chunks.length).toBeGreaterThan(1)
    const asEntries = await files('entries', (store) => store.append('j', entries))
    const asPacked = await files('packed', (store) => store.appendPacked('j', packed))
    expect(asPacked.log.toString('latin1')).toBe(asEntries.log.toString('latin1'))
    expect(asPacked.idx.equals(asEntries.idx)).toBe(true)
    expect(asPacked.counts).toEqual(asEntries.counts)
    expect(asPacked.counts).toMatchObject({lines: 2 * entries.length, masked: 6})
  })
})
