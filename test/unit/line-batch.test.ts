import {mkdtempSync, readdirSync, readFileSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {LineSplitter} from '../../src/lib/ingest/line-splitter.js'
import type {LineBatch} from '../../src/lib/line-batch.js'
import {Masker} from '../../src/lib/mask/masker.js'
import {FileStore} from '../../src/lib/store/file/file-store.js'
import {RecordTracker} from '../../src/lib/structure/records.js'

const TRACES = join(import.meta.dirname, '..', 'fixtures', 'traces')

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'logs-line-batch-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

/** Every trace fixture, then lines a batch keeps as entries: masked, over-long, joined across reads, invalid UTF-8, CRLF, NUL, no newline at the end. */
function input(): Buffer {
  const traces = readdirSync(TRACES).map((name) => readFileSync(join(TRACES, name)))
  return Buffer.concat([
    ...traces,
    Buffer.from(`2026-11-23T10:00:00Z ERROR token hunter2-secret here\r\n${'y'.repeat(70)}\n{"level":40,"phase":"build"}\n`),
    Buffer.from([0xff, 0xc3, 0x0a, 0x00, 0x0a]),
    Buffer.from('last without newline'),
  ])
}

function splitter(): LineSplitter {
  return new LineSplitter(64, 'stderr', new Masker({values: ['hunter2-secret'], regexes: [], defaults: true}).forStream())
}

/** The input cut in reads of `size` into one reused buffer, as push reads, each read's lines handed to `take` before the next read overwrites it. */
function eachRead(data: Buffer, size: number, take: (chunk: Buffer) => void): void {
  const buffer = Buffer.alloc(size)
  for (let at = 0; at < data.length; at += size) {
    const length = data.copy(buffer, 0, at, at + size)
    take(buffer.subarray(0, length))
    buffer.fill(0x2a) // what the next read would leave: a line kept past its read shows it
  }
}

function jobFiles(store: string): Record<string, Buffer> {
  const job = join(store, 'jobs', 'j')
  return {log: readFileSync(join(job, 'log')), idx: readFileSync(join(job, 'idx')), stats: readFileSync(join(job, 'stats')).subarray(0, 6 * 8)}
}

describe('LineBatch: a read’s lines as columns, the way push stores them', () => {
  for (const size of [7, 100, 65_536]) {
    it(`stores the same log, index records and level counts as entries do (reads of ${size} bytes)`, async () => {
      const data = input()
      const stores = {entries: join(dir, 'entries'), batches: join(dir, 'batches'), detached: join(dir, 'detached')}
      const opened = await Promise.all(Object.values(stores).map(async (path) => new FileStore(path).init()))
      for (const store of opened) await store.startJob('j')
      const [byEntries, byBatches, byDetached] = opened
      const cutters = {entries: splitter(), batches: splitter(), detached: splitter()}
      const trackers = {entries: new RecordTracker(), batches: new RecordTracker(), detached: new RecordTracker()}
      const held: LineBatch[] = []
      const appends: Promise<unknown>[] = []
      eachRead(data, size, (chunk) => {
        const entries = cutters.entries.push(chunk, 7)
        trackers.entries.observe(entries)
        appends.push(byEntries.append('j', entries))
        const batch = cutters.batches.cut(chunk, 7)
        trackers.batches.observeBatch(batch)
        // Appended before the next read (the store's append is synchronous inside).
        appends.push(byBatches.appendBatches('j', [batch]))
        const kept = cutters.detached.cut(chunk, 7)
        trackers.detached.observeBatch(kept)
        held.push(kept.detach())
      })
      appends.push(byDetached.appendBatches('j', held))
      for (const [name, store] of [
        ['entries', byEntries],
        ['batches', byBatches],
        ['detached', byDetached],
      ] as const) {
        const last = cutters[name].end(7)
        trackers[name].observe(last)
        appends.push(store.append('j', last))
      }
      await Promise.all(appends)
      for (const store of opened) await store.close()
      const expected = jobFiles(stores.entries)
      expect(expected.log.toString('latin1')).toBe(data.toString('latin1').replaceAll('hunter2-secret', '***'))
      expect(expected.idx[22 + 24 * 2] & 6).not.toBe(0) // record marks are among what is compared
      expect(jobFiles(stores.batches)).toEqual(expected)
      expect(jobFiles(stores.detached)).toEqual(expected)
    })
  }

  it('gives entries from its columns as the splitter’s push does, levels and record marks set by the tracker included', () => {
    const data = input()
    const one = splitter()
    const two = splitter()
    const tracker = new RecordTracker()
    const other = new RecordTracker()
    eachRead(data, 4096, (chunk) => {
      const entries = one.push(chunk, 3)
      tracker.observe(entries)
      const batch = two.cut(chunk, 3)
      other.observeBatch(batch)
      const shape = (list: ReturnType<LineSplitter['push']>) => list.map((e) => [e.bytes.toString('latin1'), e.level, e.record, e.eol, e.masked, e.stream, e.ts])
      expect(shape(batch.toEntries())).toEqual(shape(entries))
    })
  })
})
