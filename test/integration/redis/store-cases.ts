/**
 * The Redis store's own checks, run against a standalone server and against a cluster
 * (redis-store.test.ts, redis-cluster.test.ts). Each test uses its own key prefix.
 */
import {randomUUID} from 'node:crypto'
import {expect, it} from 'vitest'
import {rawBytes, type LogEntry, type NewEntry} from '../../../src/lib/entry.js'
import {JobNotFoundError} from '../../../src/lib/errors/index.js'
import {openLiveStore} from '../../../src/lib/open/open-store.js'
import type {FollowEvent, LiveStore, ReadRange} from '../../../src/lib/store/types.js'
import {untilBlocked} from '../../helpers/follower-waiting.js'
import {waitUntil} from '../../helpers/wait.js'

export interface StoreCaseContext {
  url: () => string
  /** Runs a redis-cli command against the server (cluster: follows redirects). */
  cli: (...args: string[]) => Promise<string>
  /** Clients blocked now (XREAD BLOCK) on the server or all nodes: a follower inside its wait. */
  blockedClients: () => Promise<number>
}

export const line = (text: string | Buffer, ts: number, extra: Partial<NewEntry> = {}): NewEntry => ({
  ts,
  bytes: Buffer.isBuffer(text) ? text : Buffer.from(text),
  eol: true,
  ...extra,
})

export const lines = (count: number, start = 1, ts = 1_795_000_000_000): NewEntry[] => Array.from({length: count}, (_, i) => line(`line ${start + i}`, ts + start + i))

export async function collect(source: AsyncIterable<LogEntry>): Promise<LogEntry[]> {
  const out: LogEntry[] = []
  for await (const entry of source) out.push(entry)
  return out
}

export async function openStore(url: string, options: string): Promise<LiveStore> {
  const separator = url.includes('?') ? '&' : '?'
  return openLiveStore({value: `${url}${separator}${options}`, from: '--store'})
}

