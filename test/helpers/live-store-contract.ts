/**
 * The behaviour every LiveStore backend must have, as one suite: call
 * `describeLiveStoreContract('redis', () => openMyStore())` from a backend's test file.
 * Each test uses its own job id, so one store instance can serve the whole suite.
 * `followerWaiting` resolves once a follower of a job that does not exist yet is inside
 * the store's wait (./follower-waiting.ts), so the job is started only then.
 */
import {randomUUID} from 'node:crypto'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {rawChunk, type LogEntry, type NewEntry} from '../../src/lib/entry.js'
import {OutOfOrderError} from '../../src/lib/errors/index.js'
import type {FollowEvent, LiveStore} from '../../src/lib/store/types.js'
import {waitUntil} from './wait.js'

export function entries(lines: string[], ts = Date.now(), stream?: 'stdout' | 'stderr'): NewEntry[] {
  return lines.map((line) => ({ts, bytes: Buffer.from(line), eol: true, stream}))
}

export async function readAll(iterable: AsyncIterable<LogEntry>): Promise<LogEntry[]> {
  const out: LogEntry[] = []
  for await (const entry of iterable) out.push(entry)
  return out
}

function jobId(name: string): string {
  return `${name}-${randomUUID().slice(0, 8)}`
}

export function describeLiveStoreContract(name: string, open: () => Promise<LiveStore>, followerWaiting: () => Promise<void>): void {
  describe(`LiveStore contract: ${name}`, () => {
    let store: LiveStore
    beforeAll(async () => {
      store = await open()
    })
    afterAll(async () => {
      await store.close()
    })

    it('gives gapless sequence numbers across batches and keeps bytes, levels and streams', async () => {
      const id = jobId('seq')
      await store.startJob(id)
      const first = await store.append(id, entries(['one', 'two']))
      const bytes = Buffer.from([0x66, 0xff, 0xfe, 0x00, 0x0d])
      const second = await store.append(id, [
        {ts: 1000, bytes, eol: true, level: 'error', stream: 'stderr'},
        {ts: 1001, bytes: Buffer.from('tail without newline'), eol: false, level: 'warn', stream: 'stdout'},
      ])
      expect(first).toMatchObject({first: 1, last: 2})
      expect(second).toMatchObject({first: 3, last: 4})
      const all = await readAll(store.read(id))
      expect(all.map((e) => e.seq)).toEqual([1, 2, 3, 4])
      expect(all[2].bytes).toEqual(bytes)
      expect(all[2]).toMatchObject({ts: 1000, level: 'error', stream: 'stderr', eol: true})
      expect(all[3]).toMatchObject({line: 'tail without newline', eol: false, level: 'warn', stream: 'stdout'})
    })

    it('reads ranges: after, before, tail, limit, since, until', async () => {
      const id = jobId('range')
      await store.startJob(id)
      for (let i = 0; i < 10; i++) await store.append(id, entries([`line ${i + 1}`], 10_000 + i * 1000))
      const seqs = async (range: Parameters<LiveStore['read']>[1]) => (await readAll(store.read(id, range))).map((e) => e.seq)
      expect(await seqs({after: 7})).toEqual([8, 9, 10])
      expect(await seqs({before: 3})).toEqual([1, 2])
      expect(await seqs({tail: 3})).toEqual([8, 9, 10])
      expect(await seqs({limit: 2, after: 4})).toEqual([5, 6])
      expect(await seqs({since: 14_000})).toEqual([5, 6, 7, 8, 9, 10])
      expect(await seqs({until: 12_000})).toEqual([1, 2])
      expect(await seqs({since: 12_000, until: 16_000, tail: 2})).toEqual([5, 6])
      expect(await seqs({before: 6, tail: 2})).toEqual([4, 5])
      expect(await seqs({after: 10})).toEqual([])
    })

    it('readRaw, where the store has it, gives the bytes read() gives, for every range', async () => {
      if (!store.readRaw) return
      const id = jobId('raw')
      await store.startJob(id)
      const odd = [Buffer.from('crlf\r'), Buffer.from([0xff, 0xfe, 0x00, 0x80]), Buffer.from(''), Buffer.from('\u001B[31mred\u001B[0m'), Buffer.from('piece')]
      for (let batch = 0; batch < 30; batch++) {
        await store.append(
          id,
          Array.from({length: 1 + (batch % 7)}, (_, i) => ({
            ts: 1000 + batch,
            bytes: Buffer.concat([Buffer.from(`${batch}.${i} `), odd[(batch + i) % odd.length]]),
            eol: (batch + i) % 11 !== 0,
          })),
        )
      }
      const total = (await store.getJob(id))!.lines
      for (const range of [{}, {after: 5}, {tail: 9}, {limit: 13}, {after: 17, limit: 4}, {after: 3, tail: 2}, {after: total}, {tail: 0}, {limit: 0}]) {
        const blocks = []
        for await (const block of store.readRaw(id, range)) blocks.push(block)
        const read = await readAll(store.read(id, range))
        expect(Buffer.concat(blocks.map((b) => b.bytes)).equals(read.length > 0 ? rawChunk(read) : Buffer.alloc(0)), JSON.stringify(range)).toBe(true)
        const seqs = blocks.flatMap((b) => Array.from({length: b.last - b.first + 1}, (_, i) => b.first + i))
        expect(seqs, JSON.stringify(range)).toEqual(read.map((e) => e.seq))
      }
    })

    it('keeps metadata: counts, levels, labels, status, exit code', async () => {
      const id = jobId('meta')
      await store.startJob(id, {labels: {team: 'data'}})
      await store.append(id, [
        {ts: 5, bytes: Buffer.from('a'), eol: true, level: 'info'},
        {ts: 6, bytes: Buffer.from('bb'), eol: true, level: 'error'},
        {ts: 7, bytes: Buffer.from('c'), eol: false},
      ])
      let meta = await store.getJob(id)
      expect(meta).toMatchObject({id, status: 'running', lines: 3, bytes: 6, levels: {info: 1, error: 1}, labels: {team: 'data'}, location: {kind: 'live'}})
      meta = await store.endJob(id, {status: 'failed', exitCode: 3})
      expect(meta).toMatchObject({status: 'failed', exitCode: 3})
      expect((await store.getJob(id))?.endedAt).toBeGreaterThan(0)
      await store.startJob(id)
      expect(await store.getJob(id)).toMatchObject({status: 'running', lines: 3})
      expect(await store.getJob(jobId('missing'))).toBeUndefined()
    })

    it('lists jobs by status and prefix, newest first, and deletes them', async () => {
      const prefix = jobId('list')
      await store.startJob(`${prefix}-a`)
      await store.startJob(`${prefix}-b`)
      await store.endJob(`${prefix}-b`, {status: 'succeeded', exitCode: 0})
      const listed = await store.listJobs({prefix})
      expect(listed.map((j) => j.id).sort()).toEqual([`${prefix}-a`, `${prefix}-b`])
      expect((await store.listJobs({prefix, status: 'succeeded'})).map((j) => j.id)).toEqual([`${prefix}-b`])
      await store.deleteJob(`${prefix}-a`)
      expect(await store.getJob(`${prefix}-a`)).toBeUndefined()
      expect((await store.listJobs({prefix})).map((j) => j.id)).toEqual([`${prefix}-b`])
    })

    it('applies a batch retried with the same token once', async () => {
      const id = jobId('token')
      await store.startJob(id)
      const token = {writer: 'w1', batch: 2}
      expect(await store.append(id, entries(['a', 'b']), token)).toMatchObject({first: 1, last: 2})
      expect(await store.append(id, entries(['a', 'b']), token)).toMatchObject({duplicate: true})
      expect(await store.append(id, entries(['c']), {writer: 'w1', batch: 3})).toMatchObject({first: 3, last: 3})
      expect(await store.append(id, entries(['x']), {writer: 'w2', batch: 1})).toMatchObject({first: 4, last: 4})
      expect((await readAll(store.read(id))).map((e) => e.line)).toEqual(['a', 'b', 'c', 'x'])
    })

    it('applies a batch whose token names its predecessor (after) only right after it; otherwise refuses it, writing nothing', async () => {
      const id = jobId('after')
      await store.startJob(id)
      await expect(store.append(id, entries(['b']), {writer: 'w1', batch: 20, after: 10})).rejects.toBeInstanceOf(OutOfOrderError)
      expect(await store.append(id, entries(['a']), {writer: 'w1', batch: 10, after: 0})).toMatchObject({first: 1, last: 1})
      await expect(store.append(id, entries(['c']), {writer: 'w1', batch: 30, after: 20})).rejects.toBeInstanceOf(OutOfOrderError)
      expect(await store.append(id, entries(['b']), {writer: 'w1', batch: 20, after: 10})).toMatchObject({first: 2, last: 2})
      expect(await store.append(id, entries(['b']), {writer: 'w1', batch: 20, after: 10})).toMatchObject({duplicate: true})
      expect(await store.append(id, entries(['c']), {writer: 'w1', batch: 30, after: 20})).toMatchObject({first: 3, last: 3})
      expect((await readAll(store.read(id))).map((e) => e.line)).toEqual(['a', 'b', 'c'])
    })

    it('keeps sequence numbers gapless with concurrent appends', async () => {
      const id = jobId('concurrent')
      await store.startJob(id)
      await Promise.all(Array.from({length: 20}, (_, i) => store.append(id, entries([`${i}-a`, `${i}-b`, `${i}-c`]))))
      const all = await readAll(store.read(id))
      expect(all.map((e) => e.seq)).toEqual(Array.from({length: 60}, (_, i) => i + 1))
      // each batch stays contiguous
      for (let i = 0; i < 60; i += 3) expect(all[i].line.split('-')[0]).toBe(all[i + 2].line.split('-')[0])
    })

    it('follows: history after a seq, then live entries, then the end', async () => {
      const id = jobId('follow')
      await store.startJob(id)
      await store.append(id, entries(['h1', 'h2', 'h3']))
      const seen: string[] = []
      let end: FollowEvent | undefined
      const following = (async () => {
        for await (const event of store.follow(id, {after: 1})) {
          if (event.type === 'entries') seen.push(...event.entries.map((e) => `${e.seq}:${e.line}`))
          if (event.type === 'end') end = event
        }
      })()
      await waitUntil(() => seen.length === 2, {what: 'two lines followed'})
      await store.append(id, entries(['l1']))
      await waitUntil(() => seen.length === 3, {what: 'three lines followed'})
      await store.append(id, entries(['l2', 'l3']))
      await store.endJob(id, {status: 'succeeded', exitCode: 0})
      await following
      expect(seen).toEqual(['2:h2', '3:h3', '4:l1', '5:l2', '6:l3'])
      expect(end).toMatchObject({type: 'end', meta: {status: 'succeeded', exitCode: 0}})
    })

    it('follow sends a meta event when status, phase, progress or sections change, not for each append', async () => {
      if (store.metadataWritable === false) return // the relay client cannot write metadata; its status events are tested on the relay
      const id = jobId('meta-events')
      await store.startJob(id)
      const events: FollowEvent[] = []
      const following = (async () => {
        for await (const event of store.follow(id, {after: 0})) events.push(event)
      })()
      const metas = () => events.flatMap((e) => (e.type === 'meta' ? [e.meta] : []))
      const lines = () => events.flatMap((e) => (e.type === 'entries' ? e.entries.map((entry) => entry.seq) : []))
      await store.append(id, entries(['a', 'b']))
      await waitUntil(() => lines().length === 2, {what: 'two lines followed'})
      await store.updateJob(id, {phase: 'build', progress: 10})
      await waitUntil(() => metas().some((m) => m.phase === 'build'), {what: 'a meta event with the phase'})
      await store.append(id, entries(['c']))
      await store.append(id, entries(['d']))
      await waitUntil(() => lines().length === 4, {what: 'four lines followed'})
      const section = {name: 's', title: 'S', family: 'github' as const, depth: 0, firstSeq: 3, lastSeq: 4, start: 1, lines: 2, levels: {}}
      await store.updateJob(id, {progress: 50, sections: [section]})
      await waitUntil(() => metas().some((m) => m.progress === 50), {what: 'a meta event with the new progress'})
      await store.updateJob(id, {sections: [{...section, end: 2, duration: 1}]})
      await waitUntil(() => metas().some((m) => m.sections?.[0]?.end === 2), {what: 'a meta event for the closed section'})
      await store.append(id, entries(['e']))
      await store.endJob(id, {status: 'succeeded', exitCode: 0})
      await following
      // None for the start: the follower knew that state when it began.
      expect(metas().map((m) => [m.status, m.phase, m.progress, m.sections?.length])).toEqual([
        ['running', 'build', 10, undefined],
        ['running', 'build', 50, 1],
        ['running', 'build', 50, 1],
      ])
      expect(lines()).toEqual([1, 2, 3, 4, 5])
      expect(events.at(-1)).toMatchObject({type: 'end', meta: {status: 'succeeded', phase: 'build', progress: 50, lines: 5}})
      // Metadata changes leave the stored lines as they were.
      expect((await readAll(store.read(id))).map((e) => e.line)).toEqual(['a', 'b', 'c', 'd', 'e'])
      expect((await readAll(store.read(id, {tail: 2}))).map((e) => e.seq)).toEqual([4, 5])
      if (store.readRaw) {
        const blocks = []
        for await (const block of store.readRaw(id, {after: 1})) blocks.push(block.bytes)
        expect(Buffer.concat(blocks).toString()).toBe('b\nc\nd\ne\n')
      }
    })

    it('follow waits for a job that does not exist yet, and can be aborted', async () => {
      const id = jobId('later')
      const seen: string[] = []
      const following = (async () => {
        for await (const event of store.follow(id, {after: 0})) if (event.type === 'entries') seen.push(...event.entries.map((e) => e.line))
      })()
      await followerWaiting()
      await store.startJob(id)
      await store.append(id, entries(['first']))
      await store.endJob(id, {status: 'ended'})
      await following
      expect(seen).toEqual(['first'])

      const controller = new AbortController()
      const aborted = (async () => {
        for await (const _ of store.follow(jobId('never'), {after: 0, signal: controller.signal})) void _
      })()
      await followerWaiting()
      controller.abort()
      await aborted
    })

    it('follow of a missing job with waitForJob false fails', async () => {
      await expect(
        readAll(
          (async function* (s) {
            for await (const event of s.follow(jobId('absent'), {after: 0, waitForJob: false})) if (event.type === 'entries') yield* event.entries
          })(store),
        ),
      ).rejects.toThrow(/not found/)
    })
  })
}
