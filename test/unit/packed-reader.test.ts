import {mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import type {NewEntry} from '../../src/lib/entry.js'
import {LineSplitter} from '../../src/lib/ingest/line-splitter.js'
import {Masker} from '../../src/lib/mask/masker.js'
import {FileStore} from '../../src/lib/store/file/file-store.js'
import {packEntries, type PackedEntries} from '../../src/lib/store/packed-entries.js'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'logs-packed-reader-'))
})
afterEach(() => rmSync(dir, {recursive: true, force: true}))

/** A packed batch with its buffers as hex, for toEqual. */
const shown = (packed: PackedEntries) => ({...packed, chunks: packed.chunks.map((c) => ({count: c.count, index: c.index.toString('hex'), data: c.data.toString('hex')}))})

/** Lines of every kind a spool holds: pieces of over-long lines (no newline), masked ones, record marks, levels, both streams, bytes that are not UTF-8, a last line without a newline. */
function variedEntries(): NewEntry[] {
  const splitter = new LineSplitter(300, undefined, new Masker({values: ['s3cr3t!'], regexes: [], defaults: false}).forStream())
  const text: string[] = []
  for (let i = 0; i < 3000; i++) {
    if (i % 97 === 0) text.push(`ERROR over-long ${'x'.repeat(700 + i)}`)
    else if (i % 13 === 0) text.push(`WARN token s3cr3t! and s3cr3t! again ${i}`)
    else if (i % 29 === 0) text.push(`Traceback (most recent call last):\n  File "x.py", line ${i}\nValueError: ${i}`)
    else if (i % 2 === 0) text.push(`{"level":${[20, 30, 40, 50][i % 4]},"msg":"item ${i}"}`)
    else text.push(`INFO item ${i}\r`)
  }
  const entries = [
    ...splitter.push(Buffer.from(text.join('\n') + '\n'), 1_795_000_000_000),
    ...splitter.push(Buffer.from([0xff, 0xfe, 0x00, 0x41, 0x0a]), 1_795_000_000_007),
    ...splitter.push(Buffer.from('last without newline'), 1_795_000_000_003),
    ...splitter.end(1_795_000_000_009),
  ]
  entries.forEach((entry, i) => {
    if (i % 5 === 0) entry.stream = i % 10 === 0 ? 'stdout' : 'stderr'
    if (i % 31 === 0) entry.record = i % 62 === 0 ? 'start' : 'continuation'
    if (i % 50 === 7) entry.ts -= 40 // out of order
  })
  return entries
}

describe('FileStore.openPacked', () => {
  it('packs the stored lines as packEntries packs the entries appended: same chunks, bytes and totals', async () => {
    const store = await new FileStore(dir).init()
    await store.startJob('spool')
    const entries = variedEntries()
    expect(entries.some((e) => !e.eol)).toBe(true)
    expect(entries.some((e) => e.masked)).toBe(true)
    for (let at = 0; at < entries.length; at += 700) await store.append('spool', entries.slice(at, at + 700))
    const reader = await store.openPacked('spool', {recover: false})
    try {
      expect(reader.count()).toBe(entries.length)
      // Everything, a slice by limit, and slices that start and stop anywhere.
      expect(shown(reader.read(0, Number.POSITIVE_INFINITY))).toEqual(shown(packEntries(entries)))
      expect(shown(reader.read(100, Number.POSITIVE_INFINITY, 1234))).toEqual(shown(packEntries(entries.slice(100, 1334))))
      for (const [after, limit] of [
        [0, 1],
        [96, 3],
        [entries.length - 2, 10],
        [1000, 257],
      ]) {
        expect(shown(reader.read(after, Number.POSITIVE_INFINITY, limit))).toEqual(shown(packEntries(entries.slice(after, after + limit))))
      }
      expect(reader.read(entries.length, Number.POSITIVE_INFINITY).count).toBe(0)
    } finally {
      reader.close()
    }
  })

  it('stops once maxBytes is reached, the line that reaches it included', async () => {
    const store = await new FileStore(dir).init()
    await store.startJob('spool')
    const entries = Array.from({length: 10_000}, (_, i) => ({ts: i, bytes: Buffer.from(`line ${String(i).padStart(5, '0')}`), eol: true}))
    await store.append('spool', entries)
    const reader = await store.openPacked('spool', {recover: false})
    try {
      // 11 bytes a line: 1000 lines reach 11 000 bytes.
      expect(shown(reader.read(5, 11_000))).toEqual(shown(packEntries(entries.slice(5, 1005))))
      expect(reader.read(5, 10_999).count).toBe(1000)
      expect(reader.read(5, 11_001).count).toBe(1001)
      expect(reader.read(5, 1).count).toBe(1)
      // More than one step of index records.
      expect(shown(reader.read(0, 60_000))).toEqual(shown(packEntries(entries.slice(0, 5455))))
    } finally {
      reader.close()
    }
  })

  it('reads the lines its writer says it appended (holds) as it reads those it found, and looks for lines beyond them', async () => {
    const store = await new FileStore(dir).init()
    await store.startJob('spool')
    const entries = Array.from({length: 150}, (_, i) => ({ts: i, bytes: Buffer.from(`line ${i}`), eol: i % 7 !== 0}))
    const reader = await store.openPacked('spool', {recover: false})
    try {
      await store.append('spool', entries.slice(0, 100))
      reader.holds(100)
      expect(shown(reader.read(0, Number.POSITIVE_INFINITY, 100))).toEqual(shown(packEntries(entries.slice(0, 100))))
      expect(shown(reader.read(60, Number.POSITIVE_INFINITY, 40))).toEqual(shown(packEntries(entries.slice(60, 100))))
      // Appended, not told: found by looking.
      await store.append('spool', entries.slice(100))
      expect(shown(reader.read(90, Number.POSITIVE_INFINITY, 1000))).toEqual(shown(packEntries(entries.slice(90))))
      expect(reader.count()).toBe(150)
    } finally {
      reader.close()
    }
  })
})

describe('PackedReader memory', () => {
  it('reads into the memory of a recycled batch, never into that of one still in use', async () => {
    const store = await new FileStore(dir).init()
    await store.startJob('spool')
    const entries = Array.from({length: 30_000}, (_, i) => ({ts: i, bytes: Buffer.from(`line ${i} ${'y'.repeat(i % 50)}`), eol: true}))
    await store.append('spool', entries)
    const reader = await store.openPacked('spool', {recover: false})
    try {
      const first = reader.read(0, 200_000)
      const firstShown = shown(first)
      const memory = first.chunks[0].data.buffer
      reader.recycle(first)
      const second = reader.read(first.count, 200_000)
      expect(second.chunks[0].data.buffer).toBe(memory)
      expect(shown(second)).toEqual(shown(packEntries(entries.slice(first.count, first.count + second.count))))
      const secondShown = shown(second)
      // Not recycled: the next reads go elsewhere, and it keeps its bytes.
      const third = reader.read(first.count + second.count, 200_000)
      expect(third.chunks[0].data.buffer).not.toBe(memory)
      expect(shown(second)).toEqual(secondShown)
      expect(firstShown).toEqual(shown(packEntries(entries.slice(0, first.count))))
      reader.recycle(third)
      reader.recycle(second)
    } finally {
      reader.close()
    }
  })
})
