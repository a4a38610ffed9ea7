import {waitUntil} from '../../helpers/wait.js'
import {describe, expect, it} from 'vitest'
import {JobDeletedError, StoreUnavailableError} from '../../../src/lib/errors/index.js'
import {redisSandbox} from '../../helpers/redis-sandbox.js'
import {Jobs} from '../../../src/lib/store/jobs.js'
import {collect, line, lines, openStore, storeCases} from './store-cases.js'

const server = redisSandbox()

describe('redis live store (standalone)', () => {
  storeCases({url: () => server.url, cli: (...args) => server.cli(...args), blockedClients: () => server.blockedClients()})
})

describe('redis live store appends', () => {
  const evalCalls = async () => Number(/cmdstat_eval:calls=(\d+)/.exec(await server.cli('INFO', 'commandstats'))?.[1] ?? 0)

  it('a Redis that forgot the append script (SCRIPT FLUSH, a restart) gets its text: applied once, in order', async () => {
    const store = await openStore(server.url, 'prefix=flushed:')
    await store.startJob('job')
    expect(await store.append('job', lines(100, 1), {writer: 'w', batch: 100})).toEqual({first: 1, last: 100})
    await server.cli('SCRIPT', 'FLUSH')
    const evals = await evalCalls()
    expect(await store.append('job', lines(100, 101), {writer: 'w', batch: 200, after: 100})).toEqual({first: 101, last: 200})
    expect(await evalCalls()).toBe(evals + 1)
    expect(await store.append('job', lines(100, 201), {writer: 'w', batch: 300, after: 200})).toEqual({first: 201, last: 300})
    expect(await evalCalls()).toBe(evals + 1)
    const read = await collect(store.read('job'))
    expect(read.map((e) => [e.seq, e.line])).toEqual(Array.from({length: 300}, (_, i) => [i + 1, `line ${i + 1}`]))
    await store.close()
  })

  it('batches written one after another into reused memory keep their own bytes', async () => {
    const store = await openStore(server.url, 'prefix=reused:')
    await store.startJob('job')
    // Batches of falling size: each is written where the one before it was, which was longer.
    const batches = [3000, 2000, 1000, 10, 1].map((count, b) => Array.from({length: count}, (_, i) => line(`batch ${b} line ${i} ${'x'.repeat(b * 7)}`, 1_795_000_000_000 + i)))
    for (const batch of batches) await store.append('job', batch)
    const read = await collect(store.read('job'))
    expect(read.map((e) => e.line)).toEqual(batches.flat().map((e) => e.bytes.toString()))
    await store.close()
  })
})

describe('redis live store: a job deleted while it is read', () => {
  // 100 appends are 100 stream entries, read 32 to a page: the job goes after the first page.
  const jobOf100Entries = async (prefix: string) => {
    const store = await openStore(server.url, prefix)
    await store.startJob('job')
    for (let i = 0; i < 100; i++) await store.append('job', lines(10, i * 10 + 1))
    return store
  }

  it('a read fails naming the deletion, not ending as if the job were shorter', async () => {
    const store = await jobOf100Entries('prefix=deleted:')
    const seqs: number[] = []
    const reading = (async () => {
      for await (const entry of store.read('job')) {
        seqs.push(entry.seq)
        if (seqs.length === 1) await store.deleteJob('job')
      }
    })()
    const error = (await reading.catch((caught: unknown) => caught)) as JobDeletedError
    expect(error.message).toMatch(/job job was deleted from redis:\/\/.* while it was being read/)
    // Moved to an archive this reader does not read looks the same from here.
    expect(error.suggestions.join('\n')).toMatch(/`logs archive` moves ended jobs .* \(--archive or LOGS_ARCHIVE\)/)
    expect(seqs.length).toBeLessThan(1000)
    await store.close()
  })

  it('a raw read fails naming the deletion too', async () => {
    const store = await jobOf100Entries('prefix=deleted-raw:')
    let blocks = 0
    const reading = (async () => {
      for await (const _block of store.readRaw!('job', {})) if (++blocks === 1) await store.deleteJob('job')
    })()
    await expect(reading).rejects.toThrow(/job job was deleted from redis:\/\/.* while it was being read/)
    await store.close()
  })
})