export function storeCases(context: StoreCaseContext): void {
  const fresh = async (options = '') => {
    const prefix = `t${randomUUID().slice(0, 8)}:`
    return {prefix, store: await openStore(context.url(), `prefix=${prefix}${options ? `&${options}` : ''}`)}
  }

  it('stores and returns the exact bytes, levels and streams', async () => {
    const {store} = await fresh()
    const input: NewEntry[] = [
      line('plain', 1, {level: 'info', stream: 'stdout'}),
      line(Buffer.from([0xff, 0x00, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x0d]), 2, {stream: 'stderr'}),
      line('', 3),
      line('{"level":"error","msg":"x"}', 4, {level: 'error'}),
      line('no newline at EOF', 5, {eol: false}),
    ]
    await store.startJob('bytes')
    expect(await store.append('bytes', input)).toEqual({first: 1, last: 5})
    const read = await collect(store.read('bytes'))
    expect(read.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5])
    expect(Buffer.concat(read.map(rawBytes))).toEqual(Buffer.concat(input.map((e) => (e.eol ? Buffer.concat([e.bytes, Buffer.from('\n')]) : e.bytes))))
    expect(read.map((e) => [e.ts, e.level, e.stream, e.eol])).toEqual(input.map((e) => [e.ts, e.level, e.stream, e.eol]))
    await store.close()
  })

  it('reads ranges: after, before, tail, limit and time, with the tail read from the end', async () => {
    const {store} = await fresh()
    await store.startJob('ranges')
    for (let batch = 0; batch < 10; batch++) await store.append('ranges', lines(500, batch * 500 + 1))
    const seqs = async (range: ReadRange) => (await collect(store.read('ranges', range))).map((e) => e.seq)
    const span = (from: number, to: number) => Array.from({length: to - from + 1}, (_, i) => from + i)
    expect(await seqs({after: 4990})).toEqual(span(4991, 5000))
    expect(await seqs({before: 4})).toEqual([1, 2, 3])
    expect(await seqs({tail: 3})).toEqual([4998, 4999, 5000])
    expect(await seqs({tail: 3, before: 1000})).toEqual([997, 998, 999])
    expect(await seqs({after: 10, limit: 3})).toEqual([11, 12, 13])
    expect(await seqs({after: 100, before: 103})).toEqual([101, 102])
    const t0 = 1_795_000_000_000
    expect(await seqs({since: t0 + 2500, until: t0 + 2503})).toEqual([2500, 2501, 2502])
    expect(await seqs({since: t0 + 4999})).toEqual([4999, 5000])
    expect(await seqs({until: t0 + 3})).toEqual([1, 2])
    expect(await seqs({since: t0 + 100, tail: 2, until: t0 + 200})).toEqual([198, 199])
    expect(await seqs({after: 5000})).toEqual([])
    expect(await seqs({tail: 0})).toEqual([])
    expect(await collect(store.read('missing'))).toEqual([])
    await store.close()
  })

  it('filters time ranges line by line when timestamps are out of order', async () => {
    const {store} = await fresh()
    await store.startJob('clock')
    await store.append('clock', [line('a', 100), line('b', 300)])
    await store.append('clock', [line('c', 200), line('d', 400)]) // another machine, another clock
    expect((await collect(store.read('clock', {since: 250}))).map((e) => e.line)).toEqual(['b', 'd'])
    expect((await collect(store.read('clock', {until: 250}))).map((e) => e.line)).toEqual(['a', 'c'])
    await store.close()
  })

  it('keeps metadata: counts, levels, times, labels, status', async () => {
    const {store} = await fresh()
    const started = await store.startJob('meta', {labels: {team: 'ci'}})
    expect(started).toMatchObject({id: 'meta', status: 'running', lines: 0, bytes: 0, labels: {team: 'ci'}, location: {kind: 'live'}})
    await store.append('meta', [line('e1', 10, {level: 'error'}), line('w', 20, {level: 'warn'}), line('x', 30, {eol: false})])
    await store.append('meta', [line('e2', 40, {level: 'error'})])
    const ended = await store.endJob('meta', {status: 'failed', exitCode: 3})
    expect(ended).toMatchObject({status: 'failed', exitCode: 3, lines: 4, bytes: 3 + 2 + 1 + 3, levels: {error: 2, warn: 1}, firstTs: 10, lastTs: 40})
    expect(ended.endedAt).toBeGreaterThanOrEqual(started.createdAt)
    expect(await store.getJob('meta')).toEqual(ended)
    const restarted = await store.startJob('meta', {labels: {run: '2'}})
    expect(restarted).toMatchObject({status: 'running', lines: 4, labels: {team: 'ci', run: '2'}})
    expect(restarted.exitCode).toBeUndefined()
    expect(await store.append('meta', lines(1))).toEqual({first: 5, last: 5})
    const archived = await store.updateJob('meta', {location: {kind: 'archived', url: 's3://b/meta.jsonl.gz', size: 10, sha256: 'ab', archivedAt: 5}})
    expect(archived.location).toEqual({kind: 'archived', url: 's3://b/meta.jsonl.gz', size: 10, sha256: 'ab', archivedAt: 5})
    expect(await store.getJob('nope')).toBeUndefined()
    await expect(store.append('nope', lines(1))).rejects.toBeInstanceOf(JobNotFoundError)
    await expect(store.endJob('nope', {status: 'ended'})).rejects.toBeInstanceOf(JobNotFoundError)
    await store.close()
  })

  it('lists jobs by last update, filtered by status and prefix; deletes jobs', async () => {
    const {store} = await fresh()
    // Distinct update times: the next change waits for the clock's next millisecond.
    const tick = (from = Date.now()) => waitUntil(() => Date.now() > from, {what: 'the next millisecond', interval: 1})
    await store.startJob('build-1')
    await tick()
    await store.startJob('build-2')
    await tick()
    await store.startJob('deploy-1')
    await tick()
    await store.endJob('build-1', {status: 'succeeded', exitCode: 0})
    expect((await store.listJobs()).map((j) => j.id)).toEqual(['build-1', 'deploy-1', 'build-2'])
    expect((await store.listJobs({status: 'running'})).map((j) => j.id).sort()).toEqual(['build-2', 'deploy-1'])
    expect((await store.listJobs({prefix: 'build-'})).map((j) => j.id).sort()).toEqual(['build-1', 'build-2'])
    await store.deleteJob('build-2')
    expect(await store.getJob('build-2')).toBeUndefined()
    expect(await collect(store.read('build-2'))).toEqual([])
    expect((await store.listJobs()).map((j) => j.id)).toEqual(['build-1', 'deploy-1'])
    await store.close()
  })

  it('gives the keys of an ended job the TTL, never those of a running job', async () => {
    const {store, prefix} = await fresh('ttl=2h')
    await store.startJob('ttl')
    await store.append('ttl', lines(3))
    for (const suffix of ['meta', 'log']) expect(Number(await context.cli('PTTL', `${prefix}{ttl}:${suffix}`))).toBe(-1)
    await store.endJob('ttl', {status: 'ended'})
    for (const suffix of ['meta', 'log']) {
      const ttl = Number(await context.cli('PTTL', `${prefix}{ttl}:${suffix}`))
      expect(ttl).toBeGreaterThan(2 * 3_600_000 - 60_000)
      expect(ttl).toBeLessThanOrEqual(2 * 3_600_000)
    }
    await store.startJob('ttl')
    expect(Number(await context.cli('PTTL', `${prefix}{ttl}:log`))).toBe(-1)
    await store.close()
  })

  it('forgets an expired job in the job list', async () => {
    const {store, prefix} = await fresh()
    await store.startJob('gone')
    await store.endJob('gone', {status: 'ended'})
    await context.cli('PEXPIRE', `${prefix}{gone}:meta`, '1')
    await waitUntil(async () => (await context.cli('PTTL', `${prefix}{gone}:meta`)) === '-2', {what: 'the metadata key expired'})
    // A reader (get, ls, tail) leaves the index as it is; a writer prunes it.
    const reader = await openLiveStore({value: `${context.url()}${context.url().includes('?') ? '&' : '?'}prefix=${prefix}`, from: '--store'}, process.env, true)
    expect(await reader.listJobs()).toEqual([])
    expect(await context.cli('ZCARD', `${prefix}jobs`)).toBe('1')
    await reader.close()
    expect(await store.listJobs()).toEqual([])
    expect(await context.cli('ZCARD', `${prefix}jobs`)).toBe('0')
    await store.close()
  })

  it('applies a batch re-sent with the same token once', async () => {
    const {store} = await fresh()
    await store.startJob('token')
    const token = {writer: 'w1', batch: 10}
    expect(await store.append('token', lines(3, 1), token)).toEqual({first: 1, last: 3})
    expect(await store.append('token', lines(3, 1), token)).toEqual({first: 1, last: 3, duplicate: true})
    expect(await store.append('token', lines(2, 4), {writer: 'w1', batch: 12})).toEqual({first: 4, last: 5})
    expect((await store.append('token', lines(3, 1), token)).duplicate).toBe(true)
    expect(await store.append('token', lines(1, 6), {writer: 'w2', batch: 1})).toEqual({first: 6, last: 6})
    expect((await collect(store.read('token'))).map((e) => e.line)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6'])
    expect((await store.getJob('token'))?.lines).toBe(6)
    await store.close()
  })

  it('keeps sequence numbers gapless with two concurrent appenders', async () => {
    const {store: a, prefix} = await fresh()
    const b = await openStore(context.url(), `prefix=${prefix}`)
    await a.startJob('pair')
    const write = async (store: LiveStore, name: string) => {
      const results = []
      for (let batch = 1; batch <= 40; batch++) {
        const entries = Array.from({length: 1 + (batch % 7) * 37}, (_, i) => line(`${name} ${batch} ${i}`, Date.now()))
        results.push({entries, result: await store.append('pair', entries, {writer: name, batch})})
      }
      return results
    }
    const [fromA, fromB] = await Promise.all([write(a, 'a'), write(b, 'b')])
    const read = await collect(a.read('pair'))
    expect(read.map((e) => e.seq)).toEqual(read.map((_, i) => i + 1))
    for (const {entries, result} of [...fromA, ...fromB]) {
      expect(result.last - result.first + 1).toBe(entries.length)
      expect(read.slice(result.first - 1, result.last).map((e) => e.line)).toEqual(entries.map((e) => e.bytes.toString()))
    }
    await Promise.all([a.close(), b.close()])
  })

  it('follows: history, then live entries, then the end; resumes after a sequence number', async () => {
    const {store} = await fresh()
    await store.startJob('live')
    await store.append('live', lines(5))
    const events: FollowEvent[] = []
    const following = (async () => {
      for await (const event of store.follow('live', {after: 2})) {
        events.push(event)
        if (event.type === 'entries' && event.entries.at(-1)!.seq === 5) {
          await store.append('live', lines(3, 6))
          await store.endJob('live', {status: 'succeeded', exitCode: 0})
        }
      }
    })()
    await following
    const seqs = events.flatMap((e) => (e.type === 'entries' ? e.entries.map((x) => x.seq) : []))
    expect(seqs).toEqual([3, 4, 5, 6, 7, 8])
    expect(events.at(-1)).toMatchObject({type: 'end', meta: {status: 'succeeded', exitCode: 0, lines: 8}})
    const again: number[] = []
    for await (const event of store.follow('live', {after: 7})) if (event.type === 'entries') again.push(...event.entries.map((e) => e.seq))
    expect(again).toEqual([8])
    expect(await collectEvents(store.follow('live', {after: 8}))).toEqual([{type: 'end', meta: expect.objectContaining({lines: 8})}])
    expect(await collectEvents(store.follow('live', {after: 50}))).toEqual([{type: 'end', meta: expect.objectContaining({lines: 8})}])
    await store.close()
  })

  it('follow waits for a job that does not exist yet, unless told not to', async () => {
    const {store} = await fresh()
    await expect(collect(store.follow('later', {after: 0, waitForJob: false}) as never)).rejects.toBeInstanceOf(JobNotFoundError)
    const seen: string[] = []
    const following = (async () => {
      for await (const event of store.follow('later', {after: 0})) seen.push(event.type === 'entries' ? event.entries.map((e) => e.line).join() : event.type)
    })()
    await untilBlocked(context.blockedClients)
    await store.startJob('later')
    await store.append('later', [line('first', 1)])
    await store.endJob('later', {status: 'ended'})
    await following
    expect(seen).toEqual(['first', 'end'])
    await store.close()
  })

  it('a follower of a job restarted after its end keeps going until the new end', async () => {
    const {store} = await fresh()
    await store.startJob('again')
    await store.append('again', lines(2))
    await store.endJob('again', {status: 'ended'})
    await store.startJob('again')
    await store.append('again', lines(2, 3))
    const seen: number[] = []
    let ended = false
    const following = (async () => {
      for await (const event of store.follow('again', {after: 0})) {
        if (event.type === 'entries') seen.push(...event.entries.map((e) => e.seq))
        if (seen.length === 4 && !ended) {
          ended = true
          await store.endJob('again', {status: 'failed', exitCode: 1})
        }
        if (event.type === 'end') expect(event.meta.status).toBe('failed')
      }
    })()
    await following
    expect(seen).toEqual([1, 2, 3, 4])
    await store.close()
  })

  it('marking a job abandoned ends its followers', async () => {
    const {store} = await fresh()
    await store.startJob('stale')
    const following = collectEvents(store.follow('stale', {after: 0}))
    await untilBlocked(context.blockedClients)
    await store.updateJob('stale', {status: 'abandoned'})
    expect((await following).at(-1)).toMatchObject({type: 'end', meta: {status: 'abandoned'}})
    await store.close()
  })

  it('an aborted follow ends quietly and closes its connection', async () => {
    const {store} = await fresh()
    await store.startJob('abort')
    const controller = new AbortController()
    const following = collectEvents(store.follow('abort', {after: 0, signal: controller.signal}))
    await untilBlocked(context.blockedClients)
    controller.abort()
    expect(await following).toEqual([])
    await store.close()
  })

  it('caps a job at maxlen lines when asked, keeping sequence numbers', async () => {
    const {store} = await fresh('maxlen=1000')
    await store.startJob('capped')
    for (let batch = 0; batch < 20; batch++) await store.append('capped', lines(256, batch * 256 + 1))
    const read = await collect(store.read('capped'))
    expect(read.length).toBeGreaterThanOrEqual(1000)
    expect(read.length).toBeLessThan(5120)
    expect(read.at(-1)!.seq).toBe(5120)
    expect(read.map((e) => e.seq)).toEqual(read.map((_, i) => read[0].seq + i))
    expect((await collect(store.read('capped', {tail: 2}))).map((e) => e.seq)).toEqual([5119, 5120])
    expect((await store.getJob('capped'))?.lines).toBe(5120)
    await store.close()
  })
}

export async function collectEvents(source: AsyncIterable<FollowEvent>): Promise<FollowEvent[]> {
  const out: FollowEvent[] = []
  for await (const event of source) out.push(event)
  return out
}