describe('redis live store through an outage', () => {
  const down = redisSandbox()

  it('append fails with StoreUnavailableError while Redis is down; a follower (through Jobs.follow, the one retry owner) resumes with no gap and no duplicate', async () => {
    const store = await openStore(down.url, 'prefix=outage:')
    const reader = await openStore(down.url, 'prefix=outage:')
    await store.startJob('job')
    await store.append('job', lines(100, 1), {writer: 'w', batch: 1})
    const seqs: number[] = []
    const following = (async () => {
      for await (const event of new Jobs({live: reader}).follow('job', {after: 0})) if (event.type === 'entries') seqs.push(...event.entries.map((e) => e.seq))
    })()
    await waitUntil(() => seqs.length >= 100, {what: 'the follower has the first 100 lines'})

    await down.stop()
    const error = await store.append('job', lines(100, 101), {writer: 'w', batch: 2}).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreUnavailableError)
    expect((error as Error).message).toContain(down.url)
    expect((error as Error).message).toMatch(/connection refused|not reachable/)

    await down.start()
    // The spool's retry, same token, until the writer's connection is back.
    const result = await waitUntil(() => store.append('job', lines(100, 101), {writer: 'w', batch: 2}).catch(() => undefined), {what: 'an append once Redis is back', interval: 50})
    expect(result).toEqual({first: 101, last: 200})
    expect((await store.append('job', lines(100, 101), {writer: 'w', batch: 2})).duplicate).toBe(true)
    await store.endJob('job', {status: 'ended'})
    await following
    expect(seqs).toEqual(Array.from({length: 200}, (_, i) => i + 1))
    await Promise.all([store.close(), reader.close()])
  })
})

describe('redis live store warm-up (push starts its shipping thread before its spool exists)', () => {
  const warm = redisSandbox()
  const pings = async () => Number(/cmdstat_ping:calls=(\d+)/.exec(await warm.cli('INFO', 'commandstats'))?.[1] ?? 0)

  it('connects ahead of the first command; against a Redis that is down it resolves, and the next command fails as it would have', async () => {
    const store = await openStore(warm.url, 'prefix=warm:')
    const before = await pings()
    await store.warmUp!()
    expect(await pings()).toBe(before + 1)
    await store.startJob('job')
    await store.close()

    await warm.stop()
    const cold = await openStore(warm.url, 'prefix=warm:')
    await expect(cold.warmUp!()).resolves.toBeUndefined()
    const error = await cold.getJob('job').catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(StoreUnavailableError)
    expect((error as Error).message).toContain(warm.url)
    await warm.start()
    expect(await waitUntil(() => cold.getJob('job').catch(() => undefined), {what: 'the job once Redis is back', interval: 50})).toMatchObject({id: 'job', status: 'running'})
    await cold.close()
  })
})

describe('redis live store with a password', () => {
  const locked = redisSandbox({extraArgs: ['--requirepass', 'open-sesame']})

  it('works with the right password and names a wrong one without printing it', async () => {
    const url = (password: string) => `redis://:${password}@127.0.0.1:${locked.port}`
    const store = await openStore(url('open-sesame'), 'prefix=auth:')
    await store.startJob('locked')
    expect(await store.append('locked', lines(2))).toEqual({first: 1, last: 2})
    expect(store.name).not.toContain('open-sesame')
    await store.close()

    const wrong = await openStore(url('guess'), 'prefix=auth:')
    const error = (await wrong.getJob('locked').catch((caught: unknown) => caught)) as Error
    expect(error).toBeInstanceOf(StoreUnavailableError)
    expect(error.message).toMatch(/authentication failed/)
    expect(error.message).not.toContain('guess')
    await wrong.close()
  })
})
